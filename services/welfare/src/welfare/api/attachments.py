"""An application's materials (liandong.attachments_routes under /api/v1/welfare/applications/{id})."""
from __future__ import annotations

from flask import Blueprint

from liandong.attachments import RecordAttachments
from liandong.attachments_routes import install


def blueprint(use_cases: RecordAttachments) -> Blueprint:
    bp = Blueprint("welfare_attachments", __name__, url_prefix="/api/v1/welfare")
    install(bp, use_cases, "applications", "app_id", what="an application (the programme's required materials)",
            permission="welfare:read", tags=["attachments"])
    return bp
