"""Stores org units with their events in one write (outbox), and reads the tree back."""
from __future__ import annotations

from liandong import outbox
from liandong.storage import DuplicateKeyError
from liandong.errors import Conflict

from ..domain.org_tree import OrgUnit


class OrgRepository:
    def __init__(self, deps):
        """`deps`: `liandong.platform.Dependencies` (its database and event factory)."""
        self.events = deps.events
        self.units = deps.db.collection("org_tree")

    def prepare(self) -> None:
        outbox.prepare(self.units)
        self.units.create_index([("path", 1)], name="path")
        self.units.create_index([("parent_id", 1)], name="parent")

    def get(self, unit_id: str) -> tuple[OrgUnit, int] | None:
        doc = self.units.find_one({"_id": unit_id})
        if doc is None:
            return None
        unit = OrgUnit(doc["_id"], doc["name"], doc["level"], doc["parent_id"], doc["path"], doc.get("retired", False))
        return unit, doc["_v"]

    def name_of(self, unit_id: str) -> str | None:
        found = self.get(unit_id)
        return found[0].name if found else None

    def _events(self, unit: OrgUnit, sequence: int):
        evs = [self.events.new(name, unit.id, data, unit.path, sequence=sequence)
               for name, data in unit.events]
        unit.events.clear()
        return evs

    def add(self, unit: OrgUnit) -> None:
        doc = {"_id": unit.id, "name": unit.name, "level": unit.level, "parent_id": unit.parent_id,
               "path": unit.path, "retired": unit.retired}
        try:
            outbox.insert_with_events(self.units, doc, self._events(unit, 1))
        except DuplicateKeyError:
            raise Conflict(f"org unit {unit.id} exists already") from None

    def save(self, unit: OrgUnit, version: int) -> None:
        outbox.update_with_events(self.units, unit.id, version,
                                  {"name": unit.name, "retired": unit.retired, "parent_id": unit.parent_id,
                                   "path": unit.path},
                                  self._events(unit, version + 1))

    def children(self, unit_id: str) -> list[OrgUnit]:
        return [OrgUnit(d["_id"], d["name"], d["level"], d["parent_id"], d["path"], d.get("retired", False))
                for d in self.units.find({"parent_id": unit_id}, sort=[("_id", 1)])]

    def count(self) -> int:
        return self.units.count_documents({})

    def subtree_all(self) -> list[dict]:
        return [outbox.strip(d) for d in self.units.find({}, sort=[("path", 1)])]

    def subtree(self, path: str) -> list[dict]:
        from liandong.storage import subtree

        return [outbox.strip(d) for d in self.units.find(subtree(path, "path"), sort=[("path", 1)])]
