"""The residents' door (居民端, #22): a resident opens their own account (/api/v1/residents)."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from liandong.fields import IdNumber, Mobile, OrgUnitId, Text
from liandong.listing import ListQuery, Page
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer.residents import Residents
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

    return bp
