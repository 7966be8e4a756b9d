"""A service process that crashes and comes back is routed to again as soon as it is ready, not after the
circuit breaker's full open period."""
import os
import signal
import sys
import time
from pathlib import Path

import requests

from liandong.testing import settings_env, spawn, wait_for


def start_petition(settings, log: Path):
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return spawn([gunicorn, "--bind", f"127.0.0.1:{settings.ports['petition']}", "--workers", "1", "--threads", "4",
                  "petition.bootstrap:create_app()"], settings_env(settings), log)


def test_a_restarted_service_is_routed_to_again_as_soon_as_it_is_ready(svc, tmp_path):
    ps = svc.settings.for_service("petition")
    h = svc.headers("jiayuan_worker")
    route = "/api/v1/petition/org-units/nowhere"  # the service's own 404: it answered
    direct = f"http://127.0.0.1:{ps.ports['petition']}/readyz?check=database"
    proc = start_petition(ps, tmp_path / "petition.log")
    try:
        wait_for(lambda: svc.client.get(route, headers=h).status_code == 404, 60, message="petition up")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        for _ in range(4):
            assert svc.client.get(route, headers=h).status_code == 503
        breaker = svc.app.extensions["gateway"]["proxy"].breakers["petition"]
        assert breaker.state == "open" and breaker.reset_after >= 10
        proc = start_petition(ps, tmp_path / "petition.log")

        def up():
            try:
                return requests.get(direct, timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_for(up, 60, interval=0.02, message="petition restarted")
        back = time.monotonic()
        wait_for(lambda: svc.client.get(route, headers=h).status_code == 404, 15, interval=0.02,
                 message="the gateway routes to petition again")
        assert time.monotonic() - back < 1.5  # before: the rest of the 10 s open period
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
