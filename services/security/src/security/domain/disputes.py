"""People's mediation (人民调解) of disputes: parties, sessions, outcome and follow-up."""
from __future__ import annotations

from dataclasses import dataclass, field

from .base import Aggregate, DomainEvent, transition

TYPES = ("neighbour", "family", "property", "labour", "other")
OUTCOMES = ("agreement", "failed", "referred_to_court")  # referred_to_court: 法庭立案
SUCCESS = "agreement"
STATUSES = ("open", "mediated")


class DisputeMediated(DomainEvent):
    pass


@dataclass(kw_only=True)
class Dispute(Aggregate):
    type: str
    summary: str
    parties: list  # [{"name", "role"}]
    mediator_name: str
    registered_at: str
    registered_by: str
    petition_id: str | None = None
    petition_category: str | None = None  # known from the petition service's events, if it arrived already
    status: str = "open"
    sessions: list = field(default_factory=list)
    outcome: str | None = None
    outcome_note: str | None = None
    mediated_at: str | None = None
    follow_ups: list = field(default_factory=list)

    def hold_session(self, held_at: str, by: str, note: str) -> None:
        transition(self.status, ("open",), "session")
        self.sessions.append({"at": held_at, "by": by, "note": note})

    def conclude(self, outcome: str, now: str, note: str | None = None) -> None:
        transition(self.status, ("open",), "mediated")
        self.status, self.outcome, self.outcome_note, self.mediated_at = "mediated", outcome, note, now
        self.events.append(DisputeMediated(self.id))

    def follow_up(self, now: str, by: str, note: str, holding: bool) -> None:
        """A later visit (回访): does the agreement hold?"""
        transition(self.status, ("mediated",), "followed_up")
        self.follow_ups.append({"at": now, "by": by, "note": note, "agreement_holding": holding})

    @property
    def succeeded(self) -> bool:
        return self.outcome == SUCCESS
