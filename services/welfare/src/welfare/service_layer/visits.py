"""Pairing support (结对帮扶) and visits (走访 / 慰问)."""
from __future__ import annotations

from liandong import idempotency
from liandong.auth import Principal
from liandong.errors import ValidationFailed
from liandong.ids import new_id

from ..adapters.repositories import Visit
from .common import UseCases, found


class Visits(UseCases):
    def pair(self, p: Principal, body: dict) -> dict:
        org_path = self.unit_path(p, "welfare:visit", body["org_unit_id"])
        return self.stores.pairings.add({  # a retry (its id derived from its key): the pairing first stored
            "_id": idempotency.derived_id("pairing") or new_id(), "org_path": org_path,
            "org_unit_id": body["org_unit_id"], "helper_id": body["helper_id"], "helper_name": body["helper_name"],
            "helper_kind": body["helper_kind"], "household": body["household"], "plan": body["plan"],
            "goals": body.get("goals", []), "status": "active", "created_at": self.clock.now_iso(),
            "created_by": p.user_id})

    def _pairing(self, p: Principal, pairing_id: str, permission: str) -> dict:
        pairing = found(self.stores.pairings, "pairing", pairing_id)
        p.authorize(permission, pairing["org_path"], read="welfare:read", what="pairing", record_id=pairing_id)
        return pairing

    def pairing(self, p: Principal, pairing_id: str) -> tuple[dict, list[Visit]]:
        """A pairing and its visits."""
        return self._pairing(p, pairing_id, "welfare:read"), self.stores.visits.of_pairing(pairing_id)

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
