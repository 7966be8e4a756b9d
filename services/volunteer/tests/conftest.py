"""Fixtures: the volunteer service with the gateway's org tree, its worker running, and helpers."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from liandong.testing import auth_headers, unique, wait_for

from gateway.bootstrap import create_worker as gateway_worker
from volunteer.bootstrap import create_app, create_platform, create_worker

API = "/api/v1/volunteer"
JIAYUAN = "/chuanying/huangqi/jiayuan/"


@dataclass
class VolunteerEnv:
    settings: object
    client: object
    platform: object
    service: object

    def staff(self, org_unit="jiayuan", org_path=JIAYUAN, role="community_worker", **kw) -> dict:
        return auth_headers(self.settings, role=role, org_unit=org_unit, org_path=org_path, **kw)

    def district(self) -> dict:
        """A district admin: the permission held at the root of the org tree (district-wide settings)."""
        return auth_headers(self.settings, role="district_admin", org_unit="chuanying", org_path="/chuanying/")

    def advance(self, seconds: float) -> None:
        """Move every process's clock (the settings' clock file) forward."""
        path = Path(self.settings.clock_file)
        current = float(path.read_text() or 0) if path.exists() else 0.0
        path.write_text(str(current + seconds))

    def resident(self, user_id: str, org_unit="jiayuan", org_path=JIAYUAN) -> dict:
        return auth_headers(self.settings, role="resident", org_unit=org_unit, org_path=org_path, user_id=user_id)

    def post(self, path, body=None, headers=None, expect=None):
        r = self.client.post(API + path, json=body or {}, headers=headers or self.staff())
        if expect is not None:
            assert r.status_code == expect, (r.status_code, r.get_json())
        return r

    def get(self, path, headers=None, expect=200, **params):
        r = self.client.get(API + path, query_string=params, headers=headers or self.staff())
        if expect is not None:
            assert r.status_code == expect, (r.status_code, r.get_json())
        return r.get_json()

    def register(self, name=None, org_unit="jiayuan", **kw) -> dict:
        body = {"name": name or unique("志愿者"), "kind": "resident", "org_unit_id": org_unit, "consent": True, **kw}
        return self.post("/volunteers", body, expect=201).get_json()

    def activity(self, capacity=10, type="elderly_care", starts_at="2026-03-05T01:00:00Z",
                 ends_at="2026-03-05T04:00:00Z", **kw) -> dict:
        body = {"title": unique("敬老活动"), "type": type, "org_unit_id": "jiayuan", "place": "家园社区服务站",
                "starts_at": starts_at, "ends_at": ends_at, "capacity": capacity, "publish": True, **kw}
        return self.post("/activities", body, expect=201).get_json()

    def publish_event(self, name: str, data: dict, subject: str, orgpath: str = JIAYUAN):
        """Publish another service's contract event on the bus, as that service would."""
        env = self.platform.new_event(name, subject, data, orgpath)
        self.platform.bus.publish(f"{name.split('.', 1)[0]}.events", subject, env.to_json())
        self.platform.bus.flush()
        return env

    def balance(self, volunteer_id: str) -> dict:
        return self.get(f"/volunteers/{volunteer_id}/statement")

    def settled(self) -> bool:
        """The worker has published and applied everything (no outbox or ledger work pending)."""
        svc = self.service
        pending = sum(c.count_documents({"_outbox_pending": True}) for c in svc.outbox_collections())
        return pending == 0 and svc.ledger.entries.count_documents({"status": "pending"}) == 0


def _start(make_settings, tmp_path, store: str, bus: str = "embedded"):
    settings = make_settings(service="gateway", store=store, bus=bus, clock_file=str(tmp_path / "clock"))
    vsettings = settings.for_service("volunteer")
    workers = [gateway_worker(settings), create_worker(vsettings)]
    for w in workers:
        w.start()
    app = create_app(vsettings)
    env = VolunteerEnv(vsettings, app.test_client(), create_platform(vsettings), app.extensions["volunteer_service"])
    wait_for(lambda: env.platform.org.get("jiayuan") and env.platform.org.get("huangniling"), 30,
             message="volunteer learns the org tree")
    return env, workers


def _stop(workers):
    for w in workers:
        w.stop.set()
    for w in workers:
        for t in w.threads:
            t.join(timeout=10)


@pytest.fixture
def vol(make_settings, tmp_path):
    env, workers = _start(make_settings, tmp_path, "sqlite")
    try:
        yield env
    finally:
        _stop(workers)


@pytest.fixture
def vol_mongo(make_settings, tmp_path):
    env, workers = _start(make_settings, tmp_path, "mongo")
    try:
        yield env
    finally:
        _stop(workers)
        env.platform.db.drop()


@pytest.fixture(params=["sqlite", "mongo"])
def vol_on_both(make_settings, tmp_path, request):
    """The volunteer service on each storage backend in turn."""
    env, workers = _start(make_settings, tmp_path, request.param)
    try:
        yield env
    finally:
        _stop(workers)
        if request.param == "mongo":
            env.platform.db.drop()
