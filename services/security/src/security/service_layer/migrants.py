"""Floating population (流动人口): register, read (masked unless allowed, audited), verify, permits."""
from __future__ import annotations

from datetime import timedelta

from liandong.auth import Principal
from liandong.clock import to_iso
from liandong.idnumbers import mask, mask_address, mask_mobile
from liandong.ids import new_id
from liandong.listing import Page

from ..domain.migrants import Migrant
from .base import READ, UseCases, in_sight, record_of
from .jobs import announce_expiring_permits, record_lapsed_permits

MIGRANTS = "security:migrants"
PERSONAL = "personal_data:read"


class Migrants(UseCases):
    def shown(self, principal: Principal, migrant: Migrant) -> dict:
        """Masked ID number, address and landlord mobile unless the caller may read personal data there;
        such a read is audited."""
        out = record_of(migrant, days_to_expiry=migrant.days_to_expiry(self.clock.now()))
        if principal.can(PERSONAL, migrant.org_path):
            self.repos.audit.record(principal, "migrant.id_number.read", migrant.org_path, migrant.id, True)
        else:
            out.update(id_number=mask(migrant.id_number), landlord_mobile=mask_mobile(migrant.landlord_mobile),
                       address=mask_address(migrant.address))
        return out

    def _shown_page(self, principal: Principal, page: Page) -> Page:
        page.items = [self.shown(principal, m) for m in page.items]
        return page

    def _migrant(self, principal: Principal, migrant_id: str, permission: str) -> Migrant:
        return in_sight(principal, self.repos.migrants.get_or_none(migrant_id), permission, "migrant", migrant_id)

    def register(self, principal: Principal, data: dict) -> dict:
        return self.shown(principal, self.registered(principal, data))

    def registered(self, principal: Principal, data: dict, registered_at: str | None = None) -> Migrant:
        """The new registration (the API's and an import's); `registered_at`: when a ledger entered it."""
        path = self.path_of(data["org_unit_id"])
        principal.require(MIGRANTS, path)
        migrant = Migrant.register(id=new_id(), org_path=path, community_id=self.community_of(data["org_unit_id"]),
                                   registered_by=principal.user_id, now=self.now(),
                                   registered_at=self.at_or_now(registered_at, "registered_at"), **data)
        return self.repos.migrants.add(migrant)

    def registration_of(self, principal: Principal, org_unit_id: str, id_number: str) -> Migrant | None:
        """The registration of this ID number in the community of `org_unit_id` (one at most: 不漏登、错登)."""
        principal.require(MIGRANTS, self.path_of(org_unit_id))
        return self.repos.migrants.registration(self.community_of(org_unit_id), id_number)

    def page(self, principal: Principal, query: dict) -> Page:
        return self._shown_page(principal, self.repos.migrants.page(
            query, self.paths(principal, READ, query.get("org_unit"))))

    def expiring(self, principal: Principal, query: dict) -> Page:
        """Active registrations whose residence permit expires within `within_days`, soonest first."""
        days = query["within_days"]
        horizon = (self.clock.now() + timedelta(days=days)).date().isoformat()
        page = self.repos.migrants.expiring_page(query, self.paths(principal, READ, query.get("org_unit")), horizon)
        page.extra["within_days"] = days
        return self._shown_page(principal, page)

    def verification_due(self, principal: Principal, query: dict) -> Page:
        """Active registrations not checked (核查) for `days`, oldest check first."""
        since = to_iso(self.clock.now() - timedelta(days=query["days"]))
        page = self.repos.migrants.unverified_page(query, self.paths(principal, READ, query.get("org_unit")), since)
        page.extra["days"] = query["days"]
        return self._shown_page(principal, page)

    def scan_expiring(self, principal: Principal, org_unit: str | None = None) -> list[str]:
        """The expiry scan now, within the caller's scope or `org_unit` in it (the worker runs it everywhere
        periodically)."""
        paths = self.paths(principal, MIGRANTS, org_unit)
        record_lapsed_permits(self.repos, self.clock, paths)
        return announce_expiring_permits(self.repos, self.clock, paths)

    def get(self, principal: Principal, migrant_id: str) -> dict:
        return self.shown(principal, self._migrant(principal, migrant_id, READ))

    def verify(self, principal: Principal, migrant_id: str, result: str, note: str | None) -> dict:
        return self.shown(principal, self.change(
            self.repos.migrants, lambda: self._migrant(principal, migrant_id, MIGRANTS),
            lambda m: m.verify(result, self.now(), principal.user_id, note)))

    def renew_permit(self, principal: Principal, migrant_id: str, permit_number: str, expires_on: str) -> dict:
        return self.shown(principal, self.permit_renewed(principal, migrant_id, permit_number, expires_on))

    def permit_renewed(self, principal: Principal, migrant_id: str, permit_number: str, expires_on: str) -> Migrant:
        return self.change(self.repos.migrants, lambda: self._migrant(principal, migrant_id, MIGRANTS),
                           lambda m: m.renew_permit(permit_number, expires_on, self.clock.now()))
