"""Composition root of the gateway: the only place that wires its adapters together."""
from __future__ import annotations

import logging

from flask import Flask

from liandong.config import Settings
from liandong.platform import Platform
from liandong.worker import Worker

from . import DOMAIN_SERVICES, SERVICE
from .adapters.org_repository import OrgRepository
from .adapters.service_clients import ServiceDirectory
from .api import org_routes
from .demo import demo_district
from .service_layer.org import import_tree

log = logging.getLogger(__name__)


def create_platform(settings: Settings | None = None, **overrides) -> Platform:
    return Platform.create(SERVICE, settings, **overrides)


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    platform = create_platform(settings, **overrides)
    services = ServiceDirectory(platform.settings, DOMAIN_SERVICES)
    readiness = {name: (lambda n=name: services.readiness(n)) for name in DOMAIN_SERVICES}
    app = platform.create_app(readiness=readiness)
    repo = OrgRepository(platform)
    app.register_blueprint(org_routes.blueprint(repo))
    return app


def create_worker(settings: Settings | None = None, **overrides) -> Worker:
    platform = create_platform(settings, **overrides)
    repo = OrgRepository(platform)
    repo.prepare()
    if platform.settings.env == "demo" and repo.count() == 0:
        created = import_tree(repo, demo_district())
        log.info("demo district loaded: %d org units", created)
    return platform.create_worker(outbox_collections=[repo.units], handlers={})
