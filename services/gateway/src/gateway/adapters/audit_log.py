"""The audit trail of personal-data access (个人信息访问记录): who read or changed what, and when; and every
import (导入记录): who imported which file into which service, with its counts."""
from __future__ import annotations

from liandong.audit import personal_fields  # noqa: F401  (one detector, in shared; re-exported here)
from liandong.consumer import HANDLED, apply_once
from liandong.ids import new_id
from liandong.listing import Page, page_of
from liandong.storage.filters import all_of, between, one_of, within


def request_key(user_id: str, correlation_id: str | None) -> str | None:
    """One entry per (reader, request): the reads a service reports for one gateway request (an export reads
    many pages) and the gateway's own word on it (action export) meet in the same entry, whichever comes first."""
    return f"{user_id}|{correlation_id}" if correlation_id else None


class AuditLog:
    def __init__(self, deps):
        self.clock = deps.clock
        self.entries = deps.db.collection("audit_log")

    def prepare(self) -> None:
        self.entries.create_index([("at", -1)], name="at")
        self.entries.create_index([("org_path", 1)], name="org_path")
        self.entries.create_index([("user_id", 1), ("at", -1)], name="user_at")

    def record(self, *, user_id: str, name: str, roles: list[str], org_path: str, action: str, method: str,
               path: str, service: str, status: int, fields: list[str], correlation_id: str | None,
               extra: dict | None = None) -> None:
        """`extra`: what the gateway's own act was about (a report's period and state, a profile, a narrative)."""
        self.entries.insert_one({**(extra or {}), "_id": new_id(), "at": self.clock.now_iso(), "user_id": user_id,
                                 "name": name, "roles": roles, "org_path": org_path, "action": action,
                                 "method": method, "path": path, "service": service, "status": status,
                                 "fields": sorted(fields), "correlation_id": correlation_id})

    # -- reads reported by the services themselves (through the gateway or inside the cluster)
    def on_personal_data_accessed(self, event) -> None:
        d = event.data
        service = event.type.split(".")[1]
        key = request_key(d["user_id"], event.correlationid) or event.id
        apply_once(self.entries, key, event.id, {
            # "export" sorts before "read": $min keeps the gateway's word that this request was an export
            # "remove" (an attachment taken off, #22) is that request's one event: nothing to sort it against
            "$min": {"at": d["at"], "action": d.get("action", "read"), "path": d["path"]},
            "$max": {"last_at": d["at"], "status": d["status"]},
            "$set": {"user_id": d["user_id"], "name": d.get("name", ""), "roles": d.get("roles", []),
                     "org_path": d["org_path"], "method": d["method"], "service": service,
                     "correlation_id": event.correlationid},
            "$addToSet": {"fields": {"$each": list(d["fields"])}},
            "$push": {"paths": {"$each": [d["path"]], "$slice": -20}},
            "$inc": {"reads": 1},
        })

    # -- every service's imports (`<service>.import.completed`), the gateway's own among them
    def on_import_completed(self, event) -> None:
        """One entry per import: who imported which file (its SHA-256 and name, never its rows) and the counts."""
        d = event.data
        service = event.type.split(".")[1]
        counts = {k: d[k] for k in ("rows", "created", "updated", "unchanged", "rejected", "failed")}
        apply_once(self.entries, f"import:{service}:{d['import_id']}", event.id, {"$set": {
            "at": d["finished_at"], "user_id": d["user_id"], "name": d.get("name", ""), "roles": [],
            "org_path": d["org_path"], "action": "import", "method": "POST",
            "path": f"/api/v1/{service}/imports/{d['kind']}", "service": service,
            "status": 200 if d["status"] == "done" else 500, "fields": [], "correlation_id": event.correlationid,
            "import": {"id": d["import_id"], "kind": d["kind"], "title": d["title"], "file_name": d.get("file_name", ""),
                       "file_sha256": d["file_sha256"], "mode": d["mode"], "status": d["status"],
                       "started_at": d["started_at"], **counts}}})

    def record_export(self, *, user_id: str, name: str, roles: list[str], org_path: str, path: str, query: str,
                      service: str, fields: list[str], correlation_id: str | None) -> None:
        key = request_key(user_id, correlation_id) or new_id()
        self.entries.update_one({"_id": key}, {
            "$set": {"action": "export", "query": query, "user_id": user_id, "name": name, "roles": roles,
                     "org_path": org_path, "method": "GET", "service": service, "correlation_id": correlation_id},
            "$min": {"at": self.clock.now_iso(), "path": path},
            "$max": {"status": 200},
            "$addToSet": {"fields": {"$each": sorted(fields)}},
        }, upsert=True)

    def page(self, paths: list[str], user_id: str | None = None, service: str | None = None,
             action: str | None = None, from_: str | None = None, to: str | None = None, page: int = 1,
             page_size: int = 20) -> Page:
        """One page of the entries of readers whose unit lies under any of `paths`, newest first."""
        where = all_of(within(paths), one_of("user_id", user_id), one_of("service", service),
                       one_of("action", action), between("at", from_, to))
        return page_of(self.entries, where, page=page,
                       page_size=page_size, sort=[("at", -1)],
                       load=lambda e: {**{k: v for k, v in e.items() if k not in ("_id", HANDLED)}, "id": e["_id"]})
