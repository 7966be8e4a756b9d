"""Encrypt personal data in place: `python -m liandong.reencrypt [service ...]` (all services if none named).

Walks every store a service declares (`personal_stores(platform)` in its bootstrap: each collection
with its `PersonalFields`) and rewrites the documents whose personal fields are still plain (written
before they were declared) or encrypted under a previous key (rotation: LIANDONG_ENCRYPTION_KEY is
the new key, LIANDONG_PREVIOUS_ENCRYPTION_KEYS the old one(s)), with blind indexes recomputed.
Idempotent: a document already encrypted under the current key is left alone, so a run that stops
half-way is simply run again. Services keep running meanwhile: they read both forms and both keys.
A document with a version (`_v`, the aggregates) is rewritten only if it has not changed since it
was read (it is read again and retried); the version is not raised, so no writer is disturbed.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import dataclass
from typing import Callable

from .config import SERVICES, Settings
from .crypto import FieldCipher
from .outbox import VERSION
from .personal import PersonalFields, sealed_fields
from .storage.base import Collection


@dataclass
class Store:
    collection: Collection
    personal: PersonalFields
    # after the re-encryption: re-derives what other collections key by its blind indexes, re-seals its files
    then: Callable[[], int] | None = None


def reencrypt(collection: Collection, personal: PersonalFields, cipher: FieldCipher, batch: int = 500) -> dict:
    """Encrypt this collection's plain or old-key personal fields; returns {"seen", "rewritten"}."""
    fields = sealed_fields(personal)
    seen = rewritten = 0
    last = None
    while True:
        page = collection.find({} if last is None else {"_id": {"$gt": last}}, sort=[("_id", 1)], limit=batch)
        if not page:
            break
        for doc in page:
            seen += 1
            rewritten += _rewrite(collection, doc, personal, cipher, fields)
        last = page[-1]["_id"]
    return {"seen": seen, "rewritten": rewritten}


def key_missing(collection: Collection, personal: PersonalFields, cipher: FieldCipher, field: str) -> int:
    """Documents stored before `personal` declared the blind index `field` get it (#22: the residents' door
    matches staff-made records by `person_key`): a step a worker runs at its start. Idempotent: a document that
    has the field is left alone, so a start that stopped half-way does the rest next time. Returns those keyed."""
    if collection.find_one({field: {"$exists": False}}) is None:
        return 0
    keyed = reencrypt(collection, personal, cipher)["rewritten"]
    # a document without the value (no ID number) is not stale: its field is set empty, so the next start
    # finds nothing to do instead of walking the collection again
    collection.update_many({field: {"$exists": False}}, {"$set": {field: None}})
    return keyed


def _rewrite(collection: Collection, doc: dict, personal: PersonalFields, cipher: FieldCipher,
             fields: list[str], attempts: int = 5) -> int:
    for _ in range(attempts):
        if doc is None or not personal.stale(doc, cipher):
            return 0
        new = personal.encrypt(personal.decrypt(doc, cipher), cipher)
        changes = {f: new[f] for f in fields if f in new}
        guard = {"_id": doc["_id"]}
        if VERSION in doc:
            guard[VERSION] = doc[VERSION]
        if collection.update_one(guard, {"$set": changes}).matched_count:
            return 1
        doc = collection.find_one({"_id": doc["_id"]})  # changed meanwhile: look again
    raise RuntimeError(f"{collection.name}/{doc['_id']} kept changing; run the re-encryption again")


def stores_of(service: str, platform) -> list[Store]:
    return importlib.import_module(f"{service}.bootstrap").personal_stores(platform)


def run(service: str, settings: Settings | None = None) -> dict:
    bootstrap = importlib.import_module(f"{service}.bootstrap")
    platform = bootstrap.create_platform(settings)
    out = {}
    stores = bootstrap.personal_stores(platform)
    _erase_what_is_replaced(platform.db)
    for store in stores:
        out[store.collection.name] = reencrypt(store.collection, store.personal, platform.cipher)
        if store.then is not None:
            out[store.collection.name]["derived"] = store.then()
    rewritten = [s.collection for s in stores if out[s.collection.name]["rewritten"]]
    if rewritten:
        _compact(platform.db, rewritten)
    return out


def _erase_what_is_replaced(db) -> None:
    """SQLite: the space a rewrite frees is zeroed (many builds do this by default; not all)."""
    from .storage.sqlite import SqliteDatabase

    if isinstance(db, SqliteDatabase):
        db.connection().execute("PRAGMA secure_delete=ON")


def _compact(db, collections: list[Collection]) -> None:
    """What a rewrite replaced may stay on disk (the write-ahead log, a server's free space) for a while.

    SQLite: the log is checkpointed and emptied. MongoDB/FerretDB: `compact` is asked for, best effort;
    the server's own files and journal are its to manage (for certainty, dump and restore the database
    after a re-encryption)."""
    from .storage.sqlite import SqliteDatabase

    if isinstance(db, SqliteDatabase):
        db.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    for c in collections:
        raw = getattr(c, "raw", None)
        if raw is not None:
            try:
                raw.database.command("compact", raw.name)
            except Exception as exc:  # noqa: BLE001 - not every server or role may compact; the data is rewritten
                print(f"compact {raw.name}: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m liandong.reencrypt", description=__doc__.split("\n")[0])
    parser.add_argument("services", nargs="*", help=f"of {', '.join(SERVICES)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [s for s in args.services if s not in SERVICES]
    if unknown:
        parser.error(f"unknown service {', '.join(unknown)}; one of {', '.join(SERVICES)}")
    report = {s: run(s, Settings.from_env(s)) for s in (args.services or SERVICES)}
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
