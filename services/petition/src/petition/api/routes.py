"""Routes of the petition service under /api/v1/petition."""
from __future__ import annotations

from datetime import date

from flask import Blueprint
from marshmallow import Schema

from liandong.auth import current_principal
from liandong.errors import Forbidden, ValidationFailed
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..domain import model
from ..service_layer.petitions import PetitionService, present, timeline_of
from . import schemas as s

ACTIONS: dict[str, tuple[type[Schema], str, str]] = {
    "assign": (s.AssignSchema, "petition:handle", "Assign the case with the five particulars (五明确)"),
    "start": (s.StartSchema, "petition:handle", "Start handling: mediation, on-site check or joint handling"),
    "answer": (s.AnswerSchema, "petition:handle", "Give the petitioner the written answer (书面答复)"),
    "close": (s.CloseSchema, "petition:handle", "Close with the petitioner's satisfaction (办结)"),
    "reopen": (s.ReasonSchema, "petition:handle", "Reopen an answered or closed case"),
    "escalate": (s.ReasonSchema, "petition:handle", "Escalate to the level above"),
    "suspend": (s.ReasonSchema, "petition:handle", "Suspend (挂起): the deadline clock stops"),
    "resume": (s.NoteSchema, "petition:handle", "Resume a suspended case; the deadline moves by the pause"),
    "supervise": (s.SuperviseSchema, "petition:supervise",
                  "Supervise (督办): a note, a new deadline, the supervisor's name"),
    "mediation": (s.MediationSchema, "petition:handle", "Record a mediation's outcome (调解)"),
}


def _query(schema: type[Schema]) -> dict:
    data = load_query(schema)
    if "from_" in data:
        data["from"] = data.pop("from_")
    return data


def _require_root_supervisor() -> None:
    """The taxonomy is the same for the whole district: only a district-wide supervisor changes it."""
    p = current_principal()
    if not any(path.count("/") <= 2 for path in p.scopes("petition:supervise")):
        raise Forbidden("changing the taxonomy needs petition:supervise for the whole district")


def blueprint(service: PetitionService) -> Blueprint:
    bp = Blueprint("petition", __name__, url_prefix="/api/v1/petition")

    @bp.post("/petitions")
    @api("Register a petition from any channel (受理)", body=s.RegisterSchema, response=s.RegisteredSchema,
         status=201, tags=["petitions"], permission="petition:file")
    def register():
        p = current_principal()
        data = load_json(s.RegisterSchema)
        petition, duplicates = service.register(data, p)
        return {**present(petition, p), "possible_duplicates": duplicates if p.has("petition:read") else []}, 201

    @bp.get("/petitions")
    @api("Search petitions by org unit, status, category, channel, deadline, overdue, risk, period, text",
         query=s.ListQuerySchema, response=s.PageSchema, tags=["petitions"], permission="petition:read")
    def search():
        p = current_principal()
        found = service.search(_query(s.ListQuerySchema), p)
        service.record_personal_access(p, found["items"])
        hidden = service.out_of_sight(p, found["items"])
        return {**found, "items": [present(x, p, full=False, hidden=hidden) for x in found["items"]]}

    @bp.get("/petitions/<petition_id>")
    @api("One petition (staff see the internal state; the petitioner the public status)",
         response=s.PetitionSchema, tags=["petitions"], permission="petition:read")
    def get_one(petition_id: str):
        p = current_principal()
        petition = service.get(petition_id, p)
        service.record_personal_access(p, [petition])
        return present(petition, p, hidden=service.out_of_sight(p, [petition]))

    @bp.get("/petitions/<petition_id>/timeline")
    @api("The whole timeline of a case: who did what, when and why", response=s.TimelineSchema,
         tags=["petitions"], permission="petition:read")
    def timeline(petition_id: str):
        p = current_principal()
        petition = service.get(petition_id, p)
        if not (p.can("petition:read", petition.org_path) or p.can("petition:handle", petition.org_path)):
            raise Forbidden("the internal timeline is for staff")
        return {"petition_id": petition.id, "state": petition.state,
                "entries": timeline_of(petition, service.out_of_sight(p, [petition]))}

    @bp.get("/petitions/<petition_id>/duplicates")
    @api("Petitions that are likely about the same matter", tags=["petitions"], permission="petition:read")
    def duplicates(petition_id: str):
        p = current_principal()
        petition = service.load(petition_id, p, "petition:read")
        return {"petition_id": petition.id, "possible_duplicates": service.duplicates_of(petition, p)}

    @bp.post("/petitions/<petition_id>/link")
    @api("Link a petition about the same matter; they are handled as one", body=s.LinkSchema,
         response=s.PetitionSchema, tags=["petitions"], permission="petition:handle")
    def link(petition_id: str):
        p = current_principal()
        data = load_json(s.LinkSchema)
        lead = service.link(petition_id, data["petition_id"], p)
        return present(lead, p, hidden=service.out_of_sight(p, [lead]))

    def make_action(action: str, schema: type[Schema]):
        def act(petition_id: str):
            p = current_principal()
            data = load_json(schema)
            petition = service.act(petition_id, action, data, p)
            return present(petition, p, hidden=service.out_of_sight(p, [petition]))

        act.__name__ = f"act_{action}"
        return act

    for action, (schema, permission, summary) in ACTIONS.items():
        view = api(summary, body=schema, response=s.PetitionSchema, tags=["petitions"],
                   permission=permission)(make_action(action, schema))
        bp.add_url_rule(f"/petitions/<petition_id>/{action}", endpoint=f"act_{action}", view_func=view,
                        methods=["POST"])

    @bp.get("/stats")
    @api("Statistics per org unit and period: 批次, 人次, group petitions and the rates", query=s.StatsQuerySchema,
         response=s.StatsSchema, tags=["statistics"], permission="petition:read")
    def statistics():
        q = _query(s.StatsQuerySchema)
        if q["from"] and q["to"] and q["to"] < q["from"]:
            raise ValidationFailed("the period ends before it starts", {"to": ["must not be before from"]})
        return service.statistics(q["org_unit"], q["from"], q["to"], current_principal())

    @bp.get("/config")
    @api("The taxonomy: categories with deadlines per level, linked departments, holidays, channels",
         tags=["config"], permission="petition:read")
    def config():
        current_principal()
        cfg = service.config.load()
        from ..domain import rules

        return {**cfg, "channels": rules.CHANNELS, "levels": list(rules.LEVELS),
                "handling_modes": model.HANDLING_MODES, "satisfaction": model.SATISFACTION,
                "public_status": model.PUBLIC_STATUS}

    @bp.put("/config/categories/<code>")
    @api("Add or change a category and its deadlines (working days per level)", body=s.CategorySchema,
         tags=["config"], permission="petition:supervise")
    def put_category(code: str):
        _require_root_supervisor()
        _check_code(code)
        data = load_json(s.CategorySchema)
        service.config.put_category(code, data)
        return {"code": code, **data}

    @bp.put("/config/departments/<code>")
    @api("Add or rename a linked department (联动部门)", body=s.DepartmentSchema, tags=["config"],
         permission="petition:supervise")
    def put_department(code: str):
        _require_root_supervisor()
        _check_code(code)
        data = load_json(s.DepartmentSchema)
        service.config.put_department(code, data["name"])
        return {"code": code, "name": data["name"]}

    @bp.put("/config/holidays")
    @api("Set the public holidays that are not working days", body=s.HolidaysSchema, tags=["config"],
         permission="petition:supervise")
    def put_holidays():
        _require_root_supervisor()
        data = load_json(s.HolidaysSchema)
        service.config.put_holidays([d.isoformat() for d in data["holidays"]])
        return {"holidays": service.config.load()["holidays"]}

    @bp.get("/roster")
    @api("The reception roster (接访日) of a sub-district for a period, with the days nobody is on duty",
         query=s.RosterQuerySchema, tags=["roster"], permission="petition:read")
    def roster():
        q = _query(s.RosterQuerySchema)
        return service.roster_view(q["subdistrict"], q["from"], q["to"], current_principal())

    @bp.put("/roster/<subdistrict_id>/<day>")
    @api("Put a leader on duty on a day", body=s.DutySchema, tags=["roster"], permission="petition:supervise")
    def put_duty(subdistrict_id: str, day: str):
        data = load_json(s.DutySchema)
        return service.put_duty(subdistrict_id, _day(day), data["leader_name"], data["title"], current_principal())

    @bp.delete("/roster/<subdistrict_id>/<day>")
    @api("Take a day off the roster", tags=["roster"], permission="petition:supervise", status=204)
    def delete_duty(subdistrict_id: str, day: str):
        service.delete_duty(subdistrict_id, _day(day), current_principal())
        return "", 204

    return bp


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("not a date", {"day": ["YYYY-MM-DD"]}) from None


def _check_code(code: str) -> None:
    import re

    if not re.match(r"^[a-z][a-z0-9_]{0,63}$", code):
        raise ValidationFailed("not a code", {"code": ["lower-case letters, digits and '_'"]})
