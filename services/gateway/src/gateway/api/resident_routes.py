"""The residents' door (居民端, #22): a resident opens their own account (/api/v1/residents)."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from liandong.auth import current_principal
from liandong.fields import IdNumber, IsoTime, Mobile, OrgUnitId, Text
from liandong.listing import ListQuery, NoQuery, Page
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer.residents import CONFIRMS_IDENTITY, Residents, account_view

from . import schemas

# answered without a token (and under the gateway's per-IP budget of public endpoints)
PUBLIC = ("/api/v1/residents/register", "/api/v1/residents/communities")


class RegisterResidentSchema(Schema):
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True, load_only=True)
    mobile = Mobile(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    community = OrgUnitId(required=True, metadata={"description": "the community (居委会) where they live"})


class CommunitySchema(Schema):
    id = fields.String()
    name = fields.String()


class ResidentAccountQuery(ListQuery):
    confirmed = fields.Boolean(load_default=None, metadata={
        "description": "false: the accounts waiting for 实名核验 at the community office; true: those confirmed"})


class ResidentAccountSchema(Schema):
    id = fields.String()
    name = fields.String()
    mobile = fields.String()
    community = fields.String()
    identity_confirmed = fields.Boolean()
    identity_confirmed_at = IsoTime(allow_none=True)
    identity_confirmed_by = fields.String(allow_none=True)


WHO = " or ".join(CONFIRMS_IDENTITY)  # either one, checked over the account's org path in the use case


def blueprint(residents: Residents) -> Blueprint:
    bp = Blueprint("residents", __name__, url_prefix="/api/v1/residents")
    tags = ["residents"]

    @bp.get("/communities")
    @api("The communities a resident may choose when they register (org_unit: those below it); the list has no "
         "time: from/to are refused", query=ListQuery, response=CommunitySchema,
         many=True, tags=tags, public=True)
    def communities():
        q = load_query(ListQuery)
        return Page.of_all(residents.communities(q), q["page"], q["page_size"]).body()

    @bp.post("/register")
    @api("A resident opens their own account (username: their mobile) and is signed in", body=RegisterResidentSchema,
         response=schemas.TokenSchema, status=201, tags=tags, public=True)
    def register():
        return residents.register(load_json(RegisterResidentSchema)), 201

    @bp.get("")
    @api("The residents' door accounts of the caller's communities (confirmed=false: those waiting for "
             "实名核验)", query=ResidentAccountQuery, response=ResidentAccountSchema, many=True, tags=tags,
             permission=WHO)
    def accounts():
        return residents.accounts(current_principal(), load_query(ResidentAccountQuery)).body(account_view)

    @bp.post("/<user_id>/identity-confirmation")
    @api("Confirm a resident's account after seeing their ID card at the community office (实名核验; audited): "
             "records staff made for them reach their door from their next sign-in or token refresh",
             response=ResidentAccountSchema, tags=tags, permission=CONFIRMS_IDENTITY)
    def confirm_identity(user_id: str):
        return account_view(residents.confirm_identity(current_principal(), user_id))

    return bp
