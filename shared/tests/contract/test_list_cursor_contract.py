"""A list walked by cursor (`after=`, the `next` of the page before; docs/api-style.md) answers every record once, in
the list's order (its sort field, ties by id), whatever the page size, the ties or new records written during the
walk — on both stores. A cursor is the caller's text: one that is not a cursor, or a cursor of another list, is a
422 naming `after`, and nothing in it reaches a filter as an operator."""
from __future__ import annotations

import pytest

from liandong.errors import ValidationFailed
from liandong.listing import After, ListQuery, Page, page_of
from liandong.testing import unique

# ties on purpose: a day's records share their time when a ledger is imported (several on one value, some
# values missing); ids not in the order of the times
TIMES = ["2026-03-01", "2026-03-02", "2026-03-02", "2026-03-02", None, "2026-03-05", "2026-03-05", None,
         "2026-03-07", "2026-03-02", "2026-03-09", "2026-03-09", "2026-03-09", "2026-03-09", "2026-03-10"]


@pytest.fixture
def records(database):
    c = database.collection(unique("walk"))
    c.create_index([("path", 1), ("at", -1)])
    for i, at in enumerate(TIMES * 3):
        doc = {"_id": f"r{(i * 37) % 100:02d}-{i}", "path": "/d/sd1/" if i % 4 else "/d/sd2/", "n": i}
        if at is not None:
            doc["at"] = f"{at}T08:00:00Z"
        c.insert_one(doc)
    return c


def _in_order(docs: list[dict], direction: int, tie: int) -> list[str]:
    """The list's order as MongoDB gives it: missing sorts before every value; ties by id."""
    by_id = sorted(docs, key=lambda d: d["_id"], reverse=tie == -1)
    return [d["_id"] for d in sorted(by_id, key=lambda d: (d.get("at") is not None, d.get("at") or ""),
                                     reverse=direction == -1)]


def _walk(coll, flt, sort, size) -> list[str]:
    shown, page = [], page_of(coll, flt, page=1, page_size=size, sort=sort)
    while True:
        shown += [d["_id"] for d in page.items]
        assert page.page_size == size and len(page.items) <= size
        if page.next is None:
            return shown
        assert len(page.items) == size  # a short page is the last one
        after = ListQuery().load({"after": page.next.token()})["page"]  # as a caller sends it back
        page = page_of(coll, flt, page=after, page_size=size, sort=sort)
        assert page.body()["page"] is None


@pytest.mark.parametrize("sort", [[("at", -1)], [("at", 1)], [("at", -1), ("_id", 1)], [("at", 1), ("_id", -1)]])
def test_a_walk_by_cursor_answers_every_record_once_in_the_lists_order(records, sort):
    flt = {"path": {"$regex": "^/d/sd1/"}}
    everything = records.find(flt)
    tie = sort[1][1] if len(sort) == 2 else 1
    for size in (1, 2, 3, 4, 7, 20, 100):
        assert _walk(records, flt, sort, size) == _in_order(everything, sort[0][1], tie), (sort, size)


def test_records_written_during_a_walk_neither_repeat_nor_hide_the_ones_after_the_cursor(records):
    flt = {"path": {"$regex": "^/d/"}}
    sort = [("at", -1)]
    first = page_of(records, flt, page=1, page_size=5, sort=sort)
    shown = [d["_id"] for d in first.items]
    # newer records come in (they sort before the cursor, as new petitions do), and one more on the cursor's own time
    records.insert_one({"_id": "a-new", "path": "/d/sd1/", "at": "2026-04-01T08:00:00Z"})
    records.insert_one({"_id": "zz-tied", "path": "/d/sd1/", "at": first.items[-1]["at"]})
    page, after = first, first.next
    while after is not None:
        page = page_of(records, flt, page=after, page_size=5, sort=sort)
        shown += [d["_id"] for d in page.items]
        after = page.next
    assert len(shown) == len(set(shown))  # nothing twice
    assert "a-new" not in shown  # ahead of the cursor: the next walk's first page has it
    expected = _in_order(records.find(flt), -1, 1)
    assert shown == [i for i in expected if i != "a-new"]  # the tie past the cursor's id is in its place


def test_a_page_asked_by_number_past_the_first_answers_no_cursor(records):
    flt = {"path": {"$regex": "^/d/"}}
    assert page_of(records, flt, page=1, page_size=5, sort=[("at", -1)]).next is not None
    second = page_of(records, flt, page=2, page_size=5, sort=[("at", -1)])
    assert second.next is None and "next" not in second.body() and second.body()["page"] == 2
    last = page_of(records, flt, page=1, page_size=100, sort=[("at", -1)])
    assert last.next is None  # all of it on one page: nothing follows


@pytest.mark.parametrize("token", ["", "nonsense", After("at", {"$gt": ""}, "r1").token().replace("A", "B"),
                                   # a scalar's place holding an operator: refused before any filter is built
                                   __import__("base64").urlsafe_b64encode(b'["at",{"$ne":null},"r1"]').decode(),
                                   __import__("base64").urlsafe_b64encode(b'["at","x",{"$gt":""}]').decode(),
                                   __import__("base64").urlsafe_b64encode(b'["at","x"]').decode(),
                                   # numbers BSON cannot carry: past 64 bits, not finite
                                   __import__("base64").urlsafe_b64encode(b'["at",1e400,"r1"]').decode(),
                                   __import__("base64").urlsafe_b64encode(b'["at",NaN,"r1"]').decode(),
                                   __import__("base64").urlsafe_b64encode(b'["at",99999999999999999999,"r1"]').decode()])
def test_what_is_not_a_cursor_is_a_422_naming_after(token):
    with pytest.raises(Exception) as caught:
        ListQuery().load({"after": token})
    assert "after" in caught.value.messages  # marshmallow's ValidationError: the API answers 422 with it


def test_a_cursor_with_a_page_number_or_of_another_list_is_refused(records):
    with pytest.raises(Exception) as caught:
        ListQuery().load({"after": After("at", "x", "r1").token(), "page": "3"})
    assert "after" in caught.value.messages
    with pytest.raises(ValidationFailed) as refused:
        page_of(records, {}, page=After("name", "x", "r1"), page_size=5, sort=[("at", -1)])
    assert "after" in refused.value.fields
    # a list sorted by more than a field and the id, or one cut from memory, is paged by number only
    with pytest.raises(ValidationFailed):
        page_of(records, {}, page=After("at", "x", "r1"), page_size=5, sort=[("at", -1), ("n", 1)])
    with pytest.raises(ValidationFailed):
        Page.of_all([1, 2, 3], After("at", "x", "r1"), 2)
