"""One OpenAPI document for everything public (/api/openapi.json) and a browsable, offline viewer (/api/docs).

The gateway's part is generated from its own marshmallow schemas; each service's part is fetched from
its /api/openapi.json (generated the same way), cached, and left out while that service is down.
"""
from __future__ import annotations

import json
import threading
import time
from importlib import resources

from flask import Blueprint, Response

from liandong.openapi import spec_for

from ..adapters.proxy import ServiceProxy

CACHE_SECONDS = 60.0


def merge(own: dict, parts: dict[str, dict | None]) -> dict:
    doc = json.loads(json.dumps(own))
    doc["info"] = {"title": "Liandong API (联动)", "version": own.get("info", {}).get("version", "1.0.0"),
                   "description": "Every public route of the platform, through the gateway."}
    paths = doc.setdefault("paths", {})
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    missing = []
    for service, part in parts.items():
        if not part:
            missing.append(service)
            continue
        text = json.dumps(part)
        renames = {}
        for name, schema in (part.get("components", {}).get("schemas") or {}).items():
            if name in schemas and schemas[name] != schema:
                renames[name] = f"{service.capitalize()}{name}"
                text = text.replace(f'"#/components/schemas/{name}"', f'"#/components/schemas/{renames[name]}"')
        part = json.loads(text)
        for name, schema in (part.get("components", {}).get("schemas") or {}).items():
            schemas.setdefault(renames.get(name, name), schema)
        for path, ops in (part.get("paths") or {}).items():
            for op in ops.values():
                if isinstance(op, dict):
                    op.setdefault("tags", [service])
            paths.setdefault(path, {}).update(ops)
    doc["paths"] = dict(sorted(paths.items()))
    if missing:
        doc["info"]["x-services-unavailable"] = missing
    return doc


def blueprint(app, proxy: ServiceProxy, services: tuple[str, ...]) -> Blueprint:
    bp = Blueprint("docs", __name__)
    cache: dict = {}
    lock = threading.Lock()

    def service_parts() -> dict:
        now = time.monotonic()
        out = {}
        for svc in services:
            hit = cache.get(svc)
            if hit and hit[1] is not None and now - hit[0] < CACHE_SECONDS:
                out[svc] = hit[1]
                continue
            fresh = proxy.get_json(svc, "/api/openapi.json")
            if fresh is None and hit:
                fresh = hit[1]  # a service that went down keeps its last known description
            cache[svc] = (now, fresh)
            out[svc] = fresh
        return out

    @bp.get("/api/openapi.json")
    def openapi_json():
        with lock:
            if "own" not in cache:
                cache["own"] = spec_for(app, "Liandong gateway")
            parts = service_parts()
        return merge(cache["own"], parts)

    @bp.get("/api/docs")
    def docs_page():
        html = resources.files(__package__).joinpath("docs.html").read_text(encoding="utf-8")
        resp = Response(html, mimetype="text/html")
        resp.headers["Content-Security-Policy"] = ("default-src 'self'; script-src 'self'; style-src 'self' "
                                                   "'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")
        return resp

    @bp.get("/api/docs/viewer.js")
    def docs_script():
        js = resources.files(__package__).joinpath("viewer.js").read_text(encoding="utf-8")
        return Response(js, mimetype="application/javascript")

    return bp
