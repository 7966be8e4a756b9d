"""The gateway's imports (组织架构, 工作人员账号) under /api/v1/gateway/imports, the routes every service has
(liandong.imports.routes): kinds, template, preview, import, jobs, rows to fix."""
from __future__ import annotations

from flask import Blueprint, g, request

from liandong.audit import PERSONAL_FILE_HEADER
from liandong.imports import routes

from .. import SERVICE
from ..adapters.audit_log import AuditLog


def blueprint(deps, kinds, audit: AuditLog) -> Blueprint:
    bp = Blueprint("imports", __name__, url_prefix=f"/api/v1/{SERVICE}")
    routes.install(bp, deps, kinds, tag="imports")

    @bp.after_request
    def _audit_personal_file(response):
        """The rows to fix of a staff import hold phone numbers: the download is a read of personal data, kept in
        the audit trail here (the domain services record theirs themselves, liandong.audit)."""
        declared = response.headers.pop(PERSONAL_FILE_HEADER, None)
        principal = g.get("principal")
        if declared and principal is not None and response.status_code < 400:
            audit.record(user_id=principal.user_id, name=principal.name, roles=sorted(principal.roles),
                         org_path=principal.grants[0].org_path if principal.grants else "/", action="read",
                         method=request.method, path=request.path, service=SERVICE, status=response.status_code,
                         fields=declared.split(","), correlation_id=g.get("correlation_id"))
        return response

    return bp
