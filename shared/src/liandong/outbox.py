"""Transactional outbox without transactions: the state change and its events in one document.

A service saves an aggregate with `insert_with_events` / `update_with_events`: the new state and
the events it caused go into the same document in one single-document write (`_outbox` array),
guarded by a version field (`_v`) so two racing updates cannot both win. The `OutboxRelay` then
publishes each pending document's events (key = the event's subject, the aggregate id, so one
case's events stay in order), flushes, and only then removes exactly the events it published.
A crash between publish and removal publishes them again: consumers drop repeats by event id.
This works on FerretDB and a standalone MongoDB, neither of which offers multi-document transactions.

How the relay learns of new events: on SQLite, from `PRAGMA data_version` (any commit by another
connection); on MongoDB and FerretDB, from a doorbell — each write with events then sets a fresh token
on its collection's document in `_outbox_doorbell`, and the relay asks only the collections rung since
its last look (and every collection each SWEEP seconds, for a writer stopped between write and ring).
Before it, each poll asked every aggregate collection for pending events: ~30 queries a service every
50 ms, each a whole-collection read on FerretDB 1.x.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Iterable

from . import idempotency
from .bus.base import BusError, EventBus
from .errors import ConcurrencyConflict
from .events.envelope import Envelope
from .events.registry import ContractRegistry
from .storage import one_commit
from .storage.base import Collection, StorageError

OUTBOX = "_outbox"
PENDING = "_outbox_pending"
VERSION = "_v"

log = logging.getLogger(__name__)


def prepare(collection: Collection) -> None:
    """Index the flag the relay looks for and the request keys documents carry (call once per
    aggregate collection at start-up)."""
    collection.create_index([(PENDING, 1)], name="outbox_pending")
    idempotency.prepare(collection)


def insert_with_events(collection: Collection, document: dict, events: Iterable[Envelope]) -> dict:
    """Insert the document with its events; returns what is stored.

    Under an Idempotency-Key the document carries the key in the same write; if a document with
    that key is stored already (the request is a retry) that one is returned and nothing is
    written: callers tell by its `_id`."""
    doc = dict(document)
    evs = [e.to_dict() for e in events]
    doc[VERSION] = 1
    doc[OUTBOX] = evs
    doc[PENDING] = bool(evs)
    stored = idempotency.insert(collection, doc)
    if evs:
        _ring(collection)
    return stored


def update_with_events(collection: Collection, doc_id, expected_version: int, changes: dict,
                       events: Iterable[Envelope] = ()) -> int:
    """Set `changes` and append `events` if the document is still at `expected_version`.

    Returns the new version; raises ConcurrencyConflict if someone else updated it first.
    """
    evs = [e.to_dict() for e in events]
    reserved = {"_id", VERSION, OUTBOX, PENDING}
    fields = {k: v for k, v in changes.items() if k not in reserved}
    fields[VERSION] = expected_version + 1
    update: dict = {"$set": fields}
    push = {}
    if evs:
        fields[PENDING] = True
        push[OUTBOX] = {"$each": evs}
    keyed = idempotency.update_clause(collection.name, doc_id)
    if keyed:  # the request's key, in the same guarded write: a retry finds it and applies nothing again
        push.update(keyed)
    if push:
        update["$push"] = push
    result = collection.update_one({"_id": doc_id, VERSION: expected_version}, update)
    if result.matched_count == 0:
        raise ConcurrencyConflict(f"{collection.name}/{doc_id} changed since version {expected_version}")
    if evs:
        _ring(collection)
    return expected_version + 1


def _ring(collection: Collection) -> None:
    """Tell the relay this collection has events, after they are stored. A ring lost (the store gone a
    moment) loses nothing: the relay looks at every collection every SWEEP seconds anyway, and the
    record is stored, so the request is not failed for it."""
    db = getattr(collection, "db", None)
    if db is None:
        return
    try:
        db.ring(collection.name)
    except StorageError as exc:
        log.warning("outbox doorbell of %s not rung (the relay's sweep finds it): %s", collection.name, exc)


_BOOKKEEPING = (OUTBOX, PENDING, idempotency.FIELD, idempotency.RECENT)


def strip(document: dict | None) -> dict | None:
    """The document without its outbox bookkeeping (what an API returns)."""
    if document is None:
        return None
    return {k: v for k, v in document.items() if k not in _BOOKKEEPING}


WAKE = 0.01  # seconds between looks for new work while the relay is idle (SQLite)
SWEEP = 5.0  # seconds between looks at every collection where the store has a doorbell (MongoDB, FerretDB)
IDLE_MAX = 0.25  # seconds: the longest an idle relay waits between looks there


class OutboxRelay:
    """Moves events from aggregate documents to the bus; run one per service (more is safe)."""

    def __init__(self, bus: EventBus, collections: Iterable[Collection], batch_size: int = 200,
                 registry: ContractRegistry | None = None):
        self.bus = bus
        if registry is None:  # the platform's contracts (imported here: the contracts import this module's users)
            from .contracts import CONTRACTS as registry
        self.registry = registry
        self._topics: dict[tuple[str, str], str] = {}  # (event type, service) → its topic, looked up once
        self.collections = list(collections)
        self.batch_size = batch_size
        self.published_total = 0
        self._databases: dict = {}  # the collections grouped by their database, for the doorbells
        for c in self.collections:
            self._databases.setdefault(getattr(c, "db", None), []).append(c)
        self._rung: dict[int, dict] = {}  # per database, the doorbell as last read
        self._busy: set[int] = set()  # collections that had events at the last look: looked at again
        self._next_sweep = 0.0

    def pending(self) -> int:
        """Documents holding events not yet sent (the backlog the heartbeat reports). Where the store has a
        doorbell, a collection found empty at the relay's last look and not busy since is not counted: rung
        since, it is looked at within IDLE_MAX (FerretDB as released counts by reading the whole collection)."""
        return sum(c.count_documents({PENDING: True}) for c in self.collections
                   if id(getattr(c, "db", None)) not in self._rung or id(c) in self._busy)

    def _to_look_at(self) -> list[Collection]:
        """The collections that may hold events: on a store with a doorbell, those rung since the last look
        and those that had events then, and every one each SWEEP seconds (a writer stopped between its write
        and its ring); elsewhere all of them. The doorbell is read before the collections, so a ring after
        this read is seen at the next look."""
        now = time.monotonic()
        sweep = now >= self._next_sweep
        chosen = []
        for db, colls in self._databases.items():
            rung = db.rung() if db is not None else None
            if rung is None:
                chosen += colls
                continue
            seen, self._rung[id(db)] = self._rung.get(id(db)), rung
            chosen += [c for c in colls if sweep or seen is None or id(c) in self._busy
                       or rung.get(c.name) != seen.get(c.name)]
        if sweep:
            self._next_sweep = now + SWEEP
        return chosen

    def run_once(self) -> int:
        published = 0
        for coll in self._to_look_at():
            # the outbox and the version only: the relay has no use for the record itself (reading whole
            # petitions was most of the relay's Python time under py-spy; its total CPU moved within noise, #23)
            docs = coll.find({PENDING: True}, limit=self.batch_size, projection={OUTBOX: 1, VERSION: 1})
            if not docs:
                self._busy.discard(id(coll))
                continue
            self._busy.add(id(coll))
            sent: list[tuple] = []
            for doc in docs:
                events = doc.get(OUTBOX) or []
                for ev in events:
                    envelope = Envelope(**ev)
                    self.bus.publish(self._topic(envelope), envelope.subject, envelope.to_json(), envelope.headers())
                sent.append((doc, {ev["id"] for ev in events}))
            self.bus.flush()
            # the batch's removals in one commit where the store commits (SQLite): one transaction, not one a
            # record, each still guarded by the version it read (#23: fewer commits on the write path)
            with one_commit(coll.db):
                for doc, ids in sent:
                    self._remove_published(coll, doc, ids)
                    published += len(ids)
        self.published_total += published
        return published

    @staticmethod
    def _remove_published(coll: Collection, read: dict, published: set) -> None:
        """Drop the published events, keeping any a writer appended since (version-guarded $set).

        `read`: the document's outbox and version as the batch read them; the first try is guarded by
        that version, and a writer in between makes it read the document again.
        Only `$set` with an equality guard: every backend does that atomically (FerretDB 1.x
        ignores `$pull` conditions and `$slice`).
        """
        doc_id, doc = read["_id"], read
        for _ in range(100):
            if doc is None:
                return
            remaining = [ev for ev in doc.get(OUTBOX) or [] if ev["id"] not in published]
            guard = {"_id": doc_id, VERSION: doc.get(VERSION)}
            result = coll.update_one(guard, {"$set": {OUTBOX: remaining, PENDING: bool(remaining)}})
            if result.matched_count:
                return
            again = coll.find({"_id": doc_id}, limit=1, projection={OUTBOX: 1, VERSION: 1})
            doc = again[0] if again else None
        raise StorageError(f"{coll.name}/{doc_id}: outbox kept changing while being drained")

    def _topic(self, envelope: Envelope) -> str:
        """The service's facts to `<service>.events`, its reports to the audit trail to `<service>.audit`."""
        key = (envelope.type, envelope.service)
        topic = self._topics.get(key)
        if topic is None:
            topic = self._topics[key] = self.registry.topic_of(envelope.type, envelope.service)
        return topic

    def run(self, stop: threading.Event, interval: float = 0.05) -> None:
        backoff, idle_looks = interval, 0
        while not stop.is_set():
            try:
                n = self.run_once()
                backoff = interval
            except (BusError, StorageError) as exc:
                log.warning("outbox relay paused: %s", exc)
                n = 0
                backoff = min(max(backoff * 2, 0.5), 5.0)
            if n == 0:
                if backoff == interval:
                    self._idle(stop, interval, idle_looks)
                    idle_looks = min(idle_looks + 1, 16)
                else:
                    stop.wait(backoff)
            else:
                idle_looks = 0
                time.sleep(0)

    def _idle(self, stop: threading.Event, interval: float, idle_looks: int = 0) -> None:
        """Wait up to `interval`; where the store tells cheaply that someone committed (SQLite's
        data_version), look every WAKE and go back to work at once: a petition is relayed within
        ~10 ms of its commit instead of up to `interval`, for one PRAGMA per look while idle.
        Elsewhere each look is a query to the store (the doorbell's): after looks that found nothing
        the wait doubles, up to IDLE_MAX, so an idle service asks a few times a second, not 20–50."""
        versions = {}
        for coll in self.collections:
            probe = getattr(getattr(coll, "db", None), "data_version", None)
            if probe is not None:
                versions[id(coll.db)] = probe
        if not versions:
            stop.wait(max(interval, min(interval * 2 ** idle_looks, IDLE_MAX)))
            return
        try:
            seen = {k: probe() for k, probe in versions.items()}
            deadline = time.monotonic() + interval
            while not stop.wait(min(WAKE, max(0.0, deadline - time.monotonic()))):
                if time.monotonic() >= deadline or any(probe() != seen[k] for k, probe in versions.items()):
                    return
        except StorageError:
            stop.wait(interval)
