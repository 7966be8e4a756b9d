"""The residents' door (居民端, #22) at the charity supermarket: what their community's 爱心超市 offers, and
redeeming their own love coins for it. A resident sees only their own redemptions; the coins spent are
only ever their own volunteer's (the volunteer service checks that, it owns whose volunteer is whose)."""
from __future__ import annotations

from liandong.auth import Principal, out_of_scope
from liandong.errors import NotFound
from liandong.listing import Page, refuse_period

from ..domain.cases import Application
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


class ResidentApplications:
    """A resident's own welfare applications at their door, read only (#22): those they filed online and those
    staff took at the window with them as the applicant (申请人: the application's `person_key`). Where it
    stands, never the household's figures: the door shows the state, the window holds the file."""

    def __init__(self, stores):
        self.applications = stores.applications

    def mine(self, p: Principal, q: dict) -> Page:
        """A staff member has none (no applications filed at a door, no person key on their token)."""
        refuse_period(q)
        return self.applications.of_resident(p.user_id, p.person_key, q["page"], q["page_size"])

    def one(self, p: Principal, application_id: str) -> Application:
        try:
            app = self.applications.get(application_id)
        except NotFound:
            app = None  # answered in the same words as another resident's
        if app is None or not (app.applicant_user_id == p.user_id
                               or (p.person_key and self.applications.applicant_key(app.household) == p.person_key)):
            raise out_of_scope("application", application_id)
        return app
