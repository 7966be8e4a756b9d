"""The one way every collection endpoint is asked and answers (docs/api-style.md).

Asked: `ListQuery` — `org_unit` (that unit's subtree, within the caller's scope), `page`/`page_size`,
`from`/`to` (a date, or a time in ISO 8601; both ends inclusive; kept as UTC strings with `Z` so
they compare with the stored times), and each list's own filters in a subclass. A query parameter
the list does not document is a 422 naming it (marshmallow's RAISE), never silently ignored: a
misspelt filter would otherwise answer the whole unfiltered list.

Answered: `Page` — `{items, total, page, page_size}` (and `total_capped` when counting stopped at
`TOTAL_CAP`). Adapters build it with `page_of` (a named query's filter, sort and paging in one place).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any, Callable, Iterable

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .clock import LOCAL_TZ, from_iso, to_iso
from .errors import ValidationFailed
from .fields import OrgUnitId

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


class ListQuery(PeriodQuery):
    """The parameters every collection takes (a period's, and a page); a list adds its own filters in a subclass."""

    org_unit = OrgUnitId(load_default=None, metadata={"description": "only records in this org unit's subtree"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE),
                          metadata={"description": "1-based"})
    page_size = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


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
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    total_capped: bool = False
    extra: dict = field(default_factory=dict)  # a list's own figures beside the page (e.g. a sum)

    def body(self, present: Callable[[Any], Any] | None = None) -> dict:
        out = {"items": [present(i) for i in self.items] if present else list(self.items),
               "total": self.total, "page": self.page, "page_size": self.page_size}
        if self.total_capped:
            out["total_capped"] = True
        out.update(self.extra)
        return out

    @classmethod
    def of_all(cls, items: Iterable, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **extra) -> "Page":
        """A page cut from a list already in memory (a small, computed list: the due reviews of a unit)."""
        items = list(items)
        start = (page - 1) * page_size
        return cls(items[start:start + page_size], len(items), page, page_size, extra=extra)


def page_of(collection, filter: dict, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, sort=None,
            load: Callable[[dict], Any] | None = None, hint: str | None = None, cap: int = TOTAL_CAP) -> Page:
    """One page of a collection's matches, counted up to `cap`. For adapters only: the filter is theirs."""
    docs = collection.find(filter, sort=sort, skip=(page - 1) * page_size, limit=page_size,
                           **({"hint": hint} if hint else {}))
    total = collection.count_documents(filter, limit=cap + 1)
    return Page([load(d) if load else d for d in docs], min(total, cap), page, page_size, total > cap)


def envelope_schema(item_schema: dict) -> dict:
    """The OpenAPI schema of the list envelope around `item_schema`."""
    return {"type": "object", "required": ["items", "total", "page", "page_size"],
            "properties": {"items": {"type": "array", "items": item_schema},
                           "total": {"type": "integer", "minimum": 0},
                           "page": {"type": "integer", "minimum": 1},
                           "page_size": {"type": "integer", "minimum": 1},
                           "total_capped": {"type": "boolean",
                                            "description": f"true when there are more than `total` ({TOTAL_CAP}) matches"}}}
