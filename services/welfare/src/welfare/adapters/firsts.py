"""The first of each year: the markers behind the figures that count distinct people and households."""
from __future__ import annotations

from liandong.consumer import insert_once


class FirstsInYear:
    """Who had a kind of help first in a year — a register's service, a hand-out of the 爱心超市, a grant of the 爱心基金
    — so that a year's sum of the events that say so counts distinct people or households: one marker per
    (kind, year, person or household), its id the key, written once (the unique `_id` decides between two at once); the service that wrote it is first. A
    retry of the same service (same id) finds its own marker and is still first."""

    def __init__(self, deps):
        self.collection = deps.db.collection("register_service_firsts")  # its first user named it

    def prepare(self) -> None:
        pass

    def first(self, marker: str, service_id: str) -> bool:
        if insert_once(self.collection, {"_id": marker, "service_id": service_id}):
            return True
        doc = self.collection.find_one({"_id": marker})
        return bool(doc and doc.get("service_id") == service_id)

    def release(self, marker: str, service_id: str) -> None:
        """The marker given back when what claimed it did not happen (goods short, a fund without money)."""
        self.collection.delete_one({"_id": marker, "service_id": service_id})
