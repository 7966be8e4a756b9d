"""The pieces every list's storage filter is made of: the caller's subtrees, a list's own filters,
its period, one page. Only adapters build filters (docs/service-shape.md); use cases name what they
want (`repo.page(query, paths)`), and each repository says which of its fields answer it."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from liandong.listing import Page, page_of
from liandong.storage import subtree

NOTHING = {"_id": {"$in": []}}  # no subtree in sight: an empty list, not the whole collection


def within(paths: Sequence[str]) -> dict:
    """Records at or below any of these org paths (one anchored prefix each: an index range)."""
    terms = [subtree(p) for p in paths]
    if not terms:
        return NOTHING
    return terms[0] if len(terms) == 1 else {"$or": terms}


def one_of(field: str, values: Any) -> dict | None:
    """`field` equals the value, or one of the values (`status=reported,dispatched`); None: no filter."""
    if values is None or values == []:
        return None
    if isinstance(values, (list, tuple, set)):
        values = list(values)
        return {field: values[0]} if len(values) == 1 else {field: {"$in": values}}
    return {field: values}


def between(field: str, start: str | None = None, end: str | None = None, *, before: str | None = None,
            after: str | None = None) -> dict | None:
    """Both ends inclusive (`start`/`end`, the lists' from/to); `before`/`after` exclusive."""
    bounds = {op: v for op, v in (("$gte", start), ("$lte", end), ("$lt", before), ("$gt", after)) if v is not None}
    return {field: bounds} if bounds else None


def all_of(*terms: dict | None) -> dict:
    kept = [t for t in terms if t]
    if not kept:
        return {}
    return kept[0] if len(kept) == 1 else {"$and": kept}


def as_record(document: dict) -> dict:
    """A stored document as the API names it: `id`, not the store's `_id`."""
    doc = dict(document)
    return {"id": doc.pop("_id"), **doc}


def paged(collection, query: dict, terms: Iterable[dict | None], sort: list, load: Callable[[dict], Any] | None = None,
          extra: dict | None = None) -> Page:
    """One page (`query`: a loaded `ListQuery`) of the documents matching every term."""
    page = page_of(collection, all_of(*terms), page=query["page"], page_size=query["page_size"], sort=sort,
                   load=load)
    page.extra.update(extra or {})
    return page
