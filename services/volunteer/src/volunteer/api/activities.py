"""Routes of activities: the organiser's, and those of the volunteers taking part."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..service_layer.access import MANAGE, READ, SELF
from . import PREFIX, TAGS, schemas as s
EITHER = f"{MANAGE} or {SELF}"


def blueprint(svc) -> Blueprint:
    bp = Blueprint("activities", __name__, url_prefix=PREFIX)
    uc = svc.activities
    routes = Records(bp, TAGS)

    routes.create("/activities", "create_activity", "Create (and optionally publish) an activity", uc.create,
                  body=s.ActivitySchema, response=s.ActivityOutSchema, permission=MANAGE)

    @bp.get("/activities")
    @api("List activities in scope (residents see published ones; from/to: the start)",
         query=s.ActivityListQuery, response=s.ActivityOutSchema, many=True, tags=TAGS,
         permission=f"{READ} or {SELF}")
    def list_activities():
        return uc.listing(current_principal(), load_query(s.ActivityListQuery))

    routes.read("/activities/<activity_id>", "get_activity",
                "One activity with its sign-ups, waitlist and attendance", uc.one, response=s.ActivityOutSchema,
                permission=f"{READ} or {SELF}")

    @bp.post("/activities/<activity_id>/publish")
    @api("Open the activity for sign-up", response=s.ActivityOutSchema, tags=TAGS, permission=MANAGE)
    def publish(activity_id: str):
        return uc.act(current_principal(), activity_id, "publish")

    @bp.post("/activities/<activity_id>/cancel")
    @api("Call the activity off", response=s.ActivityOutSchema, tags=TAGS, permission=MANAGE)
    def cancel(activity_id: str):
        return uc.act(current_principal(), activity_id, "cancel")

    @bp.post("/activities/<activity_id>/complete")
    @api("Close the activity; those holding a place who never checked in are no-shows",
         response=s.ActivityOutSchema, tags=TAGS, permission=MANAGE)
    def complete(activity_id: str):
        return uc.act(current_principal(), activity_id, "complete")

    @bp.post("/activities/<activity_id>/signups")
    @api("Sign up (a full activity puts the volunteer on the waitlist)", body=s.SignUpSchema, status=201,
         tags=TAGS, permission=EITHER)
    def sign_up(activity_id: str):
        return uc.sign_up(current_principal(), activity_id, load_json(s.SignUpSchema)["volunteer_id"]), 201

    @bp.post("/activities/<activity_id>/signups/<volunteer_id>/cancel")
    @api("Give up a place (the first on the waitlist is promoted)", tags=TAGS, permission=EITHER)
    def cancel_signup(activity_id: str, volunteer_id: str):
        return uc.cancel_signup(current_principal(), activity_id, volunteer_id)

    @bp.post("/activities/<activity_id>/signups/<volunteer_id>/substitute")
    @api("Hand one's place to a substitute", body=s.SubstituteSchema, tags=TAGS, permission=EITHER)
    def substitute(activity_id: str, volunteer_id: str):
        data = load_json(s.SubstituteSchema)
        return uc.substitute(current_principal(), activity_id, volunteer_id, data["substitute_id"])

    @bp.post("/activities/<activity_id>/check-in")
    @api("Check in (the organiser, or the volunteer with the code shown at the place)", body=s.CheckSchema,
         tags=TAGS, permission=EITHER)
    def check_in(activity_id: str):
        return uc.check(current_principal(), activity_id, load_json(s.CheckSchema), out=False)

    @bp.post("/activities/<activity_id>/check-out")
    @api("Check out: the minutes between check-in and check-out become hours and coins", body=s.CheckSchema,
         tags=TAGS, permission=EITHER)
    def check_out(activity_id: str):
        return uc.check(current_principal(), activity_id, load_json(s.CheckSchema), out=True)

    @bp.post("/activities/<activity_id>/attendance")
    @api("The organiser records a volunteer's check-in and check-out times", body=s.AttendanceSchema,
         status=201, tags=TAGS, permission=MANAGE)
    def record_attendance(activity_id: str):
        return uc.record_attendance(current_principal(), activity_id, load_json(s.AttendanceSchema)), 201

    @bp.post("/activities/<activity_id>/attendance/<volunteer_id>/correction")
    @api("Correct recorded minutes (logged with the reason; coins follow)", body=s.CorrectionSchema, tags=TAGS,
         permission=MANAGE)
    def correct(activity_id: str, volunteer_id: str):
        return uc.correct(current_principal(), activity_id, volunteer_id, load_json(s.CorrectionSchema))

    return bp
