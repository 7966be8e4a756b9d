"""The audit trail of reads of sensitive records (corrections files, unmasked ID numbers)."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.ids import new_id
from liandong.storage.base import Collection


class AuditLog:
    def __init__(self, collection: Collection, clock):
        self.entries = collection
        self.clock = clock

    def record(self, principal: Principal, action: str, org_path: str, record_id: str | None, allowed: bool,
               correlation_id: str | None) -> None:
        """`org_path` is the record's (or, for a refused list, the caller's) so each office sees its own trail."""
        self.entries.insert_one({
            "_id": new_id(), "user_id": principal.user_id, "name": principal.name,
            "roles": sorted(principal.roles), "org_units": sorted({g.org_unit for g in principal.grants}),
            "action": action, "record_id": record_id, "allowed": allowed, "org_path": org_path,
            "at": self.clock.now_iso(), "correlation_id": correlation_id})
