"""A quicker road through an event contract for data that is plainly valid.

Every event is checked against its contract twice: by its producer (strictly) and by each consumer
(tolerantly). Through marshmallow that is ~70 µs an event, a fifth of what the reports projector
spends on one. Contracts are flat records of strings, integers, booleans, floats and lists of them,
with OneOf / Range / Length / Regexp / Equal checks, so each schema is compiled here into a plain
loop over its fields. The loop answers only when every value already has its exact type and passes
its checks, and then its answer is what marshmallow's `load` would return (the contract tests hold
the two to that, example by example and mutation by mutation); for anything else — a missing
required field, a wrong type, an unknown field under RAISE, a field kind or check it does not know —
it answers None and the caller asks marshmallow, which accepts or rejects as it always did.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from marshmallow import EXCLUDE, RAISE, Schema, fields, missing, validate

Check = Callable[[Any], bool]
Loader = Callable[[dict], "dict | None"]
_FAIL = object()
_ABSENT = object()


def _check(validator: Any) -> Check | None:
    if isinstance(validator, validate.OneOf):
        choices = validator.choices
        return lambda v: v in choices
    if isinstance(validator, validate.Range):
        lo, hi, lo_in, hi_in = validator.min, validator.max, validator.min_inclusive, validator.max_inclusive
        return lambda v: ((lo is None or (v >= lo if lo_in else v > lo)) and
                          (hi is None or (v <= hi if hi_in else v < hi)))
    if isinstance(validator, validate.Length):
        lo, hi, eq = validator.min, validator.max, validator.equal
        if eq is not None:
            return lambda v: len(v) == eq
        return lambda v: (lo is None or len(v) >= lo) and (hi is None or len(v) <= hi)
    if isinstance(validator, validate.Regexp):
        regex = validator.regex
        return lambda v: regex.match(v) is not None
    if isinstance(validator, validate.Equal):
        comparable = validator.comparable
        return lambda v: v == comparable
    return None


def _value(field: fields.Field) -> Callable[[Any], Any] | None:
    """value -> the loaded value, or _FAIL; None if this kind of field is not compiled."""
    checks = [_check(v) for v in field.validators]
    if any(c is None for c in checks):
        return None
    allow_none = field.allow_none

    def checked(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def load(v: Any) -> Any:
            if v is None:
                return None if allow_none else _FAIL
            out = convert(v)
            if out is _FAIL:
                return _FAIL
            for check in checks:
                if not check(out):
                    return _FAIL
            return out
        return load

    kind = type(field)
    if kind is fields.String:
        return checked(lambda v: v if type(v) is str else _FAIL)
    if kind is fields.Integer:
        return checked(lambda v: v if type(v) is int else _FAIL)
    if kind is fields.Boolean:
        return checked(lambda v: v if type(v) is bool else _FAIL)
    if kind is fields.Float and not field.allow_nan:
        return checked(lambda v: float(v) if type(v) in (int, float) and math.isfinite(v) else _FAIL)
    if kind is fields.List:
        inner = _value(field.inner)
        if inner is None:
            return None

        def items(v: Any) -> Any:
            if type(v) is not list:
                return _FAIL
            out = [inner(x) for x in v]
            return _FAIL if any(x is _FAIL for x in out) else out
        return checked(items)
    return None


_TYPE_OF = {fields.String: "str", fields.Integer: "int", fields.Boolean: "bool"}


def _field_code(i: int, name: str, field: fields.Field, required: bool, default: Any, env: dict) -> list[str] | None:
    """The lines that load one field into `out` (or return None), with their constants put in `env`."""
    checks = [_check(v) for v in field.validators]
    if any(c is None for c in checks):
        return None
    key = repr(name)
    lines = [f"v = data.get({key}, _ABSENT)", "if v is _ABSENT:"]
    if required:
        lines.append("    return None")
    elif default is not missing:
        env[f"d{i}"] = default
        lines.append(f"    out[{key}] = d{i}")
    else:
        lines.append("    pass")
    lines += ["elif v is None:", f"    out[{key}] = None" if field.allow_none else "    return None", "else:"]
    kind = type(field)
    if kind in _TYPE_OF:
        lines.append(f"    if type(v) is not {_TYPE_OF[kind]}: return None")
    elif kind is fields.Float and not field.allow_nan:
        lines += ["    if type(v) is not float and type(v) is not int or not _isfinite(v): return None",
                  "    v = float(v)"]
    elif kind is fields.List:
        inner = _value(field.inner)
        if inner is None:
            return None
        env[f"inner{i}"] = inner
        lines += ["    if type(v) is not list: return None", f"    v = [inner{i}(x) for x in v]",
                  "    if _FAIL in v: return None"]
    else:
        return None
    for j, (validator, check) in enumerate(zip(field.validators, checks)):
        if isinstance(validator, validate.OneOf):  # the commonest check, spelled out: no call
            env[f"choices{i}_{j}"] = validator.choices
            lines.append(f"    if v not in choices{i}_{j}: return None")
        else:
            env[f"check{i}_{j}"] = check
            lines.append(f"    if not check{i}_{j}(v): return None")
    lines.append(f"    out[{key}] = v")
    return lines


def compile_loader(schema: Schema) -> Loader | None:
    """The quick loader of `schema`, or None where its shape is beyond this module: the schema's fields
    written out as one Python function (a loop of a call per field and per check was half a consumer's
    contract time: #23's projector profile)."""
    if schema.unknown not in (RAISE, EXCLUDE) or any(schema._hooks.values()):
        return None
    env: dict[str, Any] = {"_ABSENT": _ABSENT, "_FAIL": _FAIL, "_isfinite": math.isfinite}
    body = []
    names = []
    for i, (name, field) in enumerate(schema.load_fields.items()):
        if (field.data_key not in (None, name)) or (field.attribute not in (None, name)):
            return None
        default = field.load_default
        if callable(default) or field.dump_default is not missing:
            return None  # (a dump default would make the producer's dump differ from the load)
        lines = _field_code(i, name, field, field.required, default, env)
        if lines is None:
            return None
        body += lines
        names.append(name)
    env["known"] = frozenset(names)
    head = ["def loader(data):"]
    if schema.unknown == RAISE:
        head.append("    if not known.issuperset(data): return None")
    source = "\n".join(head + ["    out = {}"] + [f"    {line}" for line in body] + ["    return out"])
    exec(compile(source, f"<quick loader of {type(schema).__name__}>", "exec"), env)  # noqa: S102 - our own text
    return env["loader"]
