"""Monthly reports kept (月报): on the first working day of each month the gateway's worker writes, for every
sub-district and community, the report of the month before (DOCX and XLSX, the annual report's writers over the
month) and keeps the bytes, with who made them when and how fresh the figures were. A month some unit filed
shows its filed figures (the overview does). Each report is kept once per unit, month and format; the schedule
catches up every month since the first it kept. Callers list them, download one as it was made (audited as an
export), and a reports:export holder can have a month made now (the same once-only rule)."""
from __future__ import annotations

import hashlib
import logging

from liandong.auth import Principal
from liandong.errors import NotFound, ValidationFailed
from liandong.listing import day_of

from ..adapters import documents
from ..adapters.kept_reports import KeptReports, report_id
from ..domain.monthly import WorkingDays, latest_due, months_from
from ..domain.sign_off import FILING_LEVELS, Period
from .reports import ANNUAL_SERIES, Reports
from .sign_off import Filing

log = logging.getLogger(__name__)

FORMATS = ("docx", "xlsx")
SCHEDULE = "schedule"  # who made a report the worker made on its own
MAX_WAITS = 60  # runs (a minute apart) the schedule waits for a read model behind the services' events


class MonthlyReports(Filing):
    def __init__(self, reports: Reports, kept: KeptReports, clock, calendar: WorkingDays | None = None,
                 profiles=None, audit=None, correlation=lambda: None, narratives=None):
        """`profiles` (UnitProfiles): the 基本情况 at the month's end; `audit`: downloads in the audit trail;
        `narratives` (ReportNarratives): the month's own written sections (典型案例, 下一步打算), printed in its report."""
        super().__init__(reports.orgs, audit, clock, correlation)
        self.reports, self.kept = reports, kept
        self.calendar = calendar or WorkingDays()
        self.profiles, self.narratives = profiles, narratives
        self._waited = 0  # runs in a row the schedule waited for the read model

    def units(self) -> list[dict]:
        """Every sub-district and community in force, in the tree's order."""
        return sorted((u for u in self.reports.orgs.all() if u["level"] in FILING_LEVELS and not u.get("retired")),
                      key=lambda u: u["path"])

    # -- the schedule
    def run(self) -> dict[str, int]:
        """The worker's job: every month due and not yet kept, from the first month the schedule kept (the last
        month only, on its first run). Answers how many reports it kept per month; nothing while the read model
        is behind the services' events or being rebuilt (a kept report must not miss what is still coming in:
        it waits for the next run — an hour's runs at most: on a platform never quite caught up, the reports are
        made anyway, their `figures_as_of` saying how fresh)."""
        state = self.reports.projector.current()
        if (state.get("building") or any((state.get("lag") or {}).values())) and self._waited < MAX_WAITS:
            self._waited += 1
            log.info("monthly reports wait: the reports' read model is behind or rebuilding")
            return {}
        self._waited = 0
        last = latest_due(self.clock.today(), self.calendar)
        earliest = self.kept.earliest_scheduled()
        first = Period.parse(earliest) if earliest and earliest < last.code else last
        units = self.units()
        return {month.code: self.make(month, units, SCHEDULE) for month in months_from(first, last)}

    def make(self, month: Period, units: list[dict], by, name: str | None = None) -> int:
        """Keep `month`'s reports of `units` not kept yet; how many this call kept."""
        kept = self.kept.ids_of(month.code)
        count = 0
        for unit in units:
            wanted = [f for f in FORMATS if report_id(unit["_id"], month.code, f) not in kept]
            if wanted:
                count += self._make_unit(unit, month, wanted, by, name)
        if count:
            log.info("monthly reports of %s kept: %d", month.code, count)
        return count

    def _make_unit(self, unit: dict, month: Period, formats: list[str], by, name: str | None) -> int:
        o = self.reports.overview_of(unit, month.start, month.end)
        year_start = month.start.replace(month=1)
        series = self.reports.series_of(unit, year_start, month.end, ANNUAL_SERIES)["series"]
        profile = self.profiles.of_report(unit["_id"], month.end) if self.profiles else None
        narrative = (self.narratives.of_report(unit["_id"], month.start.year, month.start.month)
                     if self.narratives else None)
        count = 0
        for fmt in formats:
            if fmt == "docx":
                body = documents.annual_docx(o, month.start.year, series, profile=profile, narrative=narrative,
                                             month=month.start.month)
            else:
                body = documents.annual_xlsx(o, month.start.year, series, month=month.start.month)
            record = {
                "_id": report_id(unit["_id"], month.code, fmt), "org_unit_id": unit["_id"],
                "org_unit_name": unit["name"], "level": unit["level"], "org_path": unit["path"],
                "period": month.code, "starts_on": month.start.isoformat(), "ends_on": month.end.isoformat(),
                "format": fmt, "size": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                "generated_at": self.clock.now_iso(), "by": by if by == SCHEDULE else "caller",
                "generated_by": None if by == SCHEDULE else {"user_id": by, "name": name},
                "figures_as_of": {"generated_at": o["generated_at"], "read_model_generation": o["read_model_generation"],
                                  "stale": o["stale"], "freshness": o["freshness"]},
                "sign_off": o.get("sign_off")}
            count += self.kept.keep(record, body)
        return count

    # -- callers
    def page(self, principal: Principal, q: dict):
        path = self.unit(principal, q["org_unit"], "reports:read")["path"] if q.get("org_unit") else None
        paths = principal.list_paths("reports:read", path)
        within = tuple(d.isoformat() if (d := day_of(q.get(k))) else None for k in ("from_", "to"))
        return self.kept.page(paths, q["page"], q["page_size"], within, q.get("format"))

    def report(self, principal: Principal, report: str) -> dict:
        found = self.kept.get(report)
        if found is None or not principal.can("reports:read", found["org_path"]):
            raise NotFound(f"no monthly report {report!r}")
        return found

    def download(self, principal: Principal, report: str) -> tuple[dict, bytes]:
        """The report's bytes as they were made, the download in the audit trail (action export)."""
        found = self.report(principal, report)
        body = self.kept.content(found)
        if body is None:
            raise NotFound(f"no monthly report {report!r}")
        if self.audit is not None:
            self.record(principal, "export", f"/api/v1/reports/monthly-reports/{report}/download", method="GET",
                        report={k: found[k] for k in ("org_unit_id", "period", "format", "sha256")})
        return found, body

    def generate(self, principal: Principal, code: str, unit_id: str | None = None) -> dict:
        """Make `code`'s reports now for the caller's units (or `unit_id`'s subtree): those not kept yet."""
        month = Period.parse(code)
        if month.is_year:
            raise ValidationFailed("invalid period", {"period": ["a month YYYY-MM"]})
        if not month.ended(self.clock.today()):
            raise ValidationFailed("the month has not ended", {"period": ["a month that has ended"]})
        if unit_id:
            paths = [self.unit(principal, unit_id, "reports:export")["path"]]
        else:
            paths = principal.list_paths("reports:export")
        units = [u for u in self.units() if any(u["path"].startswith(p) for p in paths)]
        made = self.make(month, units, principal.user_id, principal.name)
        ids = [report_id(u["_id"], month.code, f) for u in units for f in FORMATS]
        return {"period": month.code, "generated": made, "items": [r for i in ids if (r := self.kept.get(i))]}
