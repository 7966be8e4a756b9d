"""The reception roster (接访日) of a sub-district: who receives petitioners on which day, and the gaps."""
from __future__ import annotations

from datetime import date

from liandong.auth import Principal
from liandong.errors import NotFound, ValidationFailed
from liandong.listing import Page, day_of

from ..domain.roster import DutyDay, days_between, gaps
from .cases import Cases


class Roster:
    def __init__(self, cases: Cases):
        self.cases = cases
        self.roster = cases.roster

    def _subdistrict(self, subdistrict_id: str, field: str = "subdistrict_id") -> dict:
        """The sub-district a request names (in `field`): an unknown unit, or one of another level, is a 422."""
        unit = self.cases.unit(subdistrict_id, field)
        if unit["level"] != "subdistrict":
            raise ValidationFailed("not a sub-district", {field: [f"{subdistrict_id} is a {unit['level']}"]})
        return unit

    def put_duty(self, subdistrict_id: str, day: date, leader_name: str, title: str, principal: Principal) -> dict:
        unit = self._subdistrict(subdistrict_id)
        principal.require("petition:supervise", unit["path"])
        duty = DutyDay.create(subdistrict_id, day, leader_name, title)
        self.roster.put(duty, unit["path"], {"user_id": principal.user_id, "name": principal.name},
                        self.cases.clock.now_iso())
        return {"subdistrict_id": subdistrict_id, "day": day.isoformat(), "leader_name": duty.leader_name,
                "title": duty.title}

    def delete_duty(self, subdistrict_id: str, day: date, principal: Principal) -> None:
        unit = self._subdistrict(subdistrict_id)
        principal.require("petition:supervise", unit["path"])
        if not self.roster.delete(subdistrict_id, day):
            raise NotFound(f"nobody is on duty at {subdistrict_id} on {day.isoformat()}")

    def view(self, args: dict, principal: Principal) -> Page:
        """`args`: the loaded `RosterQuery`. The days with a leader on duty (a page of them, by day) and,
        beside the page, every day of the period nobody is (`gaps`)."""
        subdistrict_id = args["org_unit"]
        unit = self._subdistrict(subdistrict_id, "org_unit")
        principal.require("petition:read", unit["path"])
        start, end = day_of(args["from_"]), day_of(args["to"])
        days_between(start, end)
        rows = self.roster.between(subdistrict_id, start, end)
        covered = {date.fromisoformat(r["day"]) for r in rows}
        days = [{"day": r["day"], "leader_name": r["leader_name"], "title": r.get("title", "")} for r in rows]
        return Page.of_all(days, args["page"], args["page_size"], subdistrict_id=subdistrict_id,
                           **{"from": start.isoformat(), "to": end.isoformat()}, gaps=gaps(start, end, covered))
