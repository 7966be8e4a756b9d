"""What every aggregate of this service carries, and small time helpers the rules share."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from liandong.clock import from_iso, to_iso
from liandong.domain import DomainEvent as SharedDomainEvent
from liandong.errors import InvalidTransition, ValidationFailed


class DomainEvent(SharedDomainEvent):
    """Something that happened to one aggregate, recorded by it; its repository maps it to a contract."""

    aggregate_id: str


@dataclass(kw_only=True)
class Aggregate:
    id: str
    org_path: str
    org_unit_id: str
    version: int = 0
    events: list = field(default_factory=list, repr=False, compare=False)


def minutes_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (from_iso(end) - from_iso(start)).total_seconds() / 60


def require_not_future(value: str, now: datetime, name: str) -> str:
    if from_iso(value) > now + timedelta(seconds=5):
        raise ValidationFailed(f"{name} lies in the future", {name: ["must not lie in the future"]})
    return to_iso(from_iso(value))


def transition(current: str, allowed_from: tuple[str, ...], to: str) -> None:
    if current not in allowed_from:
        raise InvalidTransition(f"cannot go from {current!r} to {to!r}")


def days_until(on: str, now: datetime) -> int:
    """Whole days from today (UTC) to the date `on` (YYYY-MM-DD); negative once past."""
    return (date.fromisoformat(on) - now.date()).days


RATE_DIGITS = 4  # a fraction to 0.01 percentage points: 91 of 98 -> 0.9286


def rate(numerator: int, denominator: int) -> float | None:
    """A fraction 0..1 from summed counts, rounded half up to four decimals (91 of 98 -> 0.9286, shown
    as 92.86%); None if there are no cases (no rate rather than 0)."""
    if denominator <= 0:
        return None
    scale = 10 ** RATE_DIGITS
    units, rest = divmod(numerator * scale, denominator)
    if rest * 2 >= denominator:
        units += 1
    return units / scale
