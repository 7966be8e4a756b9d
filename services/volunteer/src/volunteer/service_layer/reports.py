"""Use cases of the figures: an org unit's statistics for a period, and the recognition ranking."""
from __future__ import annotations

from liandong.auth import Principal

from ..domain import model
from .access import Access, Stores


def hours(minutes: int) -> float:
    return round(minutes / 60, 2)


class Reports:
    def __init__(self, stores: Stores, access: Access):
        self.s, self.access = stores, access

    def stats(self, p: Principal, q: dict) -> dict:
        org_path, since, until = self.access.report_path(p, q["org_unit"]), q["from_"], q["to"]
        vols = self.s.volunteers.serving(org_path)
        rows = self.s.attendance.served_in(org_path, since, until)
        entries = self.s.ledger.entries_in(org_path, since, until)
        credited = sum(e["coins"] for e in entries if e["from_account"].startswith("issuer:")) - sum(
            e["coins"] for e in entries if e["to_account"].startswith("issuer:"))
        minutes = sum(r["minutes"] for r in rows)
        # carried forward from the offices' books on rollout day: apart from the period's service and issuance
        opening = sum(r["minutes"] for r in self.s.attendance.opening_in(org_path, since, until))
        return {"org_path": org_path, "from": since, "to": until, "volunteers": len(vols),
                "teams": len(self.s.teams.in_subtree(org_path)),
                "activities": self.s.activities.held_in(org_path, since, until), "participant_times": len(rows),
                "minutes": minutes, "hours": hours(minutes), "coins_credited": credited,
                "opening_hours": hours(opening),
                "coins_opening": sum(e["coins"] for e in entries if e["kind"] == "opening"),
                "coins_redeemed": sum(e["coins"] for e in entries if e["kind"] == "redemption"),
                "volunteers_by_kind": {k: sum(1 for v in vols if v["kind"] == k) for k in model.VOLUNTEER_KINDS}}

    def recognition(self, p: Principal, q: dict) -> dict:
        org_path = self.access.report_path(p, q["org_unit"])
        per: dict[str, dict] = {}
        for r in self.s.attendance.served_in(org_path, q["from_"], q["to"]):
            one = per.setdefault(r["volunteer_id"], {"volunteer_id": r["volunteer_id"], "activities": 0,
                                                     "minutes": 0, "coins": 0})
            one["activities"] += 1
            one["minutes"] += r["minutes"]
            one["coins"] += r["coins"]
        names = self.s.volunteers.names(list(per))
        ranking = sorted(per.values(), key=lambda x: (-x["minutes"], -x["coins"], x["volunteer_id"]))
        for i, one in enumerate(ranking, 1):
            one.update(rank=i, name=names.get(one["volunteer_id"]), hours=hours(one["minutes"]))
        teams = []
        for t in self.s.teams.in_subtree(org_path):
            members = [per[m] for m in t.member_ids if m in per]
            minutes = sum(m["minutes"] for m in members)
            teams.append({"team_id": t.id, "name": t.name, "type": t.type, "members": len(t.member_ids),
                          "activities": sum(m["activities"] for m in members), "minutes": minutes,
                          "hours": hours(minutes), "coins": sum(m["coins"] for m in members)})
        teams.sort(key=lambda t: (-t["minutes"], t["team_id"]))
        return {"org_path": org_path, "from": q["from_"], "to": q["to"], "volunteers": ranking[:q["top"]],
                "teams": teams}
