"""How the reports' read model covers a period with its buckets: whole months from the month buckets, the
edges from the day buckets (adapters/read_model.py reads them)."""
from __future__ import annotations

from datetime import date, timedelta

HISTORY_START = date(2000, 1, 1)  # stocks are the sum of their deltas from the beginning


def _next_month(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def split(start: date, end: date) -> tuple[tuple[str, str] | None, list[tuple[str, str]]]:
    """[start, end] as whole months [lo, hi) from the month documents and edges [lo, hi] of days."""
    first_full = start if start.day == 1 else _next_month(start)
    last_full_end = (end + timedelta(days=1)).replace(day=1)  # the first day after the last whole month
    if first_full >= last_full_end:
        return None, [(start.isoformat(), end.isoformat())]
    edges = [(start, first_full - timedelta(days=1)), (last_full_end, end)]
    return ((first_full.isoformat()[:7], last_full_end.isoformat()[:7]),
            [(lo.isoformat(), hi.isoformat()) for lo, hi in edges if lo <= hi])
