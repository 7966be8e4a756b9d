"""Composition root: the only place that wires the welfare service's adapters together."""
from __future__ import annotations

from flask import Flask

from liandong.config import Settings
from liandong.platform import Platform
from liandong.worker import Worker

from . import SERVICE
from .api.routes import blueprint


def create_platform(settings: Settings | None = None, **overrides) -> Platform:
    return Platform.create(SERVICE, settings, **overrides)


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    platform = create_platform(settings, **overrides)
    app = platform.create_app()
    app.register_blueprint(blueprint(platform))
    return app


def create_worker(settings: Settings | None = None, **overrides) -> Worker:
    platform = create_platform(settings, **overrides)
    return platform.create_worker(outbox_collections=[], handlers={})
