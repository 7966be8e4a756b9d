"""The Idempotency-Key recorded in the record's own write holds on both storage adapters (issue #16).

What the services rely on: a document created under a key carries it under a unique sparse index,
so a retry's insert (from any process, at the same moment) meets it and gets the stored document;
documents created without a key do not collide; a changed document records the key in the same
version-guarded write and a retry that loads it is told so (`AlreadyApplied`).
"""
from __future__ import annotations

import threading

import pytest

from liandong import idempotency, outbox
from liandong.ids import new_id


def keyed(key: str):
    """Run the block as one attempt of a request carrying `key` (a fresh attempt each time)."""
    class _Attempt:
        def __enter__(self):
            self.token = idempotency.begin(key)
            return idempotency.current()

        def __exit__(self, *exc):
            idempotency.end(self.token)

    return _Attempt()


def test_a_retried_insert_gets_the_stored_document_and_unkeyed_ones_never_collide(database):
    coll = database.collection(f"idem_{new_id()[:8]}")
    outbox.prepare(coll)
    for _ in range(3):
        outbox.insert_with_events(coll, {"_id": new_id(), "n": 0}, [])  # no key: any number
    with keyed("user-1:k1"):
        first = outbox.insert_with_events(coll, {"_id": new_id(), "n": 1}, [])
    with keyed("user-1:k1"):
        again = outbox.insert_with_events(coll, {"_id": new_id(), "n": 2}, [])
    assert again["_id"] == first["_id"] and again["n"] == 1
    with keyed("user-2:k1"):
        other = outbox.insert_with_events(coll, {"_id": new_id(), "n": 3}, [])
    assert other["_id"] != first["_id"]
    with keyed("user-1:k2"):  # one request creating two records of one collection
        a = outbox.insert_with_events(coll, {"_id": new_id(), "n": 4}, [])
        b = outbox.insert_with_events(coll, {"_id": new_id(), "n": 5}, [])
    with keyed("user-1:k2"):
        assert [outbox.insert_with_events(coll, {"_id": new_id(), "n": 6}, [])["_id"],
                outbox.insert_with_events(coll, {"_id": new_id(), "n": 7}, [])["_id"]] == [a["_id"], b["_id"]]
    assert coll.count_documents({}) == 3 + 1 + 1 + 2


def test_racing_attempts_of_one_request_store_one_document(database):
    """FerretDB applies updates without atomicity, but refuses a duplicate in a unique index atomically."""
    coll = database.collection(f"idem_{new_id()[:8]}")
    outbox.prepare(coll)
    stored, errors = [], []

    def attempt():
        try:
            with keyed("user-1:race"):
                stored.append(outbox.insert_with_events(coll, {"_id": new_id()}, [])["_id"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert coll.count_documents({}) == 1 and len(set(stored)) == 1


def test_a_change_records_its_key_and_a_retry_is_told(database):
    coll = database.collection(f"idem_{new_id()[:8]}")
    outbox.prepare(coll)
    outbox.insert_with_events(coll, {"_id": "doc", "state": "open"}, [])
    with keyed("user-1:close"):
        outbox.update_with_events(coll, "doc", 1, {"state": "closed"}, [])
        idempotency.check_not_applied(coll.name, coll.find_one({"_id": "doc"}))  # its own write: no complaint
    with keyed("user-1:close"):
        with pytest.raises(idempotency.AlreadyApplied):
            idempotency.check_not_applied(coll.name, coll.find_one({"_id": "doc"}))
    with keyed("user-1:other"):
        idempotency.check_not_applied(coll.name, coll.find_one({"_id": "doc"}))
    assert "_idem_recent" not in outbox.strip(coll.find_one({"_id": "doc"}))

    # a guarded $inc applies once per key
    coll.insert_one({"_id": "stock", "quantity": 10})
    for _ in range(2):
        with keyed("user-1:take"):
            update = {"$inc": {"quantity": -3}}
            flt = idempotency.guard(coll.name, "stock", {"_id": "stock", "quantity": {"$gte": 3}}, update)
            if not coll.update_one(flt, update).matched_count:
                assert idempotency.applied_before(coll, "stock")
    assert coll.find_one({"_id": "stock"})["quantity"] == 7
    # the list of recent keys stays bounded
    for n in range(idempotency.KEEP + 5):
        with keyed(f"user-1:n{n}"):
            update = {"$inc": {"quantity": 0}}
            coll.update_one(idempotency.guard(coll.name, "stock", {"_id": "stock"}, update), update)
    assert len(coll.find_one({"_id": "stock"})[idempotency.RECENT]) == idempotency.KEEP
