"""Contracts stay compatible: what was once on the wire is still read, and consumers read what comes later.

- Every version of every event type has frozen examples (examples/, written once by
  freeze_examples.py when the version shipped); today's schema of that version still accepts each one.
  Removing a version or adding a required field to it fails here: the break must be a new version.
- Every consumer of every service tolerates fields added by a later producer: each of its handlers
  takes the type's example with an unknown field added, through the worker's real consumer path
  (bus → envelope → contract → handler), without a dead letter.
"""
from __future__ import annotations

import importlib
import json

import pytest

from liandong.consumer import EventConsumer
from liandong.contracts import CONTRACTS
from liandong.events import Envelope
from liandong.events.registry import InvalidEventData, UnknownEventType
from liandong.registry import SERVICES

from .freeze_examples import EXAMPLES, ORGPATH, path_of

FROZEN = sorted(EXAMPLES.glob("*.json"))


def test_every_event_type_has_frozen_examples():
    missing = [c.type for c in CONTRACTS.all() if not path_of(c.type).exists()]
    assert not missing, ("event types without frozen examples (run python shared/tests/contract/freeze_examples.py "
                         "and commit them): " + ", ".join(missing))


@pytest.mark.parametrize("frozen", FROZEN, ids=[f.stem for f in FROZEN])
def test_todays_schema_accepts_every_example_frozen_when_its_version_shipped(frozen):
    body = json.loads(frozen.read_text(encoding="utf-8"))
    try:
        contract = CONTRACTS.get(body["type"])
    except UnknownEventType:
        pytest.fail(f"{body['type']} is no longer registered, but its events stay on the topics (frozen "
                    f"{body['frozen_on']}): keep the version beside a new one", pytrace=False)
    today = CONTRACTS.new_event(contract.name, "subject-1", contract.example, ORGPATH, version=contract.version)
    for example in body["examples"]:
        envelope = Envelope.from_dict(today.to_dict() | {"data": example})
        try:
            CONTRACTS.validate_incoming(envelope)
        except InvalidEventData as exc:
            pytest.fail(f"{contract.type} no longer accepts its example frozen on {body['frozen_on']}: {exc.errors}\n"
                        f"  {json.dumps(example, ensure_ascii=False)}\n"
                        "a change that old events do not meet is a new version of the event", pytrace=False)


def consumers_of(worker) -> list[EventConsumer]:
    """The worker's event consumers (a reports projector consumes through its live generation)."""
    return [c if isinstance(c, EventConsumer) else c.live for c in worker.consumers]


@pytest.mark.parametrize("service", SERVICES)
def test_every_handler_tolerates_fields_added_by_a_later_producer(service, make_settings):
    worker = importlib.import_module(f"{service}.bootstrap").create_worker(make_settings(service=service))
    refused, handled = [], 0
    for consumer in consumers_of(worker):
        for event_type in sorted(consumer.handlers):
            contract = CONTRACTS.get(event_type)
            event = CONTRACTS.new_event(contract.name, "subject-1", contract.example, ORGPATH,
                                        version=contract.version).to_dict()
            event["data"] = event["data"] | {"added_in_a_later_release": {"nested": ["x"], "n": 1}}
            consumer.bus.publish(contract.topic, "subject-1", json.dumps(event).encode())
            consumer.bus.flush()
            before = consumer.dead_lettered
            while consumer.run_once(timeout=0.2):
                pass
            handled += 1
            if consumer.dead_lettered != before:
                refused.append(f"{consumer.group}: {event_type}")
    assert handled, f"{service} consumes no events at all"
    assert not refused, f"{service}'s handlers dead-lettered events with an added field: {', '.join(refused)}"
