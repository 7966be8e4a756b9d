"""Patrols (巡逻): routes and checkpoints, shifts and rosters, runs with check-ins, findings and completion."""
from __future__ import annotations

from liandong import idempotency
from liandong.auth import Principal
from liandong.errors import Conflict, ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page

from ..domain.patrols import PatrolRun, Route, shift_status
from .base import READ, UseCases, in_sight

PATROL = "security:patrol"


class Patrols(UseCases):
    def _route(self, principal: Principal, route_id: str, permission: str) -> Route:
        return Route(**in_sight(principal, self.repos.routes.get(route_id), permission, "patrol route", route_id))

    def _run(self, principal: Principal, run_id: str, permission: str) -> PatrolRun:
        return in_sight(principal, self.repos.runs.get_or_none(run_id), permission, "patrol run", run_id)

    def _with_status(self, shift: dict) -> dict:
        return {**shift, "status": shift_status(shift, self.now())}

    # -- routes and shifts

    def create_route(self, principal: Principal, data: dict) -> dict:
        path = self.path_of(data["org_unit_id"])
        principal.require(PATROL, path)
        return self.repos.routes.add({
            "org_path": path, "org_unit_id": data["org_unit_id"], "name": data["name"],
            "checkpoints": [{"id": f"cp-{n}", **cp} for n, cp in enumerate(data["checkpoints"], 1)],
            "created_at": self.now()})

    def routes(self, principal: Principal, query: dict) -> Page:
        return self.repos.routes.page(query, self.paths(principal, READ, query.get("org_unit")))

    def plan_shift(self, principal: Principal, data: dict) -> dict:
        route = self._route(principal, data["route_id"], PATROL)
        return self._with_status(self.repos.shifts.add({
            "org_path": route.org_path, "org_unit_id": route.org_unit_id, "route_id": route.id,
            "starts_at": data["starts_at"], "ends_at": data["ends_at"], "roster": data["roster"], "run_id": None,
            "created_at": self.now()}))

    def shifts(self, principal: Principal, query: dict) -> Page:
        page = self.repos.shifts.page(query, self.paths(principal, READ, query.get("org_unit")), self.now())
        page.items = [self._with_status(s) for s in page.items]
        return page

    # -- runs

    def start_run(self, principal: Principal, data: dict) -> PatrolRun:
        """On a route, or for a shift (its roster patrols unless participants are given; one run a shift)."""
        shift = None
        if data["shift_id"]:
            shift = in_sight(principal, self.repos.shifts.get(data["shift_id"]), PATROL, "patrol shift", data["shift_id"])
            if data["route_id"] and data["route_id"] != shift["route_id"]:
                raise ValidationFailed("the shift is on another route", {"route_id": ["not the shift's route"]})
        route = self._route(principal, shift["route_id"] if shift else data["route_id"], PATROL)
        started = self.at_or_now(data["started_at"], "started_at")
        participants = data["participants"] or (shift["roster"] if shift else None)
        # the same id for every attempt of one request: a retry finds the shift claimed by its own run
        run = PatrolRun.start(id=idempotency.derived_id("patrol_run") or new_id(), org_path=route.org_path,
                              org_unit_id=route.org_unit_id, route=route, participants=participants or [],
                              started_at=started, started_by=principal.user_id, shift_id=shift["id"] if shift else None)
        if shift is not None and not self.repos.shifts.claim(shift["id"], run.id) and shift.get("run_id") != run.id:
            raise Conflict("this shift has a patrol run already", {"shift_id": ["covered already"]})
        return self.repos.runs.add(run)

    def runs(self, principal: Principal, query: dict) -> Page:
        return self.repos.runs.page(query, self.paths(principal, READ, query.get("org_unit")))

    def get_run(self, principal: Principal, run_id: str) -> PatrolRun:
        return self._run(principal, run_id, READ)

    def check_in(self, principal: Principal, run_id: str, data: dict) -> PatrolRun:
        return self.change(self.repos.runs, lambda: self._run(principal, run_id, PATROL), lambda run: run.check_in(
            data["checkpoint_id"], self.at_or_now(data["at"], "at"), principal.user_id, data["note"], data["finding"]))

    def complete_run(self, principal: Principal, run_id: str, ended_at: str | None) -> PatrolRun:
        return self.change(self.repos.runs, lambda: self._run(principal, run_id, PATROL),
                           lambda run: run.complete(self.at_or_now(ended_at, "ended_at")))
