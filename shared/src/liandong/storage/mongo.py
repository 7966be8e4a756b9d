"""MongoDB / FerretDB storage adapter over pymongo.

The client is created lazily in the process that uses it: pymongo is not fork-safe, and gunicorn
forks its workers after the app is imported.

FerretDB 1.x does not apply an update atomically: it reads the matching document, changes it and
writes it back without holding anything (FerretDB issue #3040), so two concurrent `$inc`s or two
version-guarded `$set`s can both "succeed" and one is lost (measured here: 600 concurrent `$inc`s
from three processes left 205). What it does do atomically is refuse a duplicate `_id`. On FerretDB
this adapter therefore serialises the writes to one document with a short-lived lock document
(insert to take, delete to release, a lease so a crashed holder cannot block for long). On
MongoDB the native single-document atomicity is used as is.
"""
from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from typing import Any, Callable, Iterable

import pymongo
from pymongo import ReturnDocument
from pymongo import errors as perr

from .base import (DuplicateKeyError, StorageError, Filter, SortSpec, StorageUnavailable, UnsupportedQuery, UpdateResult,
                   index_keys)
from .query import apply_update, check_projection, upsert_seed

_UNAVAILABLE = (perr.ServerSelectionTimeoutError, perr.AutoReconnect, perr.NetworkTimeout,
                perr.ConnectionFailure)
# A server going away under a command answers it with an error, not a dropped connection: MongoDB's shutdown and
# interruption codes (InterruptedAtShutdown, Interrupted, InterruptedDueToReplStateChange, ShutdownInProgress), and
# FerretDB's cancelled context as it stops ("context canceled", code 1). The command did not complete: as
# unavailable as a refused connection (503, try again), not a fault of the request (a CI run saw a 500 there).
_INTERRUPTED_CODES = frozenset({11600, 11601, 11602, 91})


def interrupted(exc: perr.OperationFailure) -> bool:
    return exc.code in _INTERRUPTED_CODES or "context canceled" in str(exc)


def _translate(fn):
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except perr.DuplicateKeyError as exc:
            raise DuplicateKeyError(str(exc)) from exc
        except _UNAVAILABLE as exc:
            raise StorageUnavailable(str(exc)) from exc
        except perr.OperationFailure as exc:
            if interrupted(exc):
                raise StorageUnavailable(str(exc)) from exc
            raise StorageError(str(exc)) from exc
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


DOORBELL = "_outbox_doorbell"  # one document per aggregate collection, rung after each write with events


class MongoDatabase:
    def __init__(self, uri: str, name: str, timeout_ms: int = 5000):
        self.uri = uri
        self.name = name
        self.timeout_ms = timeout_ms
        self._client = None
        self._pid = None
        self._lock = threading.Lock()
        self._ferretdb: bool | None = None

    @property
    def client(self) -> pymongo.MongoClient:
        with self._lock:
            if self._client is None or self._pid != os.getpid():
                self._client = pymongo.MongoClient(
                    self.uri,
                    serverSelectionTimeoutMS=self.timeout_ms,
                    connectTimeoutMS=self.timeout_ms,
                    socketTimeoutMS=max(self.timeout_ms * 6, 30000),
                    retryWrites=False,  # FerretDB and standalone servers do not support them
                    tz_aware=False,
                )
                self._pid = os.getpid()
            return self._client

    @property
    def is_ferretdb(self) -> bool:
        if self._ferretdb is None:
            self._ferretdb = "ferretdbVersion" in self.client.admin.command("buildInfo")
        return self._ferretdb

    def collection(self, name: str) -> "MongoCollection":
        return MongoCollection(self, name)

    @_translate
    def ring(self, name: str) -> None:
        """A fresh token on collection `name`'s doorbell document, so the outbox relay reads one small collection
        a poll instead of asking every aggregate collection for pending events (FerretDB 1.x reads a whole
        collection for any filter but `_id`: the relays' polls were most of its work). Without the document
        lock of the FerretDB writes: two rings racing each leave a token the relay has not seen, which is all
        a ring has to do."""
        bell, change = self.client[self.name][DOORBELL], {"$set": {"t": uuid.uuid4().hex}}
        try:
            bell.update_one({"_id": name}, change, upsert=True)
        except perr.DuplicateKeyError:  # two first rings at once: the other inserted it
            bell.update_one({"_id": name}, change)

    @_translate
    def rung(self) -> dict[str, str]:
        return {d["_id"]: d.get("t") for d in self.client[self.name][DOORBELL].find({})}

    @_translate
    def ping(self) -> None:
        self.client.admin.command("ping")

    def drop(self) -> None:
        self.client.drop_database(self.name)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


LOCK_LEASE_SECONDS = 5.0
# FerretDB runs a bulk's updates one by one, each a rewrite of the document (a bucket holds up to 2 000
# event ids): a poll's few hundred buckets in one bulk outlasted the 30 s socket timeout at load ~10 (seen)
UPSERT_CHUNK = 50
BULK_MARK = "_bulk"  # FerretDB: the token of the last upsert_each that changed a document


# Documents a reply carries: a find's answer is listed whole, so fewer getMore round trips (the district
# overview's ~1 200 buckets came in 6 replies at the driver's default, ~9 ms of its 65, #23). MongoDB caps a
# reply at 16 MiB itself; FerretDB 1.24 does not, and 1 000 documents stay within its 48 MB message for
# documents under 48 KB, as every collection here holds (attachments live in the file store).
FIND_BATCH = 1000


class MongoCollection:
    def __init__(self, db: MongoDatabase, name: str):
        self.db = db
        self.name = name

    # -- FerretDB: one writer per document at a time
    def _locked(self, doc_key: Any, fn: Callable[[], Any], wait: float = 15.0) -> Any:
        locks = self.db.client[self.db.name]["_doc_locks"]
        key = f"{self.name}:{json.dumps(doc_key, sort_keys=True, default=str)}"
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait
        while True:
            try:
                locks.insert_one({"_id": key, "owner": token, "expires": time.time() + LOCK_LEASE_SECONDS})
                break
            except perr.DuplicateKeyError:
                held = locks.find_one({"_id": key})
                if held and held.get("expires", 0) < time.time():
                    locks.delete_one({"_id": key, "owner": held.get("owner")})  # a crashed holder's lease
                elif time.monotonic() > deadline:
                    raise StorageUnavailable(f"{self.name}: document {doc_key!r} stayed locked for {wait}s")
                time.sleep(0.001 + random.random() * 0.004)
        try:
            return fn()
        finally:
            locks.delete_one({"_id": key, "owner": token})

    def _serialised(self, filter: Filter, sort, op: Callable[[Filter], Any], empty: Any) -> Any:
        """Run a single-document write under the document's lock (FerretDB only)."""
        if "_id" in filter and not isinstance(filter["_id"], dict):
            return self._locked(filter["_id"], lambda: op(filter))
        for _ in range(20):
            candidate = self.raw.find_one(filter, {"_id": 1}, sort=list(sort) if sort else None)
            if candidate is None:
                return self._locked({"filter": filter}, lambda: op(filter))
            result = self._locked(candidate["_id"], lambda: op({"$and": [filter, {"_id": candidate["_id"]}]}))
            if result is not empty(result):
                return result
        raise StorageUnavailable(f"{self.name}: the document kept changing under the update")

    @property
    def raw(self):
        return self.db.client[self.db.name][self.name]

    @_translate
    def insert_one(self, document: dict) -> Any:
        return self.raw.insert_one(document).inserted_id

    @_translate
    def insert_many(self, documents: Iterable[dict]) -> list:
        docs = list(documents)
        if not docs:
            return []
        try:
            return list(self.raw.insert_many(docs, ordered=True).inserted_ids)
        except perr.BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if errors and all(e.get("code") == 11000 for e in errors):  # as the port says: a duplicate key
                raise DuplicateKeyError(str(exc)) from exc
            raise

    @_translate
    def find(self, filter: Filter | None = None, sort: SortSpec | None = None,
             skip: int = 0, limit: int = 0, projection: dict | None = None, hint: str | None = None) -> list[dict]:
        kept = check_projection(projection)
        cursor = self.raw.find(filter or {}, {k: 1 for k in kept} if kept else (projection or None),
                               batch_size=FIND_BATCH)
        if hint:  # FerretDB 1.24 as released ignores it; as the tests build it, a sort's leading index is followed
            cursor = cursor.hint(hint)
        if sort:
            cursor = cursor.sort(list(sort))
        if skip:
            cursor = cursor.skip(int(skip))
        if limit:
            cursor = cursor.limit(int(limit))
        return list(cursor)

    @_translate
    def find_one(self, filter: Filter | None = None, sort: SortSpec | None = None) -> dict | None:
        return self.raw.find_one(filter or {}, sort=list(sort) if sort else None)

    @_translate
    def count_documents(self, filter: Filter | None = None, limit: int = 0) -> int:
        return self.raw.count_documents(filter or {}, **({"limit": int(limit)} if limit else {}))

    @_translate
    def update_one(self, filter: Filter, update: dict, upsert: bool = False) -> UpdateResult:
        def op(flt):
            r = self.raw.update_one(flt, update, upsert=upsert)
            if (r.matched_count or r.upserted_id is not None) and self.db.is_ferretdb:
                self._emulate_slice(flt, update, r.upserted_id)
            return UpdateResult(r.matched_count, r.modified_count, r.upserted_id)

        if not self.db.is_ferretdb:
            return op(filter)
        return self._serialised(filter, None, op, lambda r: r if not (r.matched_count or r.upserted_id) else None)

    @_translate
    def upsert_each(self, changes: list[tuple[Filter, dict]]) -> list[bool]:
        """`update_one(filter, update, upsert=True)` for each change (each filter names one `_id`, each
        `_id` once), in a few round trips whatever their number; False where the document exists and does
        not match its filter (the upsert met the `_id`). One `bulk_write` on MongoDB; on FerretDB the new
        documents inserted in one round trip, the rest updated in one bulk under their locks, taken together
        (FerretDB 1.x answers a bulk whose upsert meets a duplicate `_id` with a reply pymongo cannot read,
        so nothing here upserts)."""
        if not changes:
            return []
        ids = [f["_id"] for f, _ in changes]
        if len(set(map(repr, ids))) != len(ids) or any(isinstance(i, dict) for i in ids):
            raise UnsupportedQuery("upsert_each needs one plain _id per change, each once")
        if not self.db.is_ferretdb:
            try:
                self.raw.bulk_write([pymongo.UpdateOne(f, u, upsert=True) for f, u in changes], ordered=False)
                return [True] * len(changes)
            except perr.BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if any(e.get("code") != 11000 for e in errors):
                    raise
                refused = {e["index"] for e in errors}
                return [i not in refused for i in range(len(changes))]
        # every change first inserted as the new document it would make, without locks: an insert makes a
        # whole document or meets its `_id` (FerretDB 1.x as released scans a collection for `_id: {$in: …}`, so no query
        # asks which exist); a poll's claims and its new buckets are all made here, in one round trip
        applied = [True] * len(changes)
        try:
            self.raw.insert_many([apply_update(upsert_seed(f), u, inserting=True) for f, u in changes], ordered=False)
            return applied
        except perr.BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != 11000 for e in errors):
                raise
            old = sorted(e["index"] for e in errors)
        # the documents that exist are updated under their locks (FerretDB 1.x rewrites a document without
        # isolation), a chunk at a time so that each chunk's locks are held well inside their lease
        for i in range(0, len(old), UPSERT_CHUNK):
            chunk = old[i:i + UPSERT_CHUNK]
            done = self._locked_many([ids[j] for j in chunk],
                                     lambda: self._update_each_locked([changes[j] for j in chunk]))
            for j, ok in zip(chunk, done):
                applied[j] = ok
        return applied

    def _update_each_locked(self, changes: list[tuple[Filter, dict]]) -> list[bool]:
        """Update existing documents, each under its whole filter (a condition beside the `_id` — the buckets'
        `$ne` of a poll's mark — goes by the `_id` index on the FerretDB deploy/local/ferretdb.sh builds;
        FerretDB as released reads the collection for it: the same answers, slower); as the documents exist
        and are locked, an update that did not match is one whose condition was false."""
        applied = [True] * len(changes)
        token = uuid.uuid4().hex  # which updates matched: the bulk's reply only counts them
        result = self.raw.bulk_write([pymongo.UpdateOne(f, {**u, "$set": {**u.get("$set", {}), BULK_MARK: token}})
                                      for f, u in changes], ordered=False)
        if result.matched_count < len(changes):
            for i, (f, _) in enumerate(changes):
                doc = self.raw.find_one({"_id": f["_id"]}, {BULK_MARK: 1})  # by _id: no scan
                applied[i] = bool(doc) and doc.get(BULK_MARK) == token
        self._trim_pushes([c for c, ok in zip(changes, applied) if ok])
        return applied

    def _trim_pushes(self, changes: list[tuple[Filter, dict]]) -> None:
        """FerretDB 1.x ignores `$push`'s `$slice`: an array is cut back to what it keeps once this process
        has pushed that many ids into it since it last cut it (read and rewritten by `_id`: no scan)."""
        pushed = self.__dict__.setdefault("_pushed", {})
        for f, u in changes:
            for field, arg in (u.get("$push") or {}).items():
                if not (isinstance(arg, dict) and isinstance(arg.get("$slice"), int) and arg["$slice"] < 0):
                    continue
                keep, key = -arg["$slice"], (f["_id"], field)
                pushed[key] = pushed.get(key, 0) + len(arg.get("$each", []))
                if pushed[key] < keep:
                    continue
                pushed[key] = 0
                doc = self.raw.find_one({"_id": f["_id"]}, {field: 1})
                if doc and len(doc.get(field) or []) > keep:
                    self.raw.update_one({"_id": f["_id"]}, {"$set": {field: doc[field][-keep:]}})

    def _locked_many(self, doc_keys: list, fn: Callable[[], Any], wait: float = 15.0) -> Any:
        """`_locked` for many documents at once: all their locks in one insert, or none (what was taken is
        given back and the whole set tried again), so two writers of overlapping sets cannot deadlock."""
        locks = self.db.client[self.db.name]["_doc_locks"]
        keys = [f"{self.name}:{json.dumps(k, sort_keys=True, default=str)}" for k in doc_keys]
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait
        while True:
            expires = time.time() + LOCK_LEASE_SECONDS
            try:
                locks.insert_many([{"_id": k, "owner": token, "expires": expires} for k in keys], ordered=False)
                break
            except perr.BulkWriteError:
                locks.delete_many({"_id": {"$in": keys}, "owner": token})
                for held in locks.find({"_id": {"$in": keys}, "expires": {"$lt": time.time()}}):
                    locks.delete_one({"_id": held["_id"], "owner": held.get("owner")})  # a crashed holder's lease
                if time.monotonic() > deadline:
                    raise StorageUnavailable(f"{self.name}: {len(keys)} documents stayed locked for {wait}s")
                time.sleep(0.001 + random.random() * 0.01)
        try:
            return fn()
        finally:
            locks.delete_many({"_id": {"$in": keys}, "owner": token})

    def _emulate_slice(self, filter: Filter, update: dict, upserted_id: Any = None) -> None:
        """FerretDB 1.x ignores `$push`'s `$slice`: trim from the front with `$pop` instead."""
        for field, arg in (update.get("$push") or {}).items():
            if not (isinstance(arg, dict) and isinstance(arg.get("$slice"), int) and arg["$slice"] < 0):
                continue
            doc_id = upserted_id
            if doc_id is None and "_id" in filter and not isinstance(filter["_id"], dict):
                doc_id = filter["_id"]
            if doc_id is None:
                raise UnsupportedQuery("$push with $slice needs an _id filter on FerretDB")
            keep = -arg["$slice"]
            for _ in range(len(arg.get("$each", [])) or 1):
                trimmed = self.raw.update_one({"_id": doc_id, f"{field}.{keep}": {"$exists": True}},
                                              {"$pop": {field: -1}})
                if not trimmed.modified_count:
                    break

    @_translate
    def update_many(self, filter: Filter, update: dict) -> UpdateResult:
        if not self.db.is_ferretdb:
            r = self.raw.update_many(filter, update)
            return UpdateResult(r.matched_count, r.modified_count, r.upserted_id)
        matched = modified = 0
        for doc in self.raw.find(filter, {"_id": 1}):
            r = self.update_one({"$and": [filter, {"_id": doc["_id"]}]}, update)
            matched += r.matched_count
            modified += r.modified_count
        return UpdateResult(matched, modified)

    @_translate
    def find_one_and_update(self, filter: Filter, update: dict, upsert: bool = False,
                            return_new: bool = True, sort: SortSpec | None = None) -> dict | None:
        def op(flt):
            return self.raw.find_one_and_update(
                flt, update, upsert=upsert, sort=list(sort) if sort else None,
                return_document=ReturnDocument.AFTER if return_new else ReturnDocument.BEFORE,
            )

        if not self.db.is_ferretdb:
            return op(filter)
        return self._serialised(filter, sort, op, lambda r: r if r is None else None)

    @_translate
    def delete_one(self, filter: Filter) -> int:
        return self.raw.delete_one(filter).deleted_count

    @_translate
    def delete_many(self, filter: Filter) -> int:
        return self.raw.delete_many(filter).deleted_count

    @_translate
    def create_index(self, keys, unique: bool = False, name: str | None = None, sparse: bool = False) -> str:
        spec = index_keys(keys)
        kwargs = {"unique": unique} if unique else {}
        if sparse:  # MongoDB would count a missing field as null, once; FerretDB 1.24 leaves them out anyway
            kwargs["sparse"] = True
        if name:
            kwargs["name"] = name
        return self.raw.create_index(spec, **kwargs)

    @_translate
    def drop(self) -> None:
        self.raw.drop()
