"""Routes of the charity fund (爱心基金): donations, grants out, the account and its ledger."""
from __future__ import annotations

from flask import Blueprint, request

from liandong.auth import current_principal
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..service_layer import Welfare
from . import schemas as s
from .views import clean, fund_grant_list_view


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("welfare_fund", __name__, url_prefix="/api/v1/welfare")
    fund = welfare.fund
    tags = ["charity fund"]
    routes = Records(bp, tags, clean)

    def note() -> str:
        return load_json(s.NoteSchema)["note"] if request.data else ""

    routes.create("/fund/donations", "fund_donation", "Money donated to an org unit's charity fund", fund.donate,
                  body=s.FundDonationSchema, response=s.FundEntrySchema, permission="welfare:fund")

    Records(bp, tags, fund_grant_list_view, per_caller=True).listing(
        "/fund/grants", "list_fund_grants", "Fund grants asked for in the caller's scope, newest first (the open ones: "
        "status=requested,paying); the recipient masked, the reason hidden, without personal_data:read", fund.grants,
        query=s.FundGrantQuerySchema, response=s.FundGrantSchema, permission="welfare:read")

    @bp.post("/fund/grants")
    @api("Ask for a grant out of the charity fund", body=s.FundGrantInSchema, status=201,
         permission="welfare:review", tags=tags)
    def fund_grant():
        return fund.request_grant(current_principal(), load_json(s.FundGrantInSchema)), 201

    @bp.post("/fund/grants/<grant_id>/approval")
    @api("Approve and pay a fund grant (409 and nothing changed above the balance)", body=s.NoteSchema,
         permission="welfare:fund", tags=tags)
    def fund_grant_approve(grant_id):
        return fund.decide_grant(current_principal(), grant_id, True, note())

    @bp.post("/fund/grants/<grant_id>/rejection")
    @api("Turn a fund grant down", body=s.NoteSchema, permission="welfare:fund", tags=tags)
    def fund_grant_reject(grant_id):
        return fund.decide_grant(current_principal(), grant_id, False, note())

    @bp.get("/fund/<org_unit_id>")
    @api("An org unit's charity fund: balance, totals, and the sum of its ledger (which equals the balance)",
         query=s.NoQuery, permission="welfare:read", tags=tags)
    def account(org_unit_id):
        load_query(s.NoQuery)
        return fund.account(current_principal(), org_unit_id)

    @bp.get("/fund/<org_unit_id>/entries")
    @api("An org unit's charity-fund ledger, oldest first", query=s.FundEntryQuerySchema, response=s.FundEntrySchema,
         many=True, permission="welfare:read", tags=tags)
    def entries(org_unit_id):
        return fund.entries(current_principal(), org_unit_id, load_query(s.FundEntryQuerySchema)).body(clean)

    return bp
