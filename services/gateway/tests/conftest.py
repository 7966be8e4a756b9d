"""Gateway test fixtures: the demo district and accounts, real service apps on free ports, a fake upstream."""
from __future__ import annotations

import threading
import time

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from liandong.testing import ServiceHarness, free_port

from gateway.bootstrap import create_app, create_worker
from gateway.service_layer.identity import DEMO_PASSWORD


class Served:
    """A WSGI app served on a free port in a thread (stopped at the end of the test)."""

    def __init__(self, app, port: int | None = None):
        self.port = port or free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _each_stopped(make, stop):
    """A fixture's body: `make` for the test, and every thing it made stopped afterwards."""
    made: list = []

    def start(*args, **kwargs):
        made.append(thing := make(*args, **kwargs))
        return thing

    yield start
    for thing in made:
        stop(thing)


@pytest.fixture
def serve():
    """`serve(app, port=None)`: the app served on a port in a thread (stopped at the end of the test)."""
    yield from _each_stopped(Served, Served.stop)


def _stop_all(workers) -> None:
    for w in workers:  # all told first, then waited for: they stop side by side
        w.stop.set()
    for w in workers:
        for t in w.threads:
            t.join(timeout=10)


@pytest.fixture
def workers():
    """`workers(worker)`: started now, stopped at the end of the test."""
    running: list = []

    def start(worker):
        worker.start()
        running.append(worker)
        return worker

    yield start
    _stop_all(running)


@pytest.fixture
def gw_settings(make_settings, tmp_path):
    """Gateway settings whose four services all point at ports where nothing listens (tests start what they need)."""

    def make(store: str = "sqlite", **overrides):
        ports = {s: free_port() for s in ("gateway", "petition", "welfare", "volunteer", "security")}
        overrides.setdefault("clock_file", str(tmp_path / "clock"))
        return make_settings(service="gateway", store=store, ports=ports, **overrides)

    return make


class GatewayHarness(ServiceHarness):
    """The gateway as its tests drive it (`liandong.testing.ServiceHarness`, fitted to the front door).

    Its worker loads the demo district and the demo accounts when it is created; it is started only by
    the tests that need it running (`workers(svc.worker)`: relays, the audit trail, the reports). The
    domain services it routes to listen on the ports of its settings, where nothing listens until a test
    serves one (`serve(petition_app(...), port=svc.settings.ports["petition"])`). `headers(username)`
    logs a demo account in (every call a new login: tests revoke sessions), district_admin by default."""

    api_prefix = "/api/v1"

    def __init__(self, settings, options=None):  # noqa: the base starts a service beside the gateway; here the gateway is the service
        self.settings = settings
        self.module = None
        self.worker = create_worker(settings)
        self.workers = []  # started by the `workers` fixture, which stops them
        self.app = create_app(settings, options=options)
        self.client = self.app.test_client()
        self._probe = None
        self._seen = []

    def route_to(self, service: str, url: str) -> None:
        """From now on the gateway forwards `service` to `url` (a stand-in upstream), with the same database."""
        self.app = create_app(self.settings.with_overrides(service_urls={service: url}))
        self.client = self.app.test_client()

    def login(self, username: str, password: str = DEMO_PASSWORD, **kw):
        return self.client.post("/api/v1/auth/login", json={"username": username, "password": password}, **kw)

    def token(self, username: str) -> str:
        resp = self.login(username)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()["access_token"]

    def headers(self, username: str = "district_admin") -> dict:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def advance(self, seconds: float) -> None:
        from pathlib import Path

        path = Path(self.settings.clock_file)
        current = float(path.read_text()) if path.exists() and path.read_text().strip() else 0.0
        path.write_text(str(current + seconds))

    def at_a_minutes_start(self) -> None:
        """Move the clock to the start of the next minute: the login limit counts in fixed minute windows, and
        a test's few logins straddling one's edge would land in two (CI once saw 4 logins let through, not 3)."""
        from liandong.clock import FileClock

        now = time.time() + FileClock(self.settings.clock_file).offset()
        self.advance(60 - now % 60 + 0.01)


@pytest.fixture
def make_svc(gw_settings):
    """`make_svc(store="sqlite", options=GatewayOptions(...), **settings)`: a gateway over the demo district."""
    def make(store: str = "sqlite", options=None, **overrides) -> GatewayHarness:
        return GatewayHarness(gw_settings(store=store, **overrides), options=options)

    yield from _each_stopped(make, GatewayHarness.close)


@pytest.fixture
def svc(make_svc) -> GatewayHarness:
    """The gateway on SQLite over the demo district (its worker created, not started)."""
    return make_svc()


def counting_upstream(service: str, slow: threading.Event | None = None) -> tuple[Flask, list]:
    """A stand-in service that records each POST it receives (to count what a retried request creates)."""
    app = Flask(f"fake-{service}")
    created: list = []

    @app.post(f"/api/v1/{service}/<path:rest>")
    def create(rest):
        if slow is not None:
            slow.wait(10)
        created.append({"body": request.get_json(), "headers": dict(request.headers)})
        return {"id": f"r{len(created)}", "n": len(created)}, 201

    @app.get(f"/api/v1/{service}/people")
    def people():
        return {"items": [{"name": "王某", "id_number": "110101199003078515", "mobile": "13912345678"}]}

    return app, created


@pytest.fixture
def fake_upstream():
    return counting_upstream
