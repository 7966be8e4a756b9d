"""The residents' door (居民端, #22) at the charity supermarket: what their community's 爱心超市 offers, and
redeeming their own love coins for it. A resident sees only their own redemptions; the coins spent are
only ever their own volunteer's (the volunteer service checks that, it owns whose volunteer is whose)."""
from __future__ import annotations

from liandong.auth import Principal, out_of_scope
from liandong.errors import NotFound
from liandong.listing import Page

from ..domain.supermarket import Redemption
from .redemptions import Redemptions


class ResidentSupermarket:
    def __init__(self, redemptions: Redemptions):
        self.redemptions = redemptions
        self.stores = redemptions.stores

    def offers(self, p: Principal, q: dict) -> Page:
        return self.stores.stock.offers(p.home().org_unit, q["page"], q["page_size"])

    def redeem(self, p: Principal, body: dict) -> Redemption:
        home = p.home()
        return self.redemptions.ask(p, {**body, "org_unit_id": home.org_unit}, home.org_path, [home.org_path],
                                    resident_user_id=p.user_id)

    def mine(self, p: Principal, q: dict) -> Page:
        p.own_key()
        return self.stores.redemptions.of_resident(p.user_id, q["page"], q["page_size"])

    def one(self, p: Principal, redemption_id: str) -> Redemption:
        p.own_key()
        try:
            r = self.stores.redemptions.get(redemption_id)
        except NotFound:
            r = None  # answered in the same words as another resident's
        if r is None or r.resident_user_id != p.user_id:
            raise out_of_scope("redemption", redemption_id)
        return r
