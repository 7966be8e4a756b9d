"""The platform in this process for the API style checks: the five apps on the embedded backend, each
served on a free port with its worker beside it (so events flow as under `make run`), a day of the
demo district's activity played through the gateway (deploy/local/demo_activity.py) so every list has
records, and the merged OpenAPI document built with the gateway's own merge code."""
from __future__ import annotations

import importlib
import os
import secrets
import threading
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from werkzeug.serving import make_server

from liandong.auth import DUTIES
from liandong.config import Settings
from liandong.openapi import spec_for
from liandong.registry import DOMAIN_SERVICES, SERVICES
from liandong.testing import auth_headers, demo_activity, free_port, unique, wait_for

ROOT = Path(__file__).resolve().parents[2]


def merged_document(apps: dict) -> dict:
    """The document the gateway serves at /api/openapi.json, from the apps themselves."""
    from gateway.api.docs import merge

    parts = {}
    for svc in DOMAIN_SERVICES:
        resp = apps[svc].test_client().get("/api/openapi.json")
        assert resp.status_code == 200, f"{svc} serves no OpenAPI document: {resp.get_data(as_text=True)[:300]}"
        parts[svc] = resp.get_json()
    return merge(spec_for(apps["gateway"], "Liandong gateway"), parts)


def owner(path: str) -> str:
    """The service that answers a path of the merged document (the gateway for its own)."""
    parts = path.split("/")
    return parts[3] if len(parts) > 3 and parts[1:3] == ["api", "v1"] and parts[3] in DOMAIN_SERVICES else "gateway"


@contextmanager
def environment(**values):
    """These variables set for the block only (the rest of the suite never sees them)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="package")  # torn down when tests/api is done
def api_platform(tmp_path_factory):
    data = tmp_path_factory.mktemp("api-style") / "data"
    data.mkdir(parents=True)
    ports = {s: free_port() for s in SERVICES}
    base = Settings(service="gateway", store="sqlite", bus="embedded", data_dir=data, database_prefix=unique("ld"),
                    log_json=True, relay_interval=0.02, ports=ports,
                    secret_key=secrets.token_urlsafe(32), encryption_key=secrets.token_urlsafe(32))
    # as `make run` in demo mode: programmes without the public notice, so the demo day approves and pays
    from welfare.adapters.programme_config import write_compressed

    programmes = str(write_compressed(data / "programmes-demo.yaml"))
    apps, servers, workers = {}, [], []
    try:
        for svc in SERVICES:
            settings = base.for_service(svc)
            module = importlib.import_module(f"{svc}.bootstrap")
            with environment(WELFARE_PROGRAMMES_FILE=programmes):  # read when the app is made, not later
                worker = module.create_worker(settings)
                apps[svc] = module.create_app(settings)
            worker.start()
            workers.append(worker)
            server = make_server("127.0.0.1", ports[svc], apps[svc], threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
        gateway = f"http://127.0.0.1:{ports['gateway']}"
        wait_for(lambda: requests.get(f"{gateway}/readyz", timeout=3).json().get("ready"), 60,
                 message="the gateway reports every service ready")
        try:
            played, seed_error = demo_activity().play(gateway), None
        except Exception as exc:  # noqa: BLE001 - the lists seeded so far are still checked; a test reports it
            played, seed_error = None, f"{type(exc).__name__}: {exc}"
        yield SimpleNamespace(gateway=gateway, settings=base, apps=apps, document=merged_document(apps),
                              headers=auth_headers(base, duties=tuple(DUTIES)), played=played, seed_error=seed_error)
    finally:
        for worker in workers:
            worker.stop.set()
        for server in servers:
            server.shutdown()
