"""On the MongoDB-protocol store a document is found, updated and deleted by its `_id` through the `_id` index,
however large its collection: every aggregate's repository, the outbox relay and the reports' buckets work by `_id`.

FerretDB 1.24's SQLite backend indexed `_id` under another expression than it looked it up by, so each of
these read the whole collection (deploy/local/ferretdb.sh builds it with the lookup written as the index is).
"""
from __future__ import annotations

import json
import statistics
import time

from liandong.storage import open_database

DOCUMENTS = 20_000


def test_a_document_is_found_and_updated_by_its_id_through_the_index_in_a_large_collection(make_settings):
    db = open_database(make_settings(store="mongo"))
    try:
        coll = db.collection("id_lookups")
        coll.raw.insert_many([{"_id": f"b{i:06d}", "n": 0, "pad": "x" * 300} for i in range(DOCUMENTS)])
        plan = json.dumps(db.client[db.name].command("explain", {"find": coll.name, "filter": {"_id": "b000123"}}))
        # FerretDB answers SQLite's plan ("SEARCH … USING INDEX"), MongoDB its winning plan (IDHACK / IXSCAN / EXPRESS)
        assert any(word in plan for word in ("USING INDEX", "IDHACK", "IXSCAN", "EXPRESS")), plan
        assert "SCAN id_lookups" not in plan and "COLLSCAN" not in plan, plan

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
