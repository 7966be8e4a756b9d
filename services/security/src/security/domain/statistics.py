"""Figures per org unit and period; every rate comes from summed counts, never from averaged rates."""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from .base import rate
from .disputes import SUCCESS


def mediation_figures(outcomes: Iterable[str]) -> dict:
    """'全年调解民间纠纷98次,成功率92.8%': count and success rate (a fraction) of concluded mediations."""
    counts = Counter(outcomes)
    total = sum(counts.values())
    return {"mediations": total, "succeeded": counts[SUCCESS], "failed": counts["failed"],
            "referred_to_court": counts["referred_to_court"], "success_rate": rate(counts[SUCCESS], total)}


def incident_figures(incidents: Iterable) -> dict:
    by_type: Counter = Counter()
    emergencies = 0
    response = []
    for i in incidents:
        by_type[i.type] += 1
        emergencies += i.emergency
        if i.response_minutes is not None:
            response.append(i.response_minutes)
    return {"incidents": sum(by_type.values()), "by_type": dict(sorted(by_type.items())),
            "emergencies": emergencies, "responded": len(response),
            "mean_response_minutes": round(sum(response) / len(response), 1) if response else None}


def patrol_figures(runs: Iterable) -> dict:
    runs = [r for r in runs if r.status == "completed"]
    total = sum(len(r.checkpoints) for r in runs)
    checked = sum(len(r.checked_ids) for r in runs)
    return {"patrols": len(runs), "checkpoints_total": total, "checkpoints_checked": checked,
            "checkpoint_coverage_rate": rate(checked, total), "findings": sum(len(r.findings) for r in runs),
            "patrol_minutes": sum(r.minutes for r in runs)}


def migrant_figures(migrants: Iterable, since: str) -> dict:
    """Coverage: active registrations checked (or registered) since `since`, of all active ones."""
    active = [m for m in migrants if m.status == "active"]
    verified = sum(1 for m in active if (m.last_verified_at or "") >= since)
    return {"registered": len(active), "verified_in_period": verified,
            "verification_coverage_rate": rate(verified, len(active))}
