"""Pairing support (结对帮扶) and visits (走访 / 慰问)."""
from __future__ import annotations

from datetime import datetime

from liandong import idempotency
from liandong.auth import Principal
from liandong.errors import InvalidTransition, ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page

from ..adapters.visits import Visit
from .common import CHINA, UseCases, found


def local_day(at: str) -> str:
    return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(CHINA).date().isoformat()


def _public(pairing: dict) -> dict:
    """A pairing as answered: without the blind key that tells its household apart."""
    return {k: v for k, v in pairing.items() if k != "household_key"}


class Visits(UseCases):
    def pair(self, p: Principal, body: dict) -> dict:
        org_path = self.unit_path(p, "welfare:visit", body["org_unit_id"])
        pairings = self.stores.pairings
        pairing_id = idempotency.derived_id("pairing") or new_id()
        now = self.clock.now_iso()
        started_on = body.get("started_on") or local_day(now)
        if started_on > local_day(now):
            raise ValidationFailed("a pairing is recorded once it started", {"started_on": ["not in the future"]})
        pairing = {"_id": pairing_id, "org_path": org_path, "org_unit_id": body["org_unit_id"],
                   "helper_id": body["helper_id"], "helper_name": body["helper_name"],
                   "helper_kind": body["helper_kind"], "household": body["household"],
                   "household_key": pairings.household_key(body["household"]), "plan": body["plan"],
                   "goals": body.get("goals", []), "status": "active", "started_on": started_on, "counted": True,
                   "created_at": now, "created_by": p.user_id}
        # distinct helpers and households (the seeds' "108名干部…与127户"): whether no other pairing is active for them
        return _public(pairings.add(pairing, {"started_on": started_on, **self._alone(pairing, "first")}))

    def end(self, p: Principal, pairing_id: str, body: dict) -> dict:
        """A pairing ends (结对帮扶结束: the household no longer needs it, the helper left…)."""
        pairing = self._pairing(p, pairing_id, "welfare:visit")
        if pairing["status"] != "active":
            raise InvalidTransition(f"the pairing ended already ({pairing.get('ended_on')})")
        ended_on = body.get("ended_on") or local_day(self.clock.now_iso())
        if ended_on < pairing.get("started_on", ended_on) or ended_on > local_day(self.clock.now_iso()):
            raise ValidationFailed("a pairing ends after it started, and not in the future",
                                   {"ended_on": ["between the pairing's start and today"]})
        changes = {"status": "ended", "ended_on": ended_on, "end_reason": body["reason"]}
        return _public(self.stores.pairings.end(pairing, changes, {
            "ended_on": ended_on, "reason": body["reason"], **self._alone(pairing, "last")}))

    def _alone(self, pairing: dict, word: str) -> dict:
        """`first_for_…` / `last_for_…`: no other active pairing of the org unit has this helper / household. A
        pairing made before its events (#21) was never counted: its end moves no figure."""
        if not pairing.get("counted"):
            return {f"{word}_for_helper": False, f"{word}_for_household": False}
        others = self.stores.pairings.others_active
        unit, key = pairing["org_unit_id"], pairing["_id"]
        return {f"{word}_for_helper": not others(unit, "helper_id", pairing["helper_id"], key),
                f"{word}_for_household": not others(unit, "household_key", pairing["household_key"], key)}

    def _pairing(self, p: Principal, pairing_id: str, permission: str) -> dict:
        pairing = found(self.stores.pairings, "pairing", pairing_id)
        p.authorize(permission, pairing["org_path"], read="welfare:read", what="pairing", record_id=pairing_id)
        return pairing

    def pairing(self, p: Principal, pairing_id: str) -> tuple[dict, list[Visit]]:
        """A pairing and its visits."""
        return _public(self._pairing(p, pairing_id, "welfare:read")), self.stores.visits.of_pairing(pairing_id)

    def pairings(self, p: Principal, q: dict) -> Page:
        """Pairings in the caller's sight (or the `org_unit` asked), newest first; the blind key of each household
        stays here."""
        page = self.stores.pairings.page(self.scope(p, "welfare:read", q.get("org_unit")), q)
        page.items = [_public(pairing) for pairing in page.items]
        return page

    def visits(self, p: Principal, q: dict) -> Page:
        """Visits in the caller's sight (or the `org_unit` asked), newest first."""
        return self.stores.visits.page(self.scope(p, "welfare:read", q.get("org_unit")), q)

    def record(self, p: Principal, body: dict) -> Visit:
        org_path = self.unit_path(p, "welfare:visit", body["org_unit_id"])
        pairing_id = body.get("pairing_id")
        if pairing_id and self._pairing(p, pairing_id, "welfare:visit")["org_unit_id"] != body["org_unit_id"]:
            raise ValidationFailed("the pairing is of another org unit", {"pairing_id": ["a pairing of the org unit visited"]})
        now = self.clock.now_iso()
        visit = Visit(new_id(), org_path, body["org_unit_id"], "pairing" if pairing_id else body.get("kind", "home"),
                      body.get("visitor_id") or p.user_id, body.get("visitor_name") or p.name, body["visited"],
                      body.get("visited_at") or now, body.get("money_fen", 0), body.get("goods", ""),
                      body.get("notes", ""), body.get("follow_up", ""), pairing_id, now, events=["recorded"])
        return self.stores.visits.add(visit)

    def counts(self, p: Principal, q: dict) -> dict:
        """Visits per worker below an org unit in a time range ("走访1216次")."""
        org_unit_id, org_path = self.figures_root(p, "welfare:read", q.get("org_unit"))
        per_worker: dict[str, dict] = {}
        visits = self.stores.visits.in_period(org_path, q.get("from_"), q.get("to"))
        for v in visits:
            row = per_worker.setdefault(v.visitor_id, {"visitor_name": v.visitor_name, "visits": 0, "by_kind": {}})
            row["visits"] += 1
            row["by_kind"][v.kind] = row["by_kind"].get(v.kind, 0) + 1
        return {"org_unit_id": org_unit_id, "from": q.get("from_"), "to": q.get("to"), "visits": len(visits),
                "money_fen": sum(v.money_fen for v in visits), "per_worker": per_worker}
