"""Statistics in the offices' own words: batches and person-times (批次 / 人次) and the rates they report."""
from __future__ import annotations

from typing import Iterable


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def summarise(cases: Iterable[dict]) -> dict:
    """Counts over petition records (each a dict with the stored fields).

    A group petition of 40 people is 1 batch and 40 person-times; "resolved at this level" means
    closed without ever being escalated to the level above; the on-time rate is over answered
    cases; mediation success counts cases whose last mediation reached an agreement.
    """
    batches = persons = group_batches = group_persons = 0
    closed = resolved_here = answered = on_time = mediated = mediated_ok = rated = satisfied = 0
    overdue_now = risk = 0
    by_category: dict[str, dict] = {}
    by_channel: dict[str, dict] = {}
    by_satisfaction = {"satisfied": 0, "basically": 0, "not": 0}
    for c in cases:
        head = int(c.get("headcount") or 1)
        batches += 1
        persons += head
        if c.get("is_group"):
            group_batches += 1
            group_persons += head
        for key, bucket in ((c.get("category"), by_category), (c.get("channel"), by_channel)):
            b = bucket.setdefault(key, {"batches": 0, "person_times": 0})
            b["batches"] += 1
            b["person_times"] += head
        if c.get("state") == "closed":
            closed += 1
            if not any(e.get("kind") == "escalation" for e in c.get("escalations") or []):
                resolved_here += 1
        if c.get("answered_on_time") is not None:
            answered += 1
            on_time += bool(c["answered_on_time"])
        mediations = c.get("mediations") or []
        if mediations:
            mediated += 1
            mediated_ok += mediations[-1].get("outcome") == "agreement"
        if c.get("satisfaction"):
            rated += 1
            by_satisfaction[c["satisfaction"]] = by_satisfaction.get(c["satisfaction"], 0) + 1
            satisfied += c["satisfaction"] in ("satisfied", "basically")
        overdue_now += bool(c.get("overdue"))
        risk += bool(c.get("risk_flags"))
    return {
        "batches": batches, "person_times": persons,  # 批次 / 人次
        "group_petitions": group_batches, "group_person_times": group_persons,  # 群体性上访 批次 / 人次
        "closed": closed, "resolved_at_this_level": resolved_here,
        "answered": answered, "answered_on_time": on_time, "on_time_rate": _rate(on_time, answered),
        "mediated": mediated, "mediation_succeeded": mediated_ok,
        "mediation_success_rate": _rate(mediated_ok, mediated),
        "rated": rated, "satisfaction": by_satisfaction, "satisfaction_rate": _rate(satisfied, rated),
        "overdue": overdue_now, "risk_flagged": risk,
        "by_category": by_category, "by_channel": by_channel,
        # the same figures as the offices' reports word them (接访…批次…人次,其中群体性上访…批次…人次)
        "summary_zh": {"批次": batches, "人次": persons, "群体性上访批次": group_batches,
                       "群体性上访人次": group_persons, "办结": closed, "本级化解": resolved_here,
                       "按时办结率": _rate(on_time, answered), "调解成功率": _rate(mediated_ok, mediated),
                       "满意率": _rate(satisfied, rated)},
    }
