"""The volunteer and welfare services side by side, for the love-coin saga across the two real services."""
from __future__ import annotations

import pytest

from liandong.testing import wait_for

from gateway.bootstrap import create_worker as gateway_worker
from volunteer.bootstrap import create_app as volunteer_app, create_worker as volunteer_worker
from welfare.bootstrap import create_app as welfare_app, create_worker as welfare_worker


@pytest.fixture(params=["embedded", "kafka"])
def both(request, make_settings, tmp_path):
    settings = make_settings(service="gateway", store="sqlite", bus=request.param, clock_file=str(tmp_path / "clock"))
    workers = [gateway_worker(settings), volunteer_worker(settings.for_service("volunteer")),
               welfare_worker(settings.for_service("welfare"))]
    for w in workers:
        w.start()
    vapp, wapp = volunteer_app(settings.for_service("volunteer")), welfare_app(settings.for_service("welfare"))
    try:
        for app in (vapp, wapp):
            org = app.extensions["liandong_platform"].org
            wait_for(lambda: org.get("jiayuan") and org.get("huangniling"), 30, message="the org tree")
        yield settings, vapp.test_client(), wapp.test_client()
    finally:
        for w in workers:
            w.stop.set()
        for w in workers:
            for t in w.threads:
                t.join(timeout=10)
