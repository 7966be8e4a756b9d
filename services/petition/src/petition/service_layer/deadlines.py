"""The deadline scan (限时办结制), run by the worker every few seconds: a reminder one working day before,
then overdue, handed to the supervisor of the level above (督办); and the hall's matters past their due date
(承诺时限), flagged overdue once."""
from __future__ import annotations

import logging

from liandong.clock import to_iso
from liandong.errors import ConcurrencyConflict

from ..domain import rules
from ..domain.hall import HallMatter
from ..domain.model import Petition
from .cases import Cases

log = logging.getLogger(__name__)


class DeadlineScan:
    def __init__(self, cases: Cases, hall_matters=None):
        self.cases = cases
        self.repo = cases.repo
        self.hall_matters = hall_matters  # the hall's matters (办件) have their due dates too (承诺时限)

    def __call__(self) -> dict:
        now = self.cases.clock.now()
        now_iso = to_iso(now)
        counts = {"overdue": 0, "reminded": 0}
        for p in self.repo.past_due(now_iso):
            supervisor = rules.level_above(p.level) or p.level
            if p.mark_overdue(now=now, supervisor_level=supervisor) and self._save_quietly(p):
                counts["overdue"] += 1
        for p in self.repo.due_for_reminder(now_iso):
            if p.remind(now=now) and self._save_quietly(p):
                counts["reminded"] += 1
        if self.hall_matters is not None:
            counts["hall_overdue"] = 0
            for m in self.hall_matters.past_due(now_iso):
                if m.mark_overdue(now=now) and self._save_quietly(m, self.hall_matters):
                    counts["hall_overdue"] += 1
        if any(counts.values()):
            log.info("deadline scan: %s", counts)
        return counts

    def _save_quietly(self, p: Petition | HallMatter, repo=None) -> bool:
        try:
            (repo or self.repo).save(p)
            return True
        except ConcurrencyConflict:
            return False  # someone changed it meanwhile; the next scan sees the new state
