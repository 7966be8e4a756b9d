"""The one way every collection endpoint is asked and answers (docs/api-style.md).

Asked: `ListQuery` — `org_unit` (that unit's subtree, within the caller's scope), `page`/`page_size`,
`from`/`to` (a date, or a time in ISO 8601; both ends inclusive; kept as UTC strings with `Z` so
they compare with the stored times), and each list's own filters in a subclass. A query parameter
the list does not document is a 422 naming it (marshmallow's RAISE), never silently ignored: a
misspelt filter would otherwise answer the whole unfiltered list.

Answered: `Page` — `{items, total, page, page_size}` (and `total_capped` when counting stopped at
`TOTAL_CAP`, `next` where the list is walked by cursor). Adapters build it with `page_of` (a named query's
filter, sort and paging in one place).

Walked by cursor (`after=`, the `next` of the page before): a record list answers, with its first page and
every page asked by cursor, `next` — the last record's sort value and id. The next page is the records after
that one in the list's order (its sort field, ties by id), found through the sort field's index from there:
page 500 asked by number skips 9 980 records first (on FerretDB ~70–110 ms over 100 000 petitions, #23), by
cursor it costs what the first page costs; and a walk neither repeats nor misses a record while new ones come.
"""
from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from itertools import groupby
from datetime import date, datetime, time
from typing import Any, Callable, Iterable

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from .clock import LOCAL_TZ, from_iso, to_iso
from .errors import ValidationFailed
from .fields import OrgUnitId
from .storage.filters import all_of

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
# A list counts its matches exactly up to this many, then says "at least" (`total_capped`): counting a
# sub-district's 100 000 records on every page costs more than the page itself.
TOTAL_CAP = 10_000


class TimeBound(fields.String):
    """`from` / `to`: a date (YYYY-MM-DD: a day of the offices' calendar, China Standard Time — its start,
    or with `end_of_day` its last instant) or an ISO-8601 time with an offset or `Z`; loaded as the UTC
    string the platform stores times in."""

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "a date YYYY-MM-DD (a day in China Standard Time) or a time in ISO 8601 (UTC with Z, or with an offset); inclusive")
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                return to_iso(datetime.combine(day, time.max if self.end_of_day else time.min, tzinfo=LOCAL_TZ))
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValidationError("a date YYYY-MM-DD or an ISO-8601 time") from None
        if moment.tzinfo is None:  # a time without its zone is ambiguous: Beijing's or UTC?
            raise ValidationError("a time needs its offset or Z (times are UTC)")
        return to_iso(moment)


def day_of(bound: str | None) -> date | None:
    """The offices' calendar day of a loaded `from`/`to`, for lists kept by day."""
    return from_iso(bound).astimezone(LOCAL_TZ).date() if bound else None


class PeriodQuery(Schema):
    """For figures over a period (statistics, totals): `org_unit`, `from`, `to`; no paging."""

    class Meta:
        unknown = RAISE

    org_unit = OrgUnitId(load_default=None, metadata={"description": "figures for this org unit's subtree"})
    from_ = TimeBound(data_key="from", load_default=None)
    to = TimeBound(end_of_day=True, load_default=None)

    @validates_schema
    def _period(self, data, **kw):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError({"to": ["must not be before from"]})


@dataclass(frozen=True)
class After:
    """Where a walk by cursor goes on: the sort field, and the sort value and id of the last record shown.
    Loaded into a query's `page` (in place of a number), so that every list hands it to `page_of` as it
    hands a page number; a list cut from memory (`Page.of_all`) refuses it."""
    field: str
    value: str | int | float | bool | None
    id: str

    def token(self) -> str:
        text = json.dumps([self.field, self.value, self.id], ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str) -> "After":
        try:
            field_name, value, id_ = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (ValueError, TypeError):
            raise ValidationError("not a cursor: give the `next` of the page before as it was answered") from None
        # only a scalar a store can compare may reach a filter: a cursor is the caller's text, an object there
        # would be an operator, and a number past 64 bits (or NaN) one that BSON cannot carry
        if not (isinstance(field_name, str) and isinstance(id_, str) and _comparable(value)):
            raise ValidationError("not a cursor: give the `next` of the page before as it was answered")
        return cls(field_name, value, id_)


def _comparable(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return -2 ** 63 <= value < 2 ** 63
    return value is None or isinstance(value, (str, bool))


class ListQuery(PeriodQuery):
    """The parameters every collection takes (a period's, and a page); a list adds its own filters in a subclass."""

    org_unit = OrgUnitId(load_default=None, metadata={"description": "only records in this org unit's subtree"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE),
                          metadata={"description": "1-based"})
    page_size = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    after = fields.String(load_default=None, validate=validate.Length(min=1, max=2000), metadata={
        "description": "the `next` of the page before: the page after it, by cursor (not with `page`)"})

    @post_load
    def _position(self, data, **kw):
        # a cursor takes the page number's place: every list passes `page` on to `page_of` unchanged
        token = data.pop("after", None)
        if token is not None:
            if data["page"] != 1:
                raise ValidationError({"after": ["not with page: a cursor says where the page starts"]})
            try:
                data["page"] = After.parse(token)
            except ValidationError as exc:
                raise ValidationError({"after": exc.messages}) from None
        return data


def refuse_period(q: dict) -> None:
    """A list with no time of its own (a catalogue, the communities) takes `ListQuery` like every list, and
    refuses a period with a 422 rather than answering everything as if it had been applied."""
    given = [name for name, key in (("from", "from_"), ("to", "to")) if q.get(key)]
    if given:
        raise ValidationFailed("this list has no time to narrow by", {n: ["not a filter of this list"] for n in given})


class NoQuery(Schema):
    """For an endpoint that takes no query parameters: any one given is a 422, not ignored."""

    class Meta:
        unknown = RAISE


@dataclass
class Page:
    items: list
    total: int
    page: int | After = 1
    page_size: int = DEFAULT_PAGE_SIZE
    total_capped: bool = False
    extra: dict = field(default_factory=dict)  # a list's own figures beside the page (e.g. a sum)
    next: After | None = None

    def body(self, present: Callable[[Any], Any] | None = None) -> dict:
        out = {"items": [present(i) for i in self.items] if present else list(self.items),
               "total": self.total, "page": None if isinstance(self.page, After) else self.page,
               "page_size": self.page_size}
        if self.total_capped:
            out["total_capped"] = True
        if self.next is not None:
            out["next"] = self.next.token()
        out.update(self.extra)
        return out

    @classmethod
    def of_all(cls, items: Iterable, page: int | After = 1, page_size: int = DEFAULT_PAGE_SIZE, **extra) -> "Page":
        """A page cut from a list already in memory (a small, computed list: the due reviews of a unit)."""
        if isinstance(page, After):
            raise ValidationFailed("this list is paged by number only", {"after": ["not a filter of this list"]})
        items = list(items)
        start = (page - 1) * page_size
        return cls(items[start:start + page_size], len(items), page, page_size, extra=extra)


def page_of(collection, filter: dict, *, page: int | After = 1, page_size: int = DEFAULT_PAGE_SIZE, sort=None,
            load: Callable[[dict], Any] | None = None, hint: str | None = None, cap: int | None = None,
            hint_if_capped: str | None = None) -> Page:
    """One page of a collection's matches, counted up to `cap`. For adapters only: the filter is theirs.
    `hint_if_capped`: the index to walk when the matches reach the cap (many: walk it and stop at the page).
    The first page and a page asked by cursor (`page` an `After`) answer `next` where the list's order is its
    sort field and then the id; a page asked by number past the first does not (its skipped records tie by
    the sort field alone)."""
    cap = TOTAL_CAP if cap is None else cap
    total = collection.count_documents(filter, limit=cap + 1)
    hint = hint or (hint_if_capped if total > cap else None)
    by_cursor = isinstance(page, After)
    walked = _walked_by(sort)
    if by_cursor and walked is None:
        raise ValidationFailed("this list is paged by number only", {"after": ["not a filter of this list"]})
    if by_cursor or (page == 1 and walked is not None):
        docs, after = _walk(collection, filter, walked, page_size, page if by_cursor else None, hint)
    else:
        docs, after = collection.find(filter, sort=sort, skip=(page - 1) * page_size, limit=page_size,
                                      **({"hint": hint} if hint else {})), None
    return Page([load(d) if load else d for d in docs], min(total, cap), page, page_size, total > cap, next=after)


def _walked_by(sort) -> tuple[str, int, int] | None:
    """(sort field, its direction, the ids' direction among ties) of a list a cursor can walk: sorted by one
    field, or by one and then the id; none for a list sorted by more."""
    if not sort:
        return None
    if len(sort) == 1:
        return sort[0][0], sort[0][1], 1
    if len(sort) == 2 and sort[1][0] == "_id":
        return sort[0][0], sort[0][1], sort[1][1]
    return None


def _walk(collection, filter: dict, walked: tuple[str, int, int], size: int, after: After | None,
          hint: str | None) -> tuple[list[dict], After | None]:
    """A page in the list's order (sort field, then id) from `after`, and the cursor of the page after it.

    Each find sorts by one field (FerretDB's pushdown sorts by one; #23): the records tied with `after`'s
    value and past its id, then the records past that value, walked by the sort field's index. A page so cut
    holds every record of each value it reaches but perhaps the last one's, which is then read in id order."""
    key, direction, tie = walked
    if after is not None and after.field != key:
        raise ValidationFailed("a cursor of another list", {"after": ["not a cursor of this list"]})
    beyond = "$gt" if tie == 1 else "$lt"
    docs: list[dict] = []
    if after is not None and key != "_id":
        docs = collection.find(all_of(filter, {key: after.value}, {"_id": {beyond: after.id}}), sort=[("_id", tie)],
                               limit=size + 1)
    past = None if after is None else _past(key, direction, after)
    walked_from = len(docs)
    if len(docs) <= size and past is not False:
        docs += collection.find(filter if past is None else all_of(filter, past), sort=[(key, direction)],
                                limit=size + 1 - len(docs), **({"hint": hint} if hint else {}))
    walked_to = len(docs)
    # ties come back in the store's order: the page shows them by id, as the cursor goes on by id
    docs[walked_from:walked_to] = [d for _, run in groupby(docs[walked_from:walked_to], key=lambda d: d.get(key))
                                   for d in sorted(run, key=lambda d: d["_id"], reverse=tie == -1)]
    if len(docs) <= size and direction == -1 and past and key != "_id" and after.value is not None:
        # a comparison matches values of its own type only: the records without one come last, by id
        docs += collection.find(all_of(filter, {key: None}), sort=[("_id", tie)], limit=size + 1 - len(docs))
    if len(docs) <= size:
        return docs, None
    last = docs[size - 1].get(key)
    if key != "_id" and walked_from < size < walked_to and docs[size].get(key) == last:
        # the last value's records go on past the page: the ones shown must be its first by id
        held = sum(1 for d in docs[walked_from:size] if d.get(key) == last)
        docs[size - held:size] = collection.find(all_of(filter, {key: last}), sort=[("_id", tie)], limit=held)
    return docs[:size], After(key, last, docs[size - 1]["_id"])


def _past(key: str, direction: int, after: After) -> dict | bool:
    """The filter of the records past `after`'s value in the list's order; False when none can be (null sorts
    before every value, as in MongoDB)."""
    if key == "_id":
        return {"_id": {"$gt" if direction == 1 else "$lt": after.id}}
    if after.value is None:
        return {key: {"$ne": None}} if direction == 1 else False
    return {key: {"$gt" if direction == 1 else "$lt": after.value}}


def envelope_schema(item_schema: dict) -> dict:
    """The OpenAPI schema of the list envelope around `item_schema`."""
    return {"type": "object", "required": ["items", "total", "page", "page_size"],
            "properties": {"items": {"type": "array", "items": item_schema},
                           "total": {"type": "integer", "minimum": 0},
                           "page": {"type": "integer", "minimum": 1, "nullable": True,
                                    "description": "null when the page was asked by cursor (`after`)"},
                           "next": {"type": "string", "description": "the cursor of the page after this one "
                                    "(`after=`), on the first page and each page asked by cursor, while more follow"},
                           "page_size": {"type": "integer", "minimum": 1},
                           "total_capped": {"type": "boolean",
                                            "description": f"true when there are more than `total` ({TOTAL_CAP}) matches"}}}
