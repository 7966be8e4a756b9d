"""The one envelope every event travels in: CloudEvents 1.0 attributes plus Liandong extensions.

Extensions (lower-case, as CloudEvents requires): `orgpath` — the full ancestor path of the org
unit the event belongs to ("/district/sub-district/community/..."), `schemaversion`,
`correlationid`, `causationid` and `sequence` (the aggregate's version after the change).
`source` + `id` is unique, so a consumer may drop a repeat.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields as dataclass_fields
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from .. import fastjson

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

# The fast path of `from_dict`: an envelope whose every field already has its exact type passes
# the same checks as EnvelopeSchema without marshmallow's machinery (a consumer reads thousands a
# second); anything else goes through the schema, which accepts or rejects it as before.
_STRINGS = {name: (f.validate or [None])[0] if isinstance(f.validate, list) else f.validate
            for name, f in EnvelopeSchema._declared_fields.items() if isinstance(f, fields.String)}
_REQUIRED = [name for name, f in EnvelopeSchema._declared_fields.items() if f.required]
_OPTIONAL_STRINGS = ("correlationid", "causationid")


def _check_of(name: str, check) -> tuple:
    """A string field's check, worked out once: the validators are ABCs, and an isinstance against an ABC
    for every field of every event cost a consumer a tenth of its time (cProfile, docs/bench-2026-11-29.md)."""
    if isinstance(check, validate.Regexp):
        kind, arg = _REGEXP, check.regex.match
    elif isinstance(check, validate.Length):
        kind, arg = _LENGTH, (check.min, check.max)
    elif isinstance(check, validate.Equal):
        kind, arg = _EQUAL, check.comparable
    else:
        kind, arg = (_NONE, None) if check is None else (_OTHER, None)
    return name, kind, arg, name in _OPTIONAL_STRINGS


_NONE, _REGEXP, _LENGTH, _EQUAL, _OTHER = range(5)
_CHECKS = tuple(_check_of(name, check) for name, check in _STRINGS.items())
_ABSENT = object()


def _fast(raw: dict) -> dict | None:
    for name in _REQUIRED:
        if name not in raw:
            return None
    out = {}
    for name, kind, arg, optional in _CHECKS:
        value = raw.get(name, _ABSENT)
        if value is _ABSENT:
            continue
        if value is None and optional:
            out[name] = None
            continue
        if type(value) is not str:
            return None
        if kind == _REGEXP:
            if arg(value) is None:
                return None
        elif kind == _LENGTH:
            if not arg[0] <= len(value) <= arg[1]:
                return None
        elif kind == _EQUAL:
            if value != arg:
                return None
        elif kind == _OTHER:
            return None
        out[name] = value
    version, sequence, data = raw["schemaversion"], raw.get("sequence"), raw["data"]
    if type(version) is not int or version < 1 or (sequence is not None and type(sequence) is not int):
        return None
    if type(data) is not dict:
        return None
    out["schemaversion"], out["sequence"], out["data"] = version, sequence, data
    out.setdefault("datacontenttype", "application/json")
    out.setdefault("correlationid", None)
    out.setdefault("causationid", None)
    return out


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
        # not dataclasses.asdict: its deep copy of `data` was a tenth of an intake's time, and an
        # envelope's data is never changed in place (the envelope is frozen; `with_data` replaces it)
        return {name: getattr(self, name) for name in _FIELDS}

    def headers(self) -> dict[str, str]:
        """The Kafka header it travels with, its type (`ce_type`, as CloudEvents' Kafka binding names it): a
        consumer with no handler for the type skips the event without parsing it. One header only: kafka-python
        decodes every header of every record in Python, for every consumer (the body is the whole event)."""
        return {"ce_type": self.type}

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def with_data(self, data: dict) -> "Envelope":
        # not dataclasses.replace: every consumed event passes here
        return Envelope._made({**self.__dict__, "data": data})

    @classmethod
    def _made(cls, values: dict) -> "Envelope":
        """An envelope of values already checked, every field given: a frozen dataclass's __init__ sets each
        field through object.__setattr__, 2 µs an envelope and two envelopes an event consumed (#23's profile)."""
        envelope = object.__new__(cls)
        envelope.__dict__.update(values)
        return envelope

    @classmethod
    def from_dict(cls, raw: Any) -> "Envelope":
        if not isinstance(raw, dict):
            raise InvalidEnvelope("an event must be a JSON object")
        loaded = _fast(raw)
        if loaded is not None:
            return cls._made(loaded)
        try:
            loaded = _SCHEMA.load(raw)
        except ValidationError as exc:
            raise InvalidEnvelope(f"invalid envelope: {exc.messages}", exc.messages) from exc
        return cls(**loaded)

    @classmethod
    def from_json(cls, raw: bytes | str) -> "Envelope":
        try:
            parsed = fastjson.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidEnvelope(f"not JSON: {exc}") from exc
        return cls.from_dict(parsed)

_FIELDS = tuple(f.name for f in dataclass_fields(Envelope))
