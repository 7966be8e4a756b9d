"""Routes of programmes, eligibility checks and applications: parse, call the use case, present."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer import Welfare
from . import schemas as s
from .views import application_view, grant_view, listed


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("welfare_applications", __name__, url_prefix="/api/v1/welfare")
    cases = welfare.applications

    def changed(step, app_id: str, body_schema, *more_ids) -> dict:
        """A step of the application's procedure: the body parsed, the step taken, the application shown."""
        p = current_principal()
        return application_view(p, step(p, app_id, *more_ids, load_json(body_schema)))

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

    @bp.post("/applications")
    @api("Submit an application (community window, home visit, or a resident online)", body=s.ApplicationInSchema,
         response=s.ApplicationSchema, status=201, permission="welfare:apply", tags=["applications"])
    def submit():
        p = current_principal()
        return application_view(p, cases.submit(p, load_json(s.ApplicationInSchema))), 201

    @bp.get("/applications")
    @api("Applications in the caller's scope, newest first (a resident: their own)", query=s.ApplicationQuerySchema,
         response=s.ApplicationSchema, many=True, permission="welfare:read", tags=["applications"])
    def list_applications():
        return listed(cases.search, s.ApplicationQuerySchema, application_view)

    @bp.get("/applications/<app_id>")
    @api("One application with its eligibility, notice period, objections and history", query=s.NoQuery,
         response=s.ApplicationSchema, permission="welfare:read", tags=["applications"])
    def get_application(app_id):
        p = current_principal()
        load_query(s.NoQuery)
        return application_view(p, cases.get(p, app_id))

    @bp.post("/applications/<app_id>/community-review")
    @api("Community review (社区审核): pass starts the public notice (公示), fail rejects", body=s.ReviewSchema,
         response=s.ApplicationSchema, permission="welfare:review", tags=["applications"])
    def community_review(app_id):
        return changed(cases.review, app_id, s.ReviewSchema)

    @bp.post("/applications/<app_id>/objections")
    @api("Record an objection raised during the notice period", body=s.ObjectionSchema, status=201,
         permission="welfare:review", tags=["applications"])
    def objection(app_id):
        return cases.object(current_principal(), app_id, load_json(s.ObjectionSchema)), 201

    @bp.post("/applications/<app_id>/objections/<objection_id>/resolution")
    @api("Resolve an objection (upheld rejects the application)", body=s.ResolutionSchema,
         response=s.ApplicationSchema, permission="welfare:review", tags=["applications"])
    def resolve(app_id, objection_id):
        return changed(cases.resolve_objection, app_id, s.ResolutionSchema, objection_id)

    @bp.post("/applications/<app_id>/approval")
    @api("Sub-district approval (街道审批) after the notice period: starts the grant", response=s.ApprovalSchema,
         permission="welfare:approve", tags=["applications"])
    def approve(app_id):
        p = current_principal()
        app, grant = cases.approve(p, app_id)
        return {"application": application_view(p, app), "grant": grant_view(p, grant)}

    @bp.post("/applications/<app_id>/rejection")
    @api("Reject with a reason (community review: welfare:review; later: welfare:approve)", body=s.ReasonSchema,
         response=s.ApplicationSchema, permission="welfare:review", tags=["applications"])
    def reject(app_id):
        return changed(cases.reject, app_id, s.ReasonSchema)

    return bp
