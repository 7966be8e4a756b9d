"""Grid visits (网格员走访) and the 六必访 rules: how often a household of each key group is visited.

The rules are configuration (`security.config`: these defaults, overridden by `SECURITY_VISIT_RULES`);
a household falls under the strictest rule of its tags, and every household under `household` (if set).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from liandong.clock import from_iso, to_iso

EVERY_HOUSEHOLD = "household"
# days between visits: 独居老人 weekly, 低保户 / 矫正对象 / 残疾人 monthly, every household once a year
DEFAULT_VISIT_DAYS = {"elderly_alone": 7, "dibao": 30, "correction": 30, "disabled": 30, EVERY_HOUSEHOLD: 365}
KINDS = ("routine", "key_group", "new_household", "hardship", "illness", "dispute", "emergency")
DUE_SOON_DAYS = 7  # the queue shows what falls due within a week unless asked otherwise


@dataclass(frozen=True)
class VisitRules:
    days: dict  # rule (a key group, or `household`) -> days between visits

    def strictest(self, tags) -> str | None:
        """The rule with the shortest interval among the household's tags and the every-household rule."""
        rules = [r for r in (*tags, EVERY_HOUSEHOLD) if r in self.days]
        return min(rules, key=lambda r: (self.days[r], r), default=None)


DEFAULT_RULES = VisitRules(dict(DEFAULT_VISIT_DAYS))


def due_after(last: str, days: int) -> str:
    return to_iso(from_iso(last) + timedelta(days=days))


def days_overdue(due_at: str, now) -> int:
    """Whole days past the due time, rounded down (-1: due within the coming day)."""
    return (now - from_iso(due_at)) // timedelta(days=1)
