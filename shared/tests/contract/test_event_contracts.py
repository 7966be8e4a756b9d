"""Every registered event contract: its example is what producers emit and consumers accept."""
from __future__ import annotations

import pytest

from liandong.contracts import CONTRACTS
from liandong.events import Envelope
from liandong.events.registry import STREAMS

ALL = CONTRACTS.all()


def test_the_register_is_not_empty_and_types_are_versioned_facts():
    assert ALL
    for c in ALL:
        assert c.type == f"liandong.{c.name}.v{c.version}"
        # a service's facts on `<service>.events`; what it reports to the audit trail on `<service>.audit`
        assert c.topic == f"{c.service}.{c.stream}" and c.stream in STREAMS
    assert {c.name for c in ALL if c.stream == "audit"} >= {"petition.personal_data.accessed",
                                                            "welfare.import.completed"}


@pytest.mark.parametrize("contract", ALL, ids=[c.type for c in ALL])
def test_example_round_trips_from_producer_to_consumer(contract):
    env = CONTRACTS.new_event(contract.name, "subject-1", contract.example, "/chuanying/huangqi/jiayuan/",
                              version=contract.version)
    received = CONTRACTS.validate_incoming(Envelope.from_json(env.to_json()))
    assert received.type == contract.type and received.schemaversion == contract.version
    assert received.data == env.data


@pytest.mark.parametrize("contract", ALL, ids=[c.type for c in ALL])
def test_consumers_accept_fields_added_later(contract):
    env = CONTRACTS.new_event(contract.name, "s", contract.example, "/chuanying/", version=contract.version)
    newer = Envelope.from_dict(env.to_dict() | {"data": env.data | {"added_in_a_later_release": 1},
                                                "someextension": "x"})
    assert "added_in_a_later_release" not in CONTRACTS.validate_incoming(newer).data


def _mutations(example: dict):
    """The example bent every way a producer's bug or an old message might bend it."""
    yield example
    yield {**example, "added_later": 1}
    for key, value in example.items():
        yield {k: v for k, v in example.items() if k != key}
        others = [None, "", "zzz", "1", 1, -1, 0, 1.5, float("nan"), True, False, [], ["zzz"], [1], {}, "x" * 300]
        if isinstance(value, list) and value:
            others += [value + [value[0]], [None], value[:1] * 2]
        for other in others:
            if other is not value:
                yield {**example, key: other}


QUICK = [c for c in ALL if CONTRACTS._compiled(c, "exclude")[1] is not None]


@pytest.mark.parametrize("contract", QUICK, ids=[c.type for c in QUICK])
@pytest.mark.parametrize("unknown", ["raise", "exclude"])
def test_the_quick_road_loads_what_marshmallow_loads_or_leaves_it_to_marshmallow(contract, unknown):
    from marshmallow import ValidationError

    schema, quick = CONTRACTS._compiled(contract, unknown)
    assert quick(contract.example) is not None  # plain valid data does take the quick road
    for data in _mutations(contract.example):
        loaded = quick(data)
        if loaded is None:
            continue
        try:
            expected = schema.load(data)
        except ValidationError as exc:
            raise AssertionError(f"the quick road accepted what the contract refuses: {data} ({exc.messages})")
        assert loaded == expected and [type(v) for v in loaded.values()] == [type(v) for v in expected.values()]
        if unknown == "raise":
            assert loaded == schema.dump(expected)  # what a producer puts on the wire either way


def test_only_contracts_with_nested_records_miss_the_quick_road():
    missed = sorted(c.type for c in ALL if CONTRACTS._compiled(c, "exclude")[1] is None)
    assert missed == ["liandong.security.patrol.completed.v1", "liandong.volunteer.registered.v1",
                      "liandong.welfare.redemption.requested.v1"]
