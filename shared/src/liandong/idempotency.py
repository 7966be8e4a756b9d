"""Idempotency-Key, kept by the service that owns the record, in the record's own write.

A client that retries a POST after a lost answer (the connection reset, a read timeout, the web
process SIGKILLed after it had stored the petition) must not create or apply anything twice,
whatever the gateway saw. So the key travels with the request to the owning service and is
written into the aggregate's document in the same single-document write as the change itself:

- a created document carries the key in `_idem` (a unique, sparse index on every aggregate
  collection, both storage adapters; FerretDB refuses the duplicate atomically): a retry's insert
  hits it and the document already stored is answered instead (same id, same status);
- a changed document carries the key among its last `KEEP` request keys (`_idem_recent`, pushed
  in the same version-guarded update); a retry that loads it finds its key there and nothing is
  applied again (`AlreadyApplied`).

The key is scoped by the caller the service itself verified (the token's user id; anonymous
public requests by their client address), never by anything the caller asserts, so a key cannot
reach another user's record. The shared app factory sets it for the request (`install`); code
outside a request (workers, event handlers) has none and writes as before.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

HEADER = "Idempotency-Key"
FIELD = "_idem"           # the key of the request that created the document
RECENT = "_idem_recent"   # the keys of the last requests that changed it
KEEP = 20
INDEX = "idempotency_key"
_KEY = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")  # as the gateway takes it: 1 to 200 characters
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class RequestKey:
    """The current request's scoped key and what it wrote so far (so it does not trip over itself)."""

    key: str
    inserts: dict = field(default_factory=dict)   # collection name -> inserts stamped so far
    written: set = field(default_factory=set)     # (collection name, document id) changed by this request
    found: set = field(default_factory=set)       # (collection name, document id) an earlier attempt stored

    def for_insert(self, collection: str) -> str:
        """The key the next document inserted into `collection` carries: the key itself for the first,
        `key#n` for the n-th (a request that creates several records of one collection)."""
        n = self.inserts.get(collection, 0) + 1
        self.inserts[collection] = n
        return self.key if n == 1 else f"{self.key}#{n}"


_current: ContextVar[RequestKey | None] = ContextVar("idempotency_key", default=None)


def current() -> RequestKey | None:
    return _current.get()


def begin(key: str | None):
    """Make `key` (already scoped) the current request's key; returns the token `end` takes."""
    return _current.set(RequestKey(key) if key else None)


def end(token) -> None:
    _current.reset(token)


def scoped(client_key: str, user_id: str | None, address: str | None = None) -> str:
    return f"{user_id}:{client_key}" if user_id else f"anon:{address or '-'}:{client_key}"


class AlreadyApplied(Exception):
    """The change this request asks for is already in the record: it carried the same key before.

    `aggregate` is the record as it stands (loaded by the repository); use cases that answer with
    the record they changed return it instead of applying the change again; elsewhere the app
    answers the route's success status with the record's id (`install`)."""

    def __init__(self, collection: str, doc_id: Any, aggregate: Any = None):
        super().__init__(f"{collection}/{doc_id}: this Idempotency-Key was applied already")
        self.collection = collection
        self.doc_id = doc_id
        self.aggregate = aggregate


# -- what the outbox and the repositories call


def stamp_insert(collection_name: str, document: dict) -> str | None:
    """Give a document about to be inserted the current request's key; returns it (None outside a key)."""
    rk = _current.get()
    if rk is None:
        return None
    key = rk.for_insert(collection_name)
    document[FIELD] = key
    rk.written.add((collection_name, document.get("_id")))
    return key


def update_clause(collection_name: str, doc_id: Any) -> dict:
    """The `$push` that records the current key on a document this request changes ({} outside a key)."""
    rk = _current.get()
    if rk is None:
        return {}
    rk.written.add((collection_name, doc_id))
    return {RECENT: {"$each": [rk.key], "$slice": -KEEP}}


def check_not_applied(collection_name: str, document: dict | None, aggregate: Any = None) -> None:
    """Raise AlreadyApplied if an earlier request with this key changed `document` (a retry)."""
    rk = _current.get()
    if rk is None or document is None:
        return
    if (collection_name, document.get("_id")) in rk.written:
        return  # this very request wrote it a moment ago
    if rk.key in (document.get(RECENT) or ()):
        raise AlreadyApplied(collection_name, document.get("_id"), aggregate)


def derived_id(label: str) -> str | None:
    """An id the same for every attempt of this request (None outside a key): a record written under
    it by a retry meets the one its first attempt wrote (`insert_once`)."""
    rk = _current.get()
    if rk is None:
        return None
    digest = hashlib.sha256(f"{rk.key}\n{label}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16]))


def insert(collection, document: dict) -> dict:
    """`insert_one` under the request's key; returns what is stored: a retry gets the document its
    first attempt stored (the collection needs `prepare`)."""
    from .storage.base import DuplicateKeyError

    key = stamp_insert(collection.name, document)
    try:
        collection.insert_one(document)
    except DuplicateKeyError:
        earlier = collection.find_one({FIELD: key}) if key is not None else None
        if earlier is None:
            raise
        rk = _current.get()
        rk.written.add((collection.name, earlier["_id"]))
        rk.found.add((collection.name, earlier["_id"]))
        return earlier
    return document


def stored_before(collection_name: str, doc_id: Any) -> bool:
    """Whether `insert` answered with this document because an earlier attempt of the request stored it."""
    rk = _current.get()
    return rk is not None and (collection_name, doc_id) in rk.found


def guard(collection_name: str, doc_id: Any, filter: dict, update: dict) -> dict:
    """Make a single-document update apply once per key: the filter refuses a document that carries
    the key already, the update records it (same write). Returns the filter; `update` is changed in place."""
    rk = _current.get()
    if rk is None or (collection_name, doc_id) in rk.written:
        return filter
    rk.written.add((collection_name, doc_id))
    update.setdefault("$push", {})[RECENT] = {"$each": [rk.key], "$slice": -KEEP}
    return {**filter, RECENT: {"$ne": rk.key}}


def applied_before(collection, doc_id: Any) -> bool:
    """After a guarded update matched nothing: was it because this key changed the document already?"""
    rk = _current.get()
    return rk is not None and collection.count_documents({"_id": doc_id, RECENT: {"$all": [rk.key]}}) > 0


def prepare(collection) -> None:
    """The unique index a retried insert runs into (documents without a key are not indexed)."""
    collection.create_index([(FIELD, 1)], unique=True, sparse=True, name=INDEX)


def install(app) -> None:
    """Take the Idempotency-Key of a changing request (after authentication) and scope it by the caller."""
    from flask import g, jsonify, request

    from .errors import ValidationFailed

    @app.before_request
    def _take_key():
        g.pop("idempotency_token", None)
        client_key = request.headers.get(HEADER)
        if client_key is None or request.method in _SAFE_METHODS:
            return None
        if not _KEY.match(client_key):
            raise ValidationFailed("bad Idempotency-Key", {HEADER: ["1 to 200 characters"]})
        principal = g.get("principal")
        address = (request.headers.get("X-Forwarded-For") or request.remote_addr or "").split(",")[0].strip()
        g.idempotency_token = begin(scoped(client_key, principal.user_id if principal else None, address))
        return None

    @app.teardown_request
    def _drop_key(_exc):
        token = g.pop("idempotency_token", None)
        if token is not None:
            end(token)

    @app.errorhandler(AlreadyApplied)
    def _applied_before(exc: AlreadyApplied):
        """A retry of a change that is already in the record, where the use case did not answer with
        the record itself: the status the route answers when it succeeds, the record's id, and
        nothing applied again (the record as it stands is a GET away)."""
        view = app.view_functions.get(request.endpoint)
        status = (getattr(view, "__openapi__", None) or {}).get("status", 200)
        resp = jsonify({"id": exc.doc_id, "already_applied": True,
                        "message": "this Idempotency-Key was applied already; nothing was changed again"})
        resp.status_code = status
        resp.headers["Idempotent-Replayed"] = "true"
        return resp
