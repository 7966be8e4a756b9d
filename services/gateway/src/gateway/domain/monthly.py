"""Monthly reports (月报): when a month's report is due, in the offices' calendar. No I/O.

A month's report is made on the first working day of the month after it (Monday to Friday, less the
public holidays the gateway is told of). The gateway keeps no holiday calendar of its own beyond a
small list in its settings (`LIANDONG_HOLIDAYS`, default the State Council's 2026 holidays): the petition
service's calendar is its own, and the gateway does not read another service's database. Weekend days
made working days (调休) are not modelled: on such a month the report comes a day or two later, never early.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .sign_off import Period

# 国务院办公厅关于2026年部分节假日安排的通知: 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节
HOLIDAYS_2026 = (
    *(f"2026-01-0{d}" for d in (1, 2, 3)),
    *(f"2026-02-{d}" for d in range(15, 24)),
    *(f"2026-04-0{d}" for d in (4, 5, 6)),
    *(f"2026-05-0{d}" for d in (1, 2, 3, 4, 5)),
    *(f"2026-06-{d}" for d in (19, 20, 21)),
    *(f"2026-09-{d}" for d in (25, 26, 27)),
    *(f"2026-10-0{d}" for d in range(1, 8)),
)


def parse_holidays(text: str | None) -> frozenset[str]:
    """`LIANDONG_HOLIDAYS`: dates YYYY-MM-DD, comma-separated (unset: the 2026 list)."""
    if text is None:
        return frozenset(HOLIDAYS_2026)
    return frozenset(date.fromisoformat(d.strip()).isoformat() for d in text.split(",") if d.strip())


@dataclass(frozen=True)
class WorkingDays:
    """The offices' working days: Monday to Friday, less the public holidays."""

    holidays: frozenset = field(default_factory=lambda: frozenset(HOLIDAYS_2026))

    def working(self, day: date) -> bool:
        return day.weekday() < 5 and day.isoformat() not in self.holidays

    def first_of(self, year: int, month: int) -> date:
        day = date(year, month, 1)
        while not self.working(day):
            day += timedelta(days=1)
        return day


def month_after(period: Period) -> Period:
    return Period.parse(f"{(period.end + timedelta(days=1)):%Y-%m}")


def month_before(day: date) -> Period:
    return Period.parse(f"{(day.replace(day=1) - timedelta(days=1)):%Y-%m}")


def latest_due(today: date, calendar: WorkingDays) -> Period:
    """The newest month whose report is due by `today`: last month once this month's first working day has
    come, else the month before it."""
    last = month_before(today)
    if today >= calendar.first_of(today.year, today.month):
        return last
    return month_before(last.start)


def months_from(first: Period, last: Period) -> list[Period]:
    """Every month from `first` to `last`, both included (none when `first` is after `last`)."""
    out, month = [], first
    while month.start <= last.start:
        out.append(month)
        month = month_after(month)
    return out
