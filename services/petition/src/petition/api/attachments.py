"""A petition's photos and documents (liandong.attachments_routes under /api/v1/petition/petitions/{id})."""
from __future__ import annotations

from flask import Blueprint

from liandong.attachments import RecordAttachments
from liandong.attachments_routes import install


def blueprint(use_cases: RecordAttachments) -> Blueprint:
    bp = Blueprint("petition_attachments", __name__, url_prefix="/api/v1/petition")
    install(bp, use_cases, "petitions", "petition_id", what="a petition", permission="petition:read",
            tags=["attachments"])
    return bp
