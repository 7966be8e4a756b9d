"""Fixtures: the petition service through `liandong.testing.ServiceHarness` (the gateway's org tree, both
workers, the app), with the petition domain's helpers: `svc` on SQLite, `make_svc` for other stores."""
from __future__ import annotations

import random

import pytest

from liandong.clock import FileClock
from liandong.idnumbers import check_digit
from liandong.testing import ServiceHarness

import petition.bootstrap
from petition.service_layer import UseCases

API = "/api/v1/petition"
HUANGQI = "/chuanying/huangqi/"
JIAYUAN = "/chuanying/huangqi/jiayuan/"


def id_number(born: str = "19750315") -> str:
    """A valid resident ID number (船营区, GB 11643 check digit) for a random person."""
    first = f"220204{born}{random.randint(100, 999)}"
    return first + check_digit(first)


class PetitionHarness(ServiceHarness):
    """Requests go as a 家园社区 community worker unless headers say otherwise."""

    id_number = staticmethod(id_number)

    @property
    def uses(self) -> UseCases:
        """The service's use cases on the same database (for what only the store can tell)."""
        return UseCases.of(self.platform.deps)

    @property
    def repo(self):
        return self.uses.repo

    @property
    def clock(self):
        return self.platform.clock

    def call(self, method, path, body=None, headers=None, expect=None, **params):
        return super().call(method, path, body, headers if headers is not None else self.staff(), expect, **params)

    def staff(self, org_unit="jiayuan", org_path=JIAYUAN, role="community_worker", **kw) -> dict:
        return self.headers(role, org_unit, org_path, **kw)

    def officer(self, org_unit="huangqi", org_path=HUANGQI, **kw) -> dict:
        return self.headers("subdistrict_officer", org_unit, org_path, **kw)

    def resident(self, user_id: str, org_unit="jiayuan", org_path=JIAYUAN) -> dict:
        return self.headers("resident", org_unit, org_path, user_id=user_id)

    def admin(self) -> dict:
        return self.headers("district_admin", "chuanying", "/chuanying/")

    def move_clock(self, seconds: float) -> None:
        FileClock.move(self.settings.clock_file, seconds)

    def file(self, org_unit="jiayuan-b1", category="environment_noise", channel="visit", headers=None,
             expect=201, **kw) -> dict:
        body = {"org_unit_id": org_unit, "category": category, "channel": channel,
                "content": kw.pop("content", "楼下饭店油烟和噪音扰民"),
                "petitioners": kw.pop("petitioners", [{"name": "刘女士", "id_number": id_number(),
                                                       "mobile": "13904321234", "address": "1号楼3单元"}]),
                **kw}
        return self.post("/petitions", body, headers=headers, expect=expect).get_json()

    def assignment(self, **kw) -> dict:
        return {"unit_kind": "department", "unit_id": "environment", "person": "王科长", "deadline": "2099-12-31",
                "task": "现场核查噪音来源", "requirement": "十个工作日内书面答复", **kw}

    def publish_event(self, name: str, data: dict, subject: str, orgpath: str = JIAYUAN):
        return super().publish_event(name, data, subject, orgpath)


@pytest.fixture
def make_svc(make_harness):
    """`make_svc(store=..., bus=..., scan_seconds=..., **settings)`: the deadline scan every minute unless asked."""

    def make(store: str = "sqlite", bus: str = "embedded", scan_seconds: float = 60.0, **overrides) -> PetitionHarness:
        return make_harness(PetitionHarness, petition.bootstrap, store=store, bus=bus,
                            worker_kw={"scan_seconds": scan_seconds}, **overrides)

    return make


@pytest.fixture
def svc(make_svc) -> PetitionHarness:
    return make_svc()
