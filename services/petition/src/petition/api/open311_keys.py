"""Issuing and revoking Open311 api keys: a district admin's (users:admin at the district)."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from liandong.auth import current_principal
from liandong.fields import IsoTime
from liandong.listing import ListQuery
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer.open311_keys import Open311Keys


class ApiKeyIssueSchema(Schema):
    app = fields.String(required=True, validate=validate.Length(min=1, max=100))
    org_unit_id = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ApiKeySchema(Schema):
    id = fields.String()
    app = fields.String()
    org_unit_id = fields.String()
    issued_at = IsoTime()
    issued_by = fields.String(allow_none=True)
    revoked_at = IsoTime(allow_none=True)
    revoked_by = fields.String(allow_none=True)
    active = fields.Boolean()


class ApiKeyIssuedSchema(ApiKeySchema):
    api_key = fields.String(metadata={"description": "the key in clear: shown in this answer only"})


def blueprint(keys: Open311Keys) -> Blueprint:
    bp = Blueprint("open311_keys", __name__, url_prefix="/api/v1/petition/open311/keys")

    @bp.post("")
    @api("Issue an Open311 api_key for an app, tied to an org unit (the key is shown in this answer only)",
         body=ApiKeyIssueSchema, response=ApiKeyIssuedSchema, status=201, tags=["open311"],
         permission="users:admin")
    def issue():
        data = load_json(ApiKeyIssueSchema)
        doc, key = keys.issue(current_principal(), data["app"], data["org_unit_id"])
        return {**doc, "api_key": key}, 201

    @bp.get("")
    @api("The Open311 api keys, newest first (never the keys themselves): org_unit (the apps' units in its "
         "subtree), from/to (issued)", query=ListQuery, response=ApiKeySchema, many=True, tags=["open311"],
         permission="users:admin")
    def list_keys():
        return keys.list(current_principal(), load_query(ListQuery)).body()

    @bp.post("/<key_id>/revoke")
    @api("Revoke an Open311 api_key: its app can no longer file", response=ApiKeySchema, tags=["open311"],
         permission="users:admin")
    def revoke(key_id: str):
        return keys.revoke(current_principal(), key_id)

    return bp
