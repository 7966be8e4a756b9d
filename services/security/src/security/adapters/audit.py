"""The audit trail of reads of sensitive records (corrections files, unmasked ID numbers)."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.ids import new_id
from liandong.listing import Page
from liandong.logs import correlation_id

from .queries import as_record, between, one_of, paged, within


class AuditLog:
    def __init__(self, deps):
        self.entries = deps.db.collection("audit")
        self.clock = deps.clock

    def prepare(self) -> None:
        self.entries.create_index([("org_path", 1), ("at", 1)], name="org_path_at")

    def record(self, principal: Principal, action: str, org_path: str, record_id: str | None, allowed: bool) -> None:
        """`org_path` is the record's (or, for a refused list, the caller's) so each office sees its own trail."""
        self.entries.insert_one({
            "_id": new_id(), "user_id": principal.user_id, "name": principal.name,
            "roles": sorted(principal.roles), "org_units": sorted({g.org_unit for g in principal.grants}),
            "action": action, "record_id": record_id, "allowed": allowed, "org_path": org_path,
            "at": self.clock.now_iso(), "correlation_id": correlation_id.get()})

    def page(self, query: dict, paths: list[str]) -> Page:
        """Entries in the caller's subtrees, newest first."""
        return paged(self.entries, query, [within(paths), *(one_of(k, query.get(k)) for k in (
            "action", "record_id", "user_id", "allowed")), between("at", query.get("from_"), query.get("to"))],
                     [("at", -1)], load=as_record)
