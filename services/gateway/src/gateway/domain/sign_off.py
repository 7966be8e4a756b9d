"""Sign-off and lock of a reporting period (签报, DHIS2's data approval): the periods, the states, the rules.

A period is a calendar month (`2026-03`) or a calendar year (`2026`) of one org unit; each is filed on its own
(approving March does not file the year). A community's staff submit it, the level above (its sub-district)
approves it — its figures are then frozen as filed — and the level above that (the district) accepts the
approval. A sub-district's own period is submitted by it and approved by the district, whose approval is final.
Unlock (back to open, the filed figures dropped) is the level above's act, with a reason.

Filed figures are never changed by later events: what events add to a filed period afterwards is its
adjustment (签报后调整), `current - filed`, shown beside the filed figure. Figures are sums over the org tree,
so the adjustment of any subtree is the sum of the adjustments of the filed units in it that no filed unit
above them covers (`topmost`), and its filed figure is its current figure less that sum.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from liandong.errors import ValidationFailed

OPEN, SUBMITTED, APPROVED, ACCEPTED = "open", "submitted", "approved", "accepted"
STATES = (OPEN, SUBMITTED, APPROVED, ACCEPTED)
FILED = (APPROVED, ACCEPTED)  # the states whose figures are frozen
STATE_NAMES = {OPEN: "未报送", SUBMITTED: "已报送", APPROVED: "已审核", ACCEPTED: "已确认"}
# the levels that file a period: a community to its sub-district, a sub-district to the district
FILING_LEVELS = ("community", "subdistrict")

_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class Period:
    """A reporting period: a calendar month or a calendar year, in the offices' calendar."""

    code: str
    start: date
    end: date

    @property
    def is_year(self) -> bool:
        return len(self.code) == 4

    @classmethod
    def parse(cls, code: str, field: str = "period") -> "Period":
        found = _PERIOD.match(code or "")
        if not found or not 2000 <= int(found.group(1)) <= 2100:
            raise ValidationFailed("invalid period", {field: ["a month YYYY-MM or a year YYYY (2000-2100)"]})
        year = int(found.group(1))
        if found.group(2) is None:
            return cls(code, date(year, 1, 1), date(year, 12, 31))
        start = date(year, int(found.group(2)), 1)
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return cls(code, start, end)

    @classmethod
    def covering(cls, start: date, end: date) -> "Period | None":
        """The period [start, end] is exactly, if any (an overview of other dates shows no filed figures)."""
        if not 2000 <= start.year <= 2100:
            return None
        for code in (str(start.year), f"{start.year}-{start.month:02d}"):
            period = cls.parse(code)
            if (period.start, period.end) == (start, end):
                return period
        return None

    def ended(self, today: date) -> bool:
        return self.end < today


def topmost(paths: list[str]) -> list[str]:
    """The filed units no other filed unit of the list covers: their adjustments add up without counting twice."""
    return [p for p in paths if not any(q != p and p.startswith(q) for q in paths)]


def difference(current: dict[str, float], filed: dict[str, float]) -> dict[str, float]:
    """What the figures gained (or lost) since they were filed: current - filed, per figure."""
    return {k: current.get(k, 0) - filed.get(k, 0) for k in set(current) | set(filed)}


def add_into(total: dict[str, float], part: dict[str, float]) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0) + v


def as_pairs(figures: dict[str, float]) -> list[dict]:
    """Figures as stored: {metric, value} entries (figure keys hold dots, which a document's field names may not;
    FerretDB stores no arrays of arrays)."""
    return [{"metric": k, "value": v} for k, v in sorted(figures.items())]


def from_pairs(pairs) -> dict[str, float]:
    return {p["metric"]: p["value"] for p in (pairs or [])}
