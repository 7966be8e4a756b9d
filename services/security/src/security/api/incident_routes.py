"""Incidents: report, dispatch, on scene, resolve, close, verify; list and read."""
from __future__ import annotations

from flask import Blueprint

from liandong.routes import Records

from ..service_layer import SecurityService
from . import schemas as s
from .views import incident_view


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("incidents", __name__)
    incidents = service.incidents
    routes = Records(bp, ["incidents"], incident_view)
    one = dict(response=s.IncidentOut, permission="security:handle")

    routes.create("/incidents", "report_incident", "Report an incident", incidents.report, body=s.IncidentIn,
                  response=s.IncidentOut, permission="security:report")
    routes.listing("/incidents", "list_incidents", "List incidents in the caller's scope (residents: their own "
                   "reports), newest first; from/to: reported", incidents.page, query=s.IncidentQuery,
                   response=s.IncidentOut, permission="security:read")
    routes.read("/incidents/<incident_id>", "get_incident", "Read one incident", incidents.get,
                response=s.IncidentOut, permission="security:read")
    routes.step("/incidents/<incident_id>/dispatch", "dispatch_incident", "Dispatch a responder (reported -> "
                "dispatched)", incidents.dispatch, body=s.IncidentDispatchIn, takes=("assignee",), **one)
    routes.step("/incidents/<incident_id>/on-scene", "incident_on_scene",
                "The responder is on scene (dispatched -> on_scene)", incidents.arrive, **one)
    routes.step("/incidents/<incident_id>/resolve", "resolve_incident", "Resolve an incident (-> resolved)",
                incidents.resolve, body=s.IncidentResolveIn, takes=("resolution",), **one)
    routes.step("/incidents/<incident_id>/close", "close_incident", "Close a resolved incident", incidents.close,
                **one)
    routes.step("/incidents/<incident_id>/verify", "verify_incident", "Mark an incident as verified (核实)",
                incidents.verify, **one)
    return bp
