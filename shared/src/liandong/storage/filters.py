"""The pieces every storage filter is made of, once for every service: the caller's subtrees (`within`), a
list's own filters (`one_of`, `between`), and all of them at once (`all_of`). Only adapters build filters
(docs/service-shape.md); these keep the shapes both stores answer from an index.

The shapes matter on FerretDB 1.x: it pushes a filter's top-level fields (and the terms of one flat
`$and`) down to its backend and decides the rest document by document, so `all_of` keeps plain fields
at the top and everything else in one `$and`, never a nested one.
"""
from __future__ import annotations

from typing import Any, Iterable

from .base import Filter, subtree

NOTHING: Filter = {"_id": {"$in": []}}  # no subtree in sight: an empty list, not the whole collection

_ABSENT = (None, "")  # a filter's value not given (an empty query parameter is not given either)


def any_of(terms: Iterable[Filter]) -> Filter:
    """Records matching any of the terms; none: nothing (never the whole collection)."""
    terms = [t for t in terms if t is not None]
    if not terms:
        return NOTHING
    return terms[0] if len(terms) == 1 else {"$or": terms}


def within(paths: Iterable[str], field: str = "org_path") -> Filter:
    """Records at or below any of these org paths (a caller's scopes, or one unit's subtree): one anchored
    prefix each, an index range on both stores; no path: nothing."""
    return any_of(subtree(p, field) for p in paths)


def one_of(field: str, values: Any) -> Filter | None:
    """`field` equals the value, or one of the values (a list filter: `status=filed,assigned`); None where no
    value is given. One value is a plain equality, the shape every store pushes down."""
    if isinstance(values, (list, tuple, set, frozenset)):
        values = [v for v in values if v not in _ABSENT]
        if not values:
            return None
        return {field: values[0]} if len(values) == 1 else {field: {"$in": values}}
    return None if values in _ABSENT else {field: values}


def between(field: str, start: Any = None, end: Any = None, *, before: Any = None, after: Any = None) -> Filter | None:
    """`start` and `end` inclusive (a list's `from`/`to`, docs/api-style.md), `before` and `after` exclusive;
    either end open. Times, days and months compare as the strings they are stored as. None: no bound given.

    Each bound is a term of its own (`all_of` puts them in its `$and`): FerretDB 1.x pushes a string's lower
    bound and, alone, its upper bound down to its index (fix 15), but of `{$gte: a, $lte: b}` only the lower."""
    bounds = [{field: {op: v}} for op, v in (("$gte", start), ("$gt", after), ("$lte", end), ("$lt", before))
              if v not in _ABSENT]
    if not bounds:
        return None
    return bounds[0] if len(bounds) == 1 else {"$and": bounds}


def all_of(*terms: Filter | None) -> Filter:
    """Every term at once (None and empty terms are no condition): plain fields kept at the top, the rest
    (operators, a field named twice, the terms of an inner `$and`) in one flat `$and` beside them."""
    out: dict = {}
    rest: list[Filter] = []
    for term in terms:
        for key, value in (term or {}).items():
            if key == "$and":
                rest.extend(value)
            elif key.startswith("$") or key in out:
                rest.append({key: value})
            else:
                out[key] = value
    if rest:
        out["$and"] = rest
    return out
