"""Routes of the security service under /api/v1/security."""
from __future__ import annotations

from flask import Blueprint

from liandong.platform import Platform

from ..adapters.repositories import Repositories
from . import corrections_routes, dispute_routes, incident_routes, migrant_routes, patrol_routes, stats_routes
from .common import Context


def blueprint(platform: Platform, repos: Repositories | None = None) -> Blueprint:
    bp = Blueprint("security", __name__, url_prefix="/api/v1/security")
    ctx = Context(platform, repos or Repositories(platform))
    for module in (incident_routes, patrol_routes, migrant_routes, corrections_routes, dispute_routes,
                   stats_routes):
        module.register(bp, ctx)
    return bp
