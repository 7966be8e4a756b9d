"""The volunteer side of the love-coin redemption saga with the welfare service (爱心超市 兑换)."""
from __future__ import annotations

from dataclasses import dataclass, field

from liandong.errors import InvalidTransition
from liandong.domain import DomainEvent

# reserved -> redeemed | released ; refused is final (a later cancel releases nothing).
STATUSES = ("reserved", "refused", "redeemed", "released")


class CoinsReserved(DomainEvent):
    balance_after: int


class ReservationRefused(DomainEvent):
    reason: str


class CoinsRedeemed(DomainEvent):
    pass


class CoinsReleased(DomainEvent):
    pass


@dataclass
class Redemption:
    id: str  # the welfare service's redemption_id
    volunteer_id: str
    coins: int
    org_unit_id: str
    org_path: str
    status: str
    requested_at: str
    reason: str | None = None
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def reserved(cls, balance_after: int, **kw) -> "Redemption":
        r = cls(status="reserved", **kw)
        r.events.append(CoinsReserved(balance_after))
        return r

    @classmethod
    def refused(cls, reason: str, **kw) -> "Redemption":
        r = cls(status="refused", reason=reason, **kw)
        r.events.append(ReservationRefused(reason))
        return r

    def redeem(self) -> None:
        if self.status != "reserved":
            raise InvalidTransition(f"a {self.status} redemption cannot be redeemed")
        self.status = "redeemed"
        self.events.append(CoinsRedeemed())

    def release(self) -> None:
        if self.status != "reserved":
            raise InvalidTransition(f"a {self.status} redemption has nothing to release")
        self.status = "released"
        self.events.append(CoinsReleased())
