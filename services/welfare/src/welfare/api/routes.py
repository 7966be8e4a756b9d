"""Routes of the welfare service under /api/v1/welfare."""
from __future__ import annotations

from flask import Blueprint

from liandong.platform import Platform


def blueprint(platform: Platform) -> Blueprint:
    bp = Blueprint("welfare", __name__, url_prefix="/api/v1/welfare")
    return bp
