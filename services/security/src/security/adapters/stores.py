"""The service's plain document stores: patrol routes and shifts (no events of their own), and the
petitions it learned from the petition service's events."""
from __future__ import annotations

from liandong import idempotency
from liandong.consumer import apply_once, insert_once
from liandong.events.envelope import Envelope
from liandong.ids import new_id
from liandong.listing import Page
from liandong.storage.filters import any_of, between, within

from .queries import as_record, paged

SHIFT_STATES = ("planned", "covered", "missed")


class _Store:
    collection_name = ""
    id_label = ""  # what a retried request's id derives from (liandong.idempotency.derived_id)

    def __init__(self, deps):
        self.collection = deps.db.collection(self.collection_name)

    def get(self, record_id: str) -> dict | None:
        document = self.collection.find_one({"_id": record_id})
        return None if document is None else as_record(document)

    def add(self, record: dict) -> dict:
        """Store a new record once: a retried request (same Idempotency-Key) answers what its first
        attempt stored."""
        record_id = idempotency.derived_id(self.id_label) or new_id()
        if not insert_once(self.collection, {"_id": record_id, **record}):
            return self.get(record_id)
        return {"id": record_id, **record}


class PatrolRouteStore(_Store):
    collection_name = "patrol_routes"
    id_label = "patrol_route"

    def prepare(self) -> None:
        self.collection.create_index([("org_path", 1)], name="org_path")

    def page(self, query: dict, paths: list[str]) -> Page:
        return paged(self.collection, query, [within(paths), between("created_at", query.get("from_"), query.get("to"))],
                     [("created_at", 1)], load=as_record)


class PatrolShiftStore(_Store):
    collection_name = "patrol_shifts"
    id_label = "patrol_shift"

    def prepare(self) -> None:
        self.collection.create_index([("org_path", 1), ("ends_at", 1)], name="org_path_ends")
        self.collection.create_index([("route_id", 1)], name="route")

    def claim(self, shift_id: str, run_id: str) -> bool:
        """Give an unclaimed shift its run; False if another run has it (one run per shift)."""
        return bool(self.collection.update_one({"_id": shift_id, "run_id": None},
                                               {"$set": {"run_id": run_id}}).matched_count)

    def page(self, query: dict, paths: list[str], now: str) -> Page:
        """Shifts by start; `status` as `domain.patrols.shift_status` tells it, asked of the store."""
        states = {"covered": {"run_id": {"$ne": None}},
                  "missed": {"run_id": None, "ends_at": {"$lt": now}},
                  "planned": {"run_id": None, "ends_at": {"$gte": now}}}
        status = any_of(states[s] for s in query["status"]) if query.get("status") else None
        return paged(self.collection, query, [within(paths), status,
                                              between("starts_at", query.get("from_"), query.get("to"))],
                     [("starts_at", 1)], load=as_record)


class KnownPetitions:
    """A local copy of petition ids and categories (never the petitioner), kept current from events."""

    def __init__(self, deps):
        self.petitions = deps.db.collection("known_petitions")

    def get(self, petition_id: str) -> dict | None:
        return self.petitions.find_one({"_id": petition_id})

    def learn(self, event: Envelope) -> None:
        """Record a registered petition once (a redelivered event changes nothing)."""
        d = event.data
        apply_once(self.petitions, d["petition_id"], event.id, {"$set": {
            "org_unit_id": d["org_unit_id"], "category": d["category"], "org_path": event.orgpath,
            "registered_at": d["registered_at"]}})
