"""User administration (users:admin): accounts, their role grants, passwords, sessions."""
from __future__ import annotations

import re

from flask import Blueprint, request

from liandong.auth import current_principal, requires
from liandong.errors import NotFound
from liandong.openapi import api
from liandong.web import load_json

from ..domain.identity import RoleGrant
from ..service_layer.identity import Identity
from . import schemas


def blueprint(identity: Identity) -> Blueprint:
    bp = Blueprint("users", __name__, url_prefix="/api/v1/users")

    @bp.post("")
    @requires("users:admin")
    @api("Create a user with role grants inside the admin's org scope", body=schemas.NewUserSchema,
         response=schemas.UserSchema, status=201, tags=["users"], permission="users:admin")
    def create():
        body = load_json(schemas.NewUserSchema)
        grants = [RoleGrant(g["role"], g["org_unit"], tuple(g["duties"])) for g in body["grants"]]
        user = identity.create_user(current_principal(), body["username"], body["name"], body["password"], grants)
        return user.summary(), 201

    @bp.get("")
    @requires("users:admin")
    @api("List the users within the admin's org scope", query=schemas.UserQuerySchema,
         response=schemas.UserListSchema, tags=["users"], permission="users:admin")
    def list_users():
        q = schemas.UserQuerySchema().load(request.args.to_dict())
        p = current_principal()
        filt = p.scope_filter("users:admin")
        if q.get("org_unit"):
            found = identity.org.get(q["org_unit"])
            if found is None:
                raise NotFound(f"no org unit {q['org_unit']!r}")
            p.require("users:admin", found[0].path)
            filt = {"org_path": {"$regex": "^" + re.escape(found[0].path)}}
        users = identity.users.find(filt, skip=q["skip"], limit=q["limit"])
        return {"users": [u.summary() for u in users]}

    @bp.get("/<user_id>")
    @requires("users:admin")
    @api("One user", response=schemas.UserSchema, tags=["users"], permission="users:admin")
    def get_user(user_id: str):
        return identity.visible_user(current_principal(), user_id).summary()

    @bp.patch("/<user_id>")
    @requires("users:admin")
    @api("Rename, change role grants, or (de)activate a user; changed roles end the user's sessions",
         body=schemas.UserChangesSchema, response=schemas.UserSchema, tags=["users"], permission="users:admin")
    def update_user(user_id: str):
        changes = load_json(schemas.UserChangesSchema)
        return identity.update_user(current_principal(), user_id, changes).summary()

    @bp.post("/<user_id>/password")
    @requires("users:admin")
    @api("Set a user's password (and unlock the account)", body=schemas.PasswordSchema, tags=["users"],
         status=204, permission="users:admin")
    def set_password(user_id: str):
        body = load_json(schemas.PasswordSchema)
        identity.set_password(identity.visible_user(current_principal(), user_id), body["password"])
        return "", 204

    @bp.post("/<user_id>/unlock")
    @requires("users:admin")
    @api("Lift a lock-out after repeated failed logins", response=schemas.UserSchema, tags=["users"],
         permission="users:admin")
    def unlock(user_id: str):
        user = identity.visible_user(current_principal(), user_id)
        user.unlock()
        identity.users.save(user)
        return user.summary()

    @bp.post("/<user_id>/revoke-sessions")
    @requires("users:admin")
    @api("Revoke every session of a user: its tokens stop working everywhere", response=schemas.RevokedSchema,
         tags=["users"], permission="users:admin")
    def revoke(user_id: str):
        user = identity.visible_user(current_principal(), user_id)
        return {"sessions_revoked": identity.revoke_all(user.id, "revoked")}

    return bp
