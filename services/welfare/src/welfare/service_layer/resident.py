"""The residents' door (居民端, #22) at the charity supermarket: what their community's 爱心超市 offers, and
redeeming their own love coins for it. A resident sees only their own redemptions; the coins spent are
only ever their own volunteer's (the volunteer service checks that, it owns whose volunteer is whose)."""
from __future__ import annotations

from liandong.auth import Principal, out_of_scope
from liandong.errors import NotFound
from liandong.listing import Page, refuse_period

from ..domain.supermarket import Redemption
from .redemptions import Redemptions

SELF = "resident:self"


class ResidentSupermarket:
    def __init__(self, redemptions: Redemptions):
        self.redemptions = redemptions
        self.stores = redemptions.stores
        self.org = redemptions.org

    def offers(self, p: Principal, q: dict) -> Page:
        """A resident: their community's offers; staff (who see the whole stock anyway): those in their scope."""
        refuse_period(q)
        permission = "welfare:read" if p.has("welfare:read") else SELF
        paths = p.list_paths(permission, self.org.path_of(q["org_unit"], "org_unit") if q["org_unit"] else None)
        return self.stores.stock.offers(paths, q["page"], q["page_size"])

    def redeem(self, p: Principal, body: dict) -> Redemption:
        home = p.home()
        return self.redemptions.ask(p, {**body, "org_unit_id": home.org_unit}, home.org_path, [home.org_path],
                                    resident_user_id=p.user_id)

    def mine(self, p: Principal, q: dict) -> Page:
        """The caller's own redemptions at this door (a staff member has none)."""
        path = self.org.path_of(q["org_unit"], "org_unit") if q["org_unit"] else None
        return self.stores.redemptions.of_resident(p.user_id, {**q, "org_unit_path": path})

    def one(self, p: Principal, redemption_id: str) -> Redemption:
        try:
            r = self.stores.redemptions.get(redemption_id)
        except NotFound:
            r = None  # answered in the same words as another resident's
        if r is None or r.resident_user_id != p.user_id:
            raise out_of_scope("redemption", redemption_id)
        return r
