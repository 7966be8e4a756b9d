"""The whole platform as `make run` starts it: five web processes and five workers, through HTTP, on both
backend pairs (`embedded`, `kafka-mongo`) where the backends matter (the keys are the data directory's alone)."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import requests

from liandong.registry import DOMAIN_SERVICES


@pytest.mark.e2e
def test_make_run_serves_ready_and_keeps_its_data_across_a_restart(platform_settings, e2e, tmp_path, backend_pair):
    """Records made after start in every service are there after a restart, the same (ids and fields).
    The tree alone would not tell: a fresh data directory imports the same demo tree again."""
    settings = platform_settings(*backend_pair)  # its MongoDB databases are dropped after the test
    proc = e2e.start_platform(settings, tmp_path / "run1.log")
    try:
        first = e2e.check_running(settings)
        assert first["jiayuan"]["path"] == "/chuanying/huangqi/jiayuan/" and len(first) == 22
        records = e2e.Records(settings)
        records.create()
        before = records.snapshot()
    finally:
        e2e.stop_platform(proc)
    assert proc.returncode == 0, (tmp_path / "run1.log").read_text()[-2000:]
    proc = e2e.start_platform(settings, tmp_path / "run2.log")
    try:
        second = e2e.check_running(settings)
        assert second == {**first, "xinyuan": second.get("xinyuan")}  # the tree, loaded once, and the new unit
        e2e.check_same_records(before, records.snapshot())
    finally:
        e2e.stop_platform(proc)


@pytest.mark.e2e
def test_make_run_without_configured_keys_makes_one_random_pair_every_process_shares(platform_settings, e2e,
                                                                                      tmp_path):
    """Ten processes start at once on a fresh data directory and no key in the environment: they make the
    keys once, 0600, and all use them (a token the gateway issues is accepted by every service's own port)."""
    import stat

    from liandong.testing import settings_env, spawn, wait_for

    settings = platform_settings()
    # placeholders only so settings_env makes no key file itself; the children get no key at all
    env = settings_env(settings.with_overrides(secret_key="placeholder", encryption_key="placeholder"))
    env.pop("LIANDONG_SECRET_KEY")
    env.pop("LIANDONG_ENCRYPTION_KEY")
    keys = Path(settings.data_dir) / "keys"
    assert not keys.exists()
    proc = spawn(["python", str(Path(__file__).resolve().parents[2] / "deploy" / "local" / "run.py"),
                  "--threads", "4"], env, tmp_path / "run.log")
    gateway = f"http://127.0.0.1:{settings.ports['gateway']}"
    try:
        wait_for(lambda: e2e.ready(gateway), 90, 0.5, message="the gateway reports every service ready")
        login = requests.post(f"{gateway}/api/v1/auth/login", timeout=30,
                              json={"username": "jiayuan_worker", "password": "Liandong-demo-2026"})
        assert login.status_code == 200, login.text
        h = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for svc in DOMAIN_SERVICES:
            direct = f"http://127.0.0.1:{settings.ports[svc]}/api/v1/{svc}/org-units/jiayuan"
            wait_for(lambda: requests.get(direct, headers=h, timeout=3).status_code == 200, 30,
                     message=f"{svc} accepts the gateway's token")
        for name in ("signing.key", "encryption.key"):
            assert stat.S_IMODE(os.stat(keys / name).st_mode) == 0o600
        assert "dev-only" not in (keys / "signing.key").read_text()
    finally:
        e2e.stop_platform(proc)
