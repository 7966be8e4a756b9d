"""Grid visits (网格员走访) and the visit queue by the 六必访 rules; the daily review of the register."""
from __future__ import annotations

from datetime import timedelta

from liandong import idempotency
from liandong.auth import Principal
from liandong.clock import to_iso
from liandong.ids import new_id
from liandong.listing import Page
from liandong.personal import person_key

from ..domain.households import Household
from ..domain.visits import days_overdue
from .base import READ
from .key_groups import KeyGroups
from .register import PERSONAL, REGISTER


class GridVisits(KeyGroups):
    def _findings_shown(self, principal: Principal, household: Household) -> bool:
        """What a visit found is for those who visit and those who may read personal data."""
        return principal.sees(household.org_path, REGISTER, PERSONAL)

    def _visits_of(self, principal: Principal, household: Household) -> list[dict]:
        shown = self._findings_shown(principal, household)
        return [{**v, "household_id": household.id, "findings": v["findings"] if shown else None}
                for v in sorted(household.visits, key=lambda v: v["visited_at"], reverse=True)]

    def record(self, principal: Principal, household_id: str, data: dict) -> dict:
        """Log a visit: when (not in the future; default now), what kind, what was found, whether it needs a
        follow-up. Answers the visit; the household's next visit falls due from it."""
        # the same id for every attempt of one request: a retry answers the visit its first attempt logged
        visit = {"id": idempotency.derived_id("household_visit") or new_id(),
                 "visited_at": self.at_or_now(data["visited_at"], "visited_at"), "kind": data["kind"],
                 "findings": data["findings"], "follow_up_needed": data["follow_up_needed"],
                 "by": principal.user_id, "by_name": principal.name}
        household = self.change(self.repos.households, lambda: self.household(principal, household_id, REGISTER),
                                lambda hh: hh.record_visit(visit, self.rules))
        return next(v for v in self._visits_of(principal, household) if v["id"] == visit["id"])

    def page(self, principal: Principal, household_id: str, query: dict) -> Page:
        household = self.household(principal, household_id, READ)
        visits = [v for v in self._visits_of(principal, household)
                  if (not query.get("from_") or v["visited_at"] >= query["from_"])
                  and (not query.get("to") or v["visited_at"] <= query["to"])]
        return Page.of_all(visits, query["page"], query["page_size"])

    def queue(self, principal: Principal, query: dict) -> Page:
        """Households overdue or due within `within_days`, the most overdue first, each with its rule,
        interval, due time and days overdue (negative: due in that many days)."""
        now = self.clock.now()
        horizon = to_iso(now + timedelta(days=query["within_days"]))
        page = self.repos.households.queue_page(query, self.paths(principal, READ, query.get("org_unit")), horizon)
        page.items = [{"household_id": hh.id, "org_unit_id": hh.org_unit_id, "household_number": hh.household_number,
                       "building": hh.building, "unit": hh.unit, "tags": hh.tags, "residents": len(hh.members),
                       "rule": hh.visit_rule, "every_days": self.rules.days.get(hh.visit_rule),
                       "last_visited_at": hh.last_visited_at, "due_at": hh.visit_due_at,
                       "days_overdue": days_overdue(hh.visit_due_at, now)} for hh in page.items]
        page.extra["within_days"] = query["within_days"]
        return page


def review_register(repos, key_groups: KeyGroups) -> list[str]:
    """Once a day (people age, supervisions end, the rules may have been changed): who is 矫正对象, 独居老人
    for each household of one member, and the next visit due of each household whose stored one is not what
    the rules say. Idempotent; saves only what changes. Returns the ids of the households it changed."""
    today = key_groups.clock.now().date()
    mark = f"{today.isoformat()} {sorted(key_groups.rules.days.items())}"
    if repos.register_marks.get("review") == mark:
        return []  # reviewed today under these rules
    review_supervisions(repos, key_groups, today.isoformat())
    changed = []
    candidates = ({hh.id for hh in repos.households.living_alone()}
                  | set(repos.households.off_schedule(key_groups.rules)))
    for household_id in sorted(candidates):
        household = repos.households.get(household_id)
        before = (household.tags, household.visit_rule, household.visit_due_at)
        key_groups.refresh(household)
        if before == (household.tags, household.visit_rule, household.visit_due_at) and not household.events:
            continue
        first = [household]
        key_groups.change(repos.households, lambda i=household_id: first.pop() if first else repos.households.get(i),
                          key_groups.refresh)
        changed.append(household_id)
    repos.register_marks.set("review", mark)
    return changed


def review_supervisions(repos, key_groups: KeyGroups, today: str) -> None:
    """Every person under supervision is 矫正对象 until their supervision ends (those enrolled before the
    register existed included); once per enrolment and end, by event id."""
    for person in repos.corrections.everyone():
        ended = bool(person.supervision_ends_on) and person.supervision_ends_on < today
        key_groups.learn(person_key(key_groups.deps.cipher, person.id_number), f"corrections:{person.id}",
                         None if ended else "correction", f"corrections.{'ended' if ended else 'enrolled'}:{person.id}")
