"""Routes of volunteers: registration, the list, one volunteer, profile, status, statement, reminders."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.listing import ListQuery
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..service_layer.access import MANAGE, READ, SELF
from . import PREFIX, TAGS, schemas as s


def blueprint(svc) -> Blueprint:
    bp = Blueprint("volunteers", __name__, url_prefix=PREFIX)
    uc = svc.volunteers
    routes = Records(bp, TAGS)

    routes.create("/volunteers", "register", "Register a volunteer (staff for anyone; a resident for themselves)",
                  uc.register, body=s.RegisterVolunteerSchema, response=s.VolunteerSchema,
                  permission=f"{MANAGE} or {SELF}")

    @bp.get("/volunteers")
    @api("List volunteers in the caller's scope (from/to: registered)", query=s.VolunteerListQuery,
         response=s.VolunteerSchema, many=True, tags=TAGS, permission=READ)
    def list_volunteers():
        return uc.listing(current_principal(), load_query(s.VolunteerListQuery))

    routes.read("/volunteers/me", "me", "The caller's own volunteer record with totals and balance", uc.mine,
                response=s.VolunteerSchema, permission=SELF)

    routes.read("/volunteers/<volunteer_id>", "get_volunteer",
                "One volunteer with hours, activities and love-coin balance", uc.one, response=s.VolunteerSchema,
                permission=READ)

    @bp.patch("/volunteers/<volunteer_id>")
    @api("Update skills, availability or contact (staff, or the volunteer themselves)", body=s.ProfileSchema,
         response=s.VolunteerSchema, tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def update_profile(volunteer_id: str):
        return uc.update_profile(current_principal(), volunteer_id, load_json(s.ProfileSchema))

    @bp.post("/volunteers/<volunteer_id>/status")
    @api("Pause, resume or record that a volunteer left", body=s.StatusSchema, response=s.VolunteerSchema,
         tags=TAGS, permission=MANAGE)
    def set_status(volunteer_id: str):
        return uc.set_status(current_principal(), volunteer_id, load_json(s.StatusSchema)["status"])

    @bp.get("/volunteers/<volunteer_id>/statement")
    @api("A volunteer's love-coin statement: entries in time order with the running balance (from/to: the "
         "entry's time), and `balance` now", query=ListQuery, response=s.StatementLineSchema, many=True,
         tags=TAGS, permission=f"{READ} or {SELF}")
    def statement(volunteer_id: str):
        return uc.statement(current_principal(), volunteer_id, load_query(ListQuery))

    @bp.get("/volunteers/<volunteer_id>/reminders")
    @api("Reminders sent to a volunteer before their activities (from/to: the activity's start)",
         query=ListQuery, response=s.ReminderSchema, many=True, tags=TAGS, permission=f"{READ} or {SELF}")
    def reminders(volunteer_id: str):
        return uc.reminders(current_principal(), volunteer_id, load_query(ListQuery))

    return bp
