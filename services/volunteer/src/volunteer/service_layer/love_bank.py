"""Use cases of the love bank (爱心银行): adjustments with a reason, the time bank between members, and
the check that the balances equal the ledger. Coins earned by attendance and spent at the charity
supermarket move in the handlers (handlers/)."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import Conflict, ValidationFailed
from liandong.ids import new_id

from ..domain.ledger import Transfer, issuer_account, volunteer_account
from .access import MANAGE, Access, Stores
from .activities import Activities
from .views import entry_view


class LoveBank:
    def __init__(self, stores: Stores, access: Access, activities: Activities):
        self.s, self.access, self.activities = stores, access, activities
        self.clock = stores.deps.clock

    def adjust(self, p: Principal, data: dict) -> dict:
        """A correction of a balance is itself an entry with a reason (never an edit of a balance)."""
        v = self.access.managed_volunteer(p, data["volunteer_id"])
        entry_id = f"adj:{v.id}:{data['request_id'] or new_id()}"
        coins, refs = data["coins"], {"by": p.user_id}
        if coins > 0:
            return entry_view(self.s.ledger.credit(entry_id, v.id, coins, "adjustment", data["reason"],
                                                   v.org_unit_id, v.org_path, refs))
        t = Transfer(entry_id, volunteer_account(v.id), issuer_account(v.org_unit_id), -coins, "adjustment",
                     data["reason"], v.org_path, self.clock.now_iso(), refs)
        return entry_view(self.s.ledger.transfer(t))

    def time_bank(self, p: Principal, data: dict) -> dict:
        """时间银行: one member pays another for help with coins."""
        if data["from_volunteer_id"]:
            payer_id = self.access.own_or_managed(p, data["from_volunteer_id"]).id
        else:
            payer_id = self.access.own_volunteer(p).id
        # the payee: one the caller manages, or (a resident paying) a member of the payer's own community
        payee = self.access.found_volunteer(data["to_volunteer_id"])
        if not p.can(MANAGE, payee.org_path):
            self.access.same_community(self.s.volunteers.get(payer_id), payee.id)
        payer, payee = self.activities.active_volunteer(payer_id), self.activities.active_volunteer(payee.id)
        if payer.id == payee.id:
            raise ValidationFailed("pay another volunteer", {"to_volunteer_id": ["same as the payer"]})
        t = Transfer(f"tb:{payer.id}:{data['request_id'] or new_id()}", volunteer_account(payer.id),
                     volunteer_account(payee.id), data["coins"], "time_bank", data["reason"], payer.org_path,
                     self.clock.now_iso(), {"from_volunteer_id": payer.id, "to_volunteer_id": payee.id})
        return entry_view(self.s.ledger.transfer(t))

    def carry_forward(self, p: Principal, volunteer_id: str, minutes: int, coins: int) -> bool:
        """A volunteer's opening balance from the office's own books (期初结转): the hours they served and the
        coins they held before rollout day. Booked once per volunteer: the coins as a ledger entry from the
        community's opening-balances account, the hours as an attendance row of source `opening`. The same
        figures again change nothing (False); other figures are refused, never posted a second time."""
        v = self.access.managed_volunteer(p, volunteer_id)
        differs = opening_differs(self.booked_opening(v.id), minutes, coins)
        if differs:
            raise Conflict(differs, {"opening": [differs]})
        if self.s.attendance.opening_of(v.id) is not None:
            return False
        # the coins first: the hours row is the record that the opening is complete, so a retry after a crash
        # in between finds the entry (same id, same coins) and finishes with the row
        if coins > 0:
            self.s.ledger.carry_forward(v.id, coins, v.org_unit_id, v.org_path, {"by": p.user_id})
        self.s.attendance.record_opening(v.id, minutes, v.org_unit_id, v.org_path)
        return True

    def booked_opening(self, volunteer_id: str) -> tuple[int | None, int | None]:
        """(minutes, coins) of the volunteer's opening as booked: None where nothing was."""
        row, entry = self.s.attendance.opening_of(volunteer_id), self.s.ledger.opening_of(volunteer_id)
        return (row["minutes"] if row is not None else None, entry["coins"] if entry is not None else None)

    def check(self, p: Principal) -> dict:
        # every account of the district, with its id: a district-level look
        self.access.district(p)
        return self.s.ledger.check()


def opening_differs(booked: tuple[int | None, int | None], minutes: int, coins: int) -> str | None:
    """Why these opening figures cannot be booked where `booked` (minutes, coins) were, or None."""
    booked_minutes, booked_coins = booked
    if booked_minutes is None and booked_coins is None:
        return None
    if booked_minutes is None:
        booked_minutes = minutes  # a half-done opening (coins posted, the hours row not yet): the coins decide
    booked_coins = booked_coins or 0
    if (booked_minutes, booked_coins) == (minutes, coins):
        return None
    return (f"期初余额已导入且不同:已导入服务时长 {booked_minutes / 60:g} 小时、爱心币 {booked_coins} 枚,"
            f"本次为 {minutes / 60:g} 小时、{coins} 枚;如需更正,请用爱心币调整(带原因)")
