"""The register of event contracts: every event type, its schema, its topic and an example.

Producers validate strictly (unknown fields are an error: a typo must not reach the wire);
consumers validate tolerantly (unknown fields are ignored, so a producer may add fields without
breaking anyone). A breaking change is a new version (`.v2`) registered beside the old one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError

from ..clock import Clock
from ..ids import new_id
from .envelope import Envelope
from .fast import Loader, compile_loader


def topic_for(service: str, stream: str = "events") -> str:
    """`<service>.events`: the facts a service publishes; `<service>.audit`: what it reports to the one audit trail
    (who read personal data, which ledgers it imported). The trail's consumer reads only the audit topics: on the
    facts' topics it fetched and decoded every fact of every service to skip it, a quarter to two fifths of the
    gateway worker's rate (#23, tests/bench/worker_consumers.py)."""
    return f"{service}.{stream}"


STREAMS = ("events", "audit")


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


def retry_topic(group: str) -> str:
    """Where an operator's replay sends a consumer group's dead letters back to it (that group only)."""
    return f"{group}.retry"


@dataclass(frozen=True)
class EventContract:
    name: str  # "petition.registered": the fact, past tense
    version: int
    schema: type[Schema]
    example: dict
    description: str = ""
    stream: str = "events"  # the service's topic it goes to (topic_for): its facts, or its reports to the audit trail

    @property
    def service(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def type(self) -> str:
        return f"liandong.{self.name}.v{self.version}"

    @property
    def topic(self) -> str:
        return topic_for(self.service, self.stream)

    @property
    def source(self) -> str:
        return f"/services/{self.service}"


class UnknownEventType(LookupError):
    pass


class InvalidEventData(ValueError):
    def __init__(self, event_type: str, errors: Any):
        super().__init__(f"{event_type}: invalid data: {errors}")
        self.event_type = event_type
        self.errors = errors


class ContractRegistry:
    def __init__(self) -> None:
        self._by_type: dict[str, EventContract] = {}
        self._schemas: dict[tuple[str, str], tuple[Schema, Loader | None]] = {}

    def _schema(self, contract: EventContract, unknown: str) -> Schema:
        return self._compiled(contract, unknown)[0]

    def _compiled(self, contract: EventContract, unknown: str) -> tuple[Schema, Loader | None]:
        """One schema instance per contract and mode (building one costs more than a load), with
        its quick loader for plainly valid data (events/fast.py)."""
        key = (contract.type, unknown)
        compiled = self._schemas.get(key)
        if compiled is None or type(compiled[0]) is not contract.schema:
            schema = contract.schema(unknown=unknown)
            compiled = self._schemas[key] = (schema, compile_loader(schema))
        return compiled

    def _load(self, contract: EventContract, unknown: str, data: Any) -> tuple[dict, bool]:
        """The data as its contract loads it, and whether the quick road took it."""
        schema, quick = self._compiled(contract, unknown)
        if quick is not None and type(data) is dict:
            loaded = quick(data)
            if loaded is not None:
                return loaded, True
        try:
            return schema.load(data), False
        except ValidationError as exc:
            raise InvalidEventData(contract.type, exc.messages) from exc

    def register(self, contract: EventContract) -> EventContract:
        existing = self._by_type.get(contract.type)
        if existing is not None and existing.schema is not contract.schema:
            raise ValueError(f"event type {contract.type} is registered twice")
        self._by_type[contract.type] = contract
        return contract

    def contract(self, name: str, version: int, example: dict, description: str = "",
                 stream: str = "events") -> Callable:
        """Class decorator: register a marshmallow schema as the contract of an event type."""
        assert stream in STREAMS, stream

        def decorate(schema: type[Schema]) -> type[Schema]:
            self.register(EventContract(name, version, schema, example, description or (schema.__doc__ or ""),
                                        stream))
            return schema

        return decorate

    def get(self, event_type: str) -> EventContract:
        try:
            return self._by_type[event_type]
        except KeyError:
            raise UnknownEventType(f"unknown event type {event_type}") from None

    def by_name(self, name: str, version: int = 1) -> EventContract:
        return self.get(f"liandong.{name}.v{version}")

    def __contains__(self, event_type: str) -> bool:
        return event_type in self._by_type

    def all(self) -> list[EventContract]:
        return sorted(self._by_type.values(), key=lambda c: c.type)

    def for_service(self, service: str) -> list[EventContract]:
        return [c for c in self.all() if c.service == service]

    def topic_of(self, event_type: str, service: str) -> str:
        """Where an event goes: its contract's topic; an event type not registered here, the service's facts."""
        contract = self._by_type.get(event_type)
        return contract.topic if contract is not None else topic_for(service)

    def topics_of(self, service: str) -> list[str]:
        """Every topic a service publishes to: its facts' and, if it reports to the audit trail, its audit topic."""
        return sorted({topic_for(service)} | {c.topic for c in self.for_service(service)})

    def validate_outgoing(self, event_type: str, data: dict) -> dict:
        return self._load(self.get(event_type), RAISE, data)[0]

    def validate_incoming(self, envelope: Envelope) -> Envelope:
        return envelope.with_data(self._load(self.get(envelope.type), EXCLUDE, envelope.data)[0])

    def new_event(self, name: str, subject: str, data: dict, orgpath: str, *, version: int = 1,
                  clock: Clock | None = None, correlation_id: str | None = None,
                  causation_id: str | None = None, sequence: int | None = None,
                  event_id: str | None = None) -> Envelope:
        """Build and validate an event; the only way producers make one."""
        contract = self.by_name(name, version)
        payload, quick = self._load(contract, RAISE, data)
        # what the quick road loads is already what a dump of it gives: plain JSON values
        wire = payload if quick else _json_safe(self._schema(contract, RAISE).dump(payload))
        return Envelope(
            id=event_id or new_id(),
            source=contract.source,
            type=contract.type,
            time=(clock or Clock()).now_iso(),
            subject=str(subject),
            orgpath=orgpath,
            schemaversion=contract.version,
            data=wire,
            correlationid=correlation_id,
            causationid=causation_id,
            sequence=sequence,
        )


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value
