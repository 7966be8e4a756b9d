"""Totals add up to the fen at every level: "合计发放低保金、重残金、应急、零补 … 471906元"."""
from __future__ import annotations

import random

from welfare.domain.reports import payment_totals


def test_totals_per_programme_unit_and_month_add_up_to_471906_yuan():
    rng = random.Random(4)
    units = ["/chuanying/ceguan/yangshang/", "/chuanying/ceguan/yangchun/", "/chuanying/ceguan/yanghe/",
             "/chuanying/ceguan/yangzhong/g1/"]
    programmes = ["dibao_urban", "severe_disability", "temporary_aid", "rent_subsidy"]
    target, payments, left = 47190600, [], 47190600
    while left > 0:
        amount = min(left, rng.randint(1, 250000))  # odd fen amounts
        payments.append({"amount_fen": amount, "org_path": rng.choice(units), "programme": rng.choice(programmes),
                         "period": f"2026-{rng.randint(1, 12):02d}"})
        left -= amount
    totals = payment_totals(payments, "/chuanying/ceguan/")
    assert totals["total_fen"] == target and totals["total_yuan"] == "471906.00"
    for bucket in ("by_programme", "by_org_unit", "by_period"):
        assert sum(r["amount_fen"] for r in totals[bucket].values()) == target
        assert sum(r["payments"] for r in totals[bucket].values()) == len(payments)
    assert set(totals["by_org_unit"]) <= {"yangshang", "yangchun", "yanghe", "yangzhong"}  # grids roll up
    one = payment_totals([p for p in payments if p["org_path"].startswith("/chuanying/ceguan/yangchun/")],
                         "/chuanying/ceguan/yangchun/")
    assert one["total_fen"] == totals["by_org_unit"]["yangchun"]["amount_fen"]
