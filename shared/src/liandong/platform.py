"""The wiring every service process shares: settings, its database, the bus, the clock, contracts.

Each service's `bootstrap` builds one `Platform` and adds its own blueprints, collections and
handlers; this is the only place (with `open_database`/`open_bus`) that knows the backends.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable

from flask import Flask

from . import auth, idempotency, metrics, openapi
from .bus import EventBus, open_bus
from .clock import Clock, clock_for
from .config import Settings
from .consumer import EventConsumer
from .errors import NotFound, ValidationFailed
from .contracts import CONTRACTS
from .events.registry import ContractRegistry, dead_letter_topic, retry_topic
from .listing import ListQuery, NoQuery, Page
from .logs import configure_logging
from .org import OrgDirectory
from .outbox import OutboxRelay, prepare
from .storage import Database, open_database
from .storage.base import Collection
from .web import create_base_app, load_query
from .worker import Worker, heartbeat_check


@dataclass(frozen=True)
class EventFactory:
    """Builds integration events in the one envelope, from the contracts register, on the service's clock."""

    registry: ContractRegistry
    clock: Clock

    def new(self, name: str, subject: str, data: dict, orgpath: str, **kw):
        from .logs import correlation_id

        kw.setdefault("correlation_id", correlation_id.get())
        return self.registry.new_event(name, subject, data, orgpath, clock=self.clock, **kw)


@dataclass(frozen=True)
class Dependencies:
    """What a service's use cases, adapters and handlers may use (docs/service-shape.md): its database,
    clock, org directory, event factory, cipher and settings. Not the process's wiring (bus, web app,
    worker): those stay in `Platform` and `bootstrap`, so a use case cannot publish around its outbox."""

    service: str
    settings: Settings
    db: Database
    clock: Clock
    org: OrgDirectory
    events: EventFactory
    cipher: "FieldCipher"


@dataclass
class Platform:
    settings: Settings
    db: Database
    clock: Clock
    registry: ContractRegistry = CONTRACTS
    _bus: EventBus | None = field(default=None, repr=False)
    gauges: list = field(default_factory=list)  # (metric name, help, fn) the service adds to /metrics

    @classmethod
    def create(cls, service: str, settings: Settings | None = None, **overrides) -> "Platform":
        settings = (settings or Settings.from_env(service)).for_service(service)
        if overrides:
            settings = settings.with_overrides(**overrides)
        settings = settings.with_keys()
        return cls(settings=settings, db=open_database(settings), clock=clock_for(settings.clock_file))

    @property
    def service(self) -> str:
        return self.settings.service

    @property
    def audits_personal_reads(self) -> bool:
        """The domain services record their own reads of personal data (liandong.audit); the gateway
        keeps the audit trail they report to."""
        from .contracts.audit import AUDITED_SERVICES

        return self.service in AUDITED_SERVICES

    @property
    def bus(self) -> EventBus:
        if self._bus is None:
            self._bus = open_bus(self.settings)
        return self._bus

    @property
    def runtime(self) -> Collection:
        return self.db.collection("runtime")

    @property
    def org(self) -> OrgDirectory:
        return OrgDirectory(self.db.collection("org_units"))

    @cached_property
    def events(self) -> EventFactory:
        return EventFactory(self.registry, self.clock)

    def new_event(self, name: str, subject: str, data: dict, orgpath: str, **kw):
        return self.events.new(name, subject, data, orgpath, **kw)

    @cached_property
    def deps(self) -> Dependencies:
        """The narrow dependencies handed to the service's use cases and repositories."""
        return Dependencies(self.service, self.settings, self.db, self.clock, self.org, self.events, self.cipher)

    def readiness(self) -> dict[str, Callable]:
        return {
            "database": self.db.ping,
            "bus": self.bus.ping,
            "worker": heartbeat_check(self.runtime, self.clock),
        }

    @cached_property
    def cipher(self) -> "FieldCipher":
        """Encrypts personal data at rest with the configured key (reads with the previous ones too)."""
        from .crypto import FieldCipher

        return FieldCipher(self.settings.encryption_key, self.settings.previous_encryption_keys)

    @property
    def tokens(self) -> auth.TokenService:
        return auth.TokenService(self.settings.secret_key, ttl_seconds=self.settings.access_token_seconds,
                                 previous=self.settings.previous_secret_keys,
                                 clock=lambda: self.clock.now().timestamp())

    @property
    def revocations(self) -> "Revocations":
        return Revocations(self.db.collection("revoked_tokens"))

    def create_app(self, readiness: dict[str, Callable] | None = None,
                   public: tuple[str, ...] = (), serve_openapi: bool = True) -> Flask:
        app = create_base_app(self.settings, readiness={**self.readiness(), **(readiness or {})})
        app.extensions["liandong_platform"] = self
        auth.install(app, self.tokens, revoked=self.revocations.is_revoked,
                     public=("/healthz", "/readyz", "/metrics", "/api/openapi.json", *public))
        idempotency.install(app)  # after authentication: the key is scoped by the verified caller
        if serve_openapi:
            openapi.install(app, f"Liandong {self.service}")
        metrics.install(app, self.service, self.runtime, self.clock, self.gauges)
        if self.audits_personal_reads:
            from . import audit

            reads = audit.PersonalDataReads(self)
            reads.prepare()
            audit.install(app, reads)
            app.extensions["liandong_personal_reads"] = reads  # a route recording a change of a file (#22)
        org = self.org

        @app.get(f"/api/v1/{self.service}/org-units/<org_unit_id>")
        @openapi.api("This service's own copy of an org unit, as learned from the gateway's events",
                     query=NoQuery, tags=["operations"])
        def known_org_unit(org_unit_id: str):
            """This service's own copy of an org unit, as learned from the gateway's events."""
            load_query(NoQuery)
            unit = org.get(org_unit_id)
            if unit is None:
                raise NotFound(f"{self.service} does not know org unit {org_unit_id!r}")
            return {k: v for k, v in unit.items() if not k.startswith("_") or k == "_id"}

        self._install_dead_letter_routes(app)
        return app

    def consumed_topics(self) -> dict[str, list[str]]:
        """The topics each of this service's consumer groups reads, as its worker last reported."""
        beat = self.runtime.find_one({"_id": "worker"}) or {}
        return {g: [t for t in c.get("topics", []) if not t.endswith(".retry")]
                for g, c in (beat.get("consumers") or {}).items()}

    def _install_dead_letter_routes(self, app: Flask) -> None:
        from flask import request

        from . import dlq

        replayed = self.db.collection("dead_letters_replayed")

        def letters() -> list:
            out = []
            for group, topics in self.consumed_topics().items():
                out.extend(dlq.dead_letters(self.bus, group, topics))
            return out

        @app.get(f"/api/v1/{self.service}/dead-letters")
        @openapi.api("List the messages this service's consumers dead-lettered, oldest first (`from`/`to`: when "
                     "they failed; `org_unit`: the events of that unit's subtree)", query=ListQuery,
                     response=dlq.DeadLetterSchema, many=True, permission="dead_letters:admin", tags=["operations"])
        def list_dead_letters():
            q = load_query(ListQuery)
            principal = auth.current_principal()
            principal.require("dead_letters:admin")
            chosen = letters()
            if q["org_unit"]:
                path = self.org.path_of(q["org_unit"], "org_unit")
                principal.require("dead_letters:admin", path)
                chosen = [d for d in chosen if (d.orgpath or "").startswith(path)]
            chosen = [d for d in chosen if (not q["from_"] or d.failed_at >= q["from_"])
                      and (not q["to"] or d.failed_at <= q["to"])]
            done = {d["_id"]: d for d in replayed.find({})}
            return Page.of_all([d.summary(done.get(d.id)) for d in chosen], q["page"], q["page_size"]).body()

        @app.post(f"/api/v1/{self.service}/dead-letters/replay")
        @openapi.api("Replay dead letters (all not yet replayed, or the ids given) after a fix",
                     permission="dead_letters:admin", tags=["operations"])
        def replay_dead_letters():
            auth.current_principal().require("dead_letters:admin")
            body = request.get_json(silent=True) or {}
            ids = body.get("ids")
            if ids is not None and not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
                raise ValidationFailed("invalid ids", {"ids": ["a list of dead-letter ids"]})
            done = {d["_id"] for d in replayed.find({})}
            chosen = [d for d in letters() if (d.id in ids if ids is not None else d.id not in done)]
            return {"replayed": dlq.replay(self.bus, chosen, replayed, self.clock.now_iso())}

    def create_worker(self, outbox_collections: Iterable[Collection], handlers: dict[str, Callable],
                      periodic: Iterable[tuple[float, Callable[[], None]]] = ()) -> Worker:
        """The relay for the service's aggregates and one consumer group for everything it reacts to."""
        configure_logging(self.service, self.settings.log_level, self.settings.log_json)
        collections = list(outbox_collections)
        if self.audits_personal_reads:  # the reads' events go out with the service's own
            from .audit import PersonalDataReads

            collections.append(PersonalDataReads(self).reads)
        for c in collections:
            prepare(c)
        self.org.prepare()
        all_handlers = {**self.org.handlers(), **self.revocations.handlers(), **handlers}
        topics = sorted({self.registry.get(t).topic for t in all_handlers})
        own = self.registry.topics_of(self.service)  # its facts' topic, and its audit topic if it reports to the trail
        self.bus.ensure_topics(sorted(set(topics) | set(own) | {dead_letter_topic(t) for t in own} |
                                      {retry_topic(self.service)} | {dead_letter_topic(t) for t in topics}))
        relay = OutboxRelay(self.bus, collections, registry=self.registry) if collections else None
        consumer = EventConsumer(self.bus, f"{self.service}", topics, all_handlers, self.registry,
                                 max_attempts=self.settings.consumer_max_attempts, clock=self.clock)
        return Worker(self.service, relay, [consumer], self.runtime, self.clock,
                      relay_interval=self.settings.relay_interval, periodic=periodic,
                      heartbeat_file=self.settings.heartbeat_file)


class Revocations:
    """Token ids revoked before they expire, learned from the gateway's events."""

    def __init__(self, collection: Collection):
        self.tokens = collection

    def is_revoked(self, token_id: str) -> bool:
        return self.tokens.find_one({"_id": token_id}) is not None

    def on_session_revoked(self, event) -> None:
        for token_id in event.data["token_ids"]:
            self.tokens.update_one({"_id": token_id}, {"$set": {"user_id": event.data["user_id"],
                                                                "expires_at": event.data["expires_at"]}},
                                   upsert=True)

    def handlers(self) -> dict:
        return {"liandong.gateway.session.revoked.v1": self.on_session_revoked}
