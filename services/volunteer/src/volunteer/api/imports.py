"""Routes of the rosters an office imports (志愿者名册): `liandong.imports.routes` with the volunteer kinds."""
from __future__ import annotations

from flask import Blueprint

from liandong.imports import routes

from ..service_layer.imports import volunteer_kinds
from . import PREFIX, TAGS


def blueprint(svc) -> Blueprint:
    bp = Blueprint("imports", __name__, url_prefix=PREFIX)
    routes.install(bp, svc.deps, volunteer_kinds(svc), TAGS[0])
    return bp
