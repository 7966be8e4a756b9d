"""Routing: /api/v1/<service>/... and /open311/v2/... reach the right service with the caller's identity.

The gateway checks the token and that the caller holds at least one permission of the target
service before forwarding; the service checks again from the same token (defence in depth).
"""
from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, g, jsonify, request

from liandong.auth import current_principal

from ..adapters.audit_log import AuditLog, personal_fields
from ..adapters.idempotency import IdempotencyStore
from ..adapters.proxy import FORWARDED_REQUEST_HEADERS, ServiceProxy, ServiceUnavailable, Upstream
from ..service_layer.access import mask_lists, require_service_permission
from . import idempotent_posts

log = logging.getLogger(__name__)

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def unavailable(service: str, message: str):
    resp = jsonify({"error": {"code": "service_unavailable", "message": message, "service": service,
                              "correlation_id": g.get("correlation_id")}})
    resp.status_code = 503
    resp.headers["Retry-After"] = "5"
    return resp


def blueprint(proxy: ServiceProxy, services: tuple[str, ...], idempotency: IdempotencyStore,
              audit: AuditLog, upload_timeout: float | None = None) -> Blueprint:
    """`upload_timeout`: the read timeout of an upload (POST …/imports/…: a whole ledger checked, or written up to
    200 rows, before the service answers; POST …/attachments: a phone's photo decoded and re-encoded on a busy
    machine, or a slow mobile link's 10 MB), instead of the proxy's own."""
    bp = Blueprint("proxy", __name__)

    def forward(service: str, path: str) -> Response:
        principal = g.get("principal")
        headers = {h: request.headers[h] for h in FORWARDED_REQUEST_HEADERS if h in request.headers}
        headers["X-Correlation-ID"] = g.correlation_id
        headers["X-Forwarded-For"] = request.remote_addr or ""
        body = request.get_data()
        key = request.headers.get("Idempotency-Key")
        user = principal.user_id if principal else f"anon:{request.remote_addr}"
        if key is not None and request.method == "POST":
            replay = idempotent_posts.begin(idempotency, user, key, idempotency.fingerprint(request.method, path, body))
            if replay is not None:
                return replay
        try:
            upload = request.method == "POST" and ("/imports/" in path or path.rstrip("/").endswith("/attachments"))
            upstream = proxy.forward(service, request.method, path, request.query_string, headers, body,
                                     upload_timeout if upload else None)
        except ServiceUnavailable as exc:
            if key is not None and request.method == "POST":
                idempotency.unknown(user, key)  # the service may have acted; it deduplicates the retry
            return unavailable(exc.service, exc.message)
        except Exception:
            if key is not None and request.method == "POST":
                idempotency.unknown(user, key)
            raise
        if key is not None and request.method == "POST":
            if upstream.status >= 500:
                idempotency.unknown(user, key)
            else:
                idempotency.finish(user, key, upstream.status, upstream.body, upstream.headers)
        return respond(service, path, body, upstream)

    def respond(service: str, path: str, sent: bytes, upstream: Upstream) -> Response:
        body = upstream.body
        principal = g.get("principal")
        if upstream.headers.get("Content-Type", "").startswith("application/json") and body:
            try:
                doc = json.loads(body)
            except ValueError:
                doc = None
            if doc is not None and principal is not None and upstream.status < 400:
                # reads are recorded by the service that answered them (liandong.audit), which reports them
                # to this audit trail as events: recording them here too would count each read twice
                changing = request.method != "GET"
                found = personal_fields(doc) if changing else set()
                if changing and sent and request.is_json:
                    found |= personal_fields(request.get_json(silent=True))
                if found:
                    own = principal.grants[0].org_path if principal.grants else "/"
                    audit.record(user_id=principal.user_id, name=principal.name,
                                 roles=sorted(principal.roles), org_path=own,
                                 action="change", method=request.method, path=path,
                                 service=service, status=upstream.status, fields=sorted(found),
                                 correlation_id=g.get("correlation_id"))
                if not principal.has("personal_data:read"):
                    masked = mask_lists(doc)
                    if masked != doc:
                        body = json.dumps(masked, ensure_ascii=False).encode()
        return Response(body, status=upstream.status, headers=upstream.headers)

    @bp.route("/api/v1/<service>/<path:rest>", methods=METHODS)
    def to_service(service: str, rest: str):
        if service not in services:
            from liandong.errors import NotFound

            raise NotFound(f"no service {service!r}")
        require_service_permission(current_principal(), service)
        return forward(service, f"/api/v1/{service}/{rest}")

    @bp.route("/open311/v2/<path:rest>", methods=METHODS)
    def open311(rest: str):
        # Open311 GeoReport v2 is public by design; the petition service checks the api_key of a filing and
        # decides what an anonymous reader sees (keys live there: it places and scopes the request).
        return forward("petition", f"/open311/v2/{rest}")

    return bp
