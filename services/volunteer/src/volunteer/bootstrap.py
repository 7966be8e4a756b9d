"""Composition root: the only place that wires the volunteer service's adapters together."""
from __future__ import annotations

from flask import Flask

from liandong.config import Settings
from liandong.platform import Platform
from liandong.reencrypt import Store
from liandong.worker import Worker

from . import SERVICE
from .api import blueprints
from .handlers import handlers
from .service_layer import VolunteerService

RECOVERY_SECONDS = 30.0
REMINDER_SECONDS = 300.0


def create_platform(settings: Settings | None = None, **overrides) -> Platform:
    return Platform.create(SERVICE, settings, **overrides)


def create_service(platform: Platform) -> VolunteerService:
    svc = VolunteerService(platform.deps)
    svc.prepare()
    return svc


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    platform = create_platform(settings, **overrides)
    svc = create_service(platform)
    app = platform.create_app()
    app.extensions["volunteer_service"] = svc
    for bp in blueprints(svc):
        app.register_blueprint(bp)
    return app


def personal_stores(platform: Platform) -> list[Store]:
    """Where the volunteer service keeps personal data (`python -m liandong.reencrypt volunteer`)."""
    from liandong.imports.jobs import ImportJobs

    from .adapters.party_store import PartyStores
    from .adapters.repositories import VolunteerRepository

    party = PartyStores(platform.deps)
    return [Store(repo.collection, repo.personal) for repo in (VolunteerRepository(platform.deps),
                                                               ImportJobs(platform.deps), party.branches,
                                                               party.members, party.reports)]


def create_worker(settings: Settings | None = None, **overrides) -> Worker:
    platform = create_platform(settings, **overrides)
    svc = create_service(platform)
    return platform.create_worker(
        outbox_collections=svc.outbox_collections(), handlers=handlers(svc.stores),
        periodic=[(RECOVERY_SECONDS, svc.stores.ledger.recover), (REMINDER_SECONDS, svc.activities.send_reminders)])
