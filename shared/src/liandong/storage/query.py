"""Mongo query and update semantics in plain Python, for the embedded adapter.

`matches` evaluates a filter against a document (used for `$pull` conditions and to check the SQL
translation in tests); `apply_update` applies `$set`, `$unset`, `$inc`, `$push`, `$pull`,
`$addToSet`, `$setOnInsert`, `$min` and `$max` to a copy of a document.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from .base import UnsupportedQuery

_MISSING = object()


def get_path(doc: Any, path: str) -> Any:
    cur = doc
    for part in path.split("."):
        if isinstance(cur, dict):
            if part not in cur:
                return _MISSING
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit():
            idx = int(part)
            if idx >= len(cur):
                return _MISSING
            cur = cur[idx]
        else:
            return _MISSING
    return cur


def _comparable(a: Any, b: Any) -> bool:
    num = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    return (isinstance(a, num) and isinstance(b, num)) or (type(a) is type(b))


def _eq(value: Any, target: Any) -> bool:
    if value is _MISSING:
        return target is None
    if isinstance(value, list) and not isinstance(target, list):
        return any(_eq(v, target) for v in value)
    if isinstance(value, bool) != isinstance(target, bool):
        return False
    return value == target


def _cmp(value: Any, op: str, target: Any) -> bool:
    if value is _MISSING or value is None:
        return False
    if isinstance(value, list):
        return any(_cmp(v, op, target) for v in value)
    if not _comparable(value, target):
        return False
    if op == "$gt":
        return value > target
    if op == "$gte":
        return value >= target
    if op == "$lt":
        return value < target
    return value <= target


def _regex(value: Any, pattern: str, options: str = "") -> bool:
    flags = re.IGNORECASE if "i" in options else 0
    if isinstance(value, list):
        return any(_regex(v, pattern, options) for v in value)
    return isinstance(value, str) and re.search(pattern, value, flags) is not None


def _match_ops(value: Any, ops: dict) -> bool:
    for op, target in ops.items():
        if op == "$eq":
            ok = _eq(value, target)
        elif op == "$ne":
            ok = not _eq(value, target)
        elif op in ("$gt", "$gte", "$lt", "$lte"):
            ok = _cmp(value, op, target)
        elif op == "$in":
            ok = any(_eq(value, t) for t in target)
        elif op == "$nin":
            ok = not any(_eq(value, t) for t in target)
        elif op == "$exists":
            ok = (value is not _MISSING) == bool(target)
        elif op == "$regex":
            ok = _regex(value, target, ops.get("$options", ""))
        elif op == "$options":
            ok = True
        elif op == "$size":
            ok = isinstance(value, list) and len(value) == target
        elif op == "$all":
            ok = isinstance(value, list) and all(_eq(value, t) for t in target)
        elif op == "$elemMatch":
            ok = isinstance(value, list) and any(
                matches(v, target) if isinstance(v, dict) else _match_ops(v, target) for v in value
            )
        elif op == "$not":
            ok = not _match_ops(value, target)
        else:
            raise UnsupportedQuery(f"operator {op} is not supported")
        if not ok:
            return False
    return True


def is_operator_dict(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(str(k).startswith("$") for k in value)


def matches(doc: dict, filter: dict | None) -> bool:
    if not filter:
        return True
    for key, cond in filter.items():
        if key == "$and":
            if not all(matches(doc, f) for f in cond):
                return False
        elif key == "$or":
            if not any(matches(doc, f) for f in cond):
                return False
        elif key == "$nor":
            if any(matches(doc, f) for f in cond):
                return False
        elif key.startswith("$"):
            raise UnsupportedQuery(f"top-level operator {key} is not supported")
        else:
            value = get_path(doc, key)
            if is_operator_dict(cond):
                if not _match_ops(value, cond):
                    return False
            elif not _eq(value, cond):
                return False
    return True


def _set_path(doc: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    cur = doc
    for part in parts[:-1]:
        if isinstance(cur, list) and part.isdigit():
            cur = cur[int(part)]
            continue
        nxt = cur.get(part)
        if not isinstance(nxt, (dict, list)):
            nxt = {}
            cur[part] = nxt
        cur = nxt
    last = parts[-1]
    if isinstance(cur, list) and last.isdigit():
        cur[int(last)] = value
    else:
        cur[last] = value


def _unset_path(doc: dict, path: str) -> None:
    parts = path.split(".")
    cur = doc
    for part in parts[:-1]:
        cur = cur.get(part) if isinstance(cur, dict) else None
        if cur is None:
            return
    if isinstance(cur, dict):
        cur.pop(parts[-1], None)


def _number(value: Any, path: str, op: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UnsupportedQuery(f"{op} on non-numeric field {path}")
    return value


_SCALARS = (str, int, float, bool, type(None))


def _copy(value: Any) -> Any:
    return value if type(value) in _SCALARS else copy.deepcopy(value)


def apply_update(doc: dict, update: dict, inserting: bool = False, in_place: bool = False) -> dict:
    """Return a new document with the update applied (the input is not changed), or with
    `in_place`, the input itself changed (for a caller that made it for this, say by parsing)."""
    if not update or not all(k.startswith("$") for k in update):
        raise UnsupportedQuery("updates must use operators such as $set; replacement is not supported")
    new = doc if in_place else copy.deepcopy(doc)
    for op, fields in update.items():
        for path, arg in fields.items():
            if path == "_id" and op != "$setOnInsert" and not inserting:
                raise UnsupportedQuery("_id cannot be changed")
            if op == "$set":  # the commonest operators first, and without reading what they replace
                if "." in path:
                    _set_path(new, path, _copy(arg))
                else:
                    new[path] = _copy(arg)
                continue
            if op == "$inc" and path.count(".") == 1:
                # a counter in a sub-document (each figure of a read model's bucket): no walk down the path
                head, leaf = path.split(".")
                sub = new.get(head, _MISSING)
                if sub is _MISSING:
                    sub = new[head] = {}
                if type(sub) is dict:
                    current = sub.get(leaf)
                    sub[leaf] = (0 if current is None else _number(current, path, op)) + _number(arg, path, op)
                    continue
            current = get_path(new, path)
            if op == "$setOnInsert":
                if inserting:
                    _set_path(new, path, _copy(arg))
            elif op == "$unset":
                _unset_path(new, path)
            elif op == "$inc":
                base = 0 if current is _MISSING or current is None else _number(current, path, op)
                _set_path(new, path, base + _number(arg, path, op))
            elif op in ("$min", "$max"):
                if current is _MISSING or current is None:
                    _set_path(new, path, arg)
                elif (op == "$min" and arg < current) or (op == "$max" and arg > current):
                    _set_path(new, path, arg)
            elif op in ("$push", "$addToSet"):
                lst = [] if current is _MISSING or current is None else current
                if not isinstance(lst, list):
                    raise UnsupportedQuery(f"{op} on non-array field {path}")
                lst = list(lst)
                if isinstance(arg, dict) and "$each" in arg:
                    items = arg["$each"]
                    slice_ = arg.get("$slice")
                else:
                    items, slice_ = [arg], None
                for item in items:
                    if op == "$addToSet" and any(_eq(x, item) and x == item for x in lst):
                        continue
                    lst.append(_copy(item))
                if slice_ is not None:
                    lst = lst[slice_:] if slice_ < 0 else lst[:slice_]
                _set_path(new, path, lst)
            elif op == "$pull":
                if current is _MISSING or not isinstance(current, list):
                    continue
                if is_operator_dict(arg):
                    keep = [x for x in current if not _match_ops(x, arg)]
                elif isinstance(arg, dict):
                    keep = [x for x in current if not (isinstance(x, dict) and matches(x, arg))]
                else:
                    keep = [x for x in current if not _eq(x, arg)]
                _set_path(new, path, keep)
            else:
                raise UnsupportedQuery(f"update operator {op} is not supported")
    return new


def upsert_seed(filter: dict) -> dict:
    """The document an upsert starts from: the filter's plain equality fields."""
    if len(filter) == 1 and type(filter.get("_id")) is str:  # by id, the commonest upsert
        return {"_id": filter["_id"]}
    seed: dict = {}
    for key, cond in (filter or {}).items():
        if key.startswith("$"):
            if key == "$and":
                for sub in cond:
                    seed.update(upsert_seed(sub))
            continue
        if is_operator_dict(cond):
            if "$eq" in cond:
                _set_path(seed, key, copy.deepcopy(cond["$eq"]))
            continue
        _set_path(seed, key, copy.deepcopy(cond))
    return seed


def check_projection(projection: dict | None) -> list[str]:
    """The top-level fields an inclusion projection keeps (`_id` always comes along); [] for none
    or an exclusion projection. Mixing the two, or naming nested fields to keep, is outside the port."""
    if not projection:
        return []
    kept = [k for k, v in projection.items() if v and k != "_id"]
    if not kept:
        return []
    if len(kept) != len([k for k in projection if k != "_id"]):
        raise UnsupportedQuery("a projection either keeps fields ({field: 1}) or leaves them out ({field: 0})")
    if any("." in k for k in kept):
        raise UnsupportedQuery("an inclusion projection keeps top-level fields only")
    return kept
