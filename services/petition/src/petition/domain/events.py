"""The petition's domain events: plain records of what happened to a case. The repository maps them to
the contracts (`PetitionRepository.publish`); their names here may change freely."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PetitionRegistered:
    pass


@dataclass(frozen=True)
class PetitionAssigned:
    assignment: dict


@dataclass(frozen=True)
class PetitionAnswered:
    on_time: bool
    at: str


@dataclass(frozen=True)
class PetitionClosed:
    satisfaction: str
    resolved_at_level: bool
    at: str


@dataclass(frozen=True)
class PetitionOverdue:
    supervisor_level: str
    deadline: str
    at: str


@dataclass(frozen=True)
class PetitionEscalated:
    kind: str  # "escalation" (to the level above) or "supervision" (督办 after an overdue)
    from_level: str
    to_level: str
    reason: str
    at: str


@dataclass(frozen=True)
class RiskFlagged:
    flags: tuple[str, ...]
    at: str
