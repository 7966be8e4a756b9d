"""Key groups (重点人群) the services that know them say of a person, by the platform's person key: kept
whether or not the person is in the register yet, and put on their member record at once if they are, else
when they are registered. Shared by the register's use cases, the corrections enrolment and the welfare
handlers."""
from __future__ import annotations

from liandong import idempotency
from liandong.auth import Principal

from ..domain.households import Household
from ..domain.visits import VisitRules
from .base import READ, UseCases, in_sight


class KeyGroups(UseCases):
    """What the register's use cases share: the 六必访 rules, a household taken by id, refreshing it."""

    def __init__(self, deps, repos, rules: VisitRules):
        super().__init__(deps, repos)
        self.rules = rules

    def household(self, principal: Principal, household_id: str, permission: str = READ) -> Household:
        return in_sight(principal, self.repos.households.get_or_none(household_id), permission, "household",
                        household_id)

    def refresh(self, household: Household) -> None:
        """Tags, 独居老人 and the next visit due, as of now: after every change of a household."""
        household.refresh(self.clock.now().date(), self.rules, self.now())

    def facts_of(self, person_key: str) -> list[str]:
        return self.repos.key_group_facts.tags_of(person_key)

    def learn(self, person_key: str, source: str, tag: str | None, event_id: str) -> None:
        """`source` (a grant, a supervision) puts the person in `tag` (None: no longer); once per event. The
        member record of the person, if registered, follows at once (a redelivery finds nothing to change)."""
        self.repos.key_group_facts.state(person_key, source, tag, event_id)
        holder = self.repos.memberships.holder(person_key)  # by primary key: no scan of the register
        try:
            household = self.repos.households.get_or_none(holder) if holder else None
        except idempotency.AlreadyApplied:
            return  # a retried request (an enrolment) whose first attempt tagged the member already
        member = household.member_with(person_key) if household else None
        tags = self.facts_of(person_key)
        if member is None or member.get("given_tags") == tags:
            return  # not registered (kept: applied when they are), or nothing new (a redelivery)

        def apply(hh: Household) -> None:
            if hh.give_tags(person_key, self.facts_of(person_key)):
                self.refresh(hh)

        first = [household]  # changed as just read; read again on a concurrent change
        self.change(self.repos.households, lambda: first.pop() if first else self.repos.households.get(holder), apply)
