"""Patrols: routes and checkpoints, shifts and rosters, runs with check-ins, findings and completion."""
from __future__ import annotations

from flask import request

from liandong import idempotency
from liandong.auth import current_principal
from liandong.consumer import insert_once
from liandong.errors import Conflict, ValidationFailed
from liandong.ids import new_id
from liandong.openapi import api
from liandong.storage import subtree
from liandong.web import load_json

from ..domain.base import require_not_future
from ..domain.patrols import PatrolRun, Route, shift_status
from . import schemas as s
from .common import Context, load, page, view

TAGS = ["patrols"]


def run_view(run: PatrolRun) -> dict:
    return view(run, missed_checkpoints=run.missed_checkpoints, minutes=run.minutes if run.ended_at else None)


def register(bp, ctx: Context) -> None:
    routes, shifts, runs = ctx.repos.routes, ctx.repos.shifts, ctx.repos.runs

    def route_for(route_id: str, permission: str) -> Route:
        doc = load(routes, route_id, permission, "patrol route")
        return Route(id=doc["_id"], **{k: v for k, v in doc.items() if k != "_id"})

    def scoped(permission: str) -> dict:
        p = current_principal()
        if request.args.get("org_unit_id"):
            path = ctx.path_of(request.args["org_unit_id"])
            p.require(permission, path)
            return subtree(path)
        return p.scope_filter(permission)

    @bp.post("/patrol-routes")
    @api("Create a patrol route with its checkpoints", body=s.PatrolRouteIn, status=201, tags=TAGS,
         permission="security:patrol")
    def create_route():
        data = load_json(s.PatrolRouteIn)
        path = ctx.path_of(data["org_unit_id"])
        current_principal().require("security:patrol", path)
        doc = {"_id": idempotency.derived_id("patrol_route") or new_id(), "org_path": path,
               "org_unit_id": data["org_unit_id"], "name": data["name"],
               "checkpoints": [{"id": f"cp-{n}", **cp} for n, cp in enumerate(data["checkpoints"], 1)],
               "created_at": ctx.now()}
        if not insert_once(routes, doc):  # a retry (same Idempotency-Key): the route its first attempt stored
            doc = routes.find_one({"_id": doc["_id"]})
        return {"id": doc.pop("_id"), **doc}, 201

    @bp.get("/patrol-routes")
    @api("List patrol routes", tags=TAGS, permission="security:read")
    def list_routes():
        limit, offset = page()
        docs = routes.find(scoped("security:read"), sort=[("created_at", 1)], skip=offset, limit=limit)
        return {"items": [{"id": d.pop("_id"), **d} for d in docs], "limit": limit, "offset": offset}

    @bp.post("/patrol-shifts")
    @api("Plan a patrol shift with its roster (排班)", body=s.PatrolShiftIn, status=201, tags=TAGS,
         permission="security:patrol")
    def create_shift():
        data = load_json(s.PatrolShiftIn)
        route = route_for(data["route_id"], "security:patrol")
        doc = {"_id": idempotency.derived_id("patrol_shift") or new_id(), "org_path": route.org_path,
               "org_unit_id": route.org_unit_id, "route_id": route.id, "starts_at": data["starts_at"],
               "ends_at": data["ends_at"], "roster": data["roster"], "run_id": None, "created_at": ctx.now()}
        if not insert_once(shifts, doc):  # a retry: the shift its first attempt stored
            doc = shifts.find_one({"_id": doc["_id"]})
        return {"id": doc.pop("_id"), **doc, "status": shift_status(doc, ctx.now())}, 201

    @bp.get("/patrol-shifts")
    @api("List shifts with their status (planned, covered, missed); ?status=missed for missed shifts", tags=TAGS,
         permission="security:read")
    def list_shifts():
        limit, offset = page()
        now = ctx.now()
        flt = scoped("security:read")
        wanted = request.args.get("status")
        if wanted == "missed":
            flt = {"$and": [flt, {"ends_at": {"$lt": now}}, {"run_id": None}]}
        docs = shifts.find(flt, sort=[("starts_at", 1)], skip=offset, limit=limit)
        items = [{"id": d.pop("_id"), **d, "status": shift_status(d, now)} for d in docs]
        if wanted:
            items = [i for i in items if i["status"] == wanted]
        return {"items": items, "limit": limit, "offset": offset}

    @bp.post("/patrol-runs")
    @api("Start a patrol run on a route (for a shift: the roster patrols unless participants are given)",
         body=s.PatrolRunIn, response=s.PatrolRunOut, status=201, tags=TAGS, permission="security:patrol")
    def start_run():
        p = current_principal()
        data = load_json(s.PatrolRunIn)
        shift = None
        if data["shift_id"]:
            shift = load(shifts, data["shift_id"], "security:patrol", "patrol shift")
            if data["route_id"] and data["route_id"] != shift["route_id"]:
                raise ValidationFailed("the shift is on another route", {"route_id": ["not the shift's route"]})
        route = route_for(shift["route_id"] if shift else data["route_id"], "security:patrol")
        now = ctx.clock.now()
        started = require_not_future(data["started_at"], now, "started_at") if data["started_at"] else ctx.now()
        participants = data["participants"] or (shift["roster"] if shift else None)
        # the same id for every attempt of one request: a retry finds the shift claimed by its own run
        run = PatrolRun.start(id=idempotency.derived_id("patrol_run") or new_id(), org_path=route.org_path, org_unit_id=route.org_unit_id, route=route,
                              participants=participants or [], started_at=started, started_by=p.user_id,
                              shift_id=shift["_id"] if shift else None)
        if shift is not None:
            claimed = shifts.update_one({"_id": shift["_id"], "run_id": None}, {"$set": {"run_id": run.id}})
            if not claimed.matched_count and shift.get("run_id") != run.id:
                raise Conflict("this shift has a patrol run already", {"shift_id": ["covered already"]})
        runs.add(run)
        return run_view(run), 201

    @bp.get("/patrol-runs")
    @api("List patrol runs", response=s.PatrolRunOut, many=True, tags=TAGS, permission="security:read")
    def list_runs():
        limit, offset = page()
        flt = scoped("security:read")
        if request.args.get("status"):
            flt = {"$and": [flt, {"status": request.args["status"]}]}
        found = runs.find(flt, sort=[("started_at", -1)], skip=offset, limit=limit)
        return {"items": [run_view(r) for r in found], "limit": limit, "offset": offset}

    @bp.get("/patrol-runs/<run_id>")
    @api("Read a patrol run, with its missed checkpoints once completed", response=s.PatrolRunOut, tags=TAGS,
         permission="security:read")
    def get_run(run_id: str):
        return run_view(load(runs, run_id, "security:read", "patrol run"))

    @bp.post("/patrol-runs/<run_id>/checkins")
    @api("Check in at a checkpoint, optionally with a finding (hazard, suspicious, repair needed)",
         body=s.PatrolCheckinIn, response=s.PatrolRunOut, tags=TAGS, permission="security:patrol")
    def check_in(run_id: str):
        p = current_principal()
        run = load(runs, run_id, "security:patrol", "patrol run")
        data = load_json(s.PatrolCheckinIn)
        at = require_not_future(data["at"], ctx.clock.now(), "at") if data["at"] else ctx.now()
        run.check_in(data["checkpoint_id"], at, p.user_id, data["note"], data["finding"])
        runs.save(run)
        return run_view(run)

    @bp.post("/patrol-runs/<run_id>/complete")
    @api("Complete a patrol run: announces security.patrol.completed once, with every participant's minutes",
         body=s.PatrolCompleteIn, response=s.PatrolRunOut, tags=TAGS, permission="security:patrol")
    def complete_run(run_id: str):
        run = load(runs, run_id, "security:patrol", "patrol run")
        data = load_json(s.PatrolCompleteIn)
        ended = require_not_future(data["ended_at"], ctx.clock.now(), "ended_at") if data["ended_at"] else ctx.now()
        run.complete(ended)
        runs.save(run)
        return run_view(run)
