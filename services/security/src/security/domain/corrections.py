"""People under community correction (社区矫正) or released-person support (安置帮教), and their visits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from liandong.clock import from_iso, to_iso
from liandong.errors import ValidationFailed

from .base import Aggregate, DomainEvent

CATEGORIES = ("community_correction", "released_support")


class VisitOverdue(DomainEvent):
    days_overdue: int


@dataclass(kw_only=True)
class SupervisedPerson(Aggregate):
    name: str
    id_number: str
    category: str
    visit_interval_days: int
    responsible_worker_id: str
    responsible_worker_name: str
    enrolled_at: str
    next_visit_due: str
    supervision_starts_on: str | None = None  # YYYY-MM-DD: the period of correction or support (矫正期 / 帮教期)
    supervision_ends_on: str | None = None
    visits: list = field(default_factory=list)
    overdue_notified_for: str | None = None

    @classmethod
    def enrol(cls, *, now: str, visit_interval_days: int, **kw) -> "SupervisedPerson":
        starts, ends = kw.get("supervision_starts_on"), kw.get("supervision_ends_on")
        if starts and ends and starts > ends:
            raise ValidationFailed("the period ends before it starts",
                                   {"supervision_ends_on": ["must not lie before supervision_starts_on"]})
        due = to_iso(from_iso(now) + timedelta(days=visit_interval_days))
        return cls(enrolled_at=now, visit_interval_days=visit_interval_days, next_visit_due=due, **kw)

    def log_visit(self, visited_at: str, by: str, by_name: str, note: str) -> None:
        self.visits.append({"at": visited_at, "by": by, "by_name": by_name, "note": note})
        latest = max(v["at"] for v in self.visits)
        self.next_visit_due = to_iso(from_iso(latest) + timedelta(days=self.visit_interval_days))

    def is_overdue(self, now) -> bool:
        return from_iso(self.next_visit_due) < now

    def days_overdue(self, now) -> int:
        return max(0, (now - from_iso(self.next_visit_due)).days)

    def flag_overdue(self, now) -> bool:
        """Announce a missed visit once per due date."""
        if not self.is_overdue(now) or self.overdue_notified_for == self.next_visit_due:
            return False
        self.overdue_notified_for = self.next_visit_due
        self.events.append(VisitOverdue(self.id, self.days_overdue(now)))
        return True
