"""Leader reception days (接访日): who receives petitioners on which day, and the days nobody does."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from liandong.errors import ValidationFailed

MAX_SPAN_DAYS = 366


@dataclass(frozen=True)
class DutyDay:
    """One leader on duty at one sub-district on one day.

    (街道党工委书记, 办事处主任, 人大代表, 所站负责人 take turns, as the offices' reports describe.)
    """

    subdistrict_id: str
    day: date
    leader_name: str
    title: str = ""

    @property
    def id(self) -> str:
        return f"{self.subdistrict_id}:{self.day.isoformat()}"

    @classmethod
    def create(cls, subdistrict_id: str, day: date, leader_name: str, title: str = "") -> "DutyDay":
        if not (leader_name or "").strip():
            raise ValidationFailed("the leader on duty is required", {"leader_name": ["required"]})
        return cls(subdistrict_id, day, leader_name.strip(), (title or "").strip())


def days_between(start: date, end: date) -> list[date]:
    if end < start:
        raise ValidationFailed("the period ends before it starts", {"to": ["must not be before from"]})
    if (end - start).days >= MAX_SPAN_DAYS:
        raise ValidationFailed("the period is too long", {"to": [f"at most {MAX_SPAN_DAYS} days"]})
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def gaps(start: date, end: date, covered: set[date]) -> list[str]:
    """Days in the period nobody is on duty: the office wants someone there every day."""
    return [d.isoformat() for d in days_between(start, end) if d not in covered]
