"""What a write costs on a MongoDB-protocol server by the shape of the document and of the filter.

    MONGO_URI=mongodb://127.0.0.1:27017 python tests/bench/ferretdb_shapes.py

Two questions behind the read model's design (docs/bench-2026-11-29.md, section 7): how much a bucket that
carries the ids of its last events costs to update and to read, and which commands the server pushes an `_id`
filter down for (FerretDB 1.24 on SQLite: `find` only). Each figure is the mean of 100 calls (300 updates)."""
from __future__ import annotations

import os
import time
import uuid

import pymongo


def buckets(db, ids_per_doc: int, ndocs: int = 200, updates: int = 300, nin: bool = False) -> None:
    coll = db[f"b{ids_per_doc}{'n' if nin else ''}"]
    ids = [str(uuid.uuid4()) for _ in range(ids_per_doc)]
    coll.insert_many([{"_id": f"b{i}", "org_path": f"/d/s/c{i}/", "month": "2026-05", "m": {"a": 1, "b": 2},
                       "_handled": ids} for i in range(ndocs)])
    t = time.perf_counter()
    for k in range(updates):
        f = {"_id": f"b{k % ndocs}"}
        if nin:
            f["_handled"] = {"$nin": [str(uuid.uuid4()) for _ in range(20)]}
        coll.update_one(f, {"$inc": {"m.a": 1}, "$push": {"_handled": {"$each": [str(uuid.uuid4())],
                                                                        "$slice": -max(ids_per_doc, 1)}}})
    update = (time.perf_counter() - t) / updates * 1000
    t = time.perf_counter()
    for _ in range(5):
        list(coll.find({"month": {"$gte": "2026-01", "$lt": "2027-01"}}, projection={"_handled": 0}))
    read = (time.perf_counter() - t) / 5 * 1000
    print(f"bucket with {ids_per_doc:5d} ids{' + $nin filter' if nin else ''}: update {update:7.2f} ms, "
          f"a year's {ndocs} buckets read {read:7.1f} ms")


def by_id(db, n: int) -> None:
    coll = db[f"id{n}"]
    coll.insert_many([{"_id": f"b{i}", "x": 1} for i in range(n)])

    def timed(name, fn):
        t = time.perf_counter()
        for k in range(100):
            fn(k)
        print(f"{n:6d} documents, {name:20s} by _id {(time.perf_counter() - t) * 10:6.2f} ms")

    timed("find_one", lambda k: coll.find_one({"_id": f"b{k}"}))
    timed("update_one", lambda k: coll.update_one({"_id": f"b{k}"}, {"$inc": {"x": 1}}))
    timed("replace_one", lambda k: coll.replace_one({"_id": f"b{k}"}, {"_id": f"b{k}", "x": 5}))
    timed("count_documents", lambda k: coll.count_documents({"_id": f"b{k}"}))


def main() -> None:
    client = pymongo.MongoClient(os.environ["MONGO_URI"])
    db = client[f"shapes_{uuid.uuid4().hex[:6]}"]
    try:
        for ids, nin in ((1000, False), (1000, True), (20, False), (20, True), (1, False)):
            buckets(db, ids, nin=nin)
        for n in (500, 5000):
            by_id(db, n)
    finally:
        client.drop_database(db.name)


if __name__ == "__main__":
    main()
