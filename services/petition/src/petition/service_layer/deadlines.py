"""The deadline scan (限时办结制), run by the worker every few seconds: a reminder one working day before,
then overdue, handed to the supervisor of the level above (督办)."""
from __future__ import annotations

import logging

from liandong.clock import to_iso
from liandong.errors import ConcurrencyConflict

from ..domain import rules
from ..domain.model import Petition
from .cases import Cases

log = logging.getLogger(__name__)


class DeadlineScan:
    def __init__(self, cases: Cases):
        self.cases = cases
        self.repo = cases.repo

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
        if counts["overdue"] or counts["reminded"]:
            log.info("deadline scan: %(overdue)d overdue, %(reminded)d reminded", counts)
        return counts

    def _save_quietly(self, p: Petition) -> bool:
        try:
            self.repo.save(p)
            return True
        except ConcurrencyConflict:
            return False  # someone changed it meanwhile; the next scan sees the new state
