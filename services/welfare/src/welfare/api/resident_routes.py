"""Routes of the residents' door (居民端, #22) at the charity supermarket: a resident's own offers and redemptions."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from liandong.auth import current_principal
from liandong.listing import ListQuery
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer import Welfare
from ..service_layer.resident import ResidentApplications, ResidentSupermarket
from . import schemas as s
from .views import redemption_view

SELF = "resident:self"
EITHER = f"{SELF} or welfare:read"


class OfferSchema(Schema):
    item_id = fields.String()
    name = fields.String()
    unit = fields.String()
    coin_price = fields.Integer(metadata={"description": "love coins for one unit"})
    quantity = fields.Integer(metadata={"description": "on the shelf now"})


class OwnRedemptionInSchema(Schema):
    volunteer_id = fields.String(required=True, validate=validate.Length(1, 80),
                                 metadata={"description": "the resident's own volunteer record (another's is refused)"})
    items = fields.List(fields.Nested(s.RedemptionLineSchema), required=True, validate=validate.Length(min=1, max=20))


OwnApplicationSchema = s.answer(
    "OwnApplicationSchema", strings=("id", "programme", "programme_name", "org_unit_id"),
    times=("submitted_at", "notice_ends_at", "decided_at"),
    channel=fields.String(metadata={"description": "online (at the door), window or visit (taken by staff)"}),
    status=fields.String(metadata={"description": "submitted, in_notice, approved or rejected"}),
    rejected_at_stage=fields.String(allow_none=True, metadata={"description": "where a rejection came: "
                                                                              "community_review, notice, ..."}))


def own_application_view(app, programme_name) -> dict:
    """Where the application stands, for the applicant at their door: no household, figures or staff notes."""
    decided = next((h["at"] for h in reversed(app.history) if h["step"] in ("approved", "rejected")), None)
    return {"id": app.id, "programme": app.programme, "programme_name": programme_name(app.programme),
            "org_unit_id": app.org_unit_id, "channel": app.channel, "status": app.status,
            "submitted_at": app.submitted_at, "notice_ends_at": app.notice_ends_at, "decided_at": decided,
            "rejected_at_stage": (app.rejection or {}).get("stage")}


def offer_view(doc: dict) -> dict:
    return {"item_id": doc["_id"], "name": doc["name"], "unit": doc.get("unit"), "coin_price": doc["coin_price"],
            "quantity": doc["quantity"]}


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("welfare_resident", __name__, url_prefix="/api/v1/welfare")
    shop = ResidentSupermarket(welfare.redemptions)
    own_applications = ResidentApplications(welfare.stores)
    tags = ["residents' door"]

    def programme_name(code: str) -> str | None:
        found = welfare.catalogue.get(code)
        return found.name if found else None

    @bp.get("/goods/offers")
    @api("What the resident's community supermarket offers for love coins (priced and on the shelf; staff: those in "
         "their scope); the list has no time: from/to are refused",
         query=ListQuery, response=OfferSchema, many=True, permission=EITHER, tags=tags)
    def offers():
        return shop.offers(current_principal(), load_query(ListQuery)).body(offer_view)

    @bp.post("/goods/my-redemptions")
    @api("A resident pays for goods with their own love coins: goods are held and the coins asked for (saga)",
         body=OwnRedemptionInSchema, response=s.RedemptionSchema, status=202, permission=SELF, tags=tags)
    def redeem():
        return redemption_view(shop.redeem(current_principal(), load_json(OwnRedemptionInSchema))), 202

    @bp.get("/goods/my-redemptions")
    @api("The caller's own redemptions at the residents' door, newest first (from/to: when asked for)", query=ListQuery, response=s.RedemptionSchema, many=True,
         permission=SELF, tags=tags)
    def my_redemptions():
        return shop.mine(current_principal(), load_query(ListQuery)).body(redemption_view)

    @bp.get("/goods/my-redemptions/<redemption_id>")
    @api("One of the resident's own redemptions (another's answers 404)", query=s.NoQuery,
         response=s.RedemptionSchema, permission=SELF, tags=tags)
    def my_redemption(redemption_id):
        load_query(s.NoQuery)
        return redemption_view(shop.one(current_principal(), redemption_id))

    @bp.get("/my-applications")
    @api("The resident's own applications, newest first: filed at the door, or taken by staff with them as the "
         "applicant (read only: where each stands); the list has no time: from/to are refused",
         query=ListQuery, response=OwnApplicationSchema, many=True, permission=SELF, tags=tags)
    def my_applications():
        return own_applications.mine(current_principal(), load_query(ListQuery)).body(
            lambda a: own_application_view(a, programme_name))

    @bp.get("/my-applications/<application_id>")
    @api("One of the resident's own applications (another's answers 404)", query=s.NoQuery,
         response=OwnApplicationSchema, permission=SELF, tags=tags)
    def my_application(application_id):
        load_query(s.NoQuery)
        return own_application_view(own_applications.one(current_principal(), application_id), programme_name)

    return bp
