"""The home page says how far the demo district's history is (#22): while deploy/local/demo_history.py fills last year
in the background, a card reads 正在生成演示历史数据 N%; when it is done the card goes. The platform here starts as
`make run` does on a fresh data directory, with the history on (a reduced scale, so it is done within the test)."""
from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from liandong.config import SERVICES, Settings
from liandong.testing import free_port, load_module, unique, wait_for

PASSWORD = "Liandong-demo-2026"


def _e2e():
    """The e2e suite's start/stop helpers (tests/e2e/conftest.py), as the browser suite's own console fixture uses."""
    return load_module(Path(__file__).resolve().parents[1] / "e2e" / "conftest.py", "liandong_e2e_conftest_history")


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    e2e = _e2e()
    tmp = tmp_path_factory.mktemp("console-history")
    settings = Settings(service="gateway", store="sqlite", bus="embedded", data_dir=tmp / "data",
                        database_prefix=unique("ld"), log_json=True, relay_interval=0.02,
                        ports={s: free_port() for s in SERVICES})
    saved = {k: os.environ.get(k) for k in ("LIANDONG_DEMO_HISTORY", "LIANDONG_DEMO_HISTORY_SCALE")}
    # half the e2e test's scale: the card, not the figures, is what this test reads (the history has more areas now)
    os.environ.update(LIANDONG_DEMO_HISTORY="1", LIANDONG_DEMO_HISTORY_SCALE="0.05")
    proc = e2e.start_platform(settings, tmp / "run.log")
    try:
        e2e.check_running(settings)
        yield SimpleNamespace(base=f"http://127.0.0.1:{settings.ports['gateway']}", settings=settings)
    finally:
        e2e.stop_platform(proc)
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def test_the_home_page_shows_the_history_being_made_and_drops_it_when_done(new_tab, console):
    base = f"{console.base}/api/v1"
    token = requests.post(f"{base}/auth/login", json={"username": "jiayuan_worker", "password": PASSWORD},
                          timeout=20).json()["access_token"]

    def progress() -> dict:
        return requests.get(f"{base}/demo/history", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()

    tab = new_tab()
    tab.open()
    tab.login("jiayuan_worker")
    wait_for(lambda: progress()["state"] == "running", 60, 0.5, message="the history begins")
    card = tab.page.locator("#demo-history-card")
    card.wait_for(timeout=20000)
    assert "正在生成演示历史数据" in card.inner_text() and "%" in card.inner_text()
    assert card.get_attribute("role") == "status"  # a screen reader hears it without it taking the focus
    tab.axe("工作台（正在生成演示历史数据）")
    wait_for(lambda: progress()["state"] == "done", 600, 2, message="the history is done")
    card.wait_for(state="detached", timeout=20000)
    assert progress()["percent"] == 100
    assert not tab.errors, tab.errors
