"""On the MongoDB-protocol store a document is found, updated and deleted by its `_id` through the `_id` index,
however large its collection: every aggregate's repository, the outbox relay and the reports' buckets work by `_id`.

FerretDB 1.24's SQLite backend indexed `_id` under another expression than it looked it up by, so each of
these read the whole collection, and it narrowed by `_id` only where `_id` was a filter's one key, so a conditional
update of one document (`{_id: x, marks: {$ne: poll}}`: the reports' buckets, the claims, version-guarded writes)
read the whole collection too; and an `update` command of many updates held a read of the backend open for each
until the command ended, so two bulks of updates at once could take every connection and hang the server
(deploy/local/ferretdb.sh builds it with the three mended).
"""
from __future__ import annotations

import json
import statistics
import threading
import time

import pymongo

from liandong.storage import open_database

DOCUMENTS = 20_000


def _large_collection(db, name: str):
    coll = db.collection(name)
    coll.raw.insert_many([{"_id": f"b{i:06d}", "n": 0, "marks": [], "pad": "x" * 300} for i in range(DOCUMENTS)])
    return coll


def _assert_uses_the_index(db, coll, filter: dict) -> None:
    plan = json.dumps(db.client[db.name].command("explain", {"find": coll.name, "filter": filter}))
    # FerretDB answers SQLite's plan ("SEARCH … USING INDEX"), MongoDB its winning plan (IDHACK / IXSCAN / EXPRESS)
    assert any(word in plan for word in ("USING INDEX", "IDHACK", "IXSCAN", "EXPRESS")), plan
    assert f"SCAN {coll.name}" not in plan and "COLLSCAN" not in plan, plan


def test_a_document_is_found_and_updated_by_its_id_through_the_index_in_a_large_collection(make_settings):
    db = open_database(make_settings(store="mongo"))
    try:
        coll = _large_collection(db, "id_lookups")
        _assert_uses_the_index(db, coll, {"_id": "b000123"})

        took = []
        for i in range(0, DOCUMENTS, DOCUMENTS // 40):
            started = time.perf_counter()
            coll.update_one({"_id": f"b{i:06d}"}, {"$inc": {"n": 1}})
            assert coll.find_one({"_id": f"b{i:06d}"})["n"] == 1
            took.append((time.perf_counter() - started) * 1000)
        # through the index both take ~3 ms here; reading 20 000 documents took ~160 ms
        assert statistics.median(took) < 40, took
    finally:
        db.client.drop_database(db.name)


def test_a_conditional_update_of_one_document_goes_by_its_id_and_still_checks_its_condition(make_settings):
    db = open_database(make_settings(store="mongo"))
    try:
        coll = _large_collection(db, "id_conditions")
        _assert_uses_the_index(db, coll, {"_id": "b000123", "marks": {"$ne": "poll-1"}})

        took = []
        for i in range(0, DOCUMENTS, DOCUMENTS // 40):
            key = f"b{i:06d}"
            started = time.perf_counter()
            first = coll.raw.update_one({"_id": key, "marks": {"$ne": "poll-1"}},
                                        {"$inc": {"n": 1}, "$push": {"marks": "poll-1"}})
            took.append((time.perf_counter() - started) * 1000)
            again = coll.raw.update_one({"_id": key, "marks": {"$ne": "poll-1"}},
                                        {"$inc": {"n": 1}, "$push": {"marks": "poll-1"}})
            assert (first.matched_count, again.matched_count) == (1, 0)  # the condition is still the filter's
            assert coll.find_one({"_id": key})["n"] == 1
            assert coll.count_documents({"_id": key, "n": 0}) == 0
            assert coll.delete_one({"_id": key, "n": 5}) == 0 and coll.find_one({"_id": key}) is not None
        # through the index ~2 ms here; reading the 20 000 documents for each took ~10–100 ms
        assert statistics.median(took) < 6, took
    finally:
        db.client.drop_database(db.name)


def test_two_bulks_of_many_updates_at_once_do_not_hang_the_server(make_settings):
    # the projector's bucket writes: a bulk of updates by `_id` from each of two processes at the same moment
    # (FerretDB's SQLite backend has 100 connections; two bulks of 60 held 120 reads open and waited for good)
    settings = make_settings(store="mongo")
    db = open_database(settings)
    client = pymongo.MongoClient(settings.mongo_uri, socketTimeoutMS=15_000)  # a hang fails, not waits
    try:
        coll = db.collection("two_bulks")
        coll.raw.insert_many([{"_id": f"b{i:03d}", "n": 0} for i in range(120)])
        raw = client[db.name][coll.name]
        failures: list[BaseException] = []

        def bulks(first: int) -> None:
            try:
                for _ in range(5):
                    raw.bulk_write([pymongo.UpdateOne({"_id": f"b{i:03d}"}, {"$inc": {"n": 1}})
                                    for i in range(first, first + 60)], ordered=False)
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

        threads = [threading.Thread(target=bulks, args=(first,)) for first in (0, 60)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not failures, failures
        assert sorted({d["n"] for d in coll.find({})}) == [5]
    finally:
        client.close()
        db.client.drop_database(db.name)
