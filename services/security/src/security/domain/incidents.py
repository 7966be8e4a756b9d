"""Incidents (治安事件 / 突发事件): reported, dispatched, on scene, resolved, closed, with their times."""
from __future__ import annotations

from dataclasses import dataclass, field

from .base import Aggregate, DomainEvent, minutes_between, transition

TYPES = ("theft", "fraud", "fire", "gas_leak", "flood", "power_outage", "public_disturbance", "hazard", "other")
SEVERITIES = ("low", "medium", "high", "critical")
REPORTERS = ("resident", "patrol", "staff")
# Public-safety emergencies: 天然气泄漏, 暴雨 (flooding), 停电.
EMERGENCY_TYPES = ("gas_leak", "flood", "power_outage")
STATUSES = ("reported", "dispatched", "on_scene", "resolved", "closed")


class IncidentReported(DomainEvent):
    pass


class IncidentResolved(DomainEvent):
    pass


@dataclass(kw_only=True)
class Incident(Aggregate):
    type: str
    severity: str
    description: str
    reported_by_kind: str
    reporter_user_id: str
    reported_at: str
    building: str | None = None
    address: str | None = None
    injured: int = 0
    affected: int = 0
    patrol_run_id: str | None = None
    emergency: bool = False
    verified: bool = False
    verified_by: str | None = None
    status: str = "reported"
    assignee: str | None = None
    dispatched_at: str | None = None
    on_scene_at: str | None = None
    resolved_at: str | None = None
    closed_at: str | None = None
    resolution: str | None = None
    history: list = field(default_factory=list)

    @classmethod
    def report(cls, *, now: str, **kw) -> "Incident":
        incident = cls(reported_at=now, emergency=kw["type"] in EMERGENCY_TYPES, **kw)
        incident.history.append({"status": "reported", "at": now, "by": kw["reporter_user_id"]})
        incident.events.append(IncidentReported(incident.id))
        return incident

    def _move(self, to: str, allowed_from: tuple[str, ...], now: str, by: str, note: str | None = None) -> None:
        transition(self.status, allowed_from, to)
        self.status = to
        self.history.append({"status": to, "at": now, "by": by, **({"note": note} if note else {})})

    def dispatch(self, assignee: str, now: str, by: str) -> None:
        self._move("dispatched", ("reported",), now, by, assignee)
        self.assignee, self.dispatched_at = assignee, now

    def arrive(self, now: str, by: str) -> None:
        self._move("on_scene", ("dispatched",), now, by)
        self.on_scene_at = now

    def resolve(self, resolution: str, now: str, by: str) -> None:
        self._move("resolved", ("dispatched", "on_scene"), now, by, resolution)
        self.resolution, self.resolved_at = resolution, now
        self.events.append(IncidentResolved(self.id))

    def close(self, now: str, by: str) -> None:
        self._move("closed", ("resolved",), now, by)
        self.closed_at = now

    def verify(self, by: str) -> None:
        self.verified, self.verified_by = True, by

    @property
    def response_minutes(self) -> float | None:
        """From the report to the first responder on scene (or to resolution if nobody was logged on scene)."""
        return minutes_between(self.reported_at, self.on_scene_at or self.resolved_at)

    @property
    def resolution_minutes(self) -> float | None:
        return minutes_between(self.reported_at, self.resolved_at)
