"""Composition root: the only place that wires the volunteer service's adapters together."""
from __future__ import annotations

from flask import Flask

from liandong.config import Settings
from liandong.platform import Platform
from liandong.reencrypt import Store
from liandong.worker import Worker

from . import SERVICE
from .api.routes import blueprint
from .service_layer import VolunteerService

RECOVERY_SECONDS = 30.0
REMINDER_SECONDS = 300.0


def create_platform(settings: Settings | None = None, **overrides) -> Platform:
    return Platform.create(SERVICE, settings, **overrides)


def create_service(settings: Settings | None = None, **overrides) -> VolunteerService:
    svc = VolunteerService(create_platform(settings, **overrides))
    svc.prepare()
    return svc


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    svc = create_service(settings, **overrides)
    app = svc.platform.create_app()
    app.extensions["volunteer_service"] = svc
    app.register_blueprint(blueprint(svc))
    return app


def personal_stores(platform: Platform) -> list[Store]:
    """Where the volunteer service keeps personal data (`python -m liandong.reencrypt volunteer`)."""
    from .adapters.repositories import VolunteerRepository

    repo = VolunteerRepository(platform)
    return [Store(repo.collection, repo.personal)]


def create_worker(settings: Settings | None = None, **overrides) -> Worker:
    svc = create_service(settings, **overrides)
    return svc.platform.create_worker(
        outbox_collections=svc.outbox_collections(), handlers=svc.handlers(),
        periodic=[(RECOVERY_SECONDS, svc.ledger.recover), (REMINDER_SECONDS, svc.send_reminders)])
