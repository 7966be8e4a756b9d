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


class MigrantMovedOut(DomainEvent):
    """The registration ended: found moved out at a check (核查). Says whether its permit had lapsed, so the
    figure of lapsed permits goes down with it."""
    moved_out_at: str
    permit_lapsed: bool


class PermitLapsed(DomainEvent):
    """The residence permit passed its expiry date unrenewed while the person is registered here."""
    expired_on: str


class PermitRenewed(DomainEvent):
    was_lapsed: bool


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
    permit_lapsed: bool = False  # expired unrenewed: counted in the lapsed permits until renewed or moved out
    moved_out_at: str | None = None

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

    def lapse(self, now) -> bool:
        """Record once that the permit expired unrenewed (the day after its expiry date); False if not due or
        recorded. The registration stays: a lapsed permit is a reason to check, not proof of leaving."""
        left = self.days_to_expiry(now)
        if self.status != "active" or self.permit_lapsed or left is None or left >= 0:
            return False
        self.permit_lapsed = True
        self.events.append(PermitLapsed(self.id, self.permit_expires_on))
        return True

    def renew_permit(self, permit_number: str, expires_on: str, now) -> None:
        transition(self.status, ("active",), "renewed")
        was_lapsed, self.permit_lapsed = self.permit_lapsed, False
        self.permit_number, self.permit_expires_on = permit_number, expires_on
        self.events.append(PermitRenewed(self.id, was_lapsed))
        self.announce_expiry(now)

    def verify(self, result: str, now: str, by: str, note: str | None = None) -> None:
        """A periodic check (核查): still living here, or moved out (the registration ends)."""
        transition(self.status, ("active",), "verified")
        self.verifications.append({"at": now, "by": by, "result": result, "note": note})
        self.last_verified_at = now
        if result == "moved_out":
            self.status, self.moved_out_at = "moved_out", now
            self.events.append(MigrantMovedOut(self.id, now, self.permit_lapsed))
