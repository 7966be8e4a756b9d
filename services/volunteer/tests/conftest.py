"""Fixtures: the volunteer service through `liandong.testing.ServiceHarness` (the gateway's org tree, its
worker running), as `svc` (SQLite; `@pytest.mark.parametrize("svc", STORES, indirect=True)` for both
backends) and `make_svc` (another backend, bus or settings), with the volunteer domain's helpers."""
from __future__ import annotations

from pathlib import Path

import pytest

from liandong.testing import STORES, ServiceHarness, unique  # noqa: F401  (STORES: the tests import it here)

import volunteer.bootstrap

API = "/api/v1/volunteer"
JIAYUAN = "/chuanying/huangqi/jiayuan/"
HUANGNILING = "/chuanying/xihu/huangniling/"


class VolunteerHarness(ServiceHarness):
    api_prefix = API

    def headers(self, role: str = "community_worker", org_unit: str = "jiayuan", org_path: str = JIAYUAN,
                **kw) -> dict:
        """By default a community worker of 家园 (the organiser of most tests)."""
        return super().headers(role, org_unit, org_path, **kw)

    staff = headers

    def district(self) -> dict:
        """A district admin: the permission held at the root of the org tree (district-wide settings)."""
        return super().headers("district_admin", "chuanying", "/chuanying/")

    def resident(self, user_id: str, org_unit="jiayuan", org_path=JIAYUAN) -> dict:
        return super().headers("resident", org_unit, org_path, user_id=user_id)

    @property
    def service(self):
        return self.app.extensions["volunteer_service"]

    @property
    def stores(self):
        return self.service.stores

    def advance(self, seconds: float) -> None:
        """Move every process's clock (the settings' clock file) forward."""
        path = Path(self.settings.clock_file)
        current = float(path.read_text() or 0) if path.exists() else 0.0
        path.write_text(str(current + seconds))

    def register(self, name=None, org_unit="jiayuan", headers=None, **kw) -> dict:
        body = {"name": name or unique("志愿者"), "kind": "resident", "org_unit_id": org_unit, "consent": True, **kw}
        return self.post("/volunteers", body, headers=headers, expect=201).get_json()

    def activity(self, capacity=10, type="elderly_care", starts_at="2026-03-05T01:00:00Z",
                 ends_at="2026-03-05T04:00:00Z", headers=None, **kw) -> dict:
        body = {"title": unique("敬老活动"), "type": type, "org_unit_id": "jiayuan", "place": "家园社区服务站",
                "starts_at": starts_at, "ends_at": ends_at, "capacity": capacity, "publish": True, **kw}
        return self.post("/activities", body, headers=headers, expect=201).get_json()

    def publish_event(self, name: str, data: dict, subject: str, orgpath: str = JIAYUAN):
        return super().publish_event(name, data, subject, orgpath)

    def balance(self, volunteer_id: str) -> dict:
        """The volunteer's balance now: available, reserved, total."""
        return self.get(f"/volunteers/{volunteer_id}/statement")["balance"]

    def statement(self, volunteer_id: str, **params) -> list[dict]:
        return self.get(f"/volunteers/{volunteer_id}/statement", page_size=100, **params)["items"]

    def settled(self) -> bool:
        """The worker has published and applied everything (no outbox or ledger work pending)."""
        pending = sum(c.count_documents({"_outbox_pending": True}) for c in self.service.outbox_collections())
        return pending == 0 and self.stores.ledger.entries.count_documents({"status": "pending"}) == 0


@pytest.fixture
def make_svc(make_harness, tmp_path):
    """`make_svc(store=..., bus=..., **settings)`: the volunteer service on those backends."""

    def make(store: str = "sqlite", bus: str = "embedded", **overrides) -> VolunteerHarness:
        overrides.setdefault("clock_file", str(tmp_path / f"clock-{unique()}"))
        return make_harness(VolunteerHarness, volunteer.bootstrap, store=store, bus=bus, **overrides)

    return make


@pytest.fixture
def svc(make_svc, request):
    """The volunteer service on SQLite, or on the backend a test parametrizes it with (indirect)."""
    h = make_svc(store=getattr(request, "param", "sqlite"))
    yield h
    h.close()  # the workers stop before their database goes
    if h.settings.store == "mongo":
        h.platform.db.drop()
