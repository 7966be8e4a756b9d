"""Incidents (治安事件 / 突发事件): report, dispatch, on scene, resolve, close, verify; list and read."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import Forbidden, ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page

from ..domain.incidents import Incident
from .base import READ, UseCases, in_sight

HANDLE = "security:handle"
REPORT = "security:report"


class Incidents(UseCases):
    def _incident(self, principal: Principal, incident_id: str, permission: str, own_may: bool = False) -> Incident:
        """The incident for `permission`; its reporter sees it (a refusal is 403, not 404), and with
        `own_may` their own is theirs to do this on."""
        incident = self.repos.incidents.get_or_none(incident_id)
        mine = incident is not None and incident.reporter_user_id == principal.user_id
        if mine and own_may:
            return incident
        return in_sight(principal, incident, permission, "incident", incident_id, own=mine)

    def report(self, principal: Principal, data: dict) -> Incident:
        path = self.path_of(data["org_unit_id"])
        principal.require(REPORT, path)
        if data.get("patrol_run_id"):
            # found on a patrol: the run must be one the reporter sees, and the incident inside its area
            run = in_sight(principal, self.repos.runs.get_or_none(data["patrol_run_id"]), REPORT, "patrol run",
                           data["patrol_run_id"])
            if not path.startswith(run.org_path):
                raise ValidationFailed("the incident lies outside the patrol's area", {"patrol_run_id": [
                    "a patrol run of this org unit or one above it"]})
        kind = data.pop("reported_by_kind", None)
        kind = "resident" if principal.roles == {"resident"} else (kind or "staff")
        incident = Incident.report(id=new_id(), org_path=path, reporter_user_id=principal.user_id,
                                   reported_by_kind=kind, now=self.now(), **data)
        return self.repos.incidents.add(incident)

    def page(self, principal: Principal, query: dict) -> Page:
        """Incidents in the caller's scope; a resident who may report (not read) lists their own reports."""
        if principal.has(READ):
            return self.repos.incidents.page(query, self.paths(principal, READ, query.get("org_unit")))
        if principal.has(REPORT):
            within = [self.path_of(query["org_unit"], "org_unit")] if query.get("org_unit") else None
            return self.repos.incidents.page(query, within, reporter_user_id=principal.user_id)
        raise Forbidden(f"{READ} is not granted")

    def get(self, principal: Principal, incident_id: str) -> Incident:
        return self._incident(principal, incident_id, READ, own_may=True)

    def _handle(self, principal: Principal, incident_id: str, step) -> Incident:
        return self.change(self.repos.incidents, lambda: self._incident(principal, incident_id, HANDLE), step)

    def dispatch(self, principal: Principal, incident_id: str, assignee: str) -> Incident:
        return self._handle(principal, incident_id, lambda i: i.dispatch(assignee, self.now(), principal.user_id))

    def arrive(self, principal: Principal, incident_id: str) -> Incident:
        return self._handle(principal, incident_id, lambda i: i.arrive(self.now(), principal.user_id))

    def resolve(self, principal: Principal, incident_id: str, resolution: str) -> Incident:
        return self._handle(principal, incident_id, lambda i: i.resolve(resolution, self.now(), principal.user_id))

    def close(self, principal: Principal, incident_id: str) -> Incident:
        return self._handle(principal, incident_id, lambda i: i.close(self.now(), principal.user_id))

    def verify(self, principal: Principal, incident_id: str) -> Incident:
        return self._handle(principal, incident_id, lambda i: i.verify(principal.user_id))
