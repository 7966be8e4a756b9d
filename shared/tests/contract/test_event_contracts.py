"""Every registered event contract: its example is what producers emit and consumers accept."""
from __future__ import annotations

import pytest

from liandong.contracts import CONTRACTS
from liandong.events import Envelope

ALL = CONTRACTS.all()


def test_the_register_is_not_empty_and_types_are_versioned_facts():
    assert ALL
    for c in ALL:
        assert c.type == f"liandong.{c.name}.v{c.version}"
        assert c.topic == f"{c.service}.events"


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
