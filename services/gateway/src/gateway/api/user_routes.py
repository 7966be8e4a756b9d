"""User administration (users:admin): accounts, their role grants, passwords, sessions."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.listing import NoQuery
from liandong.routes import guarded
from liandong.web import load_json, load_query

from ..domain.identity import RoleGrant
from ..service_layer.identity import Identity
from . import schemas


def blueprint(identity: Identity) -> Blueprint:
    bp = Blueprint("users", __name__, url_prefix="/api/v1/users")

    @bp.post("")
    @guarded("Create a user with role grants inside the admin's org scope", body=schemas.NewUserSchema,
             response=schemas.UserSchema, status=201, tags=["users"], permission="users:admin")
    def create():
        body = load_json(schemas.NewUserSchema)
        grants = [RoleGrant(g["role"], g["org_unit"], tuple(g["duties"])) for g in body["grants"]]
        user = identity.create_user(current_principal(), body["username"], body["name"], body["password"], grants)
        return user.summary(), 201

    @bp.get("")
    @guarded("List the users within the admin's org scope", query=schemas.UserQuerySchema,
             response=schemas.UserSchema, many=True, tags=["users"], permission="users:admin")
    def list_users():
        q = load_query(schemas.UserQuerySchema)
        found = identity.list_users(current_principal(), q["org_unit"], q["page"], q["page_size"])
        return found.body(lambda u: u.summary())

    @bp.get("/<user_id>")
    @guarded("One user", query=NoQuery, response=schemas.UserSchema, tags=["users"], permission="users:admin")
    def get_user(user_id: str):
        load_query(NoQuery)
        return identity.visible_user(current_principal(), user_id).summary()

    @bp.patch("/<user_id>")
    @guarded("Rename, change role grants, or (de)activate a user; changed roles end the user's sessions",
             body=schemas.UserChangesSchema, response=schemas.UserSchema, tags=["users"], permission="users:admin")
    def update_user(user_id: str):
        changes = load_json(schemas.UserChangesSchema)
        return identity.update_user(current_principal(), user_id, changes).summary()

    @bp.post("/<user_id>/password")
    @guarded("Set a user's password (and unlock the account)", body=schemas.PasswordSchema, tags=["users"],
             status=204, permission="users:admin")
    def set_password(user_id: str):
        body = load_json(schemas.PasswordSchema)
        identity.set_password(identity.visible_user(current_principal(), user_id), body["password"])
        return "", 204

    @bp.post("/<user_id>/unlock")
    @guarded("Lift a lock-out after repeated failed logins", response=schemas.UserSchema, tags=["users"],
             permission="users:admin")
    def unlock(user_id: str):
        return identity.unlock(current_principal(), user_id).summary()

    @bp.post("/<user_id>/revoke-sessions")
    @guarded("Revoke every session of a user: its tokens stop working everywhere", response=schemas.RevokedSchema,
             tags=["users"], permission="users:admin")
    def revoke(user_id: str):
        user = identity.visible_user(current_principal(), user_id)
        return {"sessions_revoked": identity.revoke_all(user.id, "revoked")}

    return bp
