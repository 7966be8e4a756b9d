"""The personal-data audit trail, for district admins (audit:read)."""
from __future__ import annotations

from flask import Blueprint, request

from liandong.auth import current_principal, requires
from liandong.openapi import api

from ..adapters.audit_log import AuditLog
from . import schemas


def blueprint(audit: AuditLog) -> Blueprint:
    bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit")

    @bp.get("")
    @requires("audit:read")
    @api("Who read or changed personal data (ID/phone numbers, addresses, incomes, corrections) and when",
         query=schemas.AuditQuerySchema, response=schemas.AuditListSchema, tags=["audit"], permission="audit:read")
    def entries():
        q = schemas.AuditQuerySchema().load(request.args.to_dict())
        scope = current_principal().scope_filter("audit:read")
        found = audit.query(scope, q.get("user_id"), q.get("service"), q.get("action"), q.get("since"),
                            q.get("until"), q["limit"], q["skip"])
        return {"entries": [{**{k: v for k, v in e.items() if k != "_id"}, "id": e["_id"]} for e in found]}

    return bp
