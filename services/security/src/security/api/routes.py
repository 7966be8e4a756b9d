"""Routes of the security service under /api/v1/security: one blueprint per use-case group, each route
parses, calls one use case, presents."""
from __future__ import annotations

from flask import Blueprint

from ..service_layer import SecurityService
from . import (config_routes, corrections_routes, dispute_routes, household_routes, incident_routes, migrant_routes,
               patrol_routes, stats_routes)


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("security", __name__, url_prefix="/api/v1/security")
    for module in (incident_routes, patrol_routes, migrant_routes, corrections_routes, dispute_routes,
                   stats_routes, household_routes):
        bp.register_blueprint(module.blueprint(service))
    bp.register_blueprint(config_routes.blueprint(service.visits.rules.days))
    return bp
