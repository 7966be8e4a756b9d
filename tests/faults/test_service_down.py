"""A domain service goes down: the gateway answers for the rest and names what is missing; when the
service returns, the events it held back drain and the figures catch up (issue #10, 1.)."""
from __future__ import annotations

import random
import threading
import time
from datetime import date

from werkzeug.serving import make_server

from liandong.idnumbers import check_digit
from liandong.registry import DOMAIN_SERVICES
from liandong.testing import auth_headers, free_port, wait_for

SERVICES = DOMAIN_SERVICES
JIAYUAN = "/chuanying/huangqi/jiayuan/"


class Served:
    def __init__(self, app, port: int):
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def stop_worker(worker) -> None:
    worker.stop.set()
    for t in worker.threads:
        t.join(timeout=15)


def petition_body() -> dict:
    first = f"220204197503{random.randint(10, 28)}{random.randint(100, 999)}"
    return {"org_unit_id": "jiayuan", "category": "environment_noise", "channel": "visit",
            "content": "楼下饭店油烟和噪音扰民",
            "petitioners": [{"name": "刘女士", "id_number": first + check_digit(first), "mobile": "13904321234"}]}


def test_a_service_down_the_gateway_answers_for_the_rest_and_its_backlog_drains_on_return(make_settings):
    from gateway.bootstrap import create_app as gateway_app, create_worker as gateway_worker

    ports = {s: free_port() for s in ("gateway", *SERVICES)}
    settings = make_settings(service="gateway", ports=ports)
    modules = {s: __import__(f"{s}.bootstrap", fromlist=["create_app", "create_worker"]) for s in SERVICES}
    workers = {"gateway": gateway_worker(settings)}
    workers |= {s: modules[s].create_worker(settings.for_service(s)) for s in SERVICES}
    for w in workers.values():
        w.start()
    served = {s: Served(modules[s].create_app(settings.for_service(s)), ports[s]) for s in SERVICES}
    gateway = gateway_app(settings).test_client()
    admin = auth_headers(settings)
    worker_headers = auth_headers(settings, role="community_worker", org_unit="jiayuan", org_path=JIAYUAN)
    year = {"org_unit": "chuanying", "from": f"{date.today().year}-01-01", "to": f"{date.today().year}-12-31"}

    def overview() -> dict:
        resp = gateway.get("/api/v1/reports/overview", query_string=year, headers=admin)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def batches() -> int:
        return overview()["metrics"]["petition.batches"]["value"]

    try:
        wait_for(lambda: gateway.get("/readyz").status_code == 200, 60, 0.2, message="every service ready")
        wait_for(lambda: gateway.get("/api/v1/petition/org-units/jiayuan", headers=admin).status_code == 200, 30,
                 message="petition knows the tree")
        r = gateway.post("/api/v1/petition/petitions", json=petition_body(), headers=worker_headers)
        assert r.status_code == 201, r.get_json()
        wait_for(lambda: batches() == 1, 30, message="the overview counts the first petition")
        first = overview()
        assert first["services_unavailable"] == [] and first["freshness"]["petition"].get("unavailable") is None

        # the petition worker stops: filing still works, its events wait in the outbox, the figures do not move
        stop_worker(workers.pop("petition"))
        for _ in range(3):
            r = gateway.post("/api/v1/petition/petitions", json=petition_body(), headers=worker_headers)
            assert r.status_code == 201, r.get_json()
        time.sleep(1.5)
        assert batches() == 1

        # then the petition web process goes too
        served.pop("petition").stop()
        time.sleep(3.2)  # the gateway asks the services' readiness at most every 3 s
        started = time.monotonic()
        down = gateway.get("/api/v1/petition/petitions", headers=admin)
        assert down.status_code == 503 and time.monotonic() - started < 5, down.get_json()
        ready = gateway.get("/readyz")
        assert ready.status_code == 503
        checks = ready.get_json()["checks"]
        assert checks["petition"]["ready"] is False
        assert all(checks[s]["ready"] for s in ("welfare", "volunteer", "security"))
        # ... and answers for the rest
        for svc in ("welfare", "volunteer", "security"):
            assert gateway.get(f"/api/v1/{svc}/org-units/jiayuan", headers=admin).status_code == 200
        during = overview()
        assert during["services_unavailable"] == ["petition"]
        assert during["stale"] is True
        assert during["freshness"]["petition"]["stale"] is True and during["freshness"]["petition"]["unavailable"]
        assert all("unavailable" not in during["freshness"][s] for s in ("welfare", "volunteer", "security"))
        assert during["metrics"]["petition.batches"]["value"] == 1  # what was known, marked stale

        # the petition service returns: its backlog drains and the overview catches up
        served["petition"] = Served(modules["petition"].create_app(settings.for_service("petition")),
                                    ports["petition"])
        workers["petition"] = modules["petition"].create_worker(settings.for_service("petition"))
        workers["petition"].start()
        wait_for(lambda: batches() == 4, 60, 0.2, message="the held-back petitions reach the overview")
        after = wait_for(lambda: (lambda o: o if o["services_unavailable"] == [] else None)(overview()), 30, 0.5,
                         message="petition no longer marked unavailable")
        assert "unavailable" not in after["freshness"]["petition"]
        print(f"\n[service down] overview during the outage: unavailable={during['services_unavailable']}, "
              f"petition.batches {during['metrics']['petition.batches']['value']} -> "
              f"{after['metrics']['petition.batches']['value']} after the return")
    finally:
        for s in served.values():
            s.stop()
        for w in workers.values():
            stop_worker(w)
