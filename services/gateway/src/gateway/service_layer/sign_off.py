"""Use cases of filing reports: sign-off and lock of a unit's period (submit, approve, accept, unlock), the units'
dated profiles (基本情况) and the narrative sections of a unit's year. Every act is in the audit trail."""
from __future__ import annotations

from datetime import date

from liandong.auth import Principal
from liandong.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from liandong.listing import day_of

from .. import SERVICE
from ..adapters.audit_log import AuditLog
from ..adapters.report_filings import Approvals, Narratives, Profiles
from ..domain.sign_off import (ACCEPTED, APPROVED, FILED, FILING_LEVELS, OPEN, STATE_NAMES, SUBMITTED, Period,
                               as_pairs, from_pairs)
from .reports import OrgIndex, Reports

# the level that acts, as the unit it acts from is named in refusals
_ABOVE = {"community": "its sub-district", "subdistrict": "the district"}


def _actor(principal: Principal, at: str) -> dict:
    return {"user_id": principal.user_id, "name": principal.name, "at": at}


class Filing:
    """What every filing use case needs: the tree, the clock, the audit trail, and who may see which unit."""

    def __init__(self, orgs: OrgIndex, audit: AuditLog, clock, correlation=lambda: None):
        """`correlation()`: the id of the request being answered, for the audit trail."""
        self.orgs, self.audit, self.clock, self.correlation = orgs, audit, clock, correlation

    def unit(self, principal: Principal, unit_id: str, permission: str) -> dict:
        """The unit, if the caller sees it (reports:read over it, or `permission`): else 404 in the same words as
        for no such unit; 403 when they see it but lack `permission` there."""
        unit = self.orgs.unit(unit_id)
        if unit is None:
            raise NotFound(f"no org unit {unit_id!r}")
        principal.authorize(permission, unit["path"], read="reports:read", what="org unit", record_id=unit_id)
        return unit

    def parent(self, unit: dict) -> dict | None:
        return self.orgs.unit(unit["parent_id"]) if unit.get("parent_id") else None

    def record(self, principal: Principal, action: str, path: str, method: str = "POST", **extra) -> None:
        self.audit.record(user_id=principal.user_id, name=principal.name, roles=sorted(principal.roles),
                          org_path=principal.grants[0].org_path if principal.grants else "/", action=action,
                          method=method, path=path, service=SERVICE, status=200, fields=[],
                          correlation_id=self.correlation(), extra=extra)


def _view(doc: dict | None, unit: dict, period: Period) -> dict:
    doc = doc or {}
    state = doc.get("state", OPEN)
    out = {"org_unit_id": unit["_id"], "org_unit_name": unit["name"], "level": unit["level"],
           "period": period.code, "from": period.start.isoformat(), "to": period.end.isoformat(),
           "state": state, "state_name": STATE_NAMES[state], "version": doc.get("_v", 0),
           "history": doc.get("history", [])}
    for step in ("submitted", "approved", "accepted", "unlocked"):
        if doc.get(step):
            out[step] = doc[step]
    if doc.get("unlock_reason"):
        out["unlock_reason"] = doc["unlock_reason"]
    if state in FILED:
        out["filed_at"] = doc["filed_at"]
        out["filed"] = from_pairs(doc.get("filed"))
    return out


class SignOff(Filing):
    """Submit (the unit), approve (the level above), accept (the level above that), unlock (the level above)."""

    def __init__(self, orgs: OrgIndex, audit: AuditLog, clock, approvals: Approvals, reports: Reports, **kw):
        super().__init__(orgs, audit, clock, **kw)
        self.approvals, self.reports = approvals, reports

    def _filing(self, principal: Principal, unit_id: str, code: str):
        period = Period.parse(code)
        unit = self.unit(principal, unit_id, "reports:read")
        if unit["level"] not in FILING_LEVELS:
            raise ValidationFailed("this unit files no periods",
                                   {"org_unit_id": ["communities and sub-districts file their periods"]})
        doc = self.approvals.get(unit_id, period.code)
        return unit, period, doc

    def _above(self, principal: Principal, unit: dict, permission: str, levels: int, act: str) -> None:
        """`permission` held at the unit `levels` above `unit`: the level above acts, never the unit itself."""
        target = unit
        for _ in range(levels):
            target = self.parent(target) if target else None
        if target is not None and principal.can(permission, target["path"]):
            return
        if principal.can(permission, unit["path"]):
            raise Forbidden(f"you cannot {act} your own unit's period: {_ABOVE[unit['level']]} does"
                            if levels == 1 else f"you cannot {act} an approval made at your own level")
        raise Forbidden(f"{permission} is not granted for this org unit")

    def state(self, principal: Principal, unit_id: str, code: str) -> dict:
        unit, period, doc = self._filing(principal, unit_id, code)
        out = _view(doc, unit, period)
        out["children"] = [{"org_unit_id": c["_id"], "name": c["name"], "level": c["level"],
                            "state": (found or {}).get("state", OPEN)}
                           for c in self.orgs.children(unit_id) if c["level"] in FILING_LEVELS
                           for found in [self.approvals.get(c["_id"], period.code)]]
        return out

    def page(self, principal: Principal, q: dict):
        period = Period.parse(q["period"]).code if q.get("period") else None
        path = None
        if q.get("org_unit"):
            path = self.unit(principal, q["org_unit"], "reports:read")["path"]
        paths = principal.list_paths("reports:read", path)
        within = tuple(d.isoformat() if (d := day_of(q.get(k))) else None for k in ("from_", "to"))
        found = self.approvals.page(paths, period, q.get("state"), q["page"], q["page_size"], within)
        # each as one period's own answer shows it (a unit retired since keeps its stored path and id)
        found.items = [_view(d, self.orgs.unit(d["org_unit_id"]) or {"_id": d["org_unit_id"], "name": d["org_unit_id"],
                                                                     "level": d["level"]}, Period.parse(d["period"]))
                       for d in found.items]
        return found

    def _move(self, principal: Principal, unit: dict, period: Period, doc: dict | None, action: str, state: str,
              extra: dict | None = None, reason: str | None = None) -> dict:
        now = self.clock.now_iso()
        step = {"action": action, "state": state, **_actor(principal, now), **({"reason": reason} if reason else {})}
        fields = {"org_unit_id": unit["_id"], "org_path": unit["path"], "level": unit["level"], "period": period.code,
                  "starts_on": period.start.isoformat(), "ends_on": period.end.isoformat(), "state": state,
                  **(extra or {})}
        saved = self.approvals.write(unit["_id"], period.code, (doc or {}).get("_v", 0), fields, step)
        self.record(principal, action, f"/api/v1/reports/approvals/{unit['_id']}/{period.code}/{action}",
                    report={"org_unit_id": unit["_id"], "period": period.code, "state": state,
                            **({"reason": reason} if reason else {})})
        return _view(saved, unit, period)

    def submit(self, principal: Principal, unit_id: str, code: str) -> dict:
        unit, period, doc = self._filing(principal, unit_id, code)
        principal.authorize("reports:submit", unit["path"], read="reports:read", what="org unit", record_id=unit_id)
        today = self.clock.today()
        if not period.ended(today):
            raise ValidationFailed("the period has not ended yet",
                                   {"period": [f"{period.code} ends on {period.end.isoformat()}: submit it after"]})
        state = (doc or {}).get("state", OPEN)
        if state != OPEN:
            raise InvalidTransition(f"{period.code} of {unit['name']} is {state} already")
        return self._move(principal, unit, period, doc, "submit", SUBMITTED,
                          {"submitted": _actor(principal, self.clock.now_iso())})

    def approve(self, principal: Principal, unit_id: str, code: str) -> dict:
        unit, period, doc = self._filing(principal, unit_id, code)
        self._above(principal, unit, "reports:approve", 1, "approve")
        state = (doc or {}).get("state", OPEN)
        if state != SUBMITTED:
            raise InvalidTransition(f"{period.code} of {unit['name']} is {state}: only a submitted period is approved"
                                    if state != OPEN else
                                    f"{period.code} of {unit['name']} has not been submitted: its unit submits it first")
        # the figures freeze now: what the unit files (its filed units' as they filed them)
        filed = self.reports.filed_figures(unit, period)
        now = self.clock.now_iso()
        return self._move(principal, unit, period, doc, "approve", APPROVED,
                          {"approved": _actor(principal, now), "filed": as_pairs(filed), "filed_at": now})

    def accept(self, principal: Principal, unit_id: str, code: str) -> dict:
        unit, period, doc = self._filing(principal, unit_id, code)
        if self.parent(unit) is None or self.parent(self.parent(unit)) is None:
            raise InvalidTransition(f"{unit['name']}'s periods are approved by the top of the tree: nothing above "
                                    "accepts them")
        self._above(principal, unit, "reports:accept", 2, "accept")
        state = (doc or {}).get("state", OPEN)
        if state != APPROVED:
            raise InvalidTransition(f"{period.code} of {unit['name']} is {state}: only an approved period is accepted")
        return self._move(principal, unit, period, doc, "accept", ACCEPTED,
                          {"accepted": _actor(principal, self.clock.now_iso())})

    def unlock(self, principal: Principal, unit_id: str, code: str, reason: str) -> dict:
        unit, period, doc = self._filing(principal, unit_id, code)
        state = (doc or {}).get("state", OPEN)
        if state == ACCEPTED:  # the acceptance is undone by the level that gave it
            self._above(principal, unit, "reports:accept", 2, "unlock")
        else:
            self._above(principal, unit, "reports:approve", 1, "unlock")
        if state == OPEN:
            raise InvalidTransition(f"{period.code} of {unit['name']} is open: there is nothing to unlock")
        parent = self.parent(unit)
        above = self.approvals.get(parent["_id"], period.code) if parent else None
        if (above or {}).get("state") in FILED:  # what the level above filed holds this unit's filed figures
            raise InvalidTransition(f"{period.code} of {parent['name']} is filed with this unit's figures: "
                                    "unlock it first")
        return self._move(principal, unit, period, doc, "unlock", OPEN,
                          {"unlocked": _actor(principal, self.clock.now_iso()), "unlock_reason": reason,
                           "filed": None, "filed_at": None, "submitted": None, "approved": None, "accepted": None},
                          reason=reason)


PROFILE_FIELDS = ("population", "households", "area_km2", "grids")


def _summed(parts: list[dict]) -> dict:
    out = {k: sum(p.get(k) or 0 for p in parts) for k in PROFILE_FIELDS}
    out["area_km2"] = round(out["area_km2"], 4)
    return out


class UnitProfiles(Filing):
    """Population, households, area (km²) and grids of an org unit, as of a date (org:admin edits them)."""

    def __init__(self, orgs: OrgIndex, audit: AuditLog, clock, profiles: Profiles, **kw):
        super().__init__(orgs, audit, clock, **kw)
        self.profiles = profiles

    def keep(self, principal: Principal, unit_id: str, body: dict) -> tuple[dict, bool]:
        unit = self.unit(principal, unit_id, "org:admin")
        as_of = body["as_of"].isoformat()
        fields = {**{k: body[k] for k in PROFILE_FIELDS}, "org_path": unit["path"],
                  "updated_at": self.clock.now_iso(), "updated_by": _actor(principal, self.clock.now_iso())}
        profile, created = self.profiles.put(unit_id, as_of, fields)
        self.record(principal, "change", f"/api/v1/org/units/{unit_id}/profiles",
                    profile={"org_unit_id": unit_id, "as_of": as_of, **{k: body[k] for k in PROFILE_FIELDS}})
        return profile, created

    def page(self, principal: Principal, unit_id: str, q: dict):
        self.unit(principal, unit_id, "reports:read")
        from_, to = (d.isoformat() if (d := day_of(q.get(k))) else None for k in ("from_", "to"))
        return self.profiles.page(unit_id, q["page"], q["page_size"], from_, to)

    def in_force(self, unit: dict, on: date) -> dict | None:
        """The unit's profile at `on`: its own, else the sum of its child units' (each its own or summed in turn)."""
        own = self.profiles.in_force(unit["_id"], on.isoformat())
        if own is not None:
            return {**own, "source": "own"}
        children = [c for c in self.orgs.children(unit["_id"]) if c["level"] in FILING_LEVELS and not c.get("retired")]
        parts = [p for child in children for p in [self.in_force(child, on)] if p is not None]
        if not parts:
            return None
        # `units`: the child units summed; `of_units`: all of them (a 街道 says how many communities it has, and
        # whose figures the sum is when some have no profile yet)
        return {"org_unit_id": unit["_id"], "as_of": max(p["as_of"] for p in parts), **_summed(parts),
                "source": "children", "units": len(parts), "of_units": len(children)}

    def of_report(self, unit_id: str, on: date) -> dict | None:
        """The profile a report opens with (the caller was checked by the report)."""
        unit = self.orgs.unit(unit_id)
        return None if unit is None else self.in_force(unit, on)

    def profile(self, principal: Principal, unit_id: str, on: date | None) -> dict:
        unit = self.unit(principal, unit_id, "reports:read")
        found = self.in_force(unit, on or self.clock.today())
        if found is None:
            raise NotFound(f"no profile of org unit {unit_id!r} at that date")
        return found


NARRATIVE_SECTIONS = {"cases": "典型案例", "plans": "下一步打算", "text": "其他工作"}


class ReportNarratives(Filing):
    """The written sections of a unit's report: the year's (the annual report prints them) and each month's (that
    month's report, 月报, prints them: a month's 典型案例 are not the year's). Edited by reports:export holders of the
    unit, audited."""

    def __init__(self, orgs: OrgIndex, audit: AuditLog, clock, narratives: Narratives, **kw):
        super().__init__(orgs, audit, clock, **kw)
        self.narratives = narratives

    @staticmethod
    def _view(doc: dict | None, unit_id: str, year: int, month: int | None) -> dict:
        doc = doc or {}
        return {"org_unit_id": unit_id, "year": year, **({"month": month} if month else {}),
                **{k: doc.get(k, "") for k in NARRATIVE_SECTIONS},
                "version": doc.get("_v", 0), **({"updated": doc["updated"]} if doc.get("updated") else {})}

    @staticmethod
    def _period(year: int, month: int | None) -> str:
        """The key of the sections: `2026` (the year's) or `2026-03` (a month's)."""
        if not 2000 <= year <= 2100:
            raise ValidationFailed("invalid year", {"year": ["a calendar year 2000-2100"]})
        if month is not None and not 1 <= month <= 12:
            raise ValidationFailed("invalid month", {"month": ["a month 1-12"]})
        return f"{year}-{month:02d}" if month else str(year)

    def get(self, principal: Principal, unit_id: str, year: int, month: int | None = None) -> dict:
        period = self._period(year, month)
        self.unit(principal, unit_id, "reports:read")
        return self._view(self.narratives.get(unit_id, period), unit_id, year, month)

    def of_report(self, unit_id: str, year: int, month: int | None = None) -> dict:
        """The sections as the report of the year (or of the month) prints them (the caller was checked by it)."""
        return self._view(self.narratives.get(unit_id, self._period(year, month)), unit_id, year, month)

    def put(self, principal: Principal, unit_id: str, year: int, body: dict, month: int | None = None) -> dict:
        period = self._period(year, month)
        unit = self.unit(principal, unit_id, "reports:export")
        doc = self.narratives.get(unit_id, period)
        sections = {k: (body.get(k) or "").strip() for k in NARRATIVE_SECTIONS}
        changed = sorted(k for k, v in sections.items() if v != (doc or {}).get(k, ""))
        if not changed:  # a repeated write (a retry after a lost answer) changes nothing and is no conflict
            return self._view(doc, unit_id, year, month)
        if body.get("version") is not None and body["version"] != (doc or {}).get("_v", 0):
            raise InvalidTransition("the sections were changed since you read them: read them again")
        saved = self.narratives.write(unit_id, period, (doc or {}).get("_v", 0), {
            "org_unit_id": unit_id, "org_path": unit["path"], "year": year, **({"month": month} if month else {}),
            **sections, "updated": _actor(principal, self.clock.now_iso())})
        self.record(principal, "change", f"/api/v1/reports/narratives/{unit_id}/{period.replace('-', '/')}",
                    narrative={"org_unit_id": unit_id, "year": year, **({"month": month} if month else {}),
                               "sections": changed})
        return self._view(saved, unit_id, year, month)
