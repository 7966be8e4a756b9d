"""The whole platform as `make run` starts it: five web processes and five workers, through HTTP."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import requests

from liandong.config import SERVICES
from liandong.testing import auth_headers, free_port, settings_env, spawn, wait_for

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


@pytest.fixture
def platform_settings(make_settings):
    def make(store="sqlite", bus="embedded"):
        ports = {s: free_port() for s in SERVICES}
        return make_settings(store=store, bus=bus, ports=ports)
    return make


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


@pytest.mark.e2e
def test_make_run_serves_ready_and_keeps_its_data_across_a_restart(platform_settings, tmp_path):
    settings = platform_settings()
    proc = start_platform(settings, tmp_path / "run1.log")
    try:
        first = check_running(settings)
        assert first["jiayuan"]["path"] == "/chuanying/huangqi/jiayuan/" and len(first) == 22
    finally:
        stop_platform(proc)
    assert proc.returncode == 0, (tmp_path / "run1.log").read_text()[-2000:]
    proc = start_platform(settings, tmp_path / "run2.log")
    try:
        second = check_running(settings)
        assert second == first  # the same tree, loaded once, still there
    finally:
        stop_platform(proc)


@pytest.mark.e2e
@pytest.mark.kafka
@pytest.mark.mongo
def test_the_platform_runs_on_kafka_and_ferretdb(platform_settings, tmp_path):
    settings = platform_settings(store="mongo", bus="kafka")
    proc = start_platform(settings, tmp_path / "run.log")
    try:
        units = check_running(settings)
        assert units["yangzhong"]["path"] == "/chuanying/ceguan/yangzhong/"
    finally:
        stop_platform(proc)
    import pymongo

    client = pymongo.MongoClient(settings.mongo_uri)
    for svc in SERVICES:
        client.drop_database(f"{settings.database_prefix}_{svc}")
