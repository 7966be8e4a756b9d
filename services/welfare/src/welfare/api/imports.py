"""Routes of welfare's imports (liandong.imports.routes): the benefit rosters and the supermarket's opening stock."""
from __future__ import annotations

from flask import Blueprint

from liandong.imports import routes

from ..service_layer import Welfare
from ..service_layer.imports import import_kinds


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("imports", __name__, url_prefix="/api/v1/welfare")
    routes.install(bp, welfare.deps, import_kinds(welfare), tag="imports")
    return bp
