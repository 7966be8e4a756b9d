"""The audit trail of sensitive reads (corrections records, unmasked ID numbers), for auditors."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.listing import Page

from .base import UseCases

AUDIT = "audit:read"


class AuditTrail(UseCases):
    def page(self, principal: Principal, query: dict) -> Page:
        """Entries filed under the auditor's units (each office sees who read, or tried to read, its records)."""
        return self.repos.audit.page(self.paths(principal, AUDIT, query.get("org_unit")), query)
