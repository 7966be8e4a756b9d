"""Routes of the petition service under /api/v1/petition."""
from __future__ import annotations

from flask import Blueprint

from liandong.platform import Platform


def blueprint(platform: Platform) -> Blueprint:
    bp = Blueprint("petition", __name__, url_prefix="/api/v1/petition")
    return bp
