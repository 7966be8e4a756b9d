"""Routes of grants, disbursements and the payment ledger: parse, call the use case, present."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..service_layer import Welfare
from . import schemas as s
from .views import grant_view, payment_view


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("welfare_grants", __name__, url_prefix="/api/v1/welfare")
    grants, disbursements = welfare.grants, welfare.disbursements
    routes = Records(bp, ["grants"], grant_view, per_caller=True)
    read = dict(response=s.GrantSchema, permission="welfare:read")

    routes.listing("/grants", "list_grants", "Grants in the caller's scope, newest first", grants.search,
                   query=s.GrantQuerySchema, **read)
    routes.listing("/grants/reviews-due", "reviews_due", "Running grants whose periodic re-review (动态管理) is due "
                   "by a month", grants.reviews_due, query=s.ReviewsDueQuerySchema, **read)
    routes.read("/grants/<grant_id>", "get_grant", "One grant with its re-reviews", grants.get, **read)

    @bp.post("/grants/<grant_id>/re-reviews")
    @api("Periodic re-review with the household's current figures: continue, suspend or end",
         body=s.RereviewSchema, response=s.GrantSchema, permission="welfare:review", tags=["grants"])
    def rereview(grant_id):
        p = current_principal()
        grant, outcome = grants.rereview(p, grant_id, load_json(s.RereviewSchema))
        return {**grant_view(p, grant), "outcome": outcome}

    routes.step("/grants/<grant_id>/end", "end_grant", "End a grant (moved away, died, ...)", grants.end,
                body=s.ReasonSchema, takes=("reason",), response=s.GrantSchema, permission="welfare:approve")

    @bp.post("/disbursements")
    @api("Pay every active grant under an org unit for a month (a month is never paid twice)",
         body=s.DisburseSchema, permission="welfare:disburse", tags=["disbursements"])
    def disburse():
        return disbursements.disburse(current_principal(), load_json(s.DisburseSchema))

    @bp.get("/disbursements/totals")
    @api("Money disbursed under an org unit for the months from..to, by programme, child unit and month",
         query=s.TotalsQuerySchema, response=s.TotalsSchema, permission="welfare:read", tags=["disbursements"])
    def totals():
        return disbursements.totals(current_principal(), load_query(s.TotalsQuerySchema))

    @bp.get("/payments")
    @api("The payment ledger, month by month: below `org_unit` (or all the caller sees), of one grant with `grant_id`", query=s.PaymentQuerySchema, response=s.PaymentSchema,
         many=True, permission="welfare:read", tags=["disbursements"])
    def payments():
        q = load_query(s.PaymentQuerySchema)
        return disbursements.payments(current_principal(), q, grants.get).body(payment_view)

    return bp
