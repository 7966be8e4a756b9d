"""Composition root: the only place that wires the petition service's adapters together."""
from __future__ import annotations

from flask import Flask

from liandong.config import Settings
from liandong.platform import Platform
from liandong.reencrypt import Store
from liandong.worker import Worker

from . import SERVICE
from .api import open311
from .api.routes import blueprint
from .handlers import disputes
from .service_layer.open311_keys import Open311Keys
from .service_layer.petitions import PetitionService

DEADLINE_SCAN_SECONDS = 5.0  # two indexed queries; frequent enough that an overdue case shows at once


def create_platform(settings: Settings | None = None, **overrides) -> Platform:
    return Platform.create(SERVICE, settings, **overrides)


def create_service(settings: Settings | None = None, **overrides) -> PetitionService:
    return PetitionService(create_platform(settings, **overrides))


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    service = create_service(settings, **overrides)  # the worker creates the indexes: the app starts without the DB
    # what the alert LiandongPetitionsOverdue and the dashboard read (deploy/observability/)
    service.platform.gauges.append(("liandong_petitions_overdue", "Petitions past their deadline (限时办结), not "
                                    "yet answered", service.repo.overdue_count))
    # Open311 readers may be anonymous; filing checks its api_key itself (Open311Keys.authenticate).
    app = service.platform.create_app(public=("/open311/v2",))
    keys = Open311Keys(service.platform)
    app.register_blueprint(blueprint(service))
    app.register_blueprint(open311.blueprint(service, keys))
    app.register_blueprint(open311.keys_blueprint(keys))
    return app


def create_worker(settings: Settings | None = None, scan_seconds: float = DEADLINE_SCAN_SECONDS,
                  **overrides) -> Worker:
    """Relay, consumers, and the deadline scan (限时办结制) every `scan_seconds`."""
    service = create_service(settings, **overrides)
    service.prepare()
    Open311Keys(service.platform).prepare()  # the key index, and the documented demo key in demo mode
    return service.platform.create_worker(outbox_collections=[service.repo.collection],
                                          handlers=disputes.handlers(service),
                                          periodic=[(scan_seconds, service.scan_deadlines)])


def personal_stores(platform: Platform) -> list[Store]:
    """Where the petition service keeps personal data (`python -m liandong.reencrypt petition`)."""
    service = PetitionService(platform)
    return [Store(service.repo.collection, service.repo.personal, then=service.repo.reindex_petitioners)]


def detect_overdue(settings: Settings | None = None, **overrides) -> dict:
    """One deadline scan (reminders, overdue, 督办) now, as the worker does periodically."""
    return create_service(settings, **overrides).scan_deadlines()
