"""Open311 GeoReport v2 in the petition domain's words: the attributes a service definition asks for,
how a client's answers to them are checked, and what an api_key is (no I/O here)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
KEY_PREFIX = "ld311_"
CLOSED_STATES = ("answered", "closed")  # a service request is `closed` once the petitioner has the answer

# Every petition category asks the same few questions a 信访 officer asks at intake; a category may give
# its own list in the taxonomy (`attributes`, same shape). `order` is the standard's display order.
DEFAULT_ATTRIBUTES: list[dict] = [
    {"code": "frequency", "datatype": "singlevaluelist", "required": True, "order": 1,
     "description": "这个问题发生的频率", "datatype_description": "选一项",
     "values": [{"key": "once", "name": "偶发"}, {"key": "recurring", "name": "反复发生"},
                {"key": "ongoing", "name": "持续存在"}]},
    {"code": "when", "datatype": "multivaluelist", "required": False, "order": 2,
     "description": "通常在什么时间", "datatype_description": "可选多项",
     "values": [{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"},
                {"key": "weekend", "name": "周末"}]},
    {"code": "households", "datatype": "number", "required": False, "order": 3,
     "description": "受影响的大约户数", "datatype_description": "0 到 100000 的整数", "values": []},
    {"code": "since", "datatype": "datetime", "required": False, "order": 4,
     "description": "从什么时候开始", "datatype_description": "W3C 日期时间,例如 2026-03-01T20:00:00+08:00",
     "values": []},
]


def definition(code: str, category: dict) -> dict:
    """A service definition: the standard's attribute fields, every one present."""
    attrs = category.get("attributes") or DEFAULT_ATTRIBUTES
    return {"service_code": code, "attributes": [
        {"variable": True, "code": a["code"], "datatype": a["datatype"], "required": bool(a.get("required")),
         "datatype_description": a.get("datatype_description", ""), "order": a.get("order", i + 1),
         "description": a.get("description", ""),
         "values": [{"key": v["key"], "name": v["name"]} for v in a.get("values") or []]}
        for i, a in enumerate(attrs)]}


def check_attributes(service_definition: dict, given: dict[str, list[str]]) -> tuple[dict, dict[str, list[str]]]:
    """The client's `attribute[code]` answers against the definition: (answers, field errors).

    An unknown code, a missing required one, a value not in the list, a number or date that is not one: each
    an error naming `attribute[code]`; a multivaluelist keeps its values as a list, the others one value."""
    errors: dict[str, list[str]] = {}
    answers: dict = {}
    known = {a["code"]: a for a in service_definition["attributes"]}
    for code in given:
        if code not in known:
            errors[f"attribute[{code[:50]}]"] = ["is not an attribute of this service"]
    for code, attr in known.items():
        values = [v.strip() for v in given.get(code, []) if isinstance(v, str) and v.strip()]
        name = f"attribute[{code}]"
        if any(not isinstance(v, str) for v in given.get(code, [])):
            errors[name] = ["must be text"]
            continue
        if not values:
            if attr["required"]:
                errors[name] = ["is required"]
            continue
        kind = attr["datatype"]
        if kind != "multivaluelist" and len(values) > 1:
            errors[name] = ["takes one value"]
            continue
        if kind in ("singlevaluelist", "multivaluelist"):
            allowed = {v["key"] for v in attr["values"]}
            wrong = [v for v in values if v not in allowed]
            if wrong:
                errors[name] = [f"must be one of {', '.join(sorted(allowed))}"]
                continue
            answers[code] = sorted(set(values)) if kind == "multivaluelist" else values[0]
        elif kind == "number":
            try:
                number = int(values[0])
            except ValueError:
                errors[name] = ["must be a whole number"]
                continue
            if not 0 <= number <= 100000:
                errors[name] = ["must be between 0 and 100000"]
                continue
            answers[code] = number
        elif kind == "datetime":
            try:
                datetime.fromisoformat(values[0].replace("Z", "+00:00"))
            except ValueError:
                errors[name] = ["must be a W3C date-time"]
                continue
            answers[code] = values[0]
        else:
            limit = 200 if kind == "string" else 2000
            if len(values[0]) > limit:
                errors[name] = [f"must be at most {limit} characters"]
                continue
            answers[code] = values[0]
    return answers, errors


def new_key() -> str:
    """An api_key as issued: 256 random bits, shown once to the district admin."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    """What is stored and looked up: SHA-256 of the key. Issued keys carry 256 random bits, so a plain digest
    cannot be reversed by guessing; the clear key is never stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
