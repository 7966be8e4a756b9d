"""Grants (在保): reading them, the periodic re-review (动态管理), ending one."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.listing import Page
from liandong.repository import retry_on_conflict

from ..domain.cases import Grant
from .common import UseCases, current_period, found, household_from


class Grants(UseCases):
    def search(self, p: Principal, q: dict) -> Page:
        return self.stores.grants.page(scope=self.scope(p, "welfare:read", q.get("org_unit")), status=q.get("status"),
                                       programme=q.get("programme"), since=q.get("from_"), until=q.get("to"),
                                       page=q["page"], page_size=q["page_size"])

    def get(self, p: Principal, grant_id: str) -> Grant:
        grant = found(self.stores.grants, "grant", grant_id)
        if p.has("welfare:read_own") and self.stores.applications.filed_by(grant.application_id, p.user_id):
            return grant
        p.authorize("welfare:read", grant.org_path, read="welfare:read", what="grant", record_id=grant_id)
        return grant

    def _change(self, p: Principal, grant_id: str, permission: str, mutate) -> tuple[Grant, object]:
        """Load, check access, change, save — again on a concurrent change; (grant, what `mutate` said)."""
        said: list = [None]

        def attempt() -> Grant:
            grant = found(self.stores.grants, "grant", grant_id)
            p.authorize(permission, grant.org_path, read="welfare:read", what="grant", record_id=grant_id)
            said[0] = mutate(grant)
            return self.stores.grants.save(grant)

        return retry_on_conflict(attempt), said[0]

    def rereview(self, p: Principal, grant_id: str, body: dict) -> tuple[Grant, str]:
        def rereview(grant):
            programme = self.programme(grant.programme)
            eligibility = self.catalogue.check(programme, household_from(body["household"]), grant.org_path,
                                               self.year())
            return grant.rereview(body["household"], eligibility, p.user_id, self.clock.now_iso(),
                                  programme.review_every_months, body.get("if_failed", "suspend"))

        grant, outcome = self._change(p, grant_id, "welfare:review", rereview)
        return grant, outcome or _outcome_of(grant)

    def end(self, p: Principal, grant_id: str, reason: str) -> Grant:
        return self._change(p, grant_id, "welfare:approve", lambda grant: grant.end(reason))[0]

    def reviews_due(self, p: Principal, q: dict) -> Page:
        """Running grants whose re-review is due by the month asked (default: this month)."""
        period = q.get("period") or current_period(self.clock.now())
        return self.stores.grants.reviews_due(self.scope(p, "welfare:read", q.get("org_unit")), period,
                                              q["page"], q["page_size"])


def _outcome_of(grant: Grant) -> str:
    """What a re-review decided, read off the grant (a retried request's answer: its first attempt decided)."""
    return (grant.reviews[-1] if grant.reviews else {}).get("outcome", "continued")
