"""Routes of petitions under /api/v1/petition: intake, one case, its moves, the list and the statistics."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema

from liandong.auth import current_principal
from liandong.listing import NoQuery
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer import UseCases
from ..service_layer.views import present, timeline_of
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


def blueprint(uses: UseCases) -> Blueprint:
    bp = Blueprint("petition", __name__, url_prefix="/api/v1/petition")
    cases = uses.cases

    def shown(petition, p, **kw) -> dict:
        return present(petition, p, hidden=cases.out_of_sight(p, [petition]), **kw)

    @bp.post("/petitions")
    @api("Register a petition from any channel (受理)", body=s.RegisterSchema, response=s.RegisteredSchema,
         status=201, tags=["petitions"], permission="petition:file")
    def register():
        p = current_principal()
        petition, duplicates = uses.intake.register(load_json(s.RegisterSchema), p)
        return {**present(petition, p), "possible_duplicates": duplicates if p.has("petition:read") else []}, 201

    @bp.get("/petitions")
    @api("Search petitions by org unit, status, category, channel, deadline, overdue, risk, period, text",
         query=s.PetitionListQuery, response=s.PetitionSchema, many=True, tags=["petitions"],
         permission="petition:read")
    def search():
        p = current_principal()
        found = uses.lists.search(load_query(s.PetitionListQuery), p)
        hidden = cases.out_of_sight(p, found.items)
        return found.body(lambda x: present(x, p, full=False, hidden=hidden))

    @bp.get("/petitions/<petition_id>")
    @api("One petition (staff see the internal state; the petitioner the public status)", query=NoQuery,
         response=s.PetitionSchema, tags=["petitions"], permission="petition:read")
    def get_one(petition_id: str):
        load_query(NoQuery)
        p = current_principal()
        return shown(cases.get(petition_id, p), p)

    @bp.get("/petitions/<petition_id>/timeline")
    @api("The whole timeline of a case: who did what, when and why", query=NoQuery, response=s.TimelineSchema,
         tags=["petitions"], permission="petition:read")
    def timeline(petition_id: str):
        load_query(NoQuery)
        p = current_principal()
        petition = cases.timeline(petition_id, p)
        return {"petition_id": petition.id, "state": petition.state,
                "entries": timeline_of(petition, cases.out_of_sight(p, [petition]))}

    @bp.get("/petitions/<petition_id>/duplicates")
    @api("Petitions that are likely about the same matter", query=NoQuery, response=s.DuplicatesSchema,
         tags=["petitions"], permission="petition:read")
    def duplicates(petition_id: str):
        load_query(NoQuery)
        petition, found = uses.intake.duplicates(petition_id, current_principal())
        return {"petition_id": petition.id, "possible_duplicates": found}

    @bp.post("/petitions/<petition_id>/link")
    @api("Link a petition about the same matter; they are handled as one", body=s.LinkSchema,
         response=s.PetitionSchema, tags=["petitions"], permission="petition:handle")
    def link(petition_id: str):
        p = current_principal()
        data = load_json(s.LinkSchema)
        return shown(uses.transitions.link(petition_id, data["petition_id"], p), p)

    def make_action(action: str, schema: type[Schema]):
        def act(petition_id: str):
            p = current_principal()
            data = load_json(schema)
            return shown(uses.transitions.act(petition_id, action, data, p), p)

        act.__name__ = f"act_{action}"
        return act

    for action, (schema, permission, summary) in ACTIONS.items():
        view = api(summary, body=schema, response=s.PetitionSchema, tags=["petitions"],
                   permission=permission)(make_action(action, schema))
        bp.add_url_rule(f"/petitions/<petition_id>/{action}", endpoint=f"act_{action}", view_func=view,
                        methods=["POST"])

    @bp.get("/stats")
    @api("Statistics per org unit and period: 批次, 人次, group petitions and the rates (fractions 0–1)",
         query=s.StatsQuery, response=s.StatsSchema, tags=["statistics"], permission="petition:read")
    def statistics():
        return uses.lists.statistics(load_query(s.StatsQuery), current_principal())

    return bp
