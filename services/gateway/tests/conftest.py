"""Gateway test fixtures: the demo district and accounts, real service apps on free ports, a fake upstream."""
from __future__ import annotations

import threading

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from liandong.testing import free_port

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


@pytest.fixture
def serve():
    started: list[Served] = []

    def start(app, port: int | None = None) -> Served:
        s = Served(app, port)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture
def workers():
    running = []

    def start(worker):
        worker.start()
        running.append(worker)
        return worker

    yield start
    for w in running:
        w.stop.set()
    for w in running:
        for t in w.threads:
            t.join(timeout=10)


@pytest.fixture
def gw_settings(make_settings, tmp_path):
    """Gateway settings whose four services all point at ports where nothing listens (tests start what they need)."""

    def make(store: str = "sqlite", **overrides):
        ports = {s: free_port() for s in ("gateway", "petition", "welfare", "volunteer", "security")}
        overrides.setdefault("clock_file", str(tmp_path / "clock"))
        return make_settings(service="gateway", store=store, ports=ports, **overrides)

    return make


@pytest.fixture
def demo(gw_settings):
    """A gateway app over the loaded demo district and its accounts (the worker is created, not started)."""

    class Demo:
        def __init__(self, store="sqlite", options=None, **overrides):
            self.settings = gw_settings(store=store, **overrides)
            self.worker = create_worker(self.settings)
            self.app = create_app(self.settings, options=options)
            self.client = self.app.test_client()

        def login(self, username: str, password: str = DEMO_PASSWORD, **kw):
            return self.client.post("/api/v1/auth/login", json={"username": username, "password": password}, **kw)

        def token(self, username: str) -> str:
            resp = self.login(username)
            assert resp.status_code == 200, resp.get_json()
            return resp.get_json()["access_token"]

        def headers(self, username: str) -> dict:
            return {"Authorization": f"Bearer {self.token(username)}"}

        def advance(self, seconds: float) -> None:
            from pathlib import Path

            path = Path(self.settings.clock_file)
            current = float(path.read_text()) if path.exists() and path.read_text().strip() else 0.0
            path.write_text(str(current + seconds))

    return Demo


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
