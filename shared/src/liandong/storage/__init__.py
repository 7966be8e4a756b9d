"""Storage port and its adapters; `open_database` is the one place that picks the backend."""
from __future__ import annotations

from contextlib import nullcontext

from ..config import Settings
from .base import (
    ASCENDING,
    DESCENDING,
    Collection,
    Database,
    DuplicateKeyError,
    StorageError,
    StorageUnavailable,
    UnsupportedQuery,
    UpdateResult,
    subtree,
)


def open_database(settings: Settings, name: str | None = None) -> Database:
    """The service's own database: `<data_dir>/<service>.db` embedded, `liandong_<service>` on Mongo."""
    name = name or settings.database_name
    if settings.store == "mongo":
        from .mongo import MongoDatabase

        return MongoDatabase(settings.mongo_uri, name)
    from .sqlite import SqliteDatabase

    return SqliteDatabase(settings.data_dir / f"{name}.db", synchronous=settings.sqlite_synchronous)


def has_transactions(db: Database) -> bool:
    """Whether writes can be committed together (SQLite); MongoDB/FerretDB here write one document at a time."""
    return hasattr(db, "batch")


def one_commit(db: Database):
    """Several writes of this thread committed together where the backend commits (SQLite: one
    transaction instead of one per write); on MongoDB/FerretDB each write stands alone, as it would."""
    return db.batch() if has_transactions(db) else nullcontext()


__all__ = [
    "ASCENDING", "DESCENDING", "Collection", "Database", "DuplicateKeyError", "StorageError",
    "StorageUnavailable", "UnsupportedQuery", "UpdateResult", "has_transactions", "one_commit", "open_database", "subtree",
]
