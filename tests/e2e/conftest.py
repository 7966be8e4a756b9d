"""Fixtures for tests that start the whole platform."""
import os
import signal
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from liandong.config import SERVICES
from liandong.testing import auth_headers, free_port, settings_env, spawn, wait_for


@pytest.fixture
def platform_settings(make_settings):
    def make(store="sqlite", bus="embedded"):
        ports = {s: free_port() for s in SERVICES}
        return make_settings(store=store, bus=bus, ports=ports)
    return make


ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "deploy" / "local" / "run.py"


def start_platform(settings, log: Path):
    return spawn(["python", str(RUN), "--threads", "4"], settings_env(settings), log)


def stop_platform(proc) -> None:
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)


def ready(gateway: str):
    try:
        r = requests.get(f"{gateway}/readyz", timeout=3)
    except requests.RequestException:
        return None
    return r.json() if r.status_code == 200 else None


def check_running(settings) -> dict:
    gateway = f"http://127.0.0.1:{settings.ports['gateway']}"
    body = wait_for(lambda: ready(gateway), 90, 0.5, message="the gateway reports every service ready")
    assert all(body["checks"][s]["ready"] for s in ("petition", "welfare", "volunteer", "security"))
    for svc in ("petition", "welfare", "volunteer", "security"):
        url = f"http://127.0.0.1:{settings.ports[svc]}/api/v1/{svc}/org-units/jiayuan"
        wait_for(lambda: requests.get(url, headers=auth_headers(settings), timeout=3).status_code == 200, 30,
                 message=f"{svc} knows the tree")
        assert requests.get(url, timeout=3).status_code == 401  # no token, no data, even on the service's port
    tree = requests.get(f"{gateway}/api/v1/org/tree", headers=auth_headers(settings), timeout=5).json()["units"]
    return {u["id"]: u for u in tree}


@pytest.fixture
def e2e():
    """Start, check and stop the platform the way `make run` does."""
    return SimpleNamespace(start_platform=start_platform, stop_platform=stop_platform,
                           check_running=check_running, ready=ready)
