"""Composition root: the only module that knows the `Platform`; it wires the use cases (on the narrow
`Dependencies`), the blueprints, the handlers and the worker's periodic deadline scan."""
from __future__ import annotations

from flask import Flask

from liandong.config import Settings
from liandong.attachments import personal_fields as attachment_names
from liandong.platform import Platform
from liandong.reencrypt import Store
from liandong.worker import Worker

from . import SERVICE
from .api import attachments, hall, open311, open311_keys, petitions, settings as settings_api
from .handlers import disputes
from .service_layer import UseCases
from .service_layer.attachments import petition_attachments

DEADLINE_SCAN_SECONDS = 5.0  # two indexed queries; frequent enough that an overdue case shows at once


def create_platform(settings: Settings | None = None, **overrides) -> Platform:
    return Platform.create(SERVICE, settings, **overrides)


def create_use_cases(settings: Settings | None = None, **overrides) -> UseCases:
    return UseCases.of(create_platform(settings, **overrides).deps)


create_service = create_use_cases  # the name tools and other services' tests know


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    platform = create_platform(settings, **overrides)  # the worker creates the indexes: the app starts without the DB
    uses = UseCases.of(platform.deps)
    # what the alert LiandongPetitionsOverdue and the dashboard read (deploy/observability/)
    platform.gauges.append(("liandong_petitions_overdue", "Petitions past their deadline (限时办结), not "
                            "yet answered", uses.repo.overdue_count))
    # Open311 readers may be anonymous; filing checks its api_key itself (Open311Keys.authenticate).
    app = platform.create_app(public=("/open311/v2",))
    app.register_blueprint(petitions.blueprint(uses))
    app.register_blueprint(settings_api.blueprint(uses))
    app.register_blueprint(open311.blueprint(uses, uses.keys))
    app.register_blueprint(open311_keys.blueprint(uses.keys))
    app.register_blueprint(hall.blueprint(uses))
    app.register_blueprint(attachments.blueprint(petition_attachments(platform.deps, uses.cases)))
    return app


def create_worker(settings: Settings | None = None, scan_seconds: float = DEADLINE_SCAN_SECONDS,
                  **overrides) -> Worker:
    """Relay, consumers, and the deadline scan (限时办结制) every `scan_seconds`."""
    platform = create_platform(settings, **overrides)
    uses = UseCases.of(platform.deps)
    uses.cases.prepare()
    uses.keys.prepare()  # the key index, and the documented demo key in demo mode
    uses.hall.prepare()
    petition_attachments(platform.deps, uses.cases).repo.prepare()
    return platform.create_worker(outbox_collections=[uses.repo.collection, uses.hall.matters.collection,
                                                      uses.hall.window.collection], handlers=disputes.handlers(uses.cases),
                                  periodic=[(scan_seconds, uses.scan_deadlines)])


def personal_stores(platform: Platform) -> list[Store]:
    """Where the petition service keeps personal data (`python -m liandong.reencrypt petition`)."""
    uses = UseCases.of(platform.deps)
    repo, matters = uses.repo, uses.hall.matters
    return [Store(repo.collection, repo.personal, then=repo.reindex_petitioners),
            Store(matters.collection, matters.personal),  # the hall's residents
            Store((files := petition_attachments(platform.deps, uses.cases).repo).collection, attachment_names(),
                  then=files.reseal)]


def detect_overdue(settings: Settings | None = None, **overrides) -> dict:
    """One deadline scan (reminders, overdue, 督办) now, as the worker does periodically."""
    return create_use_cases(settings, **overrides).scan_deadlines()
