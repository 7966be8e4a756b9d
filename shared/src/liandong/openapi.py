"""OpenAPI 3 from the same marshmallow schemas the routes validate with, so the two cannot drift.

A route declares what it takes and returns with `@api(...)`; `spec_for(app)` walks the Flask url
map and writes the document. Every service serves its own at `/api/openapi.json`; the gateway
merges them into the one public description.
"""
from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": True},
        "correlation_id": {"type": "string"}}}},
}


def api(summary: str, *, body: type[Schema] | Schema | None = None, query: type[Schema] | Schema | None = None,
        response: type[Schema] | Schema | None = None, many: bool = False, status: int = 200,
        tags: list[str] | None = None, permission: str | None = None, public: bool = False,
        content_type: str = "application/json", error_schema: dict | None = None,
        path_enums: dict[str, list[str]] | None = None, also: tuple[str, ...] = ()):
    """Describe a route for the OpenAPI document (it does not validate; the handler's schema does).

    `many=True` documents the platform's list envelope `{items, total, page, page_size}`
    (liandong.listing); `many="key"` an array under another key (only where a standard dictates it). `error_schema` replaces the platform's
    error body for routes that answer errors in another standard's shape (Open311). `path_enums`: the
    values a path parameter takes (Open311's `{fmt}`: json or xml); `also`: further media types every
    answer of the route may come in (Open311's `text/xml`, chosen by that extension).
    """

    def decorate(fn):
        fn.__openapi__ = {"summary": summary, "body": body, "query": query, "response": response,
                          "many": many, "status": status, "tags": tags, "permission": permission,
                          "public": public, "content_type": content_type, "error_schema": error_schema,
                          "path_enums": path_enums or {}, "also": tuple(also)}
        return fn

    return decorate


def _schema_ref(spec: APISpec, schema: Any) -> Any:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema") or cls.__name__
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=cls)
    return name


def _envelope(ref: dict, many: bool | str) -> dict:
    if many is True:  # the platform's list envelope (liandong.listing, docs/api-style.md)
        from .listing import envelope_schema

        return envelope_schema(ref)
    return {"type": "object", "required": [many], "properties": {many: {"type": "array", "items": ref}}}


def _errors(meta: dict, method: str) -> dict:
    """The error answers an operation can give (every one in the platform's error body)."""
    body = meta["error_schema"] or {"$ref": "#/components/schemas/Error"}
    codes = {"400": "Malformed request", "401": "No valid token", "403": "Not allowed here",
             "404": "No such record (or not within the caller's scope)", "422": "Invalid fields",
             "503": "A dependency (database, event bus, service) is unavailable; retry after Retry-After"}
    if method != "GET":
        codes["409"] = "Conflicts with the record's state or a concurrent change"
    if meta["body"] is not None:
        codes["413"] = "The body is too large"
    if meta["public"]:
        codes["429"] = "Too many requests"
    return {code: {"description": text, "content": {"application/json": {"schema": body},
                                                    **{t: {"schema": {"type": "string"}} for t in meta["also"]}}}
            for code, text in sorted(codes.items())}


def spec_for(app, title: str, version: str = "1.0.0") -> dict:
    spec = APISpec(title=title, version=version, openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.schema("Error", ERROR_SCHEMA)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        meta = getattr(view, "__openapi__", None)
        if meta is None:
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        params = [{"name": n, "in": "path", "required": True,
                   "schema": {"type": "string", **({"enum": meta["path_enums"][n]} if n in meta["path_enums"]
                                                   else {})}}
                  for n in _CONVERTER.findall(rule.rule)]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict = {"summary": meta["summary"], "operationId": f"{rule.endpoint}_{method.lower()}".replace(".", "_"),
                        "responses": _errors(meta, method)}
            if meta["tags"]:
                op["tags"] = meta["tags"]
            if not meta["public"]:
                op["security"] = [{"bearer": []}]
            if meta["permission"]:
                op["description"] = f"Requires the permission `{meta['permission']}` within the caller's org scope."
            if params:
                op["parameters"] = list(params)
            if meta["query"] is not None:
                op.setdefault("parameters", []).append({"in": "query", "schema": meta["query"]})
                # declared, even when it takes none (NoQuery): the API style's linter tells it from undocumented
                op["x-query-declared"] = True
            if meta["body"] is not None:
                op["requestBody"] = {"required": True, "content": {
                    meta["content_type"]: {"schema": _schema_ref(spec, meta["body"])}}}
            ok: dict = {"description": "OK"}
            if meta["response"] is not None:
                ref = {"$ref": f"#/components/schemas/{_schema_ref(spec, meta['response'])}"}
                ok["content"] = {"application/json": {"schema": _envelope(ref, meta["many"]) if meta["many"] else ref}}
            elif meta["also"]:
                ok["content"] = {"application/json": {"schema": {}},
                                 **{t: {"schema": {"type": "string"}} for t in meta["also"]}}
            op["responses"][str(meta["status"])] = ok
            spec.path(path=path, operations={method.lower(): op})
    return spec.to_dict()


def install(app, title: str) -> None:
    """Serve the service's own description at /api/openapi.json (public: it holds no data)."""
    cache: dict = {}

    @app.get("/api/openapi.json")
    def openapi_json():
        if "spec" not in cache:
            cache["spec"] = spec_for(app, title)
        return cache["spec"]
