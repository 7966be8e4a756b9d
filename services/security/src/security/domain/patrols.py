"""Patrols (巡逻): routes with checkpoints, shifts with rosters, and runs with check-ins and findings."""
from __future__ import annotations

from dataclasses import dataclass, field

from liandong.errors import Conflict, ValidationFailed

from .base import Aggregate, DomainEvent, minutes_between, transition

PARTICIPANT_KINDS = ("police", "security_volunteer", "lane_guard", "staff")  # lane_guard: 护巷志愿者
FINDING_KINDS = ("hazard", "suspicious", "repair_needed")
RUN_STATES = ("in_progress", "completed")


class PatrolRunCompleted(DomainEvent):
    pass


@dataclass(kw_only=True)
class Route:
    """A patrol route of a community and its ordered checkpoints."""

    id: str
    org_path: str
    org_unit_id: str
    name: str
    checkpoints: list  # [{"id", "name", "location"}]
    created_at: str


def shift_status(shift: dict, now_iso: str) -> str:
    """planned / covered (a run was started for it) / missed (it ended and nobody patrolled)."""
    if shift.get("run_id"):
        return "covered"
    return "missed" if shift["ends_at"] < now_iso else "planned"


@dataclass(kw_only=True)
class PatrolRun(Aggregate):
    route_id: str
    route_name: str
    checkpoints: list  # copied from the route when the run starts, so later route edits change nothing here
    participants: list  # [{"person_name", "kind", "volunteer_id"}]
    started_at: str
    started_by: str
    shift_id: str | None = None
    status: str = "in_progress"
    checkins: list = field(default_factory=list)  # [{"checkpoint_id", "at", "by", "note"}]
    findings: list = field(default_factory=list)  # [{"checkpoint_id", "kind", "description", "at"}]
    ended_at: str | None = None

    @classmethod
    def start(cls, *, route: Route, participants: list, started_at: str, **kw) -> "PatrolRun":
        if not participants:
            raise ValidationFailed("a patrol needs participants", {"participants": ["at least one participant"]})
        names = [p["person_name"] for p in participants]
        if len(set(names)) != len(names):
            raise ValidationFailed("a participant is listed twice", {"participants": ["names must be distinct"]})
        return cls(route_id=route.id, route_name=route.name, checkpoints=list(route.checkpoints),
                   participants=[dict(p) for p in participants], started_at=started_at, **kw)

    def check_in(self, checkpoint_id: str, at: str, by: str, note: str | None = None,
                 finding: dict | None = None) -> None:
        transition(self.status, ("in_progress",), "checked_in")
        if checkpoint_id not in {c["id"] for c in self.checkpoints}:
            raise ValidationFailed("unknown checkpoint", {"checkpoint_id": [f"not on route {self.route_id}"]})
        if at < self.started_at:
            raise ValidationFailed("check-in before the start", {"at": ["must not be before the run started"]})
        if checkpoint_id in self.checked_ids:
            raise Conflict(f"checkpoint {checkpoint_id} is checked already", {"checkpoint_id": ["checked already"]})
        self.checkins.append({"checkpoint_id": checkpoint_id, "at": at, "by": by, "note": note})
        if finding:
            self.findings.append({"checkpoint_id": checkpoint_id, "at": at, **finding})

    def complete(self, ended_at: str) -> None:
        transition(self.status, ("in_progress",), "completed")
        if ended_at < self.started_at:
            raise ValidationFailed("ends before it starts", {"ended_at": ["must not be before started_at"]})
        self.status, self.ended_at = "completed", ended_at
        self.events.append(PatrolRunCompleted(self.id))

    @property
    def checked_ids(self) -> set[str]:
        return {c["checkpoint_id"] for c in self.checkins}

    @property
    def missed_checkpoints(self) -> list[dict]:
        """Checkpoints of the route nobody checked in at (shown once the run is over)."""
        if self.status != "completed":
            return []
        return [c for c in self.checkpoints if c["id"] not in self.checked_ids]

    @property
    def minutes(self) -> int:
        return int(round(minutes_between(self.started_at, self.ended_at) or 0))

    def participant_minutes(self) -> list[dict]:
        """Every participant is credited the whole run (they walk it together)."""
        return [{"person_name": p["person_name"], "kind": p["kind"], "volunteer_id": p.get("volunteer_id"),
                 "minutes": min(self.minutes, 24 * 60)} for p in self.participants]
