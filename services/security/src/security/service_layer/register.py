"""The real-population register (实有人口): households and their residents, kept by the grid workers.

Registering is idempotent by the natural keys (a household by its 户号 in its community, else by its
address in its org unit; a resident by ID number), so an office's ledger can be imported row by row and
imported again: each call answers `created`, `updated` or `unchanged`, and an unchanged one emits nothing.
Reads mask ID numbers, mobiles, rooms and birth dates unless the caller holds personal_data:read over the
household; such full reads are audited.
"""
from __future__ import annotations

from datetime import date

from liandong import idempotency
from liandong.auth import Principal
from liandong.errors import Conflict
from liandong.idnumbers import mask, mask_mobile, years_old
from liandong.ids import new_id
from liandong.listing import Page
from liandong.personal import PERSON_KEY, person_key

from ..domain import households as h
from .base import READ, record_of
from .household_file import activity_of, merged, summary
from .key_groups import KeyGroups

REGISTER = "security:register"
PERSONAL = "personal_data:read"
ADDRESS = ("building", "unit", "room")
HIDDEN = "***"
# what a caller (the importer) may leave out
HOUSEHOLD_DEFAULTS = {"building": None, "unit": None, "room": None, "household_number": None}
RESIDENT_DEFAULTS = {"mobile": None, "hand_tags": []}


class Register(KeyGroups):
    # -- reading

    def shown(self, principal: Principal, household: h.Household, audited_as: str = "household.read") -> dict:
        """The household as this caller may see it; a full read (personal data unmasked) is audited."""
        full = principal.can(PERSONAL, household.org_path)
        if full:
            self.repos.audit.record(principal, audited_as, household.org_path, household.id, True)
        today = self.clock.now().date()
        out = record_of(household, members=[self._member(m, full, today) for m in household.members],
                        former_members=[self._member(m, full, today) for m in household.former_members],
                        visits=len(household.visits))
        if not full:
            out["room"] = household.room and HIDDEN
        return out

    @staticmethod
    def _member(m: dict, full: bool, today) -> dict:
        out = {k: v for k, v in m.items() if k != "person_key"}
        out["age"] = years_old(date.fromisoformat(m["birth_date"]), today)
        if not full:
            out.update(id_number=mask(m["id_number"]), mobile=mask_mobile(m.get("mobile")), birth_date=None)
        return out

    def get(self, principal: Principal, household_id: str) -> dict:
        return self.shown(principal, self.household(principal, household_id))

    def file(self, principal: Principal, household_id: str) -> dict:
        """一户一档: the household with what every service's events say of each member — grants and payments,
        petitions, volunteer hours — and its grid visits. Only with personal_data:read over the household (403
        otherwise); every view is audited (household.file). A member's activity is looked up under every
        configured key, so what was announced before a key rotation is still found."""
        household = self.household(principal, household_id)
        if not principal.can(PERSONAL, household.org_path):
            self.repos.audit.record(principal, "household.file", household.org_path, household.id, False)
            principal.require(PERSONAL, household.org_path)
        out = self.shown(principal, household, audited_as="household.file")
        everyone = household.members + household.former_members
        keys = {m["id"]: self.deps.cipher.blind_indexes(m["id_number"], PERSON_KEY) for m in everyone}
        found = activity_of(self.deps, sorted({k for ks in keys.values() for k in ks}))
        for shown in out["members"] + out["former_members"]:
            shown["activity"] = merged([found[k] for k in keys[shown["id"]]])
        out["summary"] = summary(out["members"])
        out["visit_log"] = sorted(household.visits, key=lambda v: v.get("visited_at") or "", reverse=True)[:50]
        return out

    def page(self, principal: Principal, query: dict) -> Page:
        """`q`: a household number, or an ID number (finding where a person lives needs personal_data:read)."""
        paths = self.paths(principal, READ, query.get("org_unit"))
        key = None
        if query.get("q") and query.get("q_is_id_number"):
            for path in paths:
                principal.require(PERSONAL, path)
            key = person_key(self.deps.cipher, query["q"])
        page = self.repos.households.page(query, paths, key)
        page.items = [self.shown(principal, hh) for hh in page.items]
        return page

    # -- households

    def register_or_update_household(self, principal: Principal, data: dict) -> tuple[str, h.Household]:
        """Register a household, or bring the one with the same natural key up to date. `data`: org_unit_id,
        building, unit, room, household_number (each but org_unit_id may be None). Returns (created / updated /
        unchanged, the household); nothing is emitted when unchanged."""
        data = {**HOUSEHOLD_DEFAULTS, **data}
        path = self.path_of(data["org_unit_id"])
        principal.require(REGISTER, path)
        community = self.community_of(data["org_unit_id"])
        done = self.repos.households.stored_by_this_request()
        if done is not None:  # a retried request whose first attempt registered it: answered as then
            return h.CREATED, done
        repo = self.repos.households
        found = repo.by_natural_key(repo.natural_key(community_id=community, **data))
        if found is None and data["household_number"]:
            # registered before without its 户号: the household at that address is this one
            unnumbered = repo.by_natural_key(repo.natural_key(community_id=community,
                                                              **{**data, "household_number": None}))
            found = unnumbered if unnumbered is not None and unnumbered.household_number is None else None
        if found is None:
            household = h.Household.register(id=new_id(), org_path=path, community_id=community,
                                             registered_by=principal.user_id, now=self.now(), **data)
            self.refresh(household)
            return h.CREATED, self.repos.households.add(household)
        if not principal.can(REGISTER, found.org_path):
            # another grid's household at this number: say so without naming it
            raise Conflict("a household with this number or address is registered by another office",
                           {"household_number": ["registered already, outside your area"]})
        filing = {k: data[k] for k in ("org_unit_id", "household_number", *ADDRESS)}
        if found.filed_as(**filing):
            return h.UNCHANGED, found  # read only: a re-import writes nothing
        changed: list = []
        first = [found]  # changed as just read; read again on a concurrent change

        def refile(household: h.Household) -> None:
            changed[:] = [household.refile(org_path=path, community_id=community, **filing)]

        household = self.change(repo, lambda: first.pop() if first else self.household(principal, found.id, REGISTER),
                                refile)
        return (h.UPDATED if changed and changed[0] else h.UNCHANGED), household

    def register(self, principal: Principal, data: dict) -> tuple[str, dict]:
        outcome, household = self.register_or_update_household(principal, data)
        return outcome, self.shown(principal, household)

    def leave(self, principal: Principal, household_id: str) -> dict:
        """The household leaves (搬离): its members move out with it; its address is free for the next one."""
        gone: list[dict] = []

        def leave(hh: h.Household) -> None:
            gone[:] = hh.leave(self.now())
            self.refresh(hh)

        household = self.change(self.repos.households, lambda: self.household(principal, household_id, REGISTER), leave)
        for m in gone:
            self.repos.memberships.release(m["person_key"], household.id)
        return self.shown(principal, household)

    # -- residents

    def register_or_update_resident(self, principal: Principal, household_id: str,
                                    data: dict) -> tuple[str, h.Household, dict]:
        """Add a person to the household, or update them there (matched by ID number). `data`: name,
        id_number (valid, upper-case), relationship, residence, mobile (or None), hand_tags (disabled / dibao
        from the office's own ledger). A person present in another household is refused (409): they move out
        there first. Returns (created / updated / unchanged, the household, the member)."""
        data = {**RESIDENT_DEFAULTS, **data}
        key = person_key(self.deps.cipher, data["id_number"])
        try:
            current = self.household(principal, household_id, REGISTER)
        except idempotency.AlreadyApplied as done:  # a retried request: answered as its first attempt
            return self._as_first_answered(done.aggregate, key)
        if current.as_given(key, data, self.facts_of(key)):
            return h.UNCHANGED, current, current.member_with(key)  # read only: a re-import writes nothing
        outcome: list = []

        def put(hh: h.Household) -> None:
            if hh.member_with(key) is None:
                self._claim(key, hh.id)
            outcome[:] = hh.put_member(resident_id=new_id(), person_key=key, given_tags=self.facts_of(key),
                                       now=self.now(), **data)
            self.refresh(hh)

        first = [current]  # changed as just read; read again on a concurrent change
        household = self.change(self.repos.households,
                                lambda: first.pop() if first else self.household(principal, household_id, REGISTER),
                                put)
        if not outcome:
            return self._as_first_answered(household, key)
        return outcome[0], household, household.member_with(key)

    @staticmethod
    def _as_first_answered(household: h.Household, key: str) -> tuple[str, h.Household, dict]:
        """A retried request's answer: the member its first attempt added (or updated)."""
        member = household.member_with(key)
        return (h.CREATED if member["added_at"] == member["updated_at"] else h.UPDATED), household, member

    def register_or_update_row(self, principal: Principal, household: dict,
                               resident: dict) -> tuple[str, str, h.Household]:
        """One row of an office's 实有人口 ledger (a person with their household's columns): the household by its
        natural key, then the person in it. Returns (the household's outcome, the person's, the household)."""
        household_outcome, found = self.register_or_update_household(principal, household)
        resident_outcome, stored, _ = self.register_or_update_resident(principal, found.id, resident)
        return household_outcome, resident_outcome, stored

    def _claim(self, key: str, household_id: str) -> None:
        holder = self.repos.memberships.claim(key, household_id)
        if holder == household_id:
            return
        other = self.repos.households.holding(key)
        if other is not None and other.id != household_id:
            raise Conflict("this person is a member of another household; move them out there first",
                           {"id_number": ["a member of another household"]})
        if not self.repos.memberships.take_over(key, holder, household_id):
            raise Conflict("this person is being registered in another household at this moment",
                           {"id_number": ["a member of another household"]})

    def put_resident(self, principal: Principal, household_id: str, data: dict) -> tuple[str, dict]:
        outcome, household, _ = self.register_or_update_resident(principal, household_id, data)
        return outcome, self.shown(principal, household)

    def move_out(self, principal: Principal, household_id: str, resident_id: str) -> dict:
        """A resident moves out (迁出): no longer counted here, kept in the household's file."""
        gone: list[dict] = []

        def move_out(hh: h.Household) -> None:
            gone[:] = [hh.move_out(resident_id, self.now())]
            self.refresh(hh)

        household = self.change(self.repos.households, lambda: self.household(principal, household_id, REGISTER),
                                move_out)
        for m in gone:
            self.repos.memberships.release(m["person_key"], household.id)
        return self.shown(principal, household)

