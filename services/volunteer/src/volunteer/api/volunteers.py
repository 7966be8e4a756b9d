"""Routes of volunteers: registration, the list, one volunteer, profile, status, statement, reminders."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.listing import ListQuery, NoQuery
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer.access import MANAGE, READ, SELF
from . import PREFIX, TAGS, created, schemas as s


def blueprint(svc) -> Blueprint:
    bp = Blueprint("volunteers", __name__, url_prefix=PREFIX)
    uc = svc.volunteers

    @bp.post("/volunteers")
    @api("Register a volunteer (staff for anyone; a resident for themselves)", body=s.RegisterVolunteerSchema,
         response=s.VolunteerSchema, status=201, tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def register():
        return created(uc.register, s.RegisterVolunteerSchema)

    @bp.get("/volunteers")
    @api("List volunteers in the caller's scope (from/to: registered)", query=s.VolunteerListQuery,
         response=s.VolunteerSchema, many=True, tags=TAGS, permission=READ)
    def list_volunteers():
        return uc.listing(current_principal(), load_query(s.VolunteerListQuery))

    @bp.get("/volunteers/me")
    @api("The caller's own volunteer record with totals and balance", query=NoQuery, response=s.VolunteerSchema,
         tags=TAGS, permission=SELF)
    def me():
        load_query(NoQuery)
        return uc.mine(current_principal())

    @bp.get("/volunteers/<volunteer_id>")
    @api("One volunteer with hours, activities and love-coin balance", query=NoQuery, response=s.VolunteerSchema,
         tags=TAGS, permission=READ)
    def get_volunteer(volunteer_id: str):
        load_query(NoQuery)
        return uc.one(current_principal(), volunteer_id)

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
