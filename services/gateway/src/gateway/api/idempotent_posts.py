"""Idempotency-Key on the gateway's own POSTs (users, org units, imports), like on the proxied ones."""
from __future__ import annotations

from flask import Flask, Response, g, request

from liandong.errors import Conflict, ValidationFailed

from ..adapters.idempotency import IdempotencyStore

_KEEP_HEADERS = ("Content-Type", "Location")


def begin(store: IdempotencyStore, user: str, key: str, fingerprint: str) -> Response | None:
    """Claim `key` for this request: the stored answer of the first one (a replay), or None to go on.
    A key still in flight is a 409, one used for another request a 422."""
    if not (1 <= len(key) <= 200):
        raise ValidationFailed("bad Idempotency-Key", {"Idempotency-Key": ["1 to 200 characters"]})
    state, record = store.begin(user, key, fingerprint)
    if state == "replay":
        resp = Response(store.body_of(record), status=record["status"], headers=record["headers"])
        resp.headers["Idempotent-Replayed"] = "true"
        return resp
    if state == "in_flight":
        raise Conflict("a request with this Idempotency-Key is still being processed; retry shortly")
    if state == "mismatch":
        raise ValidationFailed("this Idempotency-Key was used for a different request",
                               {"Idempotency-Key": ["reused with another method, path or body"]})
    return None


def install(app: Flask, store: IdempotencyStore, skip_prefixes: tuple[str, ...]) -> None:
    @app.before_request
    def _begin():
        key = request.headers.get("Idempotency-Key")
        principal = g.get("principal")
        if key is None or request.method != "POST" or principal is None or request.path.startswith(skip_prefixes):
            return None
        replay = begin(store, principal.user_id, key, store.fingerprint(request.method, request.path,
                                                                        request.get_data()))
        if replay is not None:
            return replay
        g.idempotency = (principal.user_id, key)
        return None

    @app.after_request
    def _finish(resp):
        pending = g.pop("idempotency", None)
        if pending is not None:
            if resp.status_code in (401, 429):  # refused before the handler ran
                store.abandon(*pending)
            elif resp.status_code >= 500:  # the handler may have written: its writes carry the key too
                store.unknown(*pending)
            else:
                store.finish(*pending, resp.status_code, resp.get_data(),
                             {h: resp.headers[h] for h in _KEEP_HEADERS if h in resp.headers})
        return resp

    @app.teardown_request
    def _abandon(_exc):
        pending = g.pop("idempotency", None)
        if pending is not None:
            store.unknown(*pending)
