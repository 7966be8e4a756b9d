"""Patrols: routes and checkpoints, shifts and rosters, runs with check-ins, findings and completion."""
from __future__ import annotations

from flask import Blueprint

from liandong.routes import Records

from ..service_layer import SecurityService
from . import schemas as s
from .views import run_view

TAGS = ["patrols"]


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("patrols", __name__)
    patrols = service.patrols
    plans, runs = Records(bp, TAGS), Records(bp, TAGS, run_view)
    patrol, read = dict(permission="security:patrol"), dict(permission="security:read")

    plans.create("/patrol-routes", "create_route", "Create a patrol route with its checkpoints", patrols.create_route,
                 body=s.PatrolRouteIn, response=s.PatrolRouteOut, **patrol)
    plans.listing("/patrol-routes", "list_routes", "List patrol routes, oldest first; from/to: created",
                  patrols.routes, query=s.ListQuery, response=s.PatrolRouteOut, **read)
    plans.create("/patrol-shifts", "create_shift", "Plan a patrol shift with its roster (排班)", patrols.plan_shift,
                 body=s.PatrolShiftIn, response=s.PatrolShiftOut, **patrol)
    plans.listing("/patrol-shifts", "list_shifts", "List shifts with their status (planned, covered, missed), by "
                  "start; from/to: starts", patrols.shifts, query=s.PatrolShiftQuery, response=s.PatrolShiftOut,
                  **read)
    runs.create("/patrol-runs", "start_run", "Start a patrol run on a route (for a shift: the roster patrols unless "
                "participants are given)", patrols.start_run, body=s.PatrolRunIn, response=s.PatrolRunOut, **patrol)
    runs.listing("/patrol-runs", "list_runs", "List patrol runs, newest first; from/to: started", patrols.runs,
                 query=s.PatrolRunQuery, response=s.PatrolRunOut, **read)
    runs.read("/patrol-runs/<run_id>", "get_run", "Read a patrol run, with its missed checkpoints once completed",
              patrols.get_run, response=s.PatrolRunOut, **read)
    runs.step("/patrol-runs/<run_id>/checkins", "check_in", "Check in at a checkpoint, optionally with a finding "
              "(hazard, suspicious, repair needed)", patrols.check_in, body=s.PatrolCheckinIn, takes=None,
              response=s.PatrolRunOut, **patrol)
    runs.step("/patrol-runs/<run_id>/complete", "complete_run", "Complete a patrol run: announces "
              "security.patrol.completed once, with every participant's minutes", patrols.complete_run,
              body=s.PatrolCompleteIn, takes=("ended_at",), response=s.PatrolRunOut, **patrol)
    return bp
