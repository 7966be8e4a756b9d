"""The storage port: the subset of pymongo's Collection that the services use.

Two adapters implement it (MongoDB/FerretDB through pymongo, and embedded SQLite); one contract
suite runs on both. Documents are JSON-shaped: strings, numbers, booleans, None, lists and dicts.
Times are ISO-8601 UTC strings (they sort as they compare), money is integer fen.
Array membership is asked with `$all` (or `$ne`/`$nin` for absence), not with plain equality, so
that the SQLite adapter can keep plain equality on an index. `$pull` removes items equal to a
value or document (FerretDB 1.x ignores `$pull` conditions); `$push` with a negative `$slice`
keeps the last N items (emulated on FerretDB). `$elemMatch` is not part of the port.
`find` takes a projection that leaves fields out (`{field: 0}`) or keeps top-level ones (`{field: 1}`,
`_id` always kept), either way applied by the database;
its `hint` names an index made by `create_index` to walk (SQLite: INDEXED BY; FerretDB as the tests build it: when the
sort's one field leads it and its values sort alike in SQL, deploy/local/ferretdb.sh fix 11).
`count_documents(limit=n)` stops counting at n.
`upsert_each([(filter, update), ...])` is `update_one(filter, update, upsert=True)` for many documents (each
filter names one `_id`) in a few round trips; per change, False where the document exists and does not match
its filter (the upsert would meet its `_id`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Protocol

ASCENDING = 1
DESCENDING = -1

Filter = dict[str, Any]
Update = dict[str, Any]
SortSpec = list[tuple[str, int]]


class StorageError(Exception):
    """Base class for storage failures that callers may want to tell apart."""


class DuplicateKeyError(StorageError):
    """An insert (or upsert) met a document with the same `_id` or unique key."""


class StorageUnavailable(StorageError):
    """The database cannot be reached now; the caller should answer 503 and try again later."""


class UnsupportedQuery(StorageError):
    """The filter or update uses something outside the port's subset."""


@dataclass(frozen=True)
class UpdateResult:
    matched_count: int
    modified_count: int
    upserted_id: Any = None


class Collection(Protocol):
    name: str

    def insert_one(self, document: dict) -> Any: ...
    def insert_many(self, documents: Iterable[dict]) -> list: ...
    def find_one(self, filter: Filter | None = None, sort: SortSpec | None = None) -> dict | None: ...
    def find(self, filter: Filter | None = None, sort: SortSpec | None = None,
             skip: int = 0, limit: int = 0, projection: dict | None = None,
             hint: str | None = None) -> list[dict]: ...
    def update_one(self, filter: Filter, update: Update, upsert: bool = False) -> UpdateResult: ...
    def update_many(self, filter: Filter, update: Update) -> UpdateResult: ...
    def upsert_each(self, changes: list[tuple[Filter, Update]]) -> list[bool]: ...
    def find_one_and_update(self, filter: Filter, update: Update, upsert: bool = False,
                            return_new: bool = True, sort: SortSpec | None = None) -> dict | None: ...
    def count_documents(self, filter: Filter | None = None, limit: int = 0) -> int: ...
    def create_index(self, keys: SortSpec | str, unique: bool = False, name: str | None = None,
                     sparse: bool = False) -> str: ...
    def delete_one(self, filter: Filter) -> int: ...
    def delete_many(self, filter: Filter) -> int: ...
    def drop(self) -> None: ...


class Database(Protocol):
    """`ring(name)` says a write left events in collection `name`'s outbox; `rung()` answers, per collection
    rung, a value that changes with every ring (None: the store tells its changes another way — SQLite's
    `data_version` — and the outbox relay looks at every collection)."""
    name: str

    def collection(self, name: str) -> Collection: ...
    def ring(self, name: str) -> None: ...
    def rung(self) -> dict[str, Any] | None: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...


def index_keys(keys: SortSpec | str) -> SortSpec:
    if isinstance(keys, str):
        return [(keys, ASCENDING)]
    return [(k, d) for k, d in keys]


def subtree(org_path: str, field: str = "org_path") -> Filter:
    """Filter for every record at or below an org unit, given its full path ("/d/sd/c/").

    One anchored prefix: an index range on both adapters.
    """
    import re

    if not org_path.endswith("/"):
        org_path += "/"
    return {field: {"$regex": "^" + re.escape(org_path)}}
