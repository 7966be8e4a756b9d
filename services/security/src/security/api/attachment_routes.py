"""The photos and documents of incidents and patrol runs (liandong.attachments_routes under /api/v1/security)."""
from __future__ import annotations

from flask import Blueprint

from liandong.attachments import RecordAttachments
from liandong.attachments_routes import install


def blueprint(use_cases: RecordAttachments) -> Blueprint:
    bp = Blueprint("security_attachments", __name__, url_prefix="/api/v1/security")
    install(bp, use_cases, "incidents", "incident_id", what="an incident", permission="security:read",
            tags=["attachments"])
    install(bp, use_cases, "patrol-runs", "run_id", what="a patrol run (its findings' photos)",
            permission="security:read", tags=["attachments"])
    return bp
