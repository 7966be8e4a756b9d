"""Composition root: the only place that wires the welfare service's adapters together."""
from __future__ import annotations

from flask import Flask

from liandong.config import Settings
from liandong.attachments import personal_fields as attachment_names
from liandong.platform import Platform
from liandong.reencrypt import Store
from liandong.worker import Worker

from . import SERVICE
from .adapters.attachments import attachment_records
from .adapters.programme_config import load_catalogue
from .adapters.registers import load_registers
from .adapters.stores import WelfareStores
from .api import attachments
from .api.routes import blueprints
from .config import WelfareSettings
from .handlers import handlers, redemption_sweeper
from .service_layer import Welfare
from .service_layer.attachments import welfare_attachments


def create_platform(settings: Settings | None = None, **overrides) -> Platform:
    return Platform.create(SERVICE, settings, **overrides)


def create_welfare(settings: Settings | None = None, welfare_settings: WelfareSettings | None = None,
                   **overrides) -> tuple[Platform, Welfare, WelfareSettings]:
    ws = welfare_settings or WelfareSettings.from_env()
    platform = create_platform(settings, **overrides)
    welfare = Welfare(platform.deps, load_catalogue(ws.programmes_file), load_registers(ws.registers_file))
    welfare.prepare()
    return platform, welfare, ws


def create_app(settings: Settings | None = None, welfare_settings: WelfareSettings | None = None,
               **overrides) -> Flask:
    platform, welfare, _ = create_welfare(settings, welfare_settings, **overrides)
    app = platform.create_app()
    for bp in blueprints(welfare):
        app.register_blueprint(bp)
    app.register_blueprint(attachments.blueprint(welfare_attachments(platform.deps, welfare)))
    app.extensions["welfare"] = welfare
    return app


def personal_stores(platform: Platform) -> list[Store]:
    """Where the welfare service keeps personal data (`python -m liandong.reencrypt welfare`)."""
    from liandong.personal import PersonalFields

    from .adapters.employment import EmploymentStores
    from .adapters.repositories import FUND_GRANT
    from .adapters.visits import PAIRING

    stores = WelfareStores(platform.deps)
    return [Store(r.collection, r.personal) for r in (stores.applications, stores.grants, stores.visits,
                                                       stores.fund_entries)] + [
        Store(stores.pairings.collection, PAIRING), Store(stores.fund.grants, FUND_GRANT),
        # a fund entry parked on its account until its ledger records it names its party too, sealed as the
        # ledger seals it (the name bound in is "party")
        Store(stores.fund.collection, PersonalFields.of("unrecorded[].party", names={"unrecorded[].party": "party"})),
        Store(stores.import_jobs.collection, stores.import_jobs.personal),  # the rows to fix of an import
        Store(stores.register_entries.collection, stores.register_entries.personal),  # the person registers (#20)
        Store(stores.register_services.collection, stores.register_services.personal)] + [
        Store(r.collection, r.personal) for r in EmploymentStores(platform.deps).repositories()] + [  # 就业 / 社保 (#20)
        Store((files := attachment_records(platform.deps)).collection, attachment_names(), then=files.reseal)]  # the names of materials (#22)


def create_worker(settings: Settings | None = None, welfare_settings: WelfareSettings | None = None,
                  **overrides) -> Worker:
    platform, welfare, ws = create_welfare(settings, welfare_settings, **overrides)
    welfare_attachments(platform.deps, welfare).repo.prepare()
    worker = platform.create_worker(
        outbox_collections=welfare.stores.outbox_collections() + welfare.employment.records.outbox_collections(),
        handlers=handlers(welfare),
        periodic=[(ws.sweep_every_seconds, redemption_sweeper(welfare, ws.redemption_timeout_seconds))])
    worker.welfare = welfare
    return worker
