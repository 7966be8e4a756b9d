"""Incidents: report, dispatch, on scene, resolve, close, verify; list and read."""
from __future__ import annotations

from flask import request

from liandong.auth import current_principal
from liandong.errors import Forbidden, ValidationFailed
from liandong.ids import new_id
from liandong.openapi import api
from liandong.storage import subtree
from liandong.web import load_json

from ..domain.incidents import Incident
from . import schemas as s
from .common import Context, load as load_record, page, view

TAGS = ["incidents"]


def incident_view(i: Incident) -> dict:
    return view(i, response_minutes=None if i.response_minutes is None else round(i.response_minutes, 1))


def register(bp, ctx: Context) -> None:
    repo = ctx.repos.incidents

    def load(incident_id: str, permission: str, own_may: bool = False) -> Incident:
        """The incident for `permission`; its reporter sees it (a refusal is 403, not 404)."""
        me = current_principal().user_id
        return load_record(repo, incident_id, permission, "incident", own=lambda i: i.reporter_user_id == me,
                           own_may=own_may)

    @bp.post("/incidents")
    @api("Report an incident", body=s.IncidentIn, response=s.IncidentOut, status=201, tags=TAGS,
         permission="security:report")
    def report_incident():
        p = current_principal()
        data = load_json(s.IncidentIn)
        path = ctx.path_of(data["org_unit_id"])
        p.require("security:report", path)
        if data.get("patrol_run_id"):
            # found on a patrol: the run must be one the reporter sees, and the incident inside its area
            run = load_record(ctx.repos.runs, data["patrol_run_id"], "security:report", "patrol run")
            if not path.startswith(run.org_path):
                raise ValidationFailed("the incident lies outside the patrol's area", {"patrol_run_id": [
                    "a patrol run of this org unit or one above it"]})
        is_resident = p.roles == {"resident"}
        kind = "resident" if is_resident else (data.pop("reported_by_kind") or "staff")
        data.pop("reported_by_kind", None)
        incident = Incident.report(id=new_id(), org_path=path, reporter_user_id=p.user_id,
                                   reported_by_kind=kind, now=ctx.now(), **data)
        repo.add(incident)
        return incident_view(incident), 201

    @bp.get("/incidents")
    @api("List incidents in the caller's scope (residents: their own reports)", response=s.IncidentOut, many=True,
         tags=TAGS, permission="security:read")
    def list_incidents():
        p = current_principal()
        limit, offset = page()
        if p.has("security:read"):
            flt = p.scope_filter("security:read")
            if request.args.get("org_unit_id"):
                path = ctx.path_of(request.args["org_unit_id"])
                p.require("security:read", path)
                flt = subtree(path)
        elif p.has("security:report"):
            flt = {"reporter_user_id": p.user_id}
        else:
            raise Forbidden("security:read is not granted")
        for key in ("status", "type", "severity"):
            if request.args.get(key):
                flt = {"$and": [flt, {key: request.args[key]}]}
        if request.args.get("emergency") in ("true", "false"):
            flt = {"$and": [flt, {"emergency": request.args["emergency"] == "true"}]}
        found = repo.find(flt, sort=[("reported_at", -1)], skip=offset, limit=limit)
        return {"items": [incident_view(i) for i in found], "limit": limit, "offset": offset}

    @bp.get("/incidents/<incident_id>")
    @api("Read one incident", response=s.IncidentOut, tags=TAGS, permission="security:read")
    def get_incident(incident_id: str):
        return incident_view(load(incident_id, "security:read", own_may=True))

    @bp.post("/incidents/<incident_id>/dispatch")
    @api("Dispatch a responder (reported -> dispatched)", body=s.IncidentDispatchIn, response=s.IncidentOut, tags=TAGS,
         permission="security:handle")
    def dispatch_incident(incident_id: str):
        incident = load(incident_id, "security:handle")
        incident.dispatch(load_json(s.IncidentDispatchIn)["assignee"], ctx.now(), current_principal().user_id)
        repo.save(incident)
        return incident_view(incident)

    @bp.post("/incidents/<incident_id>/on-scene")
    @api("The responder is on scene (dispatched -> on_scene)", response=s.IncidentOut, tags=TAGS,
         permission="security:handle")
    def incident_on_scene(incident_id: str):
        incident = load(incident_id, "security:handle")
        incident.arrive(ctx.now(), current_principal().user_id)
        repo.save(incident)
        return incident_view(incident)

    @bp.post("/incidents/<incident_id>/resolve")
    @api("Resolve an incident (-> resolved)", body=s.IncidentResolveIn, response=s.IncidentOut, tags=TAGS,
         permission="security:handle")
    def resolve_incident(incident_id: str):
        incident = load(incident_id, "security:handle")
        incident.resolve(load_json(s.IncidentResolveIn)["resolution"], ctx.now(), current_principal().user_id)
        repo.save(incident)
        return incident_view(incident)

    @bp.post("/incidents/<incident_id>/close")
    @api("Close a resolved incident", response=s.IncidentOut, tags=TAGS, permission="security:handle")
    def close_incident(incident_id: str):
        incident = load(incident_id, "security:handle")
        incident.close(ctx.now(), current_principal().user_id)
        repo.save(incident)
        return incident_view(incident)

    @bp.post("/incidents/<incident_id>/verify")
    @api("Mark an incident as verified (核实)", response=s.IncidentOut, tags=TAGS, permission="security:handle")
    def verify_incident(incident_id: str):
        incident = load(incident_id, "security:handle")
        incident.verify(current_principal().user_id)
        repo.save(incident)
        return incident_view(incident)
