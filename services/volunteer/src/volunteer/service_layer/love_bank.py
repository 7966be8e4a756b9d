"""Use cases of the love bank (爱心银行): adjustments with a reason, the time bank between members, and
the check that the balances equal the ledger. Coins earned by attendance and spent at the charity
supermarket move in the handlers (handlers/)."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import ValidationFailed
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

    def check(self, p: Principal) -> dict:
        # every account of the district, with its id: a district-level look
        self.access.district(p)
        return self.s.ledger.check()
