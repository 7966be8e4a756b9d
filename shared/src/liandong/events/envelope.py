"""The one envelope every event travels in: CloudEvents 1.0 attributes plus Liandong extensions.

Extensions (lower-case, as CloudEvents requires): `orgpath` — the full ancestor path of the org
unit the event belongs to ("/district/sub-district/community/..."), `schemaversion`,
`correlationid`, `causationid` and `sequence` (the aggregate's version after the change).
`source` + `id` is unique, so a consumer may drop a repeat.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

SPECVERSION = "1.0"


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # consumers read tolerantly

    id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    source = fields.String(required=True, validate=validate.Regexp(r"^/services/[a-z]+$"))
    specversion = fields.String(required=True, validate=validate.Equal(SPECVERSION))
    type = fields.String(required=True, validate=validate.Regexp(r"^liandong\.[a-z_.]+\.v[0-9]+$"))
    time = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=256))
    datacontenttype = fields.String(load_default="application/json")
    orgpath = fields.String(required=True, validate=validate.Regexp(r"^/([^/]+/)*$"))
    schemaversion = fields.Integer(required=True, validate=validate.Range(min=1))
    correlationid = fields.String(load_default=None, allow_none=True)
    causationid = fields.String(load_default=None, allow_none=True)
    sequence = fields.Integer(load_default=None, allow_none=True)
    data = fields.Dict(required=True)


_SCHEMA = EnvelopeSchema()


class InvalidEnvelope(ValueError):
    """The bytes on the wire are not a Liandong event."""

    def __init__(self, message: str, errors: Any = None):
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True)
class Envelope:
    id: str
    source: str
    type: str
    time: str
    subject: str
    orgpath: str
    schemaversion: int
    data: dict = field(default_factory=dict)
    specversion: str = SPECVERSION
    datacontenttype: str = "application/json"
    correlationid: str | None = None
    causationid: str | None = None
    sequence: int | None = None

    @property
    def service(self) -> str:
        return self.source.rsplit("/", 1)[-1]

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def with_data(self, data: dict) -> "Envelope":
        return replace(self, data=data)

    @classmethod
    def from_dict(cls, raw: Any) -> "Envelope":
        if not isinstance(raw, dict):
            raise InvalidEnvelope("an event must be a JSON object")
        try:
            loaded = _SCHEMA.load(raw)
        except ValidationError as exc:
            raise InvalidEnvelope(f"invalid envelope: {exc.messages}", exc.messages) from exc
        return cls(**loaded)

    @classmethod
    def from_json(cls, raw: bytes | str) -> "Envelope":
        try:
            parsed = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidEnvelope(f"not JSON: {exc}") from exc
        return cls.from_dict(parsed)
