"""Report arithmetic: totals of payments per programme, child org unit and month, exact to the fen."""
from __future__ import annotations

from typing import Iterable

from .money import fen_to_yuan


def payment_totals(payments: Iterable[dict], org_path: str) -> dict:
    """Sum payments below `org_path`: overall and by programme, by child unit of `org_path`, by month.

    Each bucket adds up to the overall total (every payment lands in exactly one row of each).
    """
    root = [s for s in org_path.split("/") if s]
    depth = len(root)
    total, buckets = 0, {"by_programme": {}, "by_org_unit": {}, "by_period": {}}
    for pay in payments:
        amount = int(pay["amount_fen"])
        total += amount
        segs = [s for s in pay["org_path"].split("/") if s]
        child = segs[depth] if len(segs) > depth else root[-1]
        for name, key in (("by_programme", pay["programme"]), ("by_org_unit", child), ("by_period", pay["period"])):
            row = buckets[name].setdefault(key, {"payments": 0, "amount_fen": 0})
            row["payments"] += 1
            row["amount_fen"] += amount
    out = {"total_fen": total, "total_yuan": fen_to_yuan(total)}
    for name, bucket in buckets.items():
        out[name] = {k: {**v, "amount_yuan": fen_to_yuan(v["amount_fen"])} for k, v in sorted(bucket.items())}
    return out
