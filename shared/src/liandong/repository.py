"""A repository for aggregates that publish events: load, add, save with the outbox.

The domain records its own events (plain dataclasses); a service-provided `publish` function maps
each to an integration event (contract name and data) or to None when it stays inside the service.
That mapping is the only place the wire format is decided, so a refactor of the domain never
changes what consumers receive.
"""
from __future__ import annotations

from typing import Any, Callable, Generic, Iterable, TypeVar

from . import idempotency, outbox
from .personal import PersonalFields
from .errors import ConcurrencyConflict, Conflict, NotFound
from .storage.base import DuplicateKeyError

T = TypeVar("T")

PublishMap = Callable[[Any, Any], "tuple[str, dict] | None"]


class OutboxRepository(Generic[T]):
    """Subclasses give `collection_name`, `to_document`, `from_document` and `publish`.

    Aggregates carry `id`, `org_path`, `version` (0 before they are stored) and `events` (a list the
    domain appends to and the repository empties when it saves).
    """

    collection_name: str = ""
    indexes: Iterable[tuple] = ()  # (keys, kwargs)
    # the aggregate's personal fields: encrypted as the document is written, decrypted as it is read
    personal: PersonalFields | None = None

    def __init__(self, deps):
        """`deps`: the service's `Dependencies` (db, cipher, events; a `Platform` has them too)."""
        self.deps = deps
        self.collection = deps.db.collection(self.collection_name)

    # -- to be given by the service
    def to_document(self, aggregate: T) -> dict:
        raise NotImplementedError

    def from_document(self, document: dict) -> T:
        raise NotImplementedError

    def publish(self, aggregate: T, domain_event: Any) -> "tuple[str, dict] | None":
        raise NotImplementedError

    # -- provided
    def stored(self, aggregate: T) -> dict:
        """The document as written: `to_document`, with the personal fields encrypted."""
        doc = self.to_document(aggregate)
        return self.personal.encrypt(doc, self.deps.cipher) if self.personal else doc

    def loaded(self, document: dict) -> T:
        """The aggregate of a stored document, personal fields decrypted."""
        if self.personal:
            document = self.personal.decrypt(document, self.deps.cipher)
        return self.from_document(document)

    def versioned(self, document: dict) -> T:
        """The aggregate of a stored document with the version it was read at (to save it back)."""
        aggregate = self.loaded(document)
        aggregate.version = document[outbox.VERSION]
        return aggregate

    def plain(self, document: dict | None) -> dict | None:
        """A stored document (or part of one read with a projection) with its personal fields decrypted."""
        return self.personal.decrypt(document, self.deps.cipher) if self.personal and document else document

    def prepare(self) -> None:
        outbox.prepare(self.collection)
        for keys, kwargs in self.indexes:
            self.collection.create_index(keys, **kwargs)

    def _envelopes(self, aggregate: T, sequence: int) -> list:
        out = []
        for ev in getattr(aggregate, "events", []):
            mapped = self.publish(aggregate, ev)
            if mapped is not None:
                name, data = mapped
                out.append(self.deps.events.new(name, str(aggregate.id), data, aggregate.org_path,
                                                sequence=sequence))
        aggregate.events.clear()
        return out

    def get(self, aggregate_id: str) -> T:
        """The aggregate; raises idempotency.AlreadyApplied (carrying it) if this request's
        Idempotency-Key changed it before: the request is a retry and must not apply again."""
        doc = self.collection.find_one({"_id": aggregate_id})
        if doc is None:
            raise NotFound(f"no {self.collection_name} record {aggregate_id!r}")
        aggregate = self.loaded(doc)
        aggregate.version = doc[outbox.VERSION]
        idempotency.check_not_applied(self.collection.name, doc, aggregate)
        return aggregate

    def add(self, aggregate: T) -> T:
        """Store a new aggregate. A retry under the same Idempotency-Key stores nothing: the aggregate
        the first attempt stored takes the place of the one built again (its state is copied into
        it, so whoever holds it answers with the stored id), and its events are not sent twice."""
        doc = self.stored(aggregate)
        doc["_id"] = aggregate.id
        try:
            stored = outbox.insert_with_events(self.collection, doc, self._envelopes(aggregate, 1))
        except DuplicateKeyError as exc:
            raise Conflict(f"{self.collection_name} {aggregate.id!r} exists already") from exc
        if idempotency.stored_before(self.collection.name, stored["_id"]):
            earlier = self.loaded(stored)
            vars(aggregate).update(vars(earlier))
            aggregate.version = stored[outbox.VERSION]
            return aggregate
        aggregate.version = 1
        return aggregate

    def stored_by_this_request(self) -> T | None:
        """The aggregate an earlier attempt of this request (same Idempotency-Key) created, if any:
        for use cases whose checks before `add` would refuse the retry (a uniqueness check)."""
        rk = idempotency.current()
        if rk is None:
            return None
        doc = self.collection.find_one({idempotency.FIELD: rk.key})
        if doc is None:
            return None
        rk.written.add((self.collection.name, doc["_id"]))
        aggregate = self.loaded(doc)
        aggregate.version = doc[outbox.VERSION]
        return aggregate

    def save(self, aggregate: T) -> T:
        events = self._envelopes(aggregate, aggregate.version + 1)
        aggregate.version = outbox.update_with_events(self.collection, aggregate.id, aggregate.version,
                                                      self.stored(aggregate), events)
        return aggregate

    def find(self, filter: dict, sort=None, skip: int = 0, limit: int = 0, hint: str | None = None) -> list[T]:
        return [self.versioned(doc) for doc in
                self.collection.find(filter, sort=sort, skip=skip, limit=limit, **({"hint": hint} if hint else {}))]


CONFLICT_ATTEMPTS = 3


def retry_on_conflict(attempt: Callable[[], T], attempts: int = CONFLICT_ATTEMPTS) -> T:
    """Run a load-change-save use case again when another writer saved the same aggregate in between
    (the deadline scan, an event handler, a second request): each attempt loads afresh, so the change
    is decided on the state it lands on. A retried request (same Idempotency-Key) answers the
    aggregate as its first attempt left it, never applying twice. The last conflict is raised (409)."""
    for n in range(attempts):
        try:
            return attempt()
        except idempotency.AlreadyApplied as done:
            return done.aggregate
        except ConcurrencyConflict:
            if n == attempts - 1:
                raise
    raise AssertionError("unreachable")


def change(repo: "OutboxRepository[T]", aggregate_id: str, mutate: Callable[[T], Any],
           attempts: int = CONFLICT_ATTEMPTS) -> T:
    """Load, `mutate`, save — retried on a concurrent change (see `retry_on_conflict`)."""
    def attempt() -> T:
        aggregate = repo.get(aggregate_id)
        mutate(aggregate)
        return repo.save(aggregate)

    return retry_on_conflict(attempt, attempts)
