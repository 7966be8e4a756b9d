"""Routes of the security service under /api/v1/security."""
from __future__ import annotations

from flask import Blueprint

from liandong.platform import Platform


def blueprint(platform: Platform) -> Blueprint:
    bp = Blueprint("security", __name__, url_prefix="/api/v1/security")
    return bp
