"""Composition root: the only place that wires the security service's adapters together."""
from __future__ import annotations

from flask import Flask

from liandong.config import Settings
from liandong.attachments import personal_fields as attachment_names
from liandong.platform import Platform
from liandong.reencrypt import Store
from liandong.worker import Worker

from . import SERVICE
from .adapters.attachments import attachment_records
from .adapters.repositories import Repositories
from .api import attachment_routes, import_routes
from .api.routes import blueprint
from .config import SecuritySettings
from .handlers import handlers
from .service_layer import SecurityService
from .service_layer.attachments import security_attachments
from .service_layer.jobs import announce_expiring_permits, flag_overdue_visits, record_lapsed_permits
from .service_layer.visits import review_register

SCAN_SECONDS = 10.0  # indexed queries: cheap, and a moved clock is noticed soon


def create_platform(settings: Settings | None = None, **overrides) -> Platform:
    return Platform.create(SERVICE, settings, **overrides)


def create_app(settings: Settings | None = None, security_settings: SecuritySettings | None = None,
               **overrides) -> Flask:
    """`security_settings`: the 六必访 rules and programme tags (default: the environment's, SECURITY_*)."""
    platform = create_platform(settings, **overrides)
    repos = Repositories(platform.deps)
    repos.prepare()
    app = platform.create_app()
    service = SecurityService.build(platform.deps, repos, security_settings or SecuritySettings.from_env())
    app.register_blueprint(blueprint(service))
    app.register_blueprint(import_routes.blueprint(platform.deps, service))
    app.register_blueprint(attachment_routes.blueprint(security_attachments(platform.deps, service)))
    return app


def personal_stores(platform: Platform) -> list[Store]:
    """Where the security service keeps personal data (`python -m liandong.reencrypt security`)."""
    repos = Repositories(platform.deps)
    return [Store(r.collection, r.personal) for r in repos.aggregates if r.personal is not None] + [
        Store((files := attachment_records(platform.deps)).collection, attachment_names(), then=files.reseal)]  # the names of files (#22)


def create_worker(settings: Settings | None = None, scan_seconds: float = SCAN_SECONDS,
                  security_settings: SecuritySettings | None = None, **overrides) -> Worker:
    """The relay for every aggregate collection, the petition and welfare consumer, and the scans every
    `scan_seconds` (the register's review does its work once a day)."""
    platform = create_platform(settings, **overrides)
    repos = Repositories(platform.deps)
    repos.prepare()
    configured = security_settings or SecuritySettings.from_env()
    service = SecurityService.build(platform.deps, repos, configured)
    security_attachments(platform.deps, service).repo.prepare()

    def scan_permits() -> None:
        announce_expiring_permits(repos, platform.clock)
        record_lapsed_permits(repos, platform.clock)

    def scan_visits() -> None:
        flag_overdue_visits(repos, platform.clock)

    def review() -> None:
        review_register(repos, service.register)

    return platform.create_worker(outbox_collections=[r.collection for r in repos.aggregates],
                                  handlers=handlers(platform.deps, service.register, configured),
                                  periodic=[(scan_seconds, scan_permits), (scan_seconds, scan_visits),
                                            (scan_seconds, review)])
