"""Reports for any org unit and period: the overview, monthly series, and what they are made of."""
from __future__ import annotations

import threading
from datetime import date, timedelta

from liandong.clock import from_iso
from liandong.errors import NotFound, ValidationFailed

from ..adapters.org_repository import OrgRepository
from ..adapters.read_model import ReadModel
from ..domain.metrics import METRICS, RATES, SOURCES, rate_value


class OrgIndex:
    """Levels and names of the org units, cached; figures roll up under a record's community."""

    def __init__(self, repo: OrgRepository):
        self.repo = repo
        self._units: dict[str, dict] = {}
        self._lock = threading.Lock()

    def _load(self) -> None:
        with self._lock:
            self._units = {u["_id"]: u for u in self.repo.subtree_all()}

    def unit(self, unit_id: str) -> dict | None:
        if unit_id not in self._units:
            self._load()
        return self._units.get(unit_id)

    def children(self, unit_id: str) -> list[dict]:
        self.unit(unit_id)
        return sorted((u for u in self._units.values() if u.get("parent_id") == unit_id and not u.get("retired")),
                      key=lambda u: u["path"])

    def community_of(self, path: str) -> str:
        parts = [p for p in path.split("/") if p]
        for i, part in enumerate(parts):
            unit = self.unit(part)
            if unit is not None and unit["level"] == "community":
                return "/" + "/".join(parts[: i + 1]) + "/"
        return path


def parse_period(args: dict) -> tuple[date, date]:
    errors = {}
    parsed = {}
    for key in ("from", "to"):
        try:
            parsed[key] = date.fromisoformat(args.get(key, ""))
        except ValueError:
            errors[key] = ["a date as YYYY-MM-DD"]
    if errors:
        raise ValidationFailed("invalid period", errors)
    if parsed["from"] > parsed["to"]:
        raise ValidationFailed("invalid period", {"from": ["must not be after 'to'"]})
    if (parsed["to"] - parsed["from"]).days > 3660:
        raise ValidationFailed("invalid period", {"to": ["at most ten years"]})
    return parsed["from"], parsed["to"]


def year_before(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _present(figures: dict[str, float], previous: dict[str, float] | None = None) -> dict:
    metrics = {}
    for key, metric in METRICS.items():
        value = figures.get(key, 0)
        entry = {"label": metric.label, "unit": metric.unit, "value": _num(value), "stock": metric.stock}
        if previous is not None:
            entry["previous_year"] = _num(previous.get(key, 0))
        metrics[key] = entry
    rates = {}
    for rate in RATES:
        value = rate_value(rate, figures)
        entry = {"label": rate.label, "value": None if value is None else round(value, 4),
                 "numerator": _num(sum(figures.get(n, 0) for n in rate.numerator)),
                 "denominator": _num(figures.get(rate.denominator, 0))}
        if previous is not None:
            prev = rate_value(rate, previous)
            entry["previous_year"] = None if prev is None else round(prev, 4)
        rates[rate.key] = entry
    return {"metrics": metrics, "rates": rates}


def _num(value: float):
    return int(value) if float(value).is_integer() else round(value, 4)


def freshness(state: dict, model: ReadModel, now, unavailable: dict | None = None) -> dict:
    """Per source: its newest event, how far the gateway is behind it, and whether its service is down
    (`unavailable`: service -> why; its figures stop where its last event left them)."""
    newest = model.newest_event_times()
    lag = state.get("lag") or {}
    measured = state.get("lag_measured_at")
    measured_age = (now - from_iso(measured)).total_seconds() if measured else None
    out = {}
    for source in SOURCES:
        behind = lag.get(source)
        out[source] = {"newest_event_time": newest.get(source), "events_behind": behind,
                       "stale": bool(behind) or measured_age is None or measured_age > 30}
        if unavailable and source in unavailable:
            out[source].update(stale=True, unavailable=unavailable[source])
    return out


def overview(model: ReadModel, orgs: OrgIndex, state: dict, unit_id: str, start: date, end: date, now,
             unavailable: dict | None = None) -> dict:
    unit = orgs.unit(unit_id)
    if unit is None:
        raise NotFound(f"no org unit {unit_id!r}")
    # the period and the year before, and the stocks at both ends: the buckets are read once
    (totals, children), (previous, _) = model.figures_many(
        unit["path"], [(start, end), (year_before(start), year_before(end))], by_child=True)
    fresh = freshness(state, model, now, unavailable)
    breakdown = []
    for child in orgs.children(unit_id):
        figures = children.get(child["_id"], {})
        breakdown.append({"org_unit": {"id": child["_id"], "name": child["name"], "level": child["level"]},
                          **_present(figures)})
    return {
        "org_unit": {"id": unit_id, "name": unit["name"], "level": unit["level"], "path": unit["path"]},
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "compared_with": {"from": year_before(start).isoformat(), "to": year_before(end).isoformat()},
        "generated_at": now.isoformat().replace("+00:00", "Z"),
        "read_model_generation": model.generation,
        "freshness": fresh,
        "stale": any(f["stale"] for f in fresh.values()),
        "services_unavailable": sorted(unavailable or {}),
        **_present(totals, previous),
        "children": breakdown,
    }


def timeseries(model: ReadModel, orgs: OrgIndex, unit_id: str, start: date, end: date, keys: list[str]) -> dict:
    unit = orgs.unit(unit_id)
    if unit is None:
        raise NotFound(f"no org unit {unit_id!r}")
    unknown = [k for k in keys if k not in METRICS]
    if unknown:
        raise ValidationFailed("unknown metrics", {"metrics": [f"unknown: {', '.join(unknown)}"]})
    months = model.monthly(unit["path"], start, end)
    all_months = []
    cursor = start.replace(day=1)
    while cursor <= end:
        all_months.append(cursor.isoformat()[:7])
        cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
    series = {k: [{"month": m, "value": _num(months.get(m, {}).get(k, 0))} for m in all_months] for k in keys}
    return {"org_unit": {"id": unit_id, "name": unit["name"]}, "period": {"from": start.isoformat(),
            "to": end.isoformat()}, "series": series,
            "labels": {k: METRICS[k].label for k in keys}}
