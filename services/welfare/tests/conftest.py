"""Fixtures for the welfare tests: the gateway (org tree) and welfare workers, a client, a movable clock."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the tests import welfare_testkit

from liandong.testing import wait_for  # noqa: E402

from gateway.bootstrap import create_worker as gateway_worker  # noqa: E402
from welfare_testkit import START, Env, MovableClock  # noqa: E402


def _env(make_settings, tmp_path, store, bus="embedded"):
    clock = MovableClock(tmp_path / "clock")
    clock.set(START)
    settings = make_settings(service="welfare", store=store, bus=bus, clock_file=str(tmp_path / "clock"))
    gw = gateway_worker(settings.for_service("gateway"))
    gw.start()
    env = Env(settings, clock)
    env.start_worker()
    try:
        wait_for(lambda: env.welfare.platform.org.get("yangchun") and env.welfare.platform.org.get("jiayuan-b1"),
                 30, message="welfare learns the org tree")
        yield env
    finally:
        env.stop_worker()
        gw.stop.set()
        for t in gw.threads:
            t.join(timeout=10)
        if store == "mongo":
            env.welfare.platform.db.drop()


@pytest.fixture
def env(make_settings, tmp_path, request):
    """The welfare service on SQLite and the embedded bus.

    `@pytest.mark.parametrize("env", ["mongo", "sqlite/kafka"], indirect=True)` picks other backends.
    """
    store, _, bus = getattr(request, "param", "sqlite").partition("/")
    yield from _env(make_settings, tmp_path, store, bus or "embedded")
