"""Wiring of cross-service reporting into the gateway's app and worker (called from bootstrap)."""
from __future__ import annotations

import threading
import time

from flask import Flask

from liandong.platform import Platform

from . import DOMAIN_SERVICES
from .adapters.org_repository import OrgRepository
from .adapters.service_clients import ServiceDirectory
from .api import report_routes
from .handlers.reports_projector import ReportsProjector
from .service_layer.reports import OrgIndex


def projector_for(platform: Platform, repo: OrgRepository) -> ReportsProjector:
    return ReportsProjector(platform, OrgIndex(repo).community_of)


class ServiceStatus:
    """Which domain services are not ready now (service -> why), asked at most every `ttl` seconds.

    The overview answers from the gateway's read models whatever is down, and names the services
    whose figures have stopped (down, or their worker not relaying their events)."""

    def __init__(self, settings, ttl: float = 3.0, timeout: float = 1.0):
        self.directory = ServiceDirectory(settings, DOMAIN_SERVICES, timeout=timeout)
        self.ttl = ttl
        self.lock = threading.Lock()
        self.cached: tuple[float, dict] | None = None

    def __call__(self) -> dict:
        with self.lock:
            if self.cached and time.monotonic() - self.cached[0] < self.ttl:
                return self.cached[1]
            down = {}
            for service in DOMAIN_SERVICES:
                try:
                    self.directory.readiness(service)
                except Exception as exc:  # noqa: BLE001 - any failure means its figures may be behind
                    down[service] = str(exc)[:200]
            self.cached = (time.monotonic(), down)
            return down


def install_routes(app: Flask, platform: Platform, repo: OrgRepository) -> ReportsProjector:
    orgs = OrgIndex(repo)
    projector = ReportsProjector(platform, orgs.community_of)
    app.register_blueprint(report_routes.blueprint(projector, orgs, platform.clock, ServiceStatus(platform.settings)))
    return projector
