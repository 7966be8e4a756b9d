"""Routes of the volunteer service under /api/v1/volunteer."""
from __future__ import annotations

from flask import Blueprint

from liandong.platform import Platform


def blueprint(platform: Platform) -> Blueprint:
    bp = Blueprint("volunteer", __name__, url_prefix="/api/v1/volunteer")
    return bp
