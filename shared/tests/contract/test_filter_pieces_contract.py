"""The pieces every service builds its storage filters from (`liandong.storage.filters`), on both stores: all of
some terms answers exactly the records each term answers, however the terms overlap; a caller with no subtree
sees nothing, whatever else the filter says; a subtree is a subtree, not a prefix of a sibling's name."""
from __future__ import annotations

import itertools
import random

import pytest

from liandong.storage.filters import NOTHING, all_of, any_of, between, one_of, within
from liandong.testing import unique

PATHS = ["/d/sd1/c1/", "/d/sd1/c2/", "/d/sd10/c1/", "/d/sd2/c3/"]
STATUSES = ["filed", "assigned", "closed"]


@pytest.fixture
def records(database):
    c = database.collection(unique("filters"))
    c.create_index([("org_path", 1), ("at", -1)])
    rng = random.Random(7)
    for i in range(60):
        doc = {"_id": f"r{i:02d}", "org_path": PATHS[i % 4], "status": STATUSES[i % 3], "urgent": i % 5 == 0,
               "n": i, "tags": rng.sample(["elder", "disabled", "veteran", "child"], k=1 + i % 3)}
        if i % 7:
            doc["at"] = f"2026-03-{1 + i % 28:02d}T08:00:00Z"
        c.insert_one(doc)
    return c


def ids(coll, flt) -> set[str]:
    return {d["_id"] for d in coll.find(flt)}


TERMS = [
    within(["/d/sd1/"]),
    within(["/d/sd1/c2/", "/d/sd2/"]),
    one_of("status", ["filed", "closed"]),
    one_of("status", "assigned"),
    one_of("urgent", False),
    between("at", "2026-03-05", "2026-03-20T23:59:59Z"),
    between("at", before="2026-03-10"),
    between("n", after=10, end=50),
    {"tags": {"$all": ["elder"]}},
    any_of([{"n": {"$lt": 5}}, {"n": {"$gt": 55}}, {"status": "closed"}]),
    {"$and": [{"n": {"$gte": 3}}, {"status": {"$ne": "filed"}}]},
    None,
    {},
]


def test_all_of_answers_exactly_the_records_every_term_answers(records):
    everything = ids(records, {})
    answers = [ids(records, t or {}) for t in TERMS]
    for a, b, c in itertools.combinations(range(len(TERMS)), 3):
        expected = everything & answers[a] & answers[b] & answers[c]
        assert ids(records, all_of(TERMS[a], TERMS[b], TERMS[c])) == expected, (TERMS[a], TERMS[b], TERMS[c])


def test_a_caller_with_no_subtree_sees_nothing_whatever_else_the_filter_names(records):
    # the volunteers list named a team's members by `_id` beside the caller's subtrees: merged as one dict, the
    # members' `_id` replaced "no subtree" and the list showed them to a caller without scope
    assert ids(records, within([])) == set()
    assert ids(records, all_of(within([]), {"_id": {"$in": ["r01", "r02"]}})) == set()
    assert ids(records, all_of({"_id": {"$in": ["r01", "r02"]}}, NOTHING)) == set()
    assert ids(records, any_of([])) == set()


def test_a_subtree_is_not_a_prefix_of_a_siblings_name(records):
    assert {d["org_path"] for d in records.find(within(["/d/sd1"]))} == {"/d/sd1/c1/", "/d/sd1/c2/"}
    assert {d["org_path"] for d in records.find(within(["/d/sd1/c1/", "/d/sd10/"]))} == {"/d/sd1/c1/", "/d/sd10/c1/"}


def test_a_filter_not_given_is_no_condition_and_a_false_one_is_one(records):
    assert one_of("status", None) is None and one_of("status", []) is None and one_of("status", ["", None]) is None
    assert one_of("status", "") is None and between("at") is None and between("at", "", None) is None
    assert ids(records, all_of(one_of("urgent", False))) == {f"r{i:02d}" for i in range(60) if i % 5}
    assert ids(records, all_of(one_of("n", 0))) == {"r00"}
    assert ids(records, all_of(one_of("status", ["filed", "", None]))) == ids(records, {"status": "filed"})


def test_ends_inclusive_and_exclusive_as_the_api_style_says(records):
    assert ids(records, between("n", 10, 12)) == {"r10", "r11", "r12"}
    assert ids(records, between("n", after=10, before=12)) == {"r11"}


def test_all_of_keeps_plain_fields_at_the_top_and_one_flat_and():
    """FerretDB 1.x pushes down a filter's top-level fields and the terms of one flat `$and` (fixes 1-15); a
    nested `$and` or a field moved into one would be decided document by document."""
    flt = all_of({"status": "filed"}, within(["/d/a/", "/d/b/"]), {"$and": [{"n": 1}, {"m": 2}]}, None,
                 {"status": {"$ne": "closed"}}, all_of({"kind": "x"}, {"$or": [{"a": 1}, {"b": 2}]}))
    assert flt == {"status": "filed", "kind": "x",
                   "$and": [{"$or": [{"org_path": {"$regex": "^/d/a/"}}, {"org_path": {"$regex": "^/d/b/"}}]},
                            {"n": 1}, {"m": 2}, {"status": {"$ne": "closed"}}, {"$or": [{"a": 1}, {"b": 2}]}]}
    assert all_of() == {} and all_of(None, {}) == {} and all_of({"a": 1}) == {"a": 1}
    # a period's two ends are two terms: of `{at: {$gte: a, $lte: b}}` FerretDB pushes the lower bound only
    assert all_of({"a": 1}, between("at", "2026-01-01", "2026-01-31")) == {
        "a": 1, "$and": [{"at": {"$gte": "2026-01-01"}}, {"at": {"$lte": "2026-01-31"}}]}
