"""Routes of the welfare service under /api/v1/welfare: parse, call the use case, shape the answer."""
from __future__ import annotations

import dataclasses

from flask import Blueprint, request

from liandong.auth import Principal, current_principal
from liandong.errors import ValidationFailed
from liandong.idnumbers import mask
from liandong.openapi import api
from liandong.storage.base import subtree
from liandong.web import load_json, load_query

from ..domain.money import fen_to_yuan
from ..service import Welfare
from . import schemas as s


def _household_view(household: dict, unmasked: bool) -> dict:
    if unmasked:
        return household
    members = [{**m, "id_number": mask(m["id_number"]), "monthly_income_fen": None} for m in household["members"]]
    return {**household, "members": members, "financial_assets_fen": None}


# What the masked household hides (incomes, financial assets), the eligibility figures and explanations
# worked out from it would tell again: they are hidden wherever the household is.
_HIDDEN_FIGURES = ("household_income_fen", "income_per_member_fen", "assets_per_member_fen")
_RULES_QUOTING_THEM = ("income_per_member_below_line", "assets_per_member_at_most")


def _eligibility_view(eligibility: dict, unmasked: bool) -> dict:
    if unmasked or not eligibility:
        return eligibility
    rules = []
    for r in eligibility.get("rules") or []:
        figures = {k: (None if k in _HIDDEN_FIGURES else v) for k, v in (r.get("figures") or {}).items()}
        explanation = r["explanation"]
        if r["rule"] in _RULES_QUOTING_THEM:
            explanation = ("met" if r["passed"] else "not met") + " (the figures need personal_data:read)"
        rules.append({**r, "figures": figures, "explanation": explanation})
    return {**eligibility, "rules": rules}


def application_view(p: Principal, app) -> dict:
    doc = {k: v for k, v in dataclasses.asdict(app).items() if k not in ("events", "org_path")}
    unmasked = app.applicant_user_id == p.user_id or p.can("personal_data:read", app.org_path)
    doc["household"] = _household_view(app.household, unmasked)
    doc["eligibility"] = _eligibility_view(app.eligibility, unmasked)
    return doc


def grant_view(p: Principal, grant) -> dict:
    doc = {k: v for k, v in dataclasses.asdict(grant).items() if k not in ("events", "org_path")}
    unmasked = p.can("personal_data:read", grant.org_path)
    doc["household"] = _household_view(grant.household, unmasked)
    doc["monthly_amount_yuan"] = fen_to_yuan(grant.monthly_amount_fen)
    for review in doc["reviews"]:
        review["eligibility"] = _eligibility_view(review["eligibility"], unmasked)
    return doc


def redemption_view(r) -> dict:
    return {"id": r.id, "org_unit_id": r.org_unit_id, "volunteer_id": r.volunteer_id, "status": r.status,
            "coins": r.coins, "lines": r.lines, "cancel_reason": r.cancel_reason, "created_at": r.created_at,
            "finished_at": r.finished_at}


def _clean(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not k.startswith("_") or k == "_id"}


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("welfare", __name__, url_prefix="/api/v1/welfare")
    org = welfare.platform.org

    # -- programmes and eligibility

    @bp.get("/programmes")
    @api("The configured programmes with their rules, documents, amount rule and notice period", tags=["programmes"])
    def programmes():
        current_principal()
        return {"programmes": [p.to_dict() for p in welfare.catalogue.programmes.values()]}

    @bp.post("/eligibility-checks")
    @api("Check a household against a programme: each rule with passed/failed and its figures",
         body=s.EligibilityCheckSchema, response=s.EligibilitySchema, permission="welfare:apply", tags=["applications"])
    def eligibility_check():
        body = load_json(s.EligibilityCheckSchema)
        current_principal().require("welfare:apply", org.path_of(body["org_unit_id"]))
        return welfare.check(body["programme"], body["org_unit_id"], body["household"]).to_dict()

    # -- applications

    @bp.post("/applications")
    @api("Submit an application (community window, home visit, or a resident online)", body=s.ApplicationInSchema,
         response=s.ApplicationSchema, status=201, permission="welfare:apply", tags=["applications"])
    def submit():
        p = current_principal()
        app = welfare.submit(p, load_json(s.ApplicationInSchema))
        return application_view(p, app), 201

    @bp.get("/applications")
    @api("Applications in the caller's scope (a resident: their own)", query=s.ListQuerySchema,
         response=s.ApplicationSchema, many="applications", permission="welfare:read", tags=["applications"])
    def list_applications():
        p = current_principal()
        q = load_query(s.ListQuerySchema)
        if p.has("welfare:read"):
            flt = p.scope_filter("welfare:read")
            if q.get("org_unit_id"):
                path = org.path_of(q["org_unit_id"])
                p.require("welfare:read", path)
                flt = subtree(path)
        else:
            p.require("welfare:read_own")
            flt = {"applicant_user_id": p.user_id}
        for key in ("status", "programme"):
            if q.get(key):
                flt[key] = q[key]
        found = welfare.applications.find(flt, sort=[("submitted_at", -1)], skip=q["skip"], limit=q["limit"])
        return {"applications": [application_view(p, a) for a in found]}

    @bp.get("/applications/<app_id>")
    @api("One application with its eligibility, notice period, objections and history",
         response=s.ApplicationSchema, permission="welfare:read", tags=["applications"])
    def get_application(app_id):
        p = current_principal()
        return application_view(p, welfare.get_application(p, app_id))

    @bp.post("/applications/<app_id>/community-review")
    @api("Community review (社区审核): pass starts the public notice (公示), fail rejects", body=s.ReviewSchema,
         response=s.ApplicationSchema, permission="welfare:review", tags=["applications"])
    def community_review(app_id):
        p = current_principal()
        return application_view(p, welfare.review(p, app_id, load_json(s.ReviewSchema)))

    @bp.post("/applications/<app_id>/objections")
    @api("Record an objection raised during the notice period", body=s.ObjectionSchema, status=201,
         permission="welfare:review", tags=["applications"])
    def objection(app_id):
        p = current_principal()
        return welfare.object(p, app_id, load_json(s.ObjectionSchema)), 201

    @bp.post("/applications/<app_id>/objections/<objection_id>/resolution")
    @api("Resolve an objection (upheld rejects the application)", body=s.ResolutionSchema,
         response=s.ApplicationSchema, permission="welfare:review", tags=["applications"])
    def resolve(app_id, objection_id):
        p = current_principal()
        return application_view(p, welfare.resolve_objection(p, app_id, objection_id, load_json(s.ResolutionSchema)))

    @bp.post("/applications/<app_id>/approval")
    @api("Sub-district approval (街道审批) after the notice period: starts the grant", response=s.ApprovalSchema,
         permission="welfare:approve", tags=["applications"])
    def approve(app_id):
        p = current_principal()
        app, grant = welfare.approve(p, app_id)
        return {"application": application_view(p, app), "grant": grant_view(p, grant)}

    @bp.post("/applications/<app_id>/rejection")
    @api("Reject with a reason (community review: welfare:review; later: welfare:approve)", body=s.ReasonSchema,
         response=s.ApplicationSchema, permission="welfare:review", tags=["applications"])
    def reject(app_id):
        p = current_principal()
        return application_view(p, welfare.reject(p, app_id, load_json(s.ReasonSchema)))

    # -- grants

    @bp.get("/grants")
    @api("Grants in the caller's scope", query=s.ListQuerySchema, response=s.GrantSchema, many="grants",
         permission="welfare:read", tags=["grants"])
    def list_grants():
        p = current_principal()
        q = load_query(s.ListQuerySchema)
        flt = p.scope_filter("welfare:read")
        if q.get("org_unit_id"):
            path = org.path_of(q["org_unit_id"])
            p.require("welfare:read", path)
            flt = subtree(path)
        for key in ("status", "programme"):
            if q.get(key):
                flt[key] = q[key]
        found = welfare.grants.find(flt, sort=[("started_at", -1)], skip=q["skip"], limit=q["limit"])
        return {"grants": [grant_view(p, g) for g in found]}

    @bp.get("/grants/reviews-due")
    @api("Grants whose periodic re-review (动态管理) is due by a month", permission="welfare:read", tags=["grants"])
    def reviews_due():
        p = current_principal()
        q = request.args
        if not q.get("org_unit_id") or not q.get("period"):
            raise ValidationFailed("org_unit_id and period (YYYY-MM) are required",
                                   {"period": ["required"], "org_unit_id": ["required"]})
        return {"grants": [grant_view(p, g) for g in welfare.reviews_due(p, q["org_unit_id"], q["period"])]}

    @bp.get("/grants/<grant_id>")
    @api("One grant with its re-reviews", response=s.GrantSchema, permission="welfare:read", tags=["grants"])
    def get_grant(grant_id):
        p = current_principal()
        return grant_view(p, welfare.get_grant(p, grant_id))

    @bp.post("/grants/<grant_id>/re-reviews")
    @api("Periodic re-review with the household's current figures: continue, suspend or end",
         body=s.RereviewSchema, response=s.GrantSchema, permission="welfare:review", tags=["grants"])
    def rereview(grant_id):
        p = current_principal()
        grant, outcome = welfare.rereview(p, grant_id, load_json(s.RereviewSchema))
        return {**grant_view(p, grant), "outcome": outcome}

    @bp.post("/grants/<grant_id>/end")
    @api("End a grant (moved away, died, ...)", body=s.ReasonSchema, response=s.GrantSchema,
         permission="welfare:approve", tags=["grants"])
    def end_grant(grant_id):
        p = current_principal()
        return grant_view(p, welfare.end_grant(p, grant_id, load_json(s.ReasonSchema)["reason"]))

    # -- disbursements

    @bp.post("/disbursements")
    @api("Pay every active grant under an org unit for a month (a month is never paid twice)",
         body=s.DisburseSchema, permission="welfare:disburse", tags=["disbursements"])
    def disburse():
        return welfare.disburse(current_principal(), load_json(s.DisburseSchema))

    @bp.get("/disbursements/totals")
    @api("Money disbursed under an org unit for a range of months, by programme, child unit and month",
         query=s.PeriodQuerySchema, response=s.TotalsSchema, permission="welfare:read", tags=["disbursements"])
    def totals():
        q = load_query(s.PeriodQuerySchema)
        return welfare.totals(current_principal(), q["org_unit_id"], q["period_from"], q["period_to"],
                              q.get("programme"))

    @bp.get("/payments")
    @api("The payment ledger of one grant", query=s.ListQuerySchema, permission="welfare:read", tags=["disbursements"])
    def payments():
        p = current_principal()
        q = load_query(s.ListQuerySchema)
        grant = welfare.get_grant(p, q.get("grant_id") or "")
        docs = welfare.platform.db.collection("payments").find({"grant_id": grant.id}, sort=[("period", 1)])
        return {"payments": [{**_clean(d), "amount_yuan": fen_to_yuan(d["amount_fen"])} for d in docs]}

    # -- charity supermarket

    @bp.post("/goods/donations")
    @api("Donated goods received into a community's stock", body=s.GoodsDonationSchema, status=201,
         permission="welfare:goods", tags=["charity supermarket"])
    def donate_goods():
        return _clean(welfare.donate_goods(current_principal(), load_json(s.GoodsDonationSchema))), 201

    @bp.post("/goods/handouts")
    @api("Hand goods to a household (409 and nothing changed when the stock is short)", body=s.HandoutSchema,
         status=201, permission="welfare:goods", tags=["charity supermarket"])
    def hand_out():
        return _clean(welfare.hand_out(current_principal(), load_json(s.HandoutSchema))), 201

    @bp.get("/goods/stock")
    @api("Stock per item under an org unit, with in-kind value and low-stock flags", permission="welfare:read",
         tags=["charity supermarket"])
    def stock():
        p = current_principal()
        return {"items": welfare.stock_list(p, request.args.get("org_unit_id", ""),
                                            request.args.get("low_only") == "true")}

    @bp.get("/goods/alerts")
    @api("Items at or below their low-stock level", permission="welfare:read", tags=["charity supermarket"])
    def alerts():
        return {"items": welfare.stock_list(current_principal(), request.args.get("org_unit_id", ""), True)}

    @bp.get("/goods/movements")
    @api("Goods in and out (who gave, who received what)", permission="welfare:read", tags=["charity supermarket"])
    def movements():
        p = current_principal()
        path = org.path_of(request.args.get("org_unit_id", ""))
        p.require("welfare:read", path)
        flt = subtree(path)
        if request.args.get("recipient"):
            flt["recipient"] = request.args["recipient"]
        return {"movements": [_clean(m) for m in welfare.stock.movements.find(flt, sort=[("at", 1)])]}

    @bp.post("/goods/stocktakes")
    @api("A stock-take (盘点): counted quantities replace the book ones; differences need a reason",
         body=s.StocktakeSchema, status=201, permission="welfare:goods", tags=["charity supermarket"])
    def stocktake():
        return welfare.stocktake(current_principal(), load_json(s.StocktakeSchema)), 201

    @bp.post("/goods/redemptions")
    @api("A volunteer pays for goods with love coins: goods are held and the coins asked for (saga)",
         body=s.RedemptionInSchema, response=s.RedemptionSchema, status=202, permission="welfare:goods",
         tags=["charity supermarket"])
    def redeem():
        return redemption_view(welfare.request_redemption(current_principal(), load_json(s.RedemptionInSchema))), 202

    @bp.get("/goods/redemptions/<redemption_id>")
    @api("One love-coin redemption and its state", response=s.RedemptionSchema, permission="welfare:read",
         tags=["charity supermarket"])
    def get_redemption(redemption_id):
        return redemption_view(welfare.redemption_for(current_principal(), redemption_id))

    @bp.post("/goods/redemptions/<redemption_id>/cancel")
    @api("Cancel a redemption still waiting for coins (the held goods go back)", response=s.RedemptionSchema,
         permission="welfare:goods", tags=["charity supermarket"])
    def cancel_redemption(redemption_id):
        return redemption_view(welfare.cancel_redemption(current_principal(), redemption_id))

    # -- charity fund

    @bp.post("/fund/donations")
    @api("Money donated to an org unit's charity fund", body=s.FundDonationSchema, status=201,
         permission="welfare:fund", tags=["charity fund"])
    def fund_donation():
        return _clean(welfare.donate_money(current_principal(), load_json(s.FundDonationSchema))), 201

    @bp.post("/fund/grants")
    @api("Ask for a grant out of the charity fund", body=s.FundGrantInSchema, status=201,
         permission="welfare:review", tags=["charity fund"])
    def fund_grant():
        return welfare.request_fund_grant(current_principal(), load_json(s.FundGrantInSchema)), 201

    @bp.post("/fund/grants/<grant_id>/approval")
    @api("Approve and pay a fund grant (409 and nothing changed above the balance)", body=s.NoteSchema,
         permission="welfare:fund", tags=["charity fund"])
    def fund_grant_approve(grant_id):
        body = load_json(s.NoteSchema) if request.data else {"note": ""}
        return welfare.decide_fund_grant(current_principal(), grant_id, True, body["note"])

    @bp.post("/fund/grants/<grant_id>/rejection")
    @api("Turn a fund grant down", body=s.NoteSchema, permission="welfare:fund", tags=["charity fund"])
    def fund_grant_reject(grant_id):
        body = load_json(s.NoteSchema) if request.data else {"note": ""}
        return welfare.decide_fund_grant(current_principal(), grant_id, False, body["note"])

    @bp.get("/fund/<org_unit_id>")
    @api("An org unit's charity fund: balance, totals and the ledger", permission="welfare:read",
         tags=["charity fund"])
    def fund(org_unit_id):
        return welfare.fund_ledger(current_principal(), org_unit_id)

    # -- pairing support and visits

    @bp.post("/pairings")
    @api("Pair a cadre or volunteer with a household, with a support plan (结对帮扶)", body=s.PairingInSchema,
         status=201, permission="welfare:visit", tags=["visits"])
    def pair():
        return _clean(welfare.pair(current_principal(), load_json(s.PairingInSchema))), 201

    @bp.get("/pairings/<pairing_id>")
    @api("A pairing with its visits", permission="welfare:read", tags=["visits"])
    def get_pairing(pairing_id):
        return _clean(welfare.get_pairing(current_principal(), pairing_id))

    @bp.post("/visits")
    @api("Record a home, condolence or pairing visit (走访 / 慰问)", body=s.VisitInSchema, status=201,
         permission="welfare:visit", tags=["visits"])
    def visit():
        return Welfare.visit_view(welfare.record_visit(current_principal(), load_json(s.VisitInSchema))), 201

    @bp.get("/visits/counts")
    @api("Visits per worker under an org unit in a time range (\"走访1216次\")", query=s.VisitCountQuerySchema,
         permission="welfare:read", tags=["visits"])
    def visit_counts():
        q = load_query(s.VisitCountQuerySchema)
        return welfare.visit_counts(current_principal(), q["org_unit_id"], q["since"], q["until"])

    # -- statistics

    @bp.get("/statistics")
    @api("Households and people covered per programme, money, goods, fund and visits for an org unit and months",
         query=s.PeriodQuerySchema, permission="welfare:read", tags=["statistics"])
    def statistics():
        q = load_query(s.PeriodQuerySchema)
        return welfare.statistics(current_principal(), q["org_unit_id"], q["period_from"], q["period_to"])

    return bp
