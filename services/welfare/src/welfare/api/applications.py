"""Routes of programmes, eligibility checks and applications: parse, call the use case, present."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..service_layer import Welfare
from . import schemas as s
from .views import application_view, grant_view


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("welfare_applications", __name__, url_prefix="/api/v1/welfare")
    cases = welfare.applications
    routes = Records(bp, ["applications"], application_view, per_caller=True)
    step = dict(response=s.ApplicationSchema, permission="welfare:review", takes=None)

    @bp.get("/programmes")
    @api("The configured programmes with their rules, documents, amount rule and notice period",
         query=s.ProgrammeQuerySchema, response=s.ProgrammeSchema, many=True, tags=["programmes"])
    def programmes():
        current_principal()
        return cases.programmes(load_query(s.ProgrammeQuerySchema)).body()

    @bp.post("/eligibility-checks")
    @api("Check a household against a programme: each rule with passed/failed and its figures",
         body=s.EligibilityCheckSchema, response=s.EligibilitySchema, permission="welfare:apply", tags=["applications"])
    def eligibility_check():
        body = load_json(s.EligibilityCheckSchema)
        return cases.check(current_principal(), body["programme"], body["org_unit_id"], body["household"]).to_dict()

    routes.create("/applications", "submit", "Submit an application (community window, home visit, or a resident "
                  "online)", cases.submit, body=s.ApplicationInSchema, response=s.ApplicationSchema,
                  permission="welfare:apply")
    routes.listing("/applications", "list_applications", "Applications in the caller's scope, newest first (a "
                   "resident: their own)", cases.search, query=s.ApplicationQuerySchema, response=s.ApplicationSchema,
                   permission="welfare:read")
    routes.read("/applications/<app_id>", "get_application", "One application with its eligibility, notice period, "
                "objections and history", cases.get, response=s.ApplicationSchema, permission="welfare:read")
    routes.step("/applications/<app_id>/community-review", "community_review", "Community review (社区审核): pass "
                "starts the public notice (公示), fail rejects", cases.review, body=s.ReviewSchema, **step)

    @bp.post("/applications/<app_id>/objections")
    @api("Record an objection raised during the notice period", body=s.ObjectionSchema, status=201,
         permission="welfare:review", tags=["applications"])
    def objection(app_id):
        return cases.object(current_principal(), app_id, load_json(s.ObjectionSchema)), 201

    routes.step("/applications/<app_id>/objections/<objection_id>/resolution", "resolve", "Resolve an objection "
                "(upheld rejects the application)", cases.resolve_objection, body=s.ResolutionSchema, **step)

    @bp.post("/applications/<app_id>/approval")
    @api("Sub-district approval (街道审批) after the notice period: starts the grant", response=s.ApprovalSchema,
         permission="welfare:approve", tags=["applications"])
    def approve(app_id):
        p = current_principal()
        app, grant = cases.approve(p, app_id)
        return {"application": application_view(p, app), "grant": grant_view(p, grant)}

    routes.step("/applications/<app_id>/rejection", "reject", "Reject with a reason (community review: "
                "welfare:review; later: welfare:approve)", cases.reject, body=s.ReasonSchema, **step)

    return bp
