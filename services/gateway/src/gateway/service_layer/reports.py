"""Reports for any org unit and period: the overview, monthly series, and what they are made of."""
from __future__ import annotations

import threading
from datetime import date, timedelta

from liandong.clock import from_iso
from liandong.errors import NotFound, ValidationFailed

from ..adapters.org_repository import OrgRepository
from ..adapters.read_model import ReadModel
from ..domain.metrics import (METRICS, RATES, SOURCES, Labels, breakdown_keys, breakdown_of, known, merged, metric,
                              rate_value)
from ..domain.sign_off import Period, add_into, difference, from_pairs, topmost


class OrgIndex:
    """Levels and names of the org units, cached; figures roll up under a record's community."""

    def __init__(self, repo: OrgRepository):
        self.repo = repo
        self._units: dict[str, dict] = {}
        self._communities: dict[str, str] = {}  # org path -> its community's path, as found (every event asks)
        self._lock = threading.Lock()

    def _load(self) -> None:
        with self._lock:
            self._units = {u["_id"]: u for u in self.repo.subtree_all()}
            self._communities = {}

    def unit(self, unit_id: str) -> dict | None:
        if unit_id not in self._units:
            self._load()
        return self._units.get(unit_id)

    def all(self) -> list[dict]:
        """Every unit, read afresh (a unit added since is there)."""
        self._load()
        return list(self._units.values())

    def children(self, unit_id: str) -> list[dict]:
        self.unit(unit_id)
        return sorted((u for u in self._units.values() if u.get("parent_id") == unit_id and not u.get("retired")),
                      key=lambda u: u["path"])

    def community_of(self, path: str) -> str:
        found = self._communities.get(path)
        if found is not None:
            return found
        parts = [p for p in path.split("/") if p]
        for i, part in enumerate(parts):
            unit = self.unit(part)
            if unit is not None and unit["level"] == "community":
                found = self._communities[path] = "/" + "/".join(parts[: i + 1]) + "/"
                return found
        return path  # (not kept: a unit created later may make it a community's)


def year_before(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _present(figures: dict[str, float], previous: dict[str, float] | None = None, labels: Labels | None = None,
             keys: list[str] | None = None) -> dict:
    """Every figure (`keys`: the fixed ones and the breakdowns to show) with its label, and every rate."""
    metrics = {}
    for key in keys or [*METRICS, *breakdown_keys(labels, figures, previous or {})]:
        m = metric(key, labels)
        entry = {"label": m.label, "unit": m.unit, "value": _num(figures.get(key, 0)), "stock": m.stock}
        found = breakdown_of(key)
        if found is not None:  # a breakdown names its code and the owner's word for it
            b, code = found
            entry.update(of=b.family, code=code, name=m.label.removesuffix(b.suffix))
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
             unavailable: dict | None = None, labels: Labels | None = None) -> dict:
    unit = orgs.unit(unit_id)
    if unit is None:
        raise NotFound(f"no org unit {unit_id!r}")
    # the period and the year before, and the stocks at both ends: the buckets are read once
    (totals, children), (previous, _) = model.figures_many(
        unit["path"], [(start, end), (year_before(start), year_before(end))], by_child=True)
    fresh = freshness(state, model, now, unavailable)
    keys = [*METRICS, *breakdown_keys(labels, totals, previous)]  # the children show the same figures
    breakdown = []
    for child in orgs.children(unit_id):
        figures = children.get(child["_id"], {})
        breakdown.append({"org_unit": {"id": child["_id"], "name": child["name"], "level": child["level"]},
                          **_present(figures, labels=labels, keys=keys)})
    return {
        "org_unit": {"id": unit_id, "name": unit["name"], "level": unit["level"], "path": unit["path"]},
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "compared_with": {"from": year_before(start).isoformat(), "to": year_before(end).isoformat()},
        "generated_at": now.isoformat().replace("+00:00", "Z"),
        "read_model_generation": model.generation,
        "freshness": fresh,
        "stale": any(f["stale"] for f in fresh.values()),
        "services_unavailable": sorted(unavailable or {}),
        **_present(totals, previous, labels, keys),
        "children": breakdown,
    }


def adjustments(model: ReadModel, filed: list[dict], start: date, end: date) -> dict[str, dict[str, float]]:
    """Per filed unit that no other filed unit covers (its path): what the figures gained since it was filed."""
    by_path = {d["org_path"]: from_pairs(d.get("filed")) for d in filed}
    return {path: difference(model.figures(path, start, end)[0], by_path[path]) for path in topmost(list(by_path))}


def filed_totals(model: ReadModel, path: str, start: date, end: date, filed: list[dict]) -> dict[str, float]:
    """A unit's figures as it files them: its current figures less the adjustments of the filed units under it
    (a sub-district files its approved communities' filed figures, not what came in for them since)."""
    totals = dict(model.figures(path, start, end)[0])
    for diff in adjustments(model, filed, start, end).values():
        add_into(totals, {k: -v for k, v in diff.items()})
    return totals


def _file(entry: dict, adjustment: dict[str, float]) -> None:
    """Show an overview entry's figures as filed: `value` and `filed` the filed figure, `adjustment` what came in
    after sign-off, `current` their sum; rates of the filed figures."""
    figures = {}
    for key, m in entry["metrics"].items():
        change = adjustment.get(key, 0)
        figures[key] = m["value"] - change
        m.update(current=m["value"], value=_num(figures[key]), filed=_num(figures[key]), adjustment=_num(change))
    for rate in RATES:
        value = rate_value(rate, figures)
        entry["rates"][rate.key].update(
            value=None if value is None else round(value, 4),
            numerator=_num(sum(figures.get(n, 0) for n in rate.numerator)),
            denominator=_num(figures.get(rate.denominator, 0)))


def with_filings(o: dict, model: ReadModel, filed: list[dict], period: Period, state: str) -> dict:
    """The overview of a period some unit of the subtree has filed: filed figures and adjustments, apart."""
    unit_path = o["org_unit"]["path"]
    adjust = adjustments(model, filed, period.start, period.end)
    total: dict[str, float] = {}
    per_child: dict[str, dict[str, float]] = {}
    for path, diff in adjust.items():
        add_into(total, diff)
        rest = path[len(unit_path):]
        if rest:
            add_into(per_child.setdefault(rest.split("/", 1)[0], {}), diff)
    _file(o, total)
    for child in o["children"]:
        if child["org_unit"]["id"] in per_child:
            _file(child, per_child[child["org_unit"]["id"]])
    ids = {d["org_path"]: d["org_unit_id"] for d in filed}
    o["sign_off"] = {"period": period.code, "state": state, "filed_units": sorted(ids[p] for p in adjust)}
    return o


def timeseries(model: ReadModel, orgs: OrgIndex, unit_id: str, start: date, end: date, keys: list[str],
               labels: Labels | None = None) -> dict:
    unit = orgs.unit(unit_id)
    if unit is None:
        raise NotFound(f"no org unit {unit_id!r}")
    unknown = [k for k in keys if not known(k)]
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
            "labels": {k: metric(k, labels).label for k in keys}}


ANNUAL_SERIES = ["petition.person_times", "volunteer.participant_times", "welfare.disbursed_fen", "security.incidents"]
MAX_DAYS = 3660  # ten years: a longer period is a mistake, and would read every bucket there is


class Reports:
    """The use cases of reporting: who may see which unit's figures, over which period, with whose labels.

    `projector` holds the read model; `unavailable()` names the services that are down now; `vocabularies`
    gives the owning services' labels of their codes (asked with the caller's own credentials)."""

    def __init__(self, projector, orgs: OrgIndex, clock, unavailable=None, vocabularies=None, approvals=None):
        self.projector = projector
        self.approvals = approvals  # the periods units have filed (adapters.report_filings.Approvals)
        self.orgs = orgs
        self.clock = clock
        self.unavailable = unavailable
        self.vocabularies = vocabularies

    def _unit(self, principal, unit_id: str) -> dict:
        unit = self.orgs.unit(unit_id)
        if unit is None:
            raise NotFound(f"no org unit {unit_id!r}")
        # the org tree is every signed-in user's to read: a unit outside the scope is refused, not hidden
        principal.require("reports:read", unit["path"])
        return unit

    @staticmethod
    def _period(start: date, end: date) -> None:
        if (end - start).days > MAX_DAYS:
            raise ValidationFailed("invalid period", {"to": ["at most ten years"]})

    def _labels(self, credentials: str | None, model: ReadModel) -> Labels:
        """The codes' names: what the events said, and over it what the owning service answers now."""
        asked = self.vocabularies.labels(credentials) if self.vocabularies is not None else {}
        return merged(model.names_learnt(), asked)

    def _model_and_state(self):
        state = self.projector.current()
        return self.projector.model(state["active"]), state

    def catalogue(self, principal, credentials: str | None = None) -> dict:
        principal.require("reports:read")
        labels = self._labels(credentials, self._model_and_state()[0])
        keys = [*METRICS, *breakdown_keys(labels)]
        return {"metrics": {k: {"label": (m := metric(k, labels)).label, "unit": m.unit, "stock": m.stock}
                            for k in keys},
                "rates": {r.key: {"label": r.label, "numerator": list(r.numerator), "denominator": r.denominator}
                          for r in RATES}}

    def overview(self, principal, unit_id: str, start: date, end: date, credentials: str | None = None,
                 with_status: bool = True) -> dict:
        return self.overview_of(self._unit(principal, unit_id), start, end, credentials, with_status)

    def overview_of(self, unit: dict, start: date, end: date, credentials: str | None = None,
                    with_status: bool = False) -> dict:
        """The overview of a unit already allowed (or the schedule's, with no caller: the events' labels)."""
        self._period(start, end)
        model, state = self._model_and_state()
        down = self.unavailable() if (with_status and self.unavailable) else None
        o = overview(model, self.orgs, state, unit["_id"], start, end, self.clock.now(), down,
                     self._labels(credentials, model))
        period = Period.covering(start, end) if self.approvals is not None else None
        if period is not None:  # a filing period: what the units under it filed shows as filed
            own = self.approvals.get(unit["_id"], period.code)
            o["sign_off"] = {"period": period.code, "state": (own or {}).get("state", "open"), "filed_units": []}
            filed = self.approvals.filed_under(unit["path"], period.code)
            if filed:
                with_filings(o, model, filed, period, o["sign_off"]["state"])
        return o

    def filed_figures(self, unit: dict, period: Period) -> dict[str, float]:
        """What `unit` files for `period` now: its figures, its filed units' as they filed them."""
        model, _ = self._model_and_state()
        return filed_totals(model, unit["path"], period.start, period.end,
                            self.approvals.filed_under(unit["path"], period.code))

    def timeseries(self, principal, unit_id: str, start: date, end: date, keys: list[str] | None = None,
                   credentials: str | None = None) -> dict:
        unit = self._unit(principal, unit_id)
        self._period(start, end)
        return self.series_of(unit, start, end, keys, credentials)

    def series_of(self, unit: dict, start: date, end: date, keys: list[str] | None = None,
                  credentials: str | None = None) -> dict:
        model, _ = self._model_and_state()
        return timeseries(model, self.orgs, unit["_id"], start, end, keys or ANNUAL_SERIES,
                          self._labels(credentials, model))

    def annual(self, principal, unit_id: str, year: int, credentials: str | None = None) -> tuple[dict, dict]:
        """The year's overview (with the year before) and its monthly series: what the work report says."""
        start, end = date(year, 1, 1), date(year, 12, 31)
        o = self.overview(principal, unit_id, start, end, credentials, with_status=False)
        series = self.timeseries(principal, unit_id, start, end, ANNUAL_SERIES, credentials)["series"]
        return o, series

    def rebuild_state(self, principal) -> dict:
        principal.require("reports:read")
        return self.projector.describe()

    def rebuild(self, principal) -> dict:
        principal.require("org:admin")
        return self.projector.request_rebuild()
