"""Storage of the real-population register (实有人口): households with their named queries and events, who
is a member where (one household per person), and what other services know of a person by their key."""
from __future__ import annotations

from typing import Any

from liandong.consumer import apply_once
from liandong.errors import Conflict
from liandong.listing import Page
from liandong.personal import PERSON_KEY, BlindIndex, PersonalFields
from liandong.storage.base import DuplicateKeyError
from liandong.storage.filters import any_of, between, one_of, within

from ..domain import households as h
from ..domain.visits import VisitRules, due_after
from .repositories import DataclassRepository

_MEMBER = ("name", "id_number", "mobile", "birth_date")
NATURAL_KEY = "register.household"
SCHEDULE = ("tags", "status", "last_visited_at", "registered_at", "visit_rule", "visit_due_at")


def _contains_any(field: str, values) -> dict | None:
    """An array field holding any of the values ($all of one: the containment both stores answer)."""
    if not values:
        return None
    return any_of({field: {"$all": [v]}} for v in values)


class HouseholdRepository(DataclassRepository):
    collection_name = "households"
    aggregate = h.Household
    # the address, every member's name, ID number, mobile and birth date, what a visit found
    personal = PersonalFields.of(
        "building", "unit", "room", *(f"{part}[].{f}" for part in ("members", "former_members") for f in _MEMBER),
        "visits[].findings",
        # the present members' person keys: how a person is found (by ID number) without storing it in the clear
        blind=(BlindIndex("person_keys", "members[].id_number", PERSON_KEY),))
    indexes = [([("natural_key", 1)], {"unique": True, "name": "natural_key"}),
               ([("person_keys", 1)], {"name": "person_keys"}),
               ([("org_path", 1), ("registered_at", 1)], {"name": "org_path_registered"}),
               ([("status", 1), ("visit_due_at", 1)], {"name": "status_due"})]

    @staticmethod
    def natural_key(*, org_unit_id: str, community_id: str, household_number: str | None,
                    building: str | None, unit: str | None, room: str | None) -> str:
        """A household is the same one by its 户号 in its community, else by its address in its org unit.
        Stored as a blind index (`natural_key`), since the address is personal."""
        return (f"number|{community_id}|{household_number}" if household_number
                else "|".join(["address", org_unit_id, *((p or "").strip() for p in (building, unit, room))]))

    def key_of(self, household: h.Household) -> str:
        if household.status == "left":  # its address and number are free for whoever moves in
            return f"left|{household.id}"
        return self.deps.cipher.blind_index(self.natural_key(
            org_unit_id=household.org_unit_id, community_id=household.community_id,
            household_number=household.household_number, building=household.building, unit=household.unit,
            room=household.room), NATURAL_KEY)

    def to_document(self, household: h.Household) -> dict:
        # `residences`: the statuses of its present members, a plain list the `residence` filter asks
        return {**super().to_document(household), "natural_key": self.key_of(household),
                "residences": sorted({m["residence"] for m in household.members})}

    def add(self, household: h.Household) -> h.Household:
        try:
            return super().add(household)
        except Conflict as exc:
            if isinstance(exc.__cause__, DuplicateKeyError) and self.collection.find_one({"_id": household.id}) is None:
                raise Conflict("this household is registered already", {
                    "household_number": ["a household with this number or address is registered already"]}) from exc
            raise

    def by_natural_key(self, key: str) -> h.Household | None:
        """Under any configured key (a re-encryption may be under way; the next save stores today's)."""
        found = self.find({"natural_key": self.deps.cipher.blind_match(key, NATURAL_KEY)}, limit=1)
        return found[0] if found else None

    def holding(self, person_key: str) -> h.Household | None:
        """The household the person is a present member of."""
        found = self.find({"person_keys": {"$all": [person_key]}, "status": "active"}, limit=1)
        return found[0] if found else None

    def page(self, query: dict, paths: list[str], person_key: str | None = None) -> Page:
        """Households in these subtrees (active unless `status` says), oldest registration first; `tag`: any of
        those key groups; `residence`: a present member of that status; `q`: a household number, or (as
        `person_key`) the household of that ID number."""
        search = None
        if query.get("q"):
            search = {"person_keys": {"$all": [person_key]}} if person_key else {"household_number": query["q"]}
        return self._page(query, [within(paths), one_of("status", query.get("status") or ["active"]),
                                  _contains_any("tags", query.get("tag")), search,
                                  _contains_any("residences", query.get("residence")),
                                  between("registered_at", query.get("from_"), query.get("to"))],
                          [("registered_at", 1)])

    def queue_page(self, query: dict, paths: list[str], horizon: str) -> Page:
        """Active households whose next visit falls due by `horizon`, the most overdue first."""
        return self._page(query, [within(paths), {"status": "active"}, between("visit_due_at", end=horizon),
                                  between("visit_due_at", query.get("from_"), query.get("to")),
                                  _contains_any("tags", query.get("tag"))], [("visit_due_at", 1)])

    def living_alone(self) -> list[h.Household]:
        """Active households of one present member: whether that member is 独居老人 changes with age."""
        return self.find({"status": "active", "members": {"$size": 1}})

    def off_schedule(self, rules: VisitRules) -> list[str]:
        """Active households whose stored next visit is not what the rules say (the rules were changed)."""
        out = []
        for d in self.collection.find({"status": "active"}, projection={k: 1 for k in SCHEDULE}):
            rule = rules.strictest(d.get("tags") or ())
            due = due_after(d.get("last_visited_at") or d["registered_at"], rules.days[rule]) if rule else None
            if (d.get("visit_rule"), d.get("visit_due_at")) != (rule, due):
                out.append(d["_id"])
        return out

    def publish(self, hh: h.Household, event: Any):
        base = {"household_id": hh.id, "org_unit_id": hh.org_unit_id, "community_id": hh.community_id}
        if isinstance(event, (h.HouseholdRegistered, h.HouseholdChanged)):
            name = "registered" if isinstance(event, h.HouseholdRegistered) else "changed"
            return f"security.household.{name}", {**base, "household_number": hh.household_number,
                                                  "tags": hh.tags, "residents": len(hh.members),
                                                  "registered_at": hh.registered_at}
        if isinstance(event, h.HouseholdLeft):
            return "security.household.left", {**base, "left_at": hh.left_at}
        if isinstance(event, h.HouseholdVisited):
            visit = next(v for v in hh.visits if v["id"] == event.visit_id)
            return "security.household.visited", {
                **base, "visit_id": visit["id"], "kind": visit["kind"], "visited_at": visit["visited_at"],
                "visitor_id": visit["by"], "follow_up_needed": visit["follow_up_needed"], "tags": hh.tags}
        if isinstance(event, (h.ResidentAdded, h.ResidentChanged, h.ResidentMovedOut)):
            m = next(m for m in (*hh.members, *hh.former_members) if m["id"] == event.resident_id)
            name = {h.ResidentAdded: "added", h.ResidentChanged: "changed", h.ResidentMovedOut: "moved_out"}
            return f"security.resident.{name[type(event)]}", {
                # the person by the platform's key, never by name or ID number
                **base, "resident_id": m["id"], "person_key": m["person_key"], "relationship": m["relationship"],
                "residence": getattr(event, "residence_after", None) or m["residence"], "tags": m["tags"],
                "moved_out_at": m["moved_out_at"],
                **({"previous_residence": event.residence_before} if getattr(event, "residence_before", None) else {})}
        return None


class Memberships:
    """Who is a present member of which household: one household per person (by person key) platform-wide.
    A claim is taken before the household is saved; a claim whose household does not hold the person (a save
    that never happened) is stale and taken over."""

    def __init__(self, deps):
        self.claims = deps.db.collection("register_memberships")

    def claim(self, person_key: str, household_id: str) -> str:
        """The household that holds the claim after trying to take it for `household_id`."""
        try:
            self.claims.insert_one({"_id": person_key, "household_id": household_id})
            return household_id
        except DuplicateKeyError:
            return (self.claims.find_one({"_id": person_key}) or {}).get("household_id", household_id)

    def take_over(self, person_key: str, stale_holder: str, household_id: str) -> bool:
        return bool(self.claims.update_one({"_id": person_key, "household_id": stale_holder},
                                           {"$set": {"household_id": household_id}}).matched_count)

    def holder(self, person_key: str) -> str | None:
        """The household that claimed the person (their present one, unless the claim is stale)."""
        return (self.claims.find_one({"_id": person_key}) or {}).get("household_id")

    def release(self, person_key: str, household_id: str) -> None:
        self.claims.delete_one({"_id": person_key, "household_id": household_id})


class KeyGroupFacts:
    """What the services that know a person say of them, by person key, kept whether or not the person is
    in the register yet: {source (a grant, a supervision): key group}."""

    def __init__(self, deps):
        self.facts = deps.db.collection("key_group_facts")

    def state(self, person_key: str, source: str, tag: str | None, event_id: str) -> bool:
        """Record that `source` puts the person in `tag` (None: no longer), once per event."""
        update = {"$set": {f"sources.{source}": tag}} if tag else {"$unset": {f"sources.{source}": ""}}
        return apply_once(self.facts, person_key, event_id, update)

    def tags_of(self, person_key: str) -> list[str]:
        doc = self.facts.find_one({"_id": person_key}) or {}
        return sorted({t for t in (doc.get("sources") or {}).values() if t})


class Marks:
    """When a periodic job last ran to completion (the register's daily review)."""

    def __init__(self, deps):
        self.marks = deps.db.collection("register_marks")

    def get(self, job: str) -> str | None:
        return (self.marks.find_one({"_id": job}) or {}).get("mark")

    def set(self, job: str, mark: str) -> None:
        self.marks.update_one({"_id": job}, {"$set": {"mark": mark}}, upsert=True)
