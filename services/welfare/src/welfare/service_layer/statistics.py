"""Statistics per org unit and period: households and people per programme, money, goods, fund, visits."""
from __future__ import annotations

from liandong.auth import Principal

from ..domain.money import fen_to_yuan
from .common import UseCases, month_of


class Statistics(UseCases):
    def figures(self, p: Principal, q: dict) -> dict:
        """Payments count by the month they pay (the months of `from`..`to`); goods, fund entries and visits
        by their time within `from`..`to`."""
        org_unit_id, org_path = self.figures_root(p, "welfare:read", q.get("org_unit"))
        since, until = q.get("from_"), q.get("to")
        programmes: dict[str, dict] = {}
        seen: dict[str, set] = {}
        for pay in self.stores.payments.in_periods(org_path, month_of(since), month_of(until)):
            row = programmes.setdefault(pay["programme"], {"households": 0, "people": 0, "amount_fen": 0})
            row["amount_fen"] += pay["amount_fen"]
            if pay["grant_id"] not in seen.setdefault(pay["programme"], set()):
                seen[pay["programme"]].add(pay["grant_id"])
                row["households"] += 1
                row["people"] += pay["household_size"]
        for row in programmes.values():
            row["amount_yuan"] = fen_to_yuan(row["amount_fen"])
        moves = self.stores.movements.in_period(org_path, since, until)
        out_moves = [m for m in moves if m["kind"] in ("handout", "redemption")]
        entries = self.stores.fund_entries.in_period(org_path, since, until)
        fund_in = sum(e["amount_fen"] for e in entries if e["amount_fen"] > 0)
        fund_out = -sum(e["amount_fen"] for e in entries if e["amount_fen"] < 0)
        visits = self.stores.visits.in_period(org_path, since, until)
        disbursed = sum(r["amount_fen"] for r in programmes.values())
        goods_value = sum(m["value_fen"] for m in out_moves)
        return {"org_unit_id": org_unit_id, "from": since, "to": until,
                "months": {"first": month_of(since), "last": month_of(until)},
                "programmes": dict(sorted(programmes.items())),
                "active_grants_now": self.stores.grants.active_per_programme(org_path),
                "disbursed_fen": disbursed, "disbursed_yuan": fen_to_yuan(disbursed),
                "goods": {"handouts": len(out_moves), "households": len({m["recipient"] for m in out_moves}),
                          "quantity": sum(m["quantity"] for m in out_moves), "value_fen": goods_value,
                          "value_yuan": fen_to_yuan(goods_value),
                          "donations": sum(1 for m in moves if m["kind"] == "donation")},
                "fund": {"in_fen": fund_in, "out_fen": fund_out, "in_yuan": fen_to_yuan(fund_in),
                         "out_yuan": fen_to_yuan(fund_out)},
                "visits": {"count": len(visits), "money_fen": sum(v.money_fen for v in visits)}}
