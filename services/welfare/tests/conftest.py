"""Fixtures for the welfare tests: `svc`, the one harness (liandong.testing.ServiceHarness) with welfare's
helpers (welfare_testkit.WelfareHarness), and `make_svc` for other backends or settings."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the tests import welfare_testkit

import welfare.bootstrap  # noqa: E402
from welfare_testkit import WelfareHarness  # noqa: E402


@pytest.fixture
def make_svc(make_harness, tmp_path):
    """`make_svc(store="mongo", bus="kafka", worker_kw=..., **settings)`: a started harness on its own clock."""
    made = []

    def make(store: str = "sqlite", bus: str = "embedded", **kw) -> WelfareHarness:
        clock_file = tmp_path / f"clock-{len(made)}"
        svc = make_harness(WelfareHarness, welfare.bootstrap, store=store, bus=bus, clock_file=str(clock_file), **kw)
        made.append(svc)
        return svc

    yield make
    for svc in made:
        if svc.settings.store == "mongo":
            svc.close()
            svc.welfare.deps.db.drop()


@pytest.fixture
def svc(make_svc, request):
    """The welfare service on SQLite and the embedded bus.

    `@pytest.mark.parametrize("svc", ["mongo", "sqlite/kafka"], indirect=True)` picks other backends.
    """
    store, _, bus = getattr(request, "param", "sqlite").partition("/")
    return make_svc(store, bus or "embedded")
