"""Storage of pairing support (结对帮扶) and visits (走访 / 慰问): their records, named queries and indexes."""
from __future__ import annotations

import dataclasses

from liandong import outbox
from liandong.errors import NotFound
from liandong.listing import Page, day_of, page_of
from liandong.personal import PersonalFields
from liandong.storage.base import DuplicateKeyError

from liandong.storage.filters import all_of, between, one_of, within
from .repositories import _DataclassRepository

# a pairing (结对帮扶) names the household helped and its support plan
PAIRING = PersonalFields.of("household", "plan", "goals")


@dataclasses.dataclass
class Visit:
    """走访 / 慰问: who visited whom, when, what was given, what follows up."""

    id: str
    org_path: str
    org_unit_id: str
    kind: str
    visitor_id: str
    visitor_name: str
    visited: str
    visited_at: str
    money_fen: int
    goods: str
    notes: str
    follow_up: str
    pairing_id: str | None
    recorded_at: str
    version: int = 0
    events: list = dataclasses.field(default_factory=list)


class VisitRepository(_DataclassRepository):
    collection_name = "visits"
    aggregate_class = Visit
    # whom (a name with a door number), what was seen (health, living conditions) and what follows
    personal = PersonalFields.of("visited", "notes", "follow_up")
    indexes = [([("org_path", 1), ("visited_at", 1)], {"name": "org_time"}), ([("pairing_id", 1)], {"name": "pairing"}),
               ([("visitor_id", 1), ("visited_at", 1)], {"name": "visitor_time"})]

    def publish(self, v: Visit, ev):
        # whom was visited stays here (personal): consumers count visits and money
        return "welfare.visit.recorded", {"visit_id": v.id, "org_unit_id": v.org_unit_id, "kind": v.kind,
                                          "visitor_id": v.visitor_id,
                                          "visited_at": v.visited_at, "money_fen": v.money_fen, "goods": v.goods}

    def of_pairing(self, pairing_id: str) -> list[Visit]:
        return self.find({"pairing_id": pairing_id}, sort=[("visited_at", 1)])

    def in_period(self, org_path: str, since: str | None, until: str | None) -> list[Visit]:
        """Visits below an org unit made between `since` and `until` (both included)."""
        return self.find(all_of(within([org_path]), between("visited_at", since, until)))

    def page(self, scope: list[str], q: dict) -> Page:
        """Visits below the org paths `scope`, newest first: of some kinds, by one visitor, of one pairing."""
        return self._page(all_of(within(scope), one_of("kind", q.get("kind")),
                                   one_of("visitor_id", [q.get("visitor_id")]),
                                   one_of("pairing_id", [q.get("pairing_id")]),
                                   between("visited_at", q.get("from_"), q.get("to"))),
                          [("visited_at", -1), ("_id", 1)], q["page"], q["page_size"])


class PairingRepository:
    """Pairings (结对帮扶): plain records, the household and plan encrypted, each with its events (#21) in the same
    write (outbox). `household_key`: a blind index of the household as written, so one household paired with two
    helpers counts once, without its name."""

    def __init__(self, deps):
        self.deps = deps
        self.collection = deps.db.collection("pairings")

    def prepare(self) -> None:
        outbox.prepare(self.collection)
        self.collection.create_index([("org_path", 1)], name="org")
        self.collection.create_index([("org_unit_id", 1), ("status", 1)], name="unit_status")
        # the list's filters: by the day it started (within the org tree), by helper, by household
        self.collection.create_index([("org_path", 1), ("started_on", 1)], name="org_day")
        self.collection.create_index([("helper_id", 1), ("started_on", 1)], name="helper_day")
        self.collection.create_index([("household_key", 1)], name="household")

    def household_key(self, household: str) -> str:
        return self.deps.cipher.blind_index(" ".join(household.split()), "welfare.pairing.household")

    def _envelope(self, pairing: dict, name: str, data: dict, sequence: int):
        return self.deps.events.new(name, pairing["_id"], {
            "pairing_id": pairing["_id"], "org_unit_id": pairing["org_unit_id"], "helper_kind": pairing["helper_kind"],
            **data}, pairing["org_path"], sequence=sequence)

    def add(self, pairing: dict, started: dict) -> dict:
        """Store a pairing once with its `welfare.pairing.started`; a retry (its id derived from the request's key)
        gets the stored one."""
        doc = PAIRING.encrypt(pairing, self.deps.cipher)
        try:
            outbox.insert_with_events(self.collection, doc,
                                      [self._envelope(pairing, "welfare.pairing.started", started, 1)])
        except DuplicateKeyError:
            pass
        return self.get(pairing["_id"])

    def end(self, pairing: dict, changes: dict, ended: dict) -> dict:
        """The pairing ended, with its `welfare.pairing.ended`, unless changed since read (409: read it again)."""
        version = pairing.get(outbox.VERSION)
        if version is None:  # stored before its events (#21): versioned from now on
            self.collection.update_one({"_id": pairing["_id"], outbox.VERSION: {"$exists": False}},
                                       {"$set": {outbox.VERSION: 0}})
            version = 0
        outbox.update_with_events(self.collection, pairing["_id"], version, changes,
                                  [self._envelope(pairing, "welfare.pairing.ended", ended, version + 1)])
        return self.get(pairing["_id"])

    def others_active(self, org_unit_id: str, field: str, value: str, pairing_id: str) -> bool:
        """Whether another pairing of the org unit is active for this helper (`helper_id`) or household
        (`household_key`)."""
        return self.collection.find_one({"org_unit_id": org_unit_id, "status": "active", "counted": True, field: value,
                                         "_id": {"$ne": pairing_id}}) is not None

    def get(self, pairing_id: str) -> dict:
        doc = self.collection.find_one({"_id": pairing_id})
        if doc is None:
            raise NotFound(f"no pairing {pairing_id!r}")
        return PAIRING.decrypt(doc, self.deps.cipher)

    def page(self, scope: list[str], q: dict) -> Page:
        """Pairings below the org paths `scope`, newest first by the day they started (an office's day): in some
        states, of some kinds of helper, of one helper, of one household (its name as written, by its blind key)."""
        since, until = (day_of(q.get(b)) for b in ("from_", "to"))
        household = q.get("household")
        return page_of(self.collection, all_of(
            within(scope), one_of("status", q.get("status")), one_of("helper_kind", q.get("helper_kind")),
            one_of("helper_id", [q.get("helper_id")]),
            {"household_key": self.household_key(household)} if household else {},
            between("started_on", since and since.isoformat(), until and until.isoformat())),
            page=q["page"], page_size=q["page_size"], sort=[("started_on", -1), ("_id", 1)],
            load=lambda doc: PAIRING.decrypt(outbox.strip(doc), self.deps.cipher))
