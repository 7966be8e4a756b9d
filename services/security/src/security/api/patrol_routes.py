"""Patrols: routes and checkpoints, shifts and rosters, runs with check-ins, findings and completion."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal as caller
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer import SecurityService
from . import schemas as s
from .views import run_view

TAGS = ["patrols"]


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("patrols", __name__)
    patrols = service.patrols

    @bp.post("/patrol-routes")
    @api("Create a patrol route with its checkpoints", body=s.PatrolRouteIn, response=s.PatrolRouteOut, status=201,
         tags=TAGS, permission="security:patrol")
    def create_route():
        return patrols.create_route(caller(), load_json(s.PatrolRouteIn)), 201

    @bp.get("/patrol-routes")
    @api("List patrol routes, oldest first; from/to: created", query=s.ListQuery, response=s.PatrolRouteOut,
         many=True, tags=TAGS, permission="security:read")
    def list_routes():
        return patrols.routes(caller(), load_query(s.ListQuery)).body()

    @bp.post("/patrol-shifts")
    @api("Plan a patrol shift with its roster (排班)", body=s.PatrolShiftIn, response=s.PatrolShiftOut, status=201,
         tags=TAGS, permission="security:patrol")
    def create_shift():
        return patrols.plan_shift(caller(), load_json(s.PatrolShiftIn)), 201

    @bp.get("/patrol-shifts")
    @api("List shifts with their status (planned, covered, missed), by start; from/to: starts",
         query=s.PatrolShiftQuery, response=s.PatrolShiftOut, many=True, tags=TAGS, permission="security:read")
    def list_shifts():
        return patrols.shifts(caller(), load_query(s.PatrolShiftQuery)).body()

    @bp.post("/patrol-runs")
    @api("Start a patrol run on a route (for a shift: the roster patrols unless participants are given)",
         body=s.PatrolRunIn, response=s.PatrolRunOut, status=201, tags=TAGS, permission="security:patrol")
    def start_run():
        return run_view(patrols.start_run(caller(), load_json(s.PatrolRunIn))), 201

    @bp.get("/patrol-runs")
    @api("List patrol runs, newest first; from/to: started", query=s.PatrolRunQuery, response=s.PatrolRunOut,
         many=True, tags=TAGS, permission="security:read")
    def list_runs():
        return patrols.runs(caller(), load_query(s.PatrolRunQuery)).body(run_view)

    @bp.get("/patrol-runs/<run_id>")
    @api("Read a patrol run, with its missed checkpoints once completed", query=s.NoQuery, response=s.PatrolRunOut,
         tags=TAGS, permission="security:read")
    def get_run(run_id: str):
        load_query(s.NoQuery)
        return run_view(patrols.get_run(caller(), run_id))

    @bp.post("/patrol-runs/<run_id>/checkins")
    @api("Check in at a checkpoint, optionally with a finding (hazard, suspicious, repair needed)",
         body=s.PatrolCheckinIn, response=s.PatrolRunOut, tags=TAGS, permission="security:patrol")
    def check_in(run_id: str):
        return run_view(patrols.check_in(caller(), run_id, load_json(s.PatrolCheckinIn)))

    @bp.post("/patrol-runs/<run_id>/complete")
    @api("Complete a patrol run: announces security.patrol.completed once, with every participant's minutes",
         body=s.PatrolCompleteIn, response=s.PatrolRunOut, tags=TAGS, permission="security:patrol")
    def complete_run(run_id: str):
        return run_view(patrols.complete_run(caller(), run_id, load_json(s.PatrolCompleteIn)["ended_at"]))

    return bp
