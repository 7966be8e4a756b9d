"""Figures per org unit and period, with the same figures for each unit directly below it."""
from __future__ import annotations

from datetime import datetime, timezone

from liandong.auth import Principal
from liandong.clock import to_iso
from liandong.errors import Forbidden

from ..domain import statistics
from .base import READ, UseCases


class Statistics(UseCases):
    def _figures(self, path: str, start: str, end: str) -> dict:
        r = self.repos
        return {"incidents": statistics.incident_figures(r.incidents.reported_in(path, start, end)),
                "patrols": statistics.patrol_figures(r.runs.started_in(path, start, end)),
                "migrants": statistics.migrant_figures(r.migrants.active_in(path), start),
                "mediation": statistics.mediation_figures(r.disputes.outcomes_mediated_in(path, start, end))}

    def figures(self, principal: Principal, query: dict) -> dict:
        """For `org_unit` (by default the caller's widest unit) over `from`..`to` (by default this
        calendar year up to now); every rate from summed cases."""
        widest = min(principal.grants, key=lambda g: len(g.org_path), default=None)
        if not (query.get("org_unit") or widest):
            raise Forbidden(f"{READ} is not granted")
        unit_id = query.get("org_unit") or widest.org_unit
        unit = self.org.active(unit_id, "org_unit")
        path = unit["path"]
        principal.require(READ, path)
        now = self.clock.now()
        start = query.get("from_") or to_iso(datetime(now.year, 1, 1, tzinfo=timezone.utc))
        end = query.get("to") or to_iso(now)
        by_unit = [{"org_unit_id": child["_id"], "name": child["name"], **self._figures(child["path"], start, end)}
                   for child in self.org.children(unit_id)]
        return {"org_unit_id": unit_id, "name": unit["name"], "period": {"from": start, "to": end},
                **self._figures(path, start, end), "by_unit": by_unit}
