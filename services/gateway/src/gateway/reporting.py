"""Wiring of cross-service reporting into the gateway's app and worker (called from bootstrap)."""
from __future__ import annotations

from flask import Flask

from liandong.platform import Platform

from .adapters.org_repository import OrgRepository
from .api import report_routes
from .handlers.reports_projector import ReportsProjector
from .service_layer.reports import OrgIndex


def projector_for(platform: Platform, repo: OrgRepository) -> ReportsProjector:
    return ReportsProjector(platform, OrgIndex(repo).community_of)


def install_routes(app: Flask, platform: Platform, repo: OrgRepository) -> ReportsProjector:
    orgs = OrgIndex(repo)
    projector = ReportsProjector(platform, orgs.community_of)
    app.register_blueprint(report_routes.blueprint(projector, orgs, platform.clock))
    return projector
