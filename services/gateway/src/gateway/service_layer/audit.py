"""The use case of the personal-data audit trail: who read or changed whose data, for audit:read."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import NotFound
from liandong.listing import Page

from ..adapters.audit_log import AuditLog
from .access import scope_paths


def entries(audit: AuditLog, org, principal: Principal, q: dict) -> Page:
    """`q`: the loaded `AuditQuerySchema` (org_unit, user_id, service, action, from, to, page, page_size)."""
    path = None
    if q.get("org_unit"):
        found = org.get(q["org_unit"])
        if found is None:
            raise NotFound(f"no org unit {q['org_unit']!r}")
        path = found[0].path
    return audit.page(scope_paths(principal, "audit:read", path), q.get("user_id"), q.get("service"),
                      q.get("action"), q.get("from_"), q.get("to"), q["page"], q["page_size"])
