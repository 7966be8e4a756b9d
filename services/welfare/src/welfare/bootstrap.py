"""Composition root: the only place that wires the welfare service's adapters together."""
from __future__ import annotations

from flask import Flask

from liandong.config import Settings
from liandong.platform import Platform
from liandong.reencrypt import Store
from liandong.worker import Worker

from . import SERVICE
from .adapters.programme_config import load_catalogue
from .api.routes import blueprint
from .config import WelfareSettings
from .handlers import handlers, redemption_sweeper
from .service import Welfare


def create_platform(settings: Settings | None = None, **overrides) -> Platform:
    return Platform.create(SERVICE, settings, **overrides)


def create_welfare(settings: Settings | None = None, welfare_settings: WelfareSettings | None = None,
                   **overrides) -> tuple[Welfare, WelfareSettings]:
    ws = welfare_settings or WelfareSettings.from_env()
    welfare = Welfare(create_platform(settings, **overrides), load_catalogue(ws.programmes_file))
    welfare.prepare()
    return welfare, ws


def create_app(settings: Settings | None = None, welfare_settings: WelfareSettings | None = None,
               **overrides) -> Flask:
    welfare, _ = create_welfare(settings, welfare_settings, **overrides)
    app = welfare.platform.create_app()
    app.register_blueprint(blueprint(welfare))
    app.extensions["welfare"] = welfare
    return app


def personal_stores(platform: Platform) -> list[Store]:
    """Where the welfare service keeps personal data (`python -m liandong.reencrypt welfare`)."""
    from .adapters.repositories import (FUND_ENTRY, FUND_GRANT, PAIRING, ApplicationRepository, GrantRepository,
                                        VisitRepository)

    repos = [ApplicationRepository(platform), GrantRepository(platform), VisitRepository(platform)]
    return [Store(r.collection, r.personal) for r in repos] + [
        Store(platform.db.collection("pairings"), PAIRING), Store(platform.db.collection("fund_grants"), FUND_GRANT),
        Store(platform.db.collection("fund_entries"), FUND_ENTRY)]


def create_worker(settings: Settings | None = None, welfare_settings: WelfareSettings | None = None,
                  **overrides) -> Worker:
    welfare, ws = create_welfare(settings, welfare_settings, **overrides)
    worker = welfare.platform.create_worker(
        outbox_collections=welfare.outbox_collections(), handlers=handlers(welfare),
        periodic=[(ws.sweep_every_seconds, redemption_sweeper(welfare, ws.redemption_timeout_seconds))])
    worker.welfare = welfare
    return worker
