"""The envelope and the contract register, without I/O."""
from __future__ import annotations

import json

import pytest
from marshmallow import Schema, fields

from liandong.clock import FixedClock
from liandong.events import ContractRegistry, Envelope, InvalidEnvelope, InvalidEventData, UnknownEventType

reg = ContractRegistry()


@reg.contract("petition.registered", 1, example={"headcount": 40})
class Registered(Schema):
    headcount = fields.Integer(required=True)


@reg.contract("petition.registered", 2, example={"headcount": 40, "channel": "visit"})
class RegisteredV2(Schema):
    headcount = fields.Integer(required=True)
    channel = fields.String(required=True)


def make(**kw):
    return reg.new_event("petition.registered", "case-1", {"headcount": 40}, "/cy/hq/jy/",
                         clock=FixedClock("2026-03-01T08:00:00Z"), correlation_id="req-1", **kw)


def test_an_event_carries_the_cloudevents_attributes_and_the_org_path():
    env = make(sequence=3)
    raw = json.loads(env.to_json())
    assert raw["specversion"] == "1.0" and raw["type"] == "liandong.petition.registered.v1"
    assert raw["source"] == "/services/petition" and raw["subject"] == "case-1"
    assert raw["time"] == "2026-03-01T08:00:00.000000Z" and raw["datacontenttype"] == "application/json"
    assert raw["orgpath"] == "/cy/hq/jy/" and raw["schemaversion"] == 1 and raw["sequence"] == 3
    assert raw["correlationid"] == "req-1" and raw["id"]
    assert Envelope.from_json(env.to_json()) == env


def test_producers_are_strict():
    with pytest.raises(InvalidEventData) as err:
        reg.new_event("petition.registered", "c", {"headcount": "forty"}, "/cy/")
    assert "headcount" in err.value.errors
    with pytest.raises(InvalidEventData):
        reg.new_event("petition.registered", "c", {"headcount": 1, "typo_field": 2}, "/cy/")
    with pytest.raises(UnknownEventType):
        reg.new_event("petition.never", "c", {}, "/cy/")


def test_a_breaking_change_is_a_new_version_beside_the_old_one():
    v2 = reg.new_event("petition.registered", "c", {"headcount": 1, "channel": "visit"}, "/cy/", version=2)
    assert v2.type == "liandong.petition.registered.v2"
    assert reg.validate_incoming(v2).data["channel"] == "visit"
    assert reg.validate_incoming(make()).data == {"headcount": 40}


@pytest.mark.parametrize("raw", [b"{", b"[]", b'{"id": "x"}', json.dumps({
    "id": "1", "source": "/services/petition", "specversion": "0.3", "type": "liandong.x.v1",
    "time": "2026-03-01T08:00:00Z", "subject": "s", "orgpath": "/a/", "schemaversion": 1, "data": {}}).encode()])
def test_what_is_not_an_envelope_is_refused(raw):
    with pytest.raises(InvalidEnvelope):
        Envelope.from_json(raw)
