"""Each service's own copy of the org tree (组织架构), kept current from the gateway's events.

Services never ask the gateway's database: they learn the tree from `gateway.org_unit.*` events
and resolve an org unit id to its full path (the `org_path` every record carries) locally.
"""
from __future__ import annotations

from .consumer import apply_once
from .errors import ValidationFailed
from .events.envelope import Envelope
from .storage.base import Collection


class OrgDirectory:
    def __init__(self, collection: Collection):
        self.units = collection

    def prepare(self) -> None:
        self.units.create_index([("path", 1)], name="path")

    def get(self, org_unit_id: str) -> dict | None:
        return self.units.find_one({"_id": org_unit_id})

    def active(self, org_unit_id: str, field: str = "org_unit_id") -> dict:
        """The unit, which must exist and not be retired (else a field error on `field`): one read."""
        unit = self.get(org_unit_id)
        if unit is None or unit.get("retired"):
            raise ValidationFailed("unknown org unit", {field: [f"no active org unit {org_unit_id!r}"]})
        return unit

    def path_of(self, org_unit_id: str, field: str = "org_unit_id") -> str:
        return self.active(org_unit_id, field)["path"]

    def within(self, paths: list[str]) -> list[dict]:
        """The active units in any of the subtrees at `paths` (where a caller may import records, say)."""
        from .storage.filters import within

        found = self.units.find(within(paths, "path"), sort=[("path", 1)])
        return [u for u in found if not u.get("retired")]

    def root_paths(self) -> list[str]:
        """The paths of the tree's roots (the district): where a district-wide setting may be changed."""
        return sorted(u["path"] for u in self.units.find({"parent_id": None}) if not u.get("retired"))

    def read_once(self) -> "OrgDirectory":
        """This directory for one batch of work (an import's rows): each unit fetched once, as a file names
        the same few communities row after row (on FerretDB the lookups were a third of a row's time). Not
        for longer than the batch: a unit renamed or retired meanwhile is seen by the next batch."""
        return _ReadOnce(self.units)

    def children(self, org_unit_id: str) -> list[dict]:
        return self.units.find({"parent_id": org_unit_id, "retired": {"$ne": True}}, sort=[("_id", 1)])

    def on_org_unit_changed(self, event: Envelope) -> None:
        d = event.data
        fields = {"name": d["name"], "level": d["level"], "parent_id": d["parent_id"], "path": d["path"],
                  "updated_at": event.time}
        if event.type.startswith("liandong.gateway.org_unit.retired"):
            fields["retired"] = True
        apply_once(self.units, d["org_unit_id"], event.id, {"$set": fields})

    def handlers(self) -> dict:
        return {f"liandong.gateway.org_unit.{kind}.v1": self.on_org_unit_changed
                for kind in ("created", "renamed", "moved", "retired")}


class _ReadOnce(OrgDirectory):
    def __init__(self, collection: Collection):
        super().__init__(collection)
        self._read: dict[str, dict | None] = {}

    def get(self, org_unit_id: str) -> dict | None:
        if org_unit_id not in self._read:
            self._read[org_unit_id] = super().get(org_unit_id)
        return self._read[org_unit_id]
