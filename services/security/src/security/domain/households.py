"""The real-population register (实有人口): households (户) at an address in a grid, and the residents in them.

A household is one aggregate with its present members, its former members (moved out: kept for the
household's file) and its grid visits (网格员走访). Its key groups (重点人群) are its present members'
tags: set by hand from the office's own ledger (残疾人, 低保户), given by the services that know them
(welfare's grants, security's corrections subjects — by the platform's person key), and derived
(独居老人: the one present member is 60 or older, by the birth date in the ID number).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from liandong.errors import NotFound
from liandong.idnumbers import born_on, years_old

from .base import Aggregate, DomainEvent, transition
from .visits import VisitRules, due_after

KEY_GROUPS = ("elderly_alone", "disabled", "dibao", "correction")
HAND_SET = ("disabled", "dibao")  # what an office's own ledger may say; the rest is derived or given by a service
RELATIONSHIPS = ("head", "spouse", "child", "parent", "sibling", "grandparent", "grandchild", "other")
RESIDENCES = ("registered", "floating", "separated")  # 户籍, 流动, 人户分离
STATUSES = ("active", "left")
ELDERLY_AGE = 60
# what a member's record says that the office keys in: a change of any of them is an update
MEMBER_FIELDS = ("name", "relationship", "residence", "mobile", "hand_tags")

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class HouseholdRegistered(DomainEvent):
    pass


class HouseholdChanged(DomainEvent):
    """Its org unit or household number changed."""


class HouseholdLeft(DomainEvent):
    pass


class ResidentAdded(DomainEvent):
    resident_id: str


class ResidentChanged(DomainEvent):
    resident_id: str
    # a change of residence status (户籍 → 流动 …) moves the figures by status: what it was and what it became
    residence_before: str | None = None
    residence_after: str | None = None


class ResidentMovedOut(DomainEvent):
    resident_id: str


class HouseholdVisited(DomainEvent):
    visit_id: str


@dataclass(kw_only=True)
class Household(Aggregate):
    community_id: str
    building: str | None = None  # 楼栋, 单元, 室: the address, personal data
    unit: str | None = None
    room: str | None = None
    household_number: str | None = None  # 户号
    registered_at: str
    registered_by: str
    status: str = "active"
    left_at: str | None = None
    members: list = field(default_factory=list)  # present residents
    former_members: list = field(default_factory=list)  # moved out, kept for the household's file
    tags: list = field(default_factory=list)  # the key groups of its present members
    visits: list = field(default_factory=list)
    last_visited_at: str | None = None
    visit_rule: str | None = None  # the strictest 六必访 rule its tags fall under
    visit_due_at: str | None = None

    @classmethod
    def register(cls, *, now: str, **kw) -> "Household":
        household = cls(registered_at=now, **kw)
        household.events.append(HouseholdRegistered(household.id))
        return household

    # -- the household itself

    def filed_as(self, org_unit_id: str, household_number: str | None, building: str | None, unit: str | None,
                 room: str | None) -> bool:
        """Whether the register has it at this org unit, number and address already (a re-import)."""
        return (self.org_unit_id, self.household_number, self.building, self.unit, self.room) == (
            org_unit_id, household_number, building, unit, room)

    def refile(self, *, org_unit_id: str, org_path: str, community_id: str, household_number: str | None,
               building: str | None, unit: str | None, room: str | None) -> bool:
        """Filed under another org unit or household number, or its address corrected; True if anything changed."""
        if self.filed_as(org_unit_id, household_number, building, unit, room):
            return False
        transition(self.status, ("active",), "changed")
        self.org_unit_id, self.org_path, self.community_id = org_unit_id, org_path, community_id
        self.household_number, self.building, self.unit, self.room = household_number, building, unit, room
        self.events.append(HouseholdChanged(self.id))
        return True

    def leave(self, now: str) -> list[dict]:
        """The whole household leaves (搬离): every present member moves out with it. Returns them."""
        transition(self.status, ("active",), "left")
        gone = [self._move_out(m, now) for m in list(self.members)]
        self.status, self.left_at = "left", now
        self.events.append(HouseholdLeft(self.id))
        return gone

    # -- members

    def member(self, resident_id: str) -> dict:
        for m in self.members:
            if m["id"] == resident_id:
                return m
        raise NotFound(f"no resident {resident_id!r}")

    def member_with(self, person_key: str) -> dict | None:
        return next((m for m in self.members if m["person_key"] == person_key), None)

    def as_given(self, person_key: str, data: dict, given_tags: list[str]) -> bool:
        """Whether the person is a member exactly as `data` says, with these tags from other services
        (a re-import: nothing to write)."""
        member = self.member_with(person_key)
        data = {**data, "hand_tags": sorted(set(data.get("hand_tags") or ()))}
        return (member is not None and all(member.get(k) == data.get(k) for k in MEMBER_FIELDS)
                and member.get("given_tags") == sorted(set(given_tags)))

    def put_member(self, *, resident_id: str, person_key: str, given_tags: list[str], now: str,
                   **data) -> tuple[str, dict]:
        """Add the person, or update what the office keyed in about them (matched by person key: one
        ID number is one person). Returns (created / updated / unchanged, the member)."""
        transition(self.status, ("active",), "member changed")
        data["hand_tags"] = sorted(set(data.get("hand_tags") or ()))
        current = self.member_with(person_key)
        if current is None:
            member = {"id": resident_id, "person_key": person_key, "birth_date": born_on(data["id_number"]).isoformat(),
                      **data, "given_tags": sorted(set(given_tags)), "tags": [], "added_at": now,
                      "updated_at": now, "moved_out_at": None}
            self.members.append(member)
            self.events.append(ResidentAdded(self.id, resident_id))
            return CREATED, member
        if all(current.get(k) == data.get(k) for k in MEMBER_FIELDS):
            return UNCHANGED, current
        before = current.get("residence")
        current.update({k: data.get(k) for k in MEMBER_FIELDS}, updated_at=now)
        moved = before != current.get("residence")
        self.events.append(ResidentChanged(self.id, current["id"], before if moved else None,
                                           current.get("residence") if moved else None))
        return UPDATED, current

    def move_out(self, resident_id: str, now: str) -> dict:
        """A member leaves the household (迁出): the register's stock goes down by one."""
        transition(self.status, ("active",), "moved out")
        return self._move_out(self.member(resident_id), now)

    def _move_out(self, member: dict, now: str) -> dict:
        self.members.remove(member)
        member["moved_out_at"] = now
        self.former_members.append(member)
        self.events.append(ResidentMovedOut(self.id, member["id"]))
        return member

    def give_tags(self, person_key: str, tags: list[str]) -> bool:
        """What another service knows of this person (their grants, their supervision); True if it changed."""
        member = self.member_with(person_key)
        if member is None or member.get("given_tags") == sorted(set(tags)):
            return False
        member["given_tags"] = sorted(set(tags))
        return True

    # -- key groups and the visit schedule

    def refresh(self, today: date, rules: VisitRules, now: str) -> None:
        """Every member's tags from what is known of them (and their age today), the household's as their
        union, and the next visit due by the strictest rule: after every change, and daily (people age)."""
        alone = len(self.members) == 1
        for m in self.members:
            elderly = alone and years_old(date.fromisoformat(m["birth_date"]), today) >= ELDERLY_AGE
            tags = sorted(set(m.get("hand_tags") or ()) | set(m.get("given_tags") or ())
                          | ({"elderly_alone"} if elderly else set()))
            if tags != m.get("tags"):
                announced = m["id"] in self._announced()
                m["tags"] = tags
                if not announced:
                    m["updated_at"] = now
                    self.events.append(ResidentChanged(self.id, m["id"]))
        self.tags = sorted({t for m in self.members for t in m["tags"]})
        self.reschedule(rules)

    def _announced(self) -> set[str]:
        """Members whose added/changed event is pending already (it carries their tags as they end up)."""
        return {e.resident_id for e in self.events if isinstance(e, (ResidentAdded, ResidentChanged))}

    def reschedule(self, rules: VisitRules) -> bool:
        rule = rules.strictest(self.tags) if self.status == "active" else None
        due = due_after(self.last_visited_at or self.registered_at, rules.days[rule]) if rule else None
        changed = (self.visit_rule, self.visit_due_at) != (rule, due)
        self.visit_rule, self.visit_due_at = rule, due
        return changed

    def record_visit(self, visit: dict, rules: VisitRules) -> dict:
        """A grid worker's visit (走访): the next one falls due from the latest visit."""
        transition(self.status, ("active",), "visited")
        self.visits.append(visit)
        self.last_visited_at = max(v["visited_at"] for v in self.visits)
        self.reschedule(rules)
        self.events.append(HouseholdVisited(self.id, visit["id"]))
        return visit
