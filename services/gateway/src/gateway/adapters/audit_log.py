"""The audit trail of personal-data access (个人信息访问记录): who read or changed what, and when."""
from __future__ import annotations

import re

from liandong.ids import new_id

# Field names that carry personal data in any service's JSON (ID numbers, phones, addresses, incomes,
# corrections records); matched on the key, so new services are covered when they use these names.
PERSONAL_KEYS = re.compile(r"(id_number|id_no|idcard|phone|mobile|address|income|corrections|correction_)",
                           re.IGNORECASE)


def personal_fields(value, found: set | None = None, depth: int = 0) -> set[str]:
    found = set() if found is None else found
    if depth > 8:
        return found
    if isinstance(value, dict):
        for k, v in value.items():
            if PERSONAL_KEYS.search(str(k)):
                found.add(str(k))
            personal_fields(v, found, depth + 1)
    elif isinstance(value, list):
        for item in value[:500]:
            personal_fields(item, found, depth + 1)
    return found


class AuditLog:
    def __init__(self, platform):
        self.clock = platform.clock
        self.entries = platform.db.collection("audit_log")

    def prepare(self) -> None:
        self.entries.create_index([("at", -1)], name="at")
        self.entries.create_index([("org_path", 1)], name="org_path")
        self.entries.create_index([("user_id", 1), ("at", -1)], name="user_at")

    def record(self, *, user_id: str, name: str, roles: list[str], org_path: str, action: str, method: str,
               path: str, service: str, status: int, fields: list[str], correlation_id: str | None) -> None:
        self.entries.insert_one({"_id": new_id(), "at": self.clock.now_iso(), "user_id": user_id,
                                 "name": name, "roles": roles, "org_path": org_path, "action": action,
                                 "method": method, "path": path, "service": service, "status": status,
                                 "fields": sorted(fields), "correlation_id": correlation_id})

    def query(self, scope: dict, user_id: str | None = None, service: str | None = None, action: str | None = None,
              since: str | None = None, until: str | None = None, limit: int = 100, skip: int = 0) -> list[dict]:
        terms = [scope]
        if user_id:
            terms.append({"user_id": user_id})
        if service:
            terms.append({"service": service})
        if action:
            terms.append({"action": action})
        if since:
            terms.append({"at": {"$gte": since}})
        if until:
            terms.append({"at": {"$lt": until}})
        filt = terms[0] if len(terms) == 1 else {"$and": terms}
        return self.entries.find(filt, sort=[("at", -1)], skip=skip, limit=limit)

