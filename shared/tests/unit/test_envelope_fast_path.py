"""The envelope's quick check (`_fast`, worked out once per field for the consumers' sake, #23) must give
marshmallow's answer for every envelope: a consumer dead-letters what the schema refuses and handles what
it accepts, whichever path read it."""
from __future__ import annotations

import copy
import random

from marshmallow import ValidationError

from liandong.contracts import CONTRACTS
from liandong.events.envelope import _SCHEMA, Envelope, InvalidEnvelope

VALUES = [None, "", "x", 1, 1.5, True, [], {}, "/services/petition", "/services/Petition", "liandong.a.v1",
          "liandong.A.v1", "2026-01-01T00:00:00Z", "2026-01-01 00:00:00Z", "1.0", "0.3", "/a/", "a/", "a" * 300]


def _schema_answer(raw: dict):
    try:
        return _SCHEMA.load(raw)
    except ValidationError:
        return InvalidEnvelope


def _fast_answer(raw: dict):
    try:
        env = Envelope.from_dict(raw)
    except InvalidEnvelope:
        return InvalidEnvelope
    return {k: v for k, v in env.__dict__.items()}


def test_the_quick_envelope_check_answers_as_the_schema_does():
    event = CONTRACTS.new_event("security.dispute.mediated", "d1", {
        "dispute_id": "d1", "org_unit_id": "u", "type": "neighbour", "outcome": "agreement", "sessions": 1,
        "petition_id": None, "mediated_at": "2026-01-01T00:00:00.000000Z"}, "/a/b/").to_dict()
    rnd = random.Random(23)
    refused = 0
    for _ in range(3000):
        raw = copy.deepcopy(event)
        for _ in range(rnd.randint(1, 3)):
            key = rnd.choice([*raw, "extra"])
            if rnd.random() < 0.2:
                raw.pop(key, None)
            else:
                raw[key] = rnd.choice(VALUES)
        expected = _schema_answer(raw)
        got = _fast_answer(raw)
        if expected is InvalidEnvelope:
            refused += 1
            assert got is InvalidEnvelope, raw
        else:
            assert got is not InvalidEnvelope, raw
            assert {k: got[k] for k in expected} == expected, raw
    assert refused > 1000  # the mutations do reach the checks


def test_an_envelope_read_or_revalidated_is_the_one_the_constructor_makes():
    """The quick roads build envelopes without the dataclass's __init__: every field must be there, with the
    constructor's defaults."""
    made = CONTRACTS.new_event("security.dispute.mediated", "d1", {
        "dispute_id": "d1", "org_unit_id": "u", "type": "neighbour", "outcome": "agreement", "sessions": 1,
        "petition_id": None, "mediated_at": "2026-01-01T00:00:00.000000Z"}, "/a/b/")
    minimal = {k: v for k, v in made.to_dict().items()
               if k not in ("datacontenttype", "correlationid", "causationid", "sequence")}
    for read in (Envelope.from_json(made.to_json()), Envelope.from_dict(minimal),
                 CONTRACTS.validate_incoming(Envelope.from_dict(minimal))):
        assert read == made
        assert read.__dict__ == made.__dict__
    assert made.with_data({"x": 1}).data == {"x": 1} and made.data != {"x": 1}
