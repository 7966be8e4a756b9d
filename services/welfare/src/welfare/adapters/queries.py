"""The pieces of the welfare service's storage filters: every filter a collection answers is built in
`adapters/` from these, beside the indexes that serve it (docs/service-shape.md)."""
from __future__ import annotations

from typing import Iterable

from liandong.storage.base import subtree


def within(paths: Iterable[str], field: str = "org_path") -> dict:
    """Records at or below any of these org paths (a caller's scopes, or one org unit's subtree)."""
    terms = [subtree(p, field) for p in paths]
    if not terms:
        return {"_id": {"$in": []}}  # no scope: nothing
    return terms[0] if len(terms) == 1 else {"$or": terms}


def between(field: str, start: str | None, end: str | None, end_inclusive: bool = True) -> dict:
    """`start <= field <= end` (either end open); times and months compare as the strings they are stored as."""
    cond = {}
    if start:
        cond["$gte"] = start
    if end:
        cond["$lte" if end_inclusive else "$lt"] = end
    return {field: cond} if cond else {}


def one_of(field: str, values) -> dict:
    """`field` is one of `values` (a list filter: `status=filed,assigned`); no values: no condition."""
    values = [v for v in (values or []) if v]
    if not values:
        return {}
    return {field: values[0]} if len(values) == 1 else {field: {"$in": values}}


def matching(*parts: dict) -> dict:
    """All the parts (each a filter) at once."""
    parts = [p for p in parts if p]
    if not parts:
        return {}
    if len(parts) == 1:
        return parts[0]
    if any(k.startswith("$") for p in parts for k in p) or len({k for p in parts for k in p}) < sum(map(len, parts)):
        return {"$and": list(parts)}
    out: dict = {}
    for p in parts:
        out.update(p)
    return out
