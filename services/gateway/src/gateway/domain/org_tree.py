"""The org tree (组织架构): district > sub-district > community > grid > resident group > building.

Every record in Liandong belongs to one org unit and carries its full ancestor path
("/chuanying/huangqi/jiayuan/"), so a subtree is one prefix query.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from liandong.errors import Conflict, ValidationFailed

LEVELS = ("city", "district", "subdistrict", "community", "grid", "group", "building")
LEVEL_NAMES = {"city": "市", "district": "区", "subdistrict": "街道", "community": "社区",
               "grid": "网格", "group": "居民小组", "building": "楼栋"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass
class OrgUnit:
    id: str
    name: str
    level: str
    parent_id: str | None
    path: str
    retired: bool = False
    events: list = field(default_factory=list, repr=False)

    @classmethod
    def create(cls, unit_id: str, name: str, level: str, parent: "OrgUnit | None") -> "OrgUnit":
        errors: dict[str, list[str]] = {}
        if not _ID.match(unit_id or ""):
            errors["id"] = ["lower-case letters, digits and '-', 1 to 64 characters"]
        if not (name or "").strip():
            errors["name"] = ["a name is required"]
        if level not in LEVELS:
            errors["level"] = [f"one of {', '.join(LEVELS)}"]
        if errors:
            raise ValidationFailed("invalid org unit", errors)
        if parent is None:
            if level not in ("city", "district"):
                raise ValidationFailed("only a city or district can be a root", {"parent_id": ["required"]})
            path = f"/{unit_id}/"
        else:
            if parent.retired:
                raise Conflict(f"org unit {parent.id} is retired")
            if LEVELS.index(level) <= LEVELS.index(parent.level):
                raise ValidationFailed("a child must sit below its parent's level",
                                       {"level": [f"{level} cannot sit under {parent.level}"]})
            path = f"{parent.path}{unit_id}/"
        unit = cls(unit_id, name.strip(), level, parent.id if parent else None, path)
        unit.events.append(("gateway.org_unit.created", unit.snapshot()))
        return unit

    def rename(self, name: str) -> None:
        if not (name or "").strip():
            raise ValidationFailed("invalid name", {"name": ["a name is required"]})
        if self.retired:
            raise Conflict(f"org unit {self.id} is retired")
        self.name = name.strip()
        self.events.append(("gateway.org_unit.renamed", self.snapshot()))

    def move(self, new_parent: "OrgUnit") -> str:
        """Put this unit under `new_parent`; returns the old path (descendants follow with `follow`)."""
        if self.retired or new_parent.retired:
            raise Conflict("a retired unit cannot move or take children")
        if new_parent.path.startswith(self.path):
            raise ValidationFailed("a unit cannot move into its own subtree", {"parent_id": ["inside the unit"]})
        if LEVELS.index(self.level) <= LEVELS.index(new_parent.level):
            raise ValidationFailed("a child must sit below its parent's level",
                                   {"parent_id": [f"{self.level} cannot sit under {new_parent.level}"]})
        self.parent_id = new_parent.id
        return self.follow(new_parent.path)

    def follow(self, parent_path: str) -> str:
        """Recompute the path under the parent's (new) path; records a move event if it changed."""
        old = self.path
        self.path = f"{parent_path}{self.id}/"
        if self.path != old:
            self.events.append(("gateway.org_unit.moved", {**self.snapshot(), "old_path": old}))
        return old

    def retire(self) -> None:
        if self.retired:
            raise Conflict(f"org unit {self.id} is already retired")
        self.retired = True
        self.events.append(("gateway.org_unit.retired", self.snapshot()))

    def snapshot(self) -> dict:
        return {"org_unit_id": self.id, "name": self.name, "level": self.level,
                "parent_id": self.parent_id, "path": self.path}
