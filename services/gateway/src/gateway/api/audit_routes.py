"""The personal-data audit trail, for district admins (audit:read)."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.routes import guarded
from liandong.web import load_query

from ..adapters.audit_log import AuditLog
from ..service_layer import audit as audit_cases
from . import schemas


def blueprint(audit: AuditLog, org) -> Blueprint:
    """`org`: the org tree (`OrgRepository`), to find the unit a query names."""
    bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit")

    @bp.get("")
    @guarded("Who read or changed personal data (ID/phone numbers, addresses, incomes, corrections) and when",
             query=schemas.AuditQuerySchema, response=schemas.AuditEntrySchema, many=True, tags=["audit"],
             permission="audit:read")
    def entries():
        return audit_cases.entries(audit, org, current_principal(), load_query(schemas.AuditQuerySchema)).body()

    return bp
