"""Floating population (流动人口): registrations of non-local residents and their residence permits."""
from __future__ import annotations

from dataclasses import dataclass, field

from liandong.clock import from_iso

from .base import Aggregate, DomainEvent, days_until, transition

EXPIRY_NOTICE_DAYS = 7
VERIFY_EVERY_DAYS = 90  # a registration not checked for this long is due for 核查
STATUSES = ("active", "moved_out")


class MigrantRegistered(DomainEvent):
    pass


class PermitExpiring(DomainEvent):
    days_left: int


@dataclass(kw_only=True)
class Migrant(Aggregate):
    """One registration; at most one per ID number and community (不漏登、错登)."""

    community_id: str
    name: str
    id_number: str
    origin: str
    address: str
    building: str | None = None
    landlord_name: str | None = None
    landlord_mobile: str | None = None
    permit_number: str | None = None  # 临时居住证号
    permit_expires_on: str | None = None  # YYYY-MM-DD
    registered_at: str
    registered_by: str
    status: str = "active"
    last_verified_at: str | None = None
    verifications: list = field(default_factory=list)
    expiry_notified_for: str | None = None  # the expiry date already announced (renewal -> announced again)

    @classmethod
    def register(cls, *, now: str, registered_at: str | None = None, **kw) -> "Migrant":
        """Registered now, or at `registered_at` (an office's ledger entry from before): its last check is its
        registration, so an old entry nobody has checked since is due for 核查 as it would be on paper."""
        at = registered_at or now
        migrant = cls(registered_at=at, last_verified_at=at, **kw)
        migrant.events.append(MigrantRegistered(migrant.id))
        migrant.announce_expiry(from_iso(now))  # a permit that is about to expire already is announced at once
        return migrant

    def days_to_expiry(self, now) -> int | None:
        return None if not self.permit_expires_on else days_until(self.permit_expires_on, now)

    def expiring_within(self, days: int, now) -> bool:
        left = self.days_to_expiry(now)
        return self.status == "active" and left is not None and left <= days

    def announce_expiry(self, now) -> bool:
        """Record the expiry notice once per expiry date; False if nothing is due or it was sent."""
        if not self.expiring_within(EXPIRY_NOTICE_DAYS, now) or self.expiry_notified_for == self.permit_expires_on:
            return False
        self.expiry_notified_for = self.permit_expires_on
        self.events.append(PermitExpiring(self.id, self.days_to_expiry(now)))
        return True

    def renew_permit(self, permit_number: str, expires_on: str, now) -> None:
        transition(self.status, ("active",), "renewed")
        self.permit_number, self.permit_expires_on = permit_number, expires_on
        self.announce_expiry(now)

    def verify(self, result: str, now: str, by: str, note: str | None = None) -> None:
        """A periodic check (核查): still living here, or moved out (the registration ends)."""
        transition(self.status, ("active",), "verified")
        self.verifications.append({"at": now, "by": by, "result": result, "note": note})
        self.last_verified_at = now
        if result == "moved_out":
            self.status = "moved_out"
