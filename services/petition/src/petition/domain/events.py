"""The petition's domain events: plain records of what happened to a case. The repository maps them to
the contracts (`PetitionRepository.publish`); their names here may change freely."""
from __future__ import annotations

from liandong.domain import DomainEvent


class PetitionRegistered(DomainEvent):
    pass


class PetitionAssigned(DomainEvent):
    assignment: dict


class PetitionAnswered(DomainEvent):
    on_time: bool
    at: str


class PetitionClosed(DomainEvent):
    satisfaction: str
    resolved_at_level: bool
    at: str


class PetitionOverdue(DomainEvent):
    supervisor_level: str
    deadline: str
    at: str


class PetitionEscalated(DomainEvent):
    kind: str  # "escalation" (to the level above) or "supervision" (督办 after an overdue)
    from_level: str
    to_level: str
    reason: str
    at: str


class RiskFlagged(DomainEvent):
    flags: tuple[str, ...]
    at: str
