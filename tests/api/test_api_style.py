"""The API style (docs/api-style.md) over the whole platform.

What a linter can see is checked by Spectral with the project's ruleset (tests/api/spectral.yaml) over
the merged OpenAPI document; what it cannot see is checked here against the running apps with a day
of the demo district's records: that a collection answers the envelope, refuses a page size over 100,
a time without its zone and a parameter it does not know (naming it), and that every time in every
answer is UTC with `Z`. Each check is parametrized per service (`-k petition`) and lists every
endpoint that is off the style. Open311 GeoReport v2 keeps its standard's shape and is left out.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import requests

from liandong.registry import SERVICES

from .conftest import owner

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RULESET = HERE / "spectral.yaml"
UNKNOWN = "colour_of_the_sky"  # no endpoint takes it
PAGING = {"page", "page_size", "offset", "skip"}  # as functions/collectionEnvelope.js
A_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
UNIT_PARAMS = {"org_unit_id": "chuanying", "unit_id": "chuanying"}
# values for query parameters a GET requires, so that each check asks one thing at a time
REQUIRED_VALUES = {"org_unit": "chuanying", "org_unit_id": "chuanying", "year": "2026", "period": "2026-11",
                   "month": "2026-11", "from": "2026-01-01", "to": "2026-11-30"}


def spectral_binary() -> str:
    # the cache dir as `make test` (deploy/local/test.sh) sets it
    env = dict(os.environ, LIANDONG_CACHE_DIR=os.environ.get("LIANDONG_CACHE_DIR",
                                                             str(Path.home() / ".cache" / "liandong")))
    path = subprocess.run(["bash", str(ROOT / "deploy" / "local" / "spectral.sh"), "path"], capture_output=True,
                          text=True, check=True, env=env).stdout.strip()
    if not Path(path).exists():
        pytest.fail(f"Spectral is not installed at {path}: run deploy/local/spectral.sh install "
                    "(make test does it)", pytrace=False)
    return path


def lint(document: dict, tmp_path: Path) -> list[dict]:
    target = tmp_path / "openapi.json"
    target.write_text(json.dumps(document), encoding="utf-8")
    result = subprocess.run([spectral_binary(), "lint", "-r", str(RULESET), "-f", "json", "-q", "--fail-severity",
                             "error", str(target)], capture_output=True, text=True, timeout=300)
    try:
        return json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        pytest.fail(f"spectral failed (exit {result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}",
                    pytrace=False)


def schema_owners(document: dict) -> dict[str, str]:
    """Which service each component schema describes: the paths that use it (the first one's owner)."""
    out: dict[str, str] = {}
    for path, ops in document["paths"].items():
        for name in re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(ops)):
            out.setdefault(name, owner(path))
    return out


def finding_owner(finding: dict, owners: dict[str, str]) -> str:
    where = finding["path"]
    if where[:1] == ["paths"] and len(where) > 1:
        return owner(where[1])
    if where[:2] == ["components", "schemas"] and len(where) > 2:
        return owners.get(where[2], "gateway")
    return "gateway"


@pytest.fixture(scope="module")
def spectral_findings(api_platform, tmp_path_factory) -> list[dict]:
    return lint(api_platform.document, tmp_path_factory.mktemp("spectral"))


@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_document_follows_the_api_style(service, api_platform, spectral_findings):
    owners = schema_owners(api_platform.document)
    mine = [f for f in spectral_findings if finding_owner(f, owners) == service and f["severity"] == 0]
    assert not mine, f"{len(mine)} places in {service}'s part of the OpenAPI document are off the API style:\n" + \
        "\n".join(f"  {f['code']}: {'/'.join(map(str, f['path']))}: {f['message']}" for f in mine)


def paged_list_under(parameter: str) -> dict:
    """A collection below a path parameter that pages (page, page_size) and answers the envelope, without org_unit."""
    return {"get": {
        "operationId": f"entries_under_{parameter}", "x-query-declared": True,
        "parameters": [{"in": "path", "name": parameter, "required": True, "schema": {"type": "string"}},
                       {"in": "query", "name": "page", "schema": {"type": "integer"}},
                       {"in": "query", "name": "page_size", "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "type": "object", "properties": {k: {"type": "integer"} for k in ("items", "total", "page", "page_size")}}}}}}}}


OFF_STYLE = {
    "openapi": "3.0.3", "info": {"title": "off the style", "version": "1"},
    "components": {"schemas": {
        "Error": {"type": "object", "properties": {"error": {"type": "object"}}},
        "Stats": {"type": "object", "properties": {"on_time_rate": {"type": "number", "maximum": 100},
                                                   "reported_at": {"type": "string"},
                                                   "low_stock_at": {"type": "integer"},
                                                   "expires_on": {"type": "string"}}}}},
    "paths": {
        "/api/v1/thing/things": {"get": {
            "operationId": "things", "x-query-declared": True,
            "parameters": [{"in": "query", "name": "limit", "schema": {"type": "integer"}},
                           {"in": "query", "name": "orgUnit", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "array", "items": {"type": "object"}}}}},
                "404": {"description": "no", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/api/v1/thing/units/{org_unit_id}/entries": paged_list_under("org_unit_id"),  # one unit's: no org_unit
        "/api/v1/thing/things/{id}/entries": paged_list_under("id"),  # another record's list: org_unit needed
        "/api/v1/thing/stats": {"get": {
            "operationId": "stats",
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Stats"}}}},
                "422": {"description": "invalid"}}}},
        "/open311/v2/requests.{fmt}": {"get": {
            "operationId": "open311",
            "parameters": [{"in": "path", "name": "fmt", "required": True, "schema": {"type": "string"}},
                           {"in": "query", "name": "start_date", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK",
                                  "content": {"application/json": {"schema": {"type": "array"}}}}}}},
    },
}


def test_the_ruleset_finds_every_kind_of_departure_from_the_style(tmp_path):
    """A document that breaks each rule once: each rule fires, and Open311 is left alone."""
    findings = lint(OFF_STYLE, tmp_path)
    fired = {f["code"] for f in findings}
    assert {"liandong-collection-envelope", "liandong-no-legacy-query-params", "liandong-query-params-snake-case",
            "liandong-get-declares-its-query", "liandong-errors-have-a-body", "liandong-errors-use-the-error-schema",
            "liandong-rates-are-fractions", "liandong-times-are-date-times", "liandong-dates-are-dates"} <= fired, fired
    assert not [f for f in findings if "open311" in "/".join(map(str, f["path"]))]
    assert not [f for f in findings if "low_stock_at" in f["path"]]  # a quantity, not a time
    envelope = {f["path"][1] for f in findings if f["code"] == "liandong-collection-envelope"}
    assert "/api/v1/thing/things/{id}/entries" in envelope  # a nested list still takes org_unit
    assert "/api/v1/thing/units/{org_unit_id}/entries" not in envelope  # …unless the path names its unit


# -- what a linter cannot see: how the running services answer

def is_collection(path: str, op: dict, document: dict) -> bool:
    """As tests/api/functions/collectionEnvelope.js reads the (resolved) document."""
    last = path.rsplit("/", 1)[-1]
    if last.startswith("{") or "." in last:
        return False
    schema = op.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {}).get("schema") or {}
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    params = {p.get("name") for p in op.get("parameters", []) if p.get("in") == "query"}
    return schema.get("type") == "array" or "items" in (schema.get("properties") or {}) or bool(params & PAGING)


def first_id(body) -> str | None:
    rows = body if isinstance(body, list) else body.get("items") if isinstance(body, dict) else None
    if rows is None and isinstance(body, dict):  # an older dialect: the only array in the answer
        rows = next((v for v in body.values() if isinstance(v, list)), None)
    for row in rows or []:
        if isinstance(row, dict) and row.get("id"):
            return str(row["id"])
    return None


def concrete(api_platform, path: str) -> str | None:
    """The path with its parameters filled from the seeded records (the parent collection's first),
    or None where nothing fills them (reported, not checked)."""
    out = path
    for match in re.finditer(r"\{([^}]+)\}", path):
        name = match.group(1)
        if name in UNIT_PARAMS:
            value = UNIT_PARAMS[name]
        else:
            parent = out[:out.index(match.group(0))].rstrip("/")
            resp = get(api_platform, parent)
            value = first_id(resp.json()) if resp.status_code == 200 and is_json(resp) else None
        if value is None:
            return None
        out = out.replace(match.group(0), value, 1)
    return out


def get(api_platform, path: str, **params) -> requests.Response:
    return requests.get(f"{api_platform.gateway}{path}", params=params, headers=api_platform.headers, timeout=30)


def is_json(resp) -> bool:
    return resp.headers.get("Content-Type", "").startswith("application/json")


def required_query(op: dict) -> dict:
    """A value for each query parameter the operation documents as required: its documented example (a
    roster's `org_unit` is a sub-district's, not any unit), else one of the style's, else its first enum."""
    out = {}
    for p in op.get("parameters", []):
        if p.get("in") == "query" and p.get("required"):
            schema = p.get("schema") or {}
            example = p.get("example", schema.get("example"))
            enum = schema.get("enum")
            out[p["name"]] = example if example is not None else REQUIRED_VALUES.get(p["name"], enum[0] if enum else "x")
    return out


def gets_of(api_platform, service: str) -> list[tuple[str, str | None, dict]]:
    """(documented path, concrete path or None, operation) of every GET the service answers."""
    out = []
    for path, ops in api_platform.document["paths"].items():
        if "get" in ops and owner(path) == service and not path.startswith("/open311/"):
            out.append((path, concrete(api_platform, path), ops["get"]))
    return out


def named_in_error(resp, name: str) -> bool:
    try:
        error = resp.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return name in (error.get("fields") or {}) or name in error.get("message", "")


def off_style(problems: list[str], service: str, what: str) -> str:
    return f"{len(problems)} {service} endpoints {what}:\n" + "\n".join(f"  {p}" for p in problems)


def test_the_demo_day_seeds_every_service(api_platform):
    """The lists below are checked with records in them: the day's activity went through."""
    assert api_platform.seed_error is None, f"the demo day stopped: {api_platform.seed_error}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_get_refuses_a_query_parameter_it_does_not_know(service, api_platform):
    problems = []
    for path, url, op in gets_of(api_platform, service):
        if url is None:
            continue
        resp = get(api_platform, url, **required_query(op), **{UNKNOWN: "blue"})
        if resp.status_code != 422 or not named_in_error(resp, UNKNOWN):
            problems.append(f"GET {path}?{UNKNOWN}=blue answered {resp.status_code}"
                            + ("" if resp.status_code != 422 else f" without naming the parameter: {resp.text[:160]}"))
    assert not problems, off_style(problems, service, "do not refuse an unknown query parameter with a 422 naming it")


@pytest.mark.parametrize("service", SERVICES)
def test_every_collection_answers_the_envelope_and_checks_its_paging_and_period(service, api_platform):
    problems, collections = [], 0
    for path, url, op in gets_of(api_platform, service):
        if url is None:
            continue
        needed = required_query(op)
        resp = get(api_platform, url, **needed)
        body = resp.json() if resp.status_code == 200 and is_json(resp) else None
        answered_a_list = isinstance(body, list) or (isinstance(body, dict) and "items" in body)
        if not (is_collection(path, op, api_platform.document) or answered_a_list):
            continue
        collections += 1
        if resp.status_code != 200:
            problems.append(f"GET {path} answered {resp.status_code}: {resp.text[:200]}")
            continue
        if not (isinstance(body, dict) and isinstance(body.get("items"), list)
                and {"total", "page", "page_size"} <= set(body)):
            keys = ("a bare list" if isinstance(body, list) else f"keys {sorted(body)}" if isinstance(body, dict)
                    else "no JSON")
            problems.append(f"GET {path} answered {keys}, not the envelope {{items, total, page, page_size}}")
        resp = get(api_platform, url, **{**needed, "page_size": 101})
        if resp.status_code != 422 or not named_in_error(resp, "page_size"):
            problems.append(f"GET {path}?page_size=101 answered {resp.status_code}, not a 422 naming page_size")
        resp = get(api_platform, url, **{**needed, "from": "2026-01-01T00:00:00"})  # a required `from` too
        if resp.status_code != 422 or not named_in_error(resp, "from"):
            problems.append(f"GET {path}?from=2026-01-01T00:00:00 (no zone) answered {resp.status_code}, "
                            "not a 422 naming from")
    assert not problems, off_style(problems, service, f"of {collections} collections are off the list style")


def times_without_z(value, where: str = "") -> list[str]:
    if isinstance(value, dict):
        return [w for k, v in value.items() for w in times_without_z(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [w for i, v in enumerate(value[:50]) for w in times_without_z(v, f"{where}[{i}]")]
    if isinstance(value, str) and A_TIME.match(value) and not value.endswith("Z"):
        return [f"{where} = {value}"]
    return []


@pytest.mark.parametrize("service", SERVICES)
def test_every_time_in_an_answer_is_utc_with_z(service, api_platform):
    problems, unfilled = [], []
    for path, url, op in gets_of(api_platform, service):
        if url is None:
            unfilled.append(path)
            continue
        resp = get(api_platform, url, **required_query(op))
        if resp.status_code == 200 and is_json(resp):
            found = times_without_z(resp.json())
            if found:
                more = f" (+{len(found) - 3})" if len(found) > 3 else ""
                problems.append(f"GET {path}: {', '.join(found[:3])}{more}")
    if unfilled:
        print(f"{service}: not called (no seeded record fills the path): {', '.join(unfilled)}")
    assert not problems, off_style(problems, service, "answer times without Z")


def _walk_by_cursor(api_platform, url: str, needed: dict, first: dict) -> list | str:
    """Every item of a list walked by cursor from its first page (page_size 1), or what went wrong."""
    items, body = list(first["items"]), first
    for _ in range(500):
        if "next" not in body:
            return items
        resp = get(api_platform, url, **needed, page_size=1, after=body["next"])
        if resp.status_code != 200:
            return f"after={body['next']} answered {resp.status_code}: {resp.text[:160]}"
        body = resp.json()
        if body.get("page") is not None:
            return f"a page asked by cursor answered page {body.get('page')!r}, not null"
        items += body["items"]
    return "no end after 500 pages"


@pytest.mark.parametrize("service", SERVICES)
def test_every_collection_is_walked_by_cursor_or_refuses_one(service, api_platform):
    """A list answering `next` walks to its end by cursor, each record once, the same records as one page by
    number; a list paged by number only refuses `after` with a 422 naming it; none answers as if it were not
    asked (docs/api-style.md § Walking a list by cursor)."""
    from liandong.listing import After

    problems, walked = [], 0
    for path, url, op in gets_of(api_platform, service):
        if url is None or not is_collection(path, op, api_platform.document):
            continue
        needed = required_query(op)
        first = get(api_platform, url, **needed, page_size=1)
        if first.status_code != 200 or not isinstance(first.json(), dict) or "items" not in first.json():
            continue
        body = first.json()
        resp = get(api_platform, url, **needed, after=After("no_such_field", "x", "x").token())
        if resp.status_code != 422 or not named_in_error(resp, "after"):
            problems.append(f"GET {path}?after=<a cursor of another list> answered {resp.status_code}")
        resp = get(api_platform, url, **needed, after="nonsense")
        if resp.status_code != 422 or not named_in_error(resp, "after"):
            problems.append(f"GET {path}?after=nonsense answered {resp.status_code}")
        if "next" not in body:
            if body["total"] > 1 and not body.get("total_capped"):
                # a list with more than a page and no cursor must be one paged by number only
                resp = get(api_platform, url, **needed, after=After("x", "x", "x").token())
                if resp.status_code != 422:
                    problems.append(f"GET {path} answered no `next` over {body['total']} records "
                                    f"but took `after` ({resp.status_code})")
            continue
        walked += 1
        items = _walk_by_cursor(api_platform, url, needed, body)
        if isinstance(items, str):
            problems.append(f"GET {path}: {items}")
            continue
        whole = get(api_platform, url, **needed, page_size=100).json()
        seen = [json.dumps(i, sort_keys=True) for i in items]
        if len(seen) != len(set(seen)):
            problems.append(f"GET {path}: a walk by cursor answered a record twice")
        if whole["total"] <= 100 and sorted(seen) != sorted(json.dumps(i, sort_keys=True) for i in whole["items"]):
            problems.append(f"GET {path}: a walk by cursor answered {len(seen)} records, one page by number "
                            f"{len(whole['items'])} — not the same records")
    print(f"{service}: {walked} lists walked by cursor")
    assert not problems, off_style(problems, service, "are off the cursor's style")
