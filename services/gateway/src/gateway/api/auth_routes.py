"""Login, refresh, logout and the caller's own account (/api/v1/auth)."""
from __future__ import annotations

from flask import Blueprint, request

from liandong.auth import DUTIES, PERMISSIONS, ROLES, current_principal
from liandong.errors import DomainError, Unauthorized
from liandong.listing import NoQuery
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..adapters.rate_limit import RateLimiter
from ..service_layer.identity import Identity
from . import schemas


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"


def limited(limiter: RateLimiter, key: str) -> None:
    ok, wait = limiter.allow(key)
    if not ok:
        raise TooManyRequests(f"too many requests; try again in {max(1, round(wait))} s")


def role_names() -> dict:
    """Every role a grant may hold and every duty, in auth.py's order; a role without a title is named by its code,
    which the gateway's tests refuse (test_roles.py), so a new role never reaches the console unnamed."""
    return {"roles": [{"code": code, "name": ROLES.get(code) or code} for code in {**ROLES, **PERMISSIONS}],
            "duties": [{"code": code, "name": name or code} for code, name in DUTIES.items()]}


def blueprint(identity: Identity, login_limiter: RateLimiter) -> Blueprint:
    bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")

    @bp.post("/login")
    @api("Log in with a username and password", body=schemas.LoginSchema, response=schemas.TokenSchema,
         tags=["auth"], public=True)
    def login():
        body = load_json(schemas.LoginSchema)
        limited(login_limiter, f"{body['username'].lower()}|{request.remote_addr}")
        return identity.login(body["username"], body["password"])

    @bp.post("/refresh")
    @api("Swap a refresh token for a new access token (the refresh token rotates)", body=schemas.RefreshSchema,
         response=schemas.TokenSchema, tags=["auth"], public=True)
    def refresh():
        body = load_json(schemas.RefreshSchema)
        return identity.refresh(body["refresh_token"])

    @bp.post("/logout")
    @api("End this session: its tokens are refused from now on, here and by every service", tags=["auth"],
         status=204)
    def logout():
        identity.logout(current_principal())
        return "", 204

    @bp.get("/me")
    @api("Who the caller is: roles, org units and permissions", query=NoQuery, response=schemas.MeSchema,
         tags=["auth"])
    def me():
        load_query(NoQuery)
        p = current_principal()
        return {"user_id": p.user_id, "name": p.name, "grants": [g.to_claim() for g in p.grants],
                "permissions": {g.org_path: sorted(g.permissions()) for g in p.grants}}

    @bp.get("/roles")
    @api("The platform's roles and duties with their names in the offices' words (liandong.auth): the one list "
         "every client names them by", query=NoQuery, response=schemas.RolesSchema, tags=["auth"])
    def roles():
        load_query(NoQuery)
        current_principal()
        return role_names()

    @bp.post("/password")
    @api("Change the caller's own password (ends the caller's sessions)", body=schemas.OwnPasswordSchema,
         tags=["auth"], status=204)
    def change_password():
        body = load_json(schemas.OwnPasswordSchema)
        p = current_principal()
        user = identity.users.get(p.user_id)
        from ..domain.identity import verify_password

        if not verify_password(body["current_password"], user.password_hash):
            raise Unauthorized("the current password is wrong")
        identity.set_password(user, body["password"])
        return "", 204

    return bp
