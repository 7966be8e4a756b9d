"""The Flask application factory every service builds on.

It gives each service the same edges: JSON errors with field-level messages (never an HTML 500),
correlation ids in and out, structured access logs, security headers, a body-size limit,
`/healthz` (the process is alive) and `/readyz` (its database, bus and worker are reachable).
"""
from __future__ import annotations

import functools
import ipaddress
import logging
import re
import time
from typing import Any, Callable

from flask import Flask, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .bus.base import BusError
from .config import Settings
from . import fastjson
from .errors import DomainError
from .ids import new_id
from .logs import configure_logging, correlation_id
from .paths import check_path
from .storage.base import StorageError, StorageUnavailable

log = logging.getLogger("liandong.http")
_CID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

ReadinessCheck = Callable[[], Any]


def error_body(code: str, message: str, fields: dict | None = None, status: int = 400):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    cid = correlation_id.get()
    if cid:
        body["error"]["correlation_id"] = cid
    return jsonify(body), status


@functools.lru_cache(maxsize=None)
def _shared(schema_class: type[Schema]) -> Schema:
    # Building a schema (binding and copying its fields) costs more than loading a body with it;
    # loading keeps no state on the instance, so one serves every request and thread.
    return schema_class()


def load_json(schema: Schema | type[Schema], *, partial: bool = False) -> dict:
    """Parse the request body as JSON and validate it; errors become 400/415/422 responses.

    `schema`: a Schema class (one instance is kept for it) or an instance."""
    if isinstance(schema, type):
        schema = _shared(schema)
    if not request.is_json:
        raise DomainError("the body must be JSON (Content-Type: application/json)")
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # silent covers syntax errors, not nesting deeper than the parser's stack
        raise DomainError("the body is nested too deeply") from None
    if payload is None:
        raise DomainError("the body is not valid JSON")
    if not isinstance(payload, dict):
        raise DomainError("the body must be a JSON object")
    return schema.load(payload, partial=partial)


def load_query(schema: Schema | type[Schema]) -> dict:
    """Validate the query string; errors become 422 responses with the fields named."""
    return (_shared(schema) if isinstance(schema, type) else schema).load(request.args.to_dict())


@functools.lru_cache(maxsize=64)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def sees_internals(settings: Settings) -> bool:
    """May this caller see internal detail (service URLs, backlogs, metrics)? An admin token (one that
    may administer dead letters: operations), or a direct call from the cluster's networks. A request
    that came through a proxy (X-Forwarded-For / Forwarded) is not direct: an ingress in the cluster
    would otherwise lend every outside caller its own address."""
    principal = g.get("principal")
    if principal is not None and principal.has("dead_letters:admin"):
        return True
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        addr = ipaddress.ip_address((request.remote_addr or "").split("%", 1)[0])
    except ValueError:
        return False
    if getattr(addr, "ipv4_mapped", None):
        addr = addr.ipv4_mapped
    return any(addr in net for net in _networks(tuple(settings.cluster_networks)))


UPLOAD_LIMIT = 21 * 1024 * 1024  # liandong.imports.reading.MAX_FILE_BYTES and the form around it
ATTACHMENT_LIMIT = 11 * 1024 * 1024  # liandong.attachments.MAX_BYTES and the form around it: a larger file is a 422


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON answers written by orjson (liandong.fastjson: the same text as Flask's own provider, which
    still writes the indented answers of debug mode and anything orjson would write differently)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("indent") is not None or self.ensure_ascii or set(kwargs) - {"separators"}:
            return super().dumps(obj, **kwargs)
        return fastjson.dumps(obj, default=self.default, sort_keys=self.sort_keys)


def create_base_app(settings: Settings, readiness: dict[str, ReadinessCheck] | None = None) -> Flask:
    configure_logging(settings.service, settings.log_level, settings.log_json)
    app = Flask(settings.service)
    app.json = FastJSONProvider(app)
    app.url_map.merge_slashes = False  # `//x` is a 404 in JSON, not an HTML redirect
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length
    app.config["LIANDONG_SETTINGS"] = settings
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    checks = dict(readiness or {})
    app.extensions["liandong_readiness"] = checks

    @app.before_request
    def _begin():
        cid = request.headers.get("X-Correlation-ID", "")
        cid = cid if _CID.match(cid) else new_id()
        g.correlation_token = correlation_id.set(cid)
        g.correlation_id = cid
        g.started = time.perf_counter()
        # every route of every service: no dot segment, however often encoded (see liandong.paths)
        check_path(request.path)
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
        if raw:
            check_path(raw.split("?", 1)[0])
        limit = settings.max_content_length
        if request.method == "POST" and "/imports/" in request.path:
            # an office's ledger (liandong.imports): up to 20 MB, read whole before anything is written
            limit = request.max_content_length = UPLOAD_LIMIT
        elif request.method == "POST" and request.path.endswith("/attachments"):
            # a photo or document on a record (liandong.attachments): up to 10 MB, said in the offices' words
            limit = request.max_content_length = ATTACHMENT_LIMIT
        if (request.content_length or 0) > limit:
            raise RequestEntityTooLarge(f"the body is larger than {limit} bytes")

    @app.after_request
    def _finish(response):
        cid = getattr(g, "correlation_id", None)
        if cid:
            response.headers["X-Correlation-ID"] = cid
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        if request.path not in ("/healthz", "/readyz"):
            log.info("%s %s %s", request.method, request.path, response.status_code,
                     extra={"status": response.status_code,
                            "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2)})
        return response

    @app.teardown_request
    def _reset(_exc):
        token = g.pop("correlation_token", None)
        if token is not None:
            correlation_id.reset(token)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        fields = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return error_body("validation_failed", "the request has invalid fields", fields, 422)

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        return error_body(exc.code, exc.message, exc.fields or None, exc.status)

    @app.errorhandler(StorageUnavailable)
    @app.errorhandler(BusError)
    def _unavailable(exc):
        log.warning("dependency unavailable: %s", exc)
        resp, status = error_body("unavailable", "a dependency is unavailable; try again shortly", None, 503)
        resp.headers["Retry-After"] = "2"
        return resp, status

    @app.errorhandler(StorageError)
    def _storage(exc):
        log.error("storage error: %s", exc, exc_info=True)
        return error_body("storage_error", "the request could not be stored", None, 500)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return error_body(re.sub(r"\W+", "_", (exc.name or "error").lower()), exc.description or exc.name,
                          None, exc.code or 500)

    @app.errorhandler(RecursionError)
    def _too_deep(_exc: RecursionError):  # JSON nested thousands deep, parsed outside load_json
        return error_body("bad_request", "the body is nested too deeply", None, 400)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.error("unhandled error", exc_info=True)
        return error_body("internal_error", "something went wrong on our side", None, 500)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok", "service": settings.service})

    @app.get("/readyz")
    def readyz():
        """Every check, or only those named in `?check=a,b` (Kubernetes asks for the database only)."""
        results, ready = {}, True
        wanted = [c for c in request.args.get("check", "").split(",") if c]
        unknown = [c for c in wanted if c not in checks]
        if unknown:
            return error_body("unknown_check", f"no readiness check {', '.join(unknown)}",
                              {"check": [f"one of {', '.join(checks)}"]} if sees_internals(settings) else None, 400)
        for name, check in checks.items():
            if wanted and name not in wanted:
                continue
            try:
                detail = check()
                results[name] = {"ready": True, **({"detail": detail} if detail is not None else {})}
            except Exception as exc:  # noqa: BLE001 - any failing check means not ready
                ready = False
                results[name] = {"ready": False, "error": str(exc)[:300]}
        if not sees_internals(settings):  # outside the cluster: ready or not, nothing about what is behind
            return jsonify({"service": settings.service, "ready": ready}), (200 if ready else 503)
        return jsonify({"service": settings.service, "ready": ready, "checks": results}), (200 if ready else 503)

    return app
