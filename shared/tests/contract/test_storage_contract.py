"""One contract for the storage port, run unchanged on SQLite and on MongoDB/FerretDB."""
from __future__ import annotations

import threading

import pytest

from liandong import outbox
from liandong.consumer import apply_once, insert_once
from liandong.errors import ConcurrencyConflict
from liandong.storage import DuplicateKeyError, UnsupportedQuery, subtree
from liandong.testing import unique


@pytest.fixture
def coll(database):
    c = database.collection(unique("c"))
    c.create_index([("org_path", 1)])
    c.create_index([("status", 1), ("created", -1)])
    for i in range(30):
        c.insert_one({
            "_id": f"p{i:02d}",
            "org_path": ["/cy/hq/jy/", "/cy/hq/jy/g1/", "/cy/xh/hnl/"][i % 3],
            "status": ["registered", "assigned", "closed"][i % 3],
            "created": f"2026-03-{i + 1:02d}T08:00:00.000000Z",
            "count": i,
            "headcount": 40 if i == 7 else 1,
            "tags": ["group"] if i % 5 == 0 else [],
            "petitioner": {"name": f"居民{i}", "anonymous": i == 3},
        })
    return c


def ids(docs):
    return [d["_id"] for d in docs]


def test_find_one_returns_the_document_as_stored(coll):
    doc = coll.find_one({"_id": "p07"})
    assert doc["headcount"] == 40 and doc["petitioner"]["name"] == "居民7"
    assert coll.find_one({"_id": "missing"}) is None


def test_subtree_is_a_prefix_query_on_the_org_path(coll):
    assert coll.count_documents(subtree("/cy/hq/")) == 20
    assert coll.count_documents(subtree("/cy/hq/jy/g1/")) == 10
    assert coll.count_documents(subtree("/cy/")) == 30
    assert coll.count_documents(subtree("/cy/h")) == 0  # a prefix of a segment is not a subtree


def test_comparison_and_set_operators(coll):
    assert ids(coll.find({"count": {"$gte": 27}}, sort=[("count", 1)])) == ["p27", "p28", "p29"]
    assert coll.count_documents({"count": {"$gt": 5, "$lt": 9}}) == 3
    assert coll.count_documents({"status": {"$in": ["closed", "assigned"]}}) == 20
    assert coll.count_documents({"status": {"$nin": ["closed", "assigned"]}}) == 10
    assert coll.count_documents({"status": {"$ne": "closed"}}) == 20
    assert coll.count_documents({"petitioner.anonymous": True}) == 1
    assert coll.count_documents({"tags": {"$all": ["group"]}}) == 6
    assert coll.count_documents({"tags": {"$size": 0}}) == 24
    assert coll.count_documents({"missing": {"$exists": False}}) == 30
    assert coll.count_documents({"headcount": {"$exists": True}}) == 30
    assert coll.count_documents({"$or": [{"count": 1}, {"count": 2}]}) == 2
    assert coll.count_documents({"$and": [{"status": "closed"}, {"count": {"$lt": 10}}]}) == 3
    assert coll.count_documents({"petitioner.name": {"$regex": "居民1"}}) == 11


def test_sort_skip_limit_paginate_in_order(coll):
    page1 = coll.find({"status": "registered"}, sort=[("created", -1)], limit=4)
    page2 = coll.find({"status": "registered"}, sort=[("created", -1)], skip=4, limit=4)
    assert ids(page1) == ["p27", "p24", "p21", "p18"]
    assert ids(page2) == ["p15", "p12", "p09", "p06"]
    assert ids(coll.find({}, sort=[("status", 1), ("count", -1)], limit=2)) == ["p28", "p25"]


def test_update_operators(coll):
    r = coll.update_one({"_id": "p01"}, {"$set": {"status": "answered", "answer.text": "已答复"},
                                         "$inc": {"count": 10}, "$push": {"tags": "answered"}})
    assert (r.matched_count, r.modified_count) == (1, 1)
    doc = coll.find_one({"_id": "p01"})
    assert doc["status"] == "answered" and doc["answer"] == {"text": "已答复"}
    assert doc["count"] == 11 and doc["tags"] == ["answered"]
    coll.update_one({"_id": "p01"}, {"$push": {"tags": {"$each": ["a", "b", "c"], "$slice": -2}},
                                     "$unset": {"answer": ""}})
    doc = coll.find_one({"_id": "p01"})
    assert doc["tags"] == ["b", "c"] and "answer" not in doc
    coll.update_one({"_id": "p01"}, {"$pull": {"tags": "b"}})
    assert coll.find_one({"_id": "p01"})["tags"] == ["c"]
    assert coll.update_one({"_id": "nope"}, {"$set": {"x": 1}}).matched_count == 0


def test_pull_removes_items_equal_to_a_value_or_document(coll):
    coll.update_one({"_id": "p02"}, {"$set": {"items": [{"id": "a", "n": 1}, {"id": "b", "n": 2}], "l": [1, 2, 1]}})
    coll.update_one({"_id": "p02"}, {"$pull": {"items": {"id": "a", "n": 1}, "l": 1}})
    doc = coll.find_one({"_id": "p02"})
    assert doc["items"] == [{"id": "b", "n": 2}] and doc["l"] == [2]


def test_the_handled_event_ids_of_a_document_stay_bounded(database):
    c = database.collection(unique("cap"))
    for i in range(12):
        assert apply_once(c, "bucket", f"ev-{i}", {"$inc": {"n": 1}}, keep=5)
    doc = c.find_one({"_id": "bucket"})
    assert doc["n"] == 12 and doc["_handled"] == [f"ev-{i}" for i in range(7, 12)]


def test_upsert_creates_from_the_filter_and_set_on_insert(coll):
    r = coll.update_one({"_id": "day:2026-03-01"}, {"$inc": {"n": 2}, "$setOnInsert": {"first": True}}, upsert=True)
    assert r.upserted_id == "day:2026-03-01"
    coll.update_one({"_id": "day:2026-03-01"}, {"$inc": {"n": 3}, "$setOnInsert": {"first": False}}, upsert=True)
    assert coll.find_one({"_id": "day:2026-03-01"}) == {"_id": "day:2026-03-01", "n": 5, "first": True}


def test_find_one_and_update_returns_after_or_before(coll):
    after = coll.find_one_and_update({"_id": "p03"}, {"$inc": {"count": 1}})
    assert after["count"] == 4
    before = coll.find_one_and_update({"_id": "p03"}, {"$inc": {"count": 1}}, return_new=False)
    assert before["count"] == 4
    assert coll.find_one_and_update({"_id": "none"}, {"$inc": {"count": 1}}) is None


def test_duplicate_id_and_unique_index_are_refused(coll):
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"_id": "p00", "x": 1})
    coll.create_index([("id_number", 1)], unique=True, name="id_number_unique")
    coll.insert_one({"_id": "m1", "id_number": "110101199003078515"})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"_id": "m2", "id_number": "110101199003078515"})
    assert coll.count_documents({"id_number": {"$exists": True}}) == 1


def test_delete(coll):
    assert coll.delete_one({"_id": "p00"}) == 1
    assert coll.delete_one({"_id": "p00"}) == 0
    assert coll.delete_many({"status": "closed"}) == 10
    assert coll.count_documents({}) == 19


def test_insert_many_and_ids(database):
    c = database.collection(unique("m"))
    inserted = c.insert_many([{"_id": f"x{i}", "n": i} for i in range(100)])
    assert len(inserted) == 100 and c.count_documents({"n": {"$gte": 50}}) == 50
    # ordered: a duplicate stops the insert there, what came before it stays (pymongo's ordered=True)
    with pytest.raises(DuplicateKeyError):
        c.insert_many([{"_id": "y0"}, {"_id": "y1"}, {"_id": "x5"}, {"_id": "y2"}])
    assert ids(c.find({"_id": {"$regex": "^y"}}, sort=[("_id", 1)])) == ["y0", "y1"]


def test_a_find_answers_every_match_past_one_reply_and_a_limit_stops_it(database):
    """A find's answer is listed whole: on MongoDB / FerretDB it comes in replies of storage.mongo.FIND_BATCH
    documents (a report's ~1 200 buckets in two), and none is lost or repeated where one reply ends."""
    c = database.collection(unique("many"))
    c.insert_many([{"_id": f"x{i:05d}", "n": i, "org_path": f"/a/{i % 7}/"} for i in range(2600)])
    assert sorted(ids(c.find({}))) == [f"x{i:05d}" for i in range(2600)]
    assert ids(c.find({"n": {"$gte": 100}}, sort=[("n", -1)])) == [f"x{i:05d}" for i in range(2599, 99, -1)]
    assert ids(c.find(subtree("/a/3/"), sort=[("n", 1)], skip=5)) == [f"x{i:05d}" for i in range(3, 2600, 7)][5:]
    assert ids(c.find({}, sort=[("n", 1)], skip=990, limit=1500)) == [f"x{i:05d}" for i in range(990, 2490)]
    assert len(c.find({}, projection={"n": 0})) == 2600


def test_concurrent_increments_are_atomic(database):
    c = database.collection(unique("inc"))
    c.insert_one({"_id": "counter", "n": 0})

    def bump():
        for _ in range(25):
            c.update_one({"_id": "counter"}, {"$inc": {"n": 1}})

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.find_one({"_id": "counter"})["n"] == 100


def test_an_increment_and_the_value_it_returns_are_one_atomic_step(database):
    """find_one_and_update + $inc hands every caller its own count (the lock-out counts failed logins
    so): 60 racing increments return exactly 1..60, never one value twice."""
    c = database.collection(unique("fail"))
    c.insert_one({"_id": "user", "failed": 0, "locked_until": None})
    seen: list[int] = []
    lock = threading.Lock()

    def bump():
        for _ in range(15):
            doc = c.find_one_and_update({"_id": "user", "$or": [{"locked_until": None},
                                                                {"locked_until": {"$lte": "2000"}}]},
                                        {"$inc": {"failed": 1}})
            with lock:
                seen.append(doc["failed"])

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(1, 61))


def test_apply_once_applies_an_event_once_per_document(database):
    c = database.collection(unique("rm"))
    assert apply_once(c, "jy:2026-03-01", "ev-1", {"$inc": {"batches": 1, "persons": 40}})
    assert not apply_once(c, "jy:2026-03-01", "ev-1", {"$inc": {"batches": 1, "persons": 40}})
    assert apply_once(c, "jy:2026-03-01", "ev-2", {"$inc": {"batches": 1, "persons": 1}})
    doc = c.find_one({"_id": "jy:2026-03-01"})
    assert (doc["batches"], doc["persons"]) == (2, 41)
    assert insert_once(c, {"_id": "ev-9:fact"}) and not insert_once(c, {"_id": "ev-9:fact"})


def test_optimistic_concurrency_lets_one_of_two_racing_updates_win(database):
    c = database.collection(unique("agg"))
    outbox.insert_with_events(c, {"_id": "case-1", "status": "registered"}, [])
    assert outbox.update_with_events(c, "case-1", 1, {"status": "assigned"}) == 2
    with pytest.raises(ConcurrencyConflict):
        outbox.update_with_events(c, "case-1", 1, {"status": "closed"})
    assert c.find_one({"_id": "case-1"})["status"] == "assigned"


def test_embedded_lists_and_subtrees_are_index_lookups(tmp_path):
    from liandong.storage.sqlite import SqliteDatabase

    c = SqliteDatabase(tmp_path / "plan.db").collection("petitions")
    c.create_index([("org_path", 1)])
    c.create_index([("status", 1), ("created", -1)])
    assert "USING INDEX" in c.explain(subtree("/cy/hq/"))
    plan = c.explain({"status": "registered"}, sort=[("created", -1)])
    assert "USING INDEX" in plan and "TEMP B-TREE" not in plan  # no scan, no sort step


def test_find_leaves_out_the_excluded_fields(database):
    c = database.collection(unique("proj"))
    apply_once(c, "bucket", "ev-1", {"$inc": {"m.n": 1}, "$set": {"org_path": "/a/"}})
    c.insert_one({"_id": "plain", "org_path": "/a/b/", "m": {"n": 2}})
    docs = sorted(c.find({"org_path": {"$regex": "^/a/"}}, projection={"_handled": 0}), key=lambda d: d["_id"])
    assert docs == [{"_id": "bucket", "m": {"n": 1}, "org_path": "/a/"}, {"_id": "plain", "org_path": "/a/b/", "m": {"n": 2}}]
    with pytest.raises(UnsupportedQuery):
        c.find({}, projection={"m": 1, "org_path": 0})


def test_find_keeps_only_the_included_fields(database):
    c = database.collection(unique("keep"))
    c.insert_one({"_id": "a", "state": "registered", "n": 3, "m": {"x": [1, 2]}, "big": "x" * 1000, "none": None,
                  "flag": True, "one": 1, "f": 2.5, "text": "[not a list]", "l": ["x"]})
    c.insert_one({"_id": "b", "state": "closed", "big": "y", "flag": False, "one": 0, "text": "{"})
    kept = dict.fromkeys(["state", "m", "n", "none", "flag", "one", "f", "text", "l"], 1)
    # _id comes along; a field a document lacks is left out, a null one kept; types as stored
    expected = [{"_id": "a", "state": "registered", "n": 3, "m": {"x": [1, 2]}, "none": None, "flag": True, "one": 1,
                 "f": 2.5, "text": "[not a list]", "l": ["x"]},
                {"_id": "b", "state": "closed", "flag": False, "one": 0, "text": "{"}]
    assert sorted(c.find({}, projection=kept), key=lambda d: d["_id"]) == expected
    for field in kept:  # the same when the fields are indexed (SQLite then reads them from the index)
        c.create_index([(field, 1)])
    docs = sorted(c.find({}, projection=kept), key=lambda d: d["_id"])
    assert docs == expected
    assert {k: type(v) for k, v in docs[0].items()} == {k: type(v) for k, v in expected[0].items()}
    with pytest.raises(UnsupportedQuery):
        c.find({}, projection={"m.x": 1})
    # the id alone (SQLite used to read {"_id": 1} as leaving the id out)
    assert sorted(c.find({}, projection={"_id": 1}), key=lambda d: d["_id"]) == [{"_id": "a"}, {"_id": "b"}]


def test_a_count_can_stop_at_a_limit(database):
    c = database.collection(unique("cnt"))
    c.insert_many([{"_id": f"d{i}", "k": 1} for i in range(5)])
    assert c.count_documents({"k": 1}) == 5
    assert c.count_documents({"k": 1}, limit=3) == 3 and c.count_documents({"k": 1}, limit=9) == 5


def test_a_filtered_count_and_a_hinted_newest_first_page_use_indexes(tmp_path):
    from liandong.storage.sqlite import SqliteDatabase

    c = SqliteDatabase(tmp_path / "plan.db").collection("petitions")
    c.create_index([("state", 1), ("org_path", 1), ("registered_at", -1)], name="state_org")
    c.create_index([("registered_at", -1)], name="registered")
    c.insert_many([{"_id": f"p{i}", "state": "open", "org_path": "/cy/hq/", "registered_at": f"2026-01-{i + 10}"}
                   for i in range(3)])
    q = {"state": "open", "$and": [subtree("/cy/"), subtree("/cy/hq/")]}
    assert "USING INDEX ix_petitions_state_org (f:state=? AND f:org_path>? AND f:org_path<?)" in c.explain(
        q, count=True, limit=10001)
    plan = c.explain(q, sort=[("registered_at", -1)], limit=20, hint="registered")
    assert "USING INDEX ix_petitions_registered" in plan and "TEMP B-TREE" not in plan  # newest first, no sort
    assert [d["_id"] for d in c.find(q, sort=[("registered_at", -1)], limit=2, hint="registered")] == ["p2", "p1"]
    assert len(c.find(q, sort=[("registered_at", -1)], hint="no_such_index")) == 3  # the planner's own choice


def test_an_index_made_on_expressions_before_is_made_again_on_columns(tmp_path):
    from liandong.storage.sqlite import SqliteDatabase

    db = SqliteDatabase(tmp_path / "old.db")
    db.connection().execute('CREATE TABLE "c_old" (id TEXT PRIMARY KEY, doc TEXT NOT NULL)')
    db.connection().execute("""CREATE INDEX "ix_old_st" ON "c_old" (json_extract(doc,'$.status'))""")
    c = db.collection("old")
    c.insert_one({"_id": "a", "status": "x"})
    c.create_index("status", name="st")
    assert "USING INDEX ix_old_st (f:status=?)" in c.explain({"status": "x"})
    assert [d["_id"] for d in c.find({"status": "x"})] == ["a"]
    c.drop()  # the columns go with the table
    c.insert_one({"_id": "b", "status": "y"})
    assert [d["_id"] for d in c.find({"status": "y"})] == ["b"]


def test_a_subtree_inside_a_scope_is_the_range_sqlite_walks(tmp_path):
    from liandong.storage.sqlite import SqliteDatabase

    c = SqliteDatabase(tmp_path / "scope.db").collection("docs")
    c.create_index([("org_path", 1)], name="org")
    c.insert_many([{"_id": "in", "org_path": "/cy/hq/jy/"}, {"_id": "out", "org_path": "/cy/xh/"}])
    q = {"$and": [subtree("/cy/"), subtree("/cy/hq/")]}
    assert [d["_id"] for d in c.find(q)] == ["in"]
    from liandong.storage.sqlite import _Compiler
    sql = _Compiler().compile(q)
    assert sql.count(">=") == 1  # one range: the subtree's


def test_sqlite_moves_the_wal_into_the_database_soon_after_writes_off_the_writing_thread(tmp_path):
    """A request's COMMIT no longer runs the checkpoint (two fsyncs); a thread does, a moment later."""
    import sqlite3
    import time

    from liandong.storage.sqlite import CHECKPOINT_DELAY, SqliteDatabase

    path = tmp_path / "ckpt.db"
    c = SqliteDatabase(path).collection("docs")
    for i in range(200):
        c.insert_one({"_id": f"d{i}", "text": "x" * 1000})

    def in_the_database_file() -> int:  # immutable: the file alone, as if the WAL were not there
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            return conn.execute('SELECT COUNT(*) FROM "c_docs"').fetchone()[0]
        except sqlite3.DatabaseError:  # not even the table has reached the file yet, or the checkpoint is
            return 0                   # writing the very pages read (immutable=1 takes no lock): look again
        finally:
            conn.close()

    deadline = time.monotonic() + CHECKPOINT_DELAY + 5
    while in_the_database_file() < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert in_the_database_file() == 200


def test_upsert_each_is_update_one_with_upsert_for_many_documents(database):
    # a read model's poll: every bucket it touches in one call, each counted once (HANDLED), a repeat refused
    c = database.collection(unique("each"))
    c.insert_one({"_id": "old", "n": 5, "_handled": ["ev-1"]})

    def change(doc_id, ids, n):
        return ({"_id": doc_id, "_handled": {"$nin": ids}},
                {"$inc": {"n": n}, "$set": {"org_path": "/a/"}, "$push": {"_handled": {"$each": ids, "$slice": -3}}})

    assert c.upsert_each([change("old", ["ev-2"], 1), change("new", ["ev-3"], 2)]) == [True, True]
    assert c.upsert_each([change("old", ["ev-1", "ev-4"], 10), change("new", ["ev-5"], 3)]) == [False, True]
    assert c.upsert_each([change("new", [f"ev-{i}" for i in range(10, 20)], 1)]) == [True]
    old, new = c.find_one({"_id": "old"}), c.find_one({"_id": "new"})
    assert (old["n"], old["org_path"], new["n"]) == (6, "/a/", 6)
    assert len(new["_handled"]) <= 6 and new["_handled"][-3:] == ["ev-17", "ev-18", "ev-19"]  # bounded
    assert c.upsert_each([]) == []


def test_concurrent_upsert_each_of_overlapping_documents_loses_no_increment(database):
    # two projector processes write the same community's buckets from different partitions
    c = database.collection(unique("eachrace"))

    def bump(offset):
        for i in range(10):
            c.upsert_each([({"_id": f"b{(offset + i + j) % 4}"}, {"$inc": {"n": 1}}) for j in range(3)])

    threads = [threading.Thread(target=bump, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(d["n"] for d in c.find({})) == 3 * 10 * 3
