"""Incidents: report, dispatch, on scene, resolve, close, verify; list and read."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal as caller
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer import SecurityService
from . import schemas as s
from .views import incident_view

TAGS = ["incidents"]


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("incidents", __name__)
    incidents = service.incidents

    @bp.post("/incidents")
    @api("Report an incident", body=s.IncidentIn, response=s.IncidentOut, status=201, tags=TAGS,
         permission="security:report")
    def report_incident():
        return incident_view(incidents.report(caller(), load_json(s.IncidentIn))), 201

    @bp.get("/incidents")
    @api("List incidents in the caller's scope (residents: their own reports), newest first; from/to: reported",
         query=s.IncidentQuery, response=s.IncidentOut, many=True, tags=TAGS, permission="security:read")
    def list_incidents():
        return incidents.page(caller(), load_query(s.IncidentQuery)).body(incident_view)

    @bp.get("/incidents/<incident_id>")
    @api("Read one incident", query=s.NoQuery, response=s.IncidentOut, tags=TAGS, permission="security:read")
    def get_incident(incident_id: str):
        load_query(s.NoQuery)
        return incident_view(incidents.get(caller(), incident_id))

    @bp.post("/incidents/<incident_id>/dispatch")
    @api("Dispatch a responder (reported -> dispatched)", body=s.IncidentDispatchIn, response=s.IncidentOut, tags=TAGS,
         permission="security:handle")
    def dispatch_incident(incident_id: str):
        return incident_view(incidents.dispatch(caller(), incident_id, load_json(s.IncidentDispatchIn)["assignee"]))

    @bp.post("/incidents/<incident_id>/on-scene")
    @api("The responder is on scene (dispatched -> on_scene)", response=s.IncidentOut, tags=TAGS,
         permission="security:handle")
    def incident_on_scene(incident_id: str):
        return incident_view(incidents.arrive(caller(), incident_id))

    @bp.post("/incidents/<incident_id>/resolve")
    @api("Resolve an incident (-> resolved)", body=s.IncidentResolveIn, response=s.IncidentOut, tags=TAGS,
         permission="security:handle")
    def resolve_incident(incident_id: str):
        return incident_view(incidents.resolve(caller(), incident_id, load_json(s.IncidentResolveIn)["resolution"]))

    @bp.post("/incidents/<incident_id>/close")
    @api("Close a resolved incident", response=s.IncidentOut, tags=TAGS, permission="security:handle")
    def close_incident(incident_id: str):
        return incident_view(incidents.close(caller(), incident_id))

    @bp.post("/incidents/<incident_id>/verify")
    @api("Mark an incident as verified (核实)", response=s.IncidentOut, tags=TAGS, permission="security:handle")
    def verify_incident(incident_id: str):
        return incident_view(incidents.verify(caller(), incident_id))

    return bp
