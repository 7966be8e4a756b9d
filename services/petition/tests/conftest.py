"""Fixtures: the petition service with the gateway's org tree, its worker running, and helpers."""
from __future__ import annotations

import random
from pathlib import Path
from dataclasses import dataclass, field

import pytest

from liandong.auth import Grant, Principal, TokenService
from liandong.clock import clock_for
from liandong.idnumbers import check_digit
from liandong.testing import unique, wait_for

from gateway.bootstrap import create_worker as gateway_worker
from petition.bootstrap import create_app, create_service, create_worker

API = "/api/v1/petition"
HUANGQI = "/chuanying/huangqi/"
JIAYUAN = "/chuanying/huangqi/jiayuan/"


def id_number(born: str = "19750315") -> str:
    """A valid resident ID number (船营区, GB 11643 check digit) for a random person."""
    first = f"220204{born}{random.randint(100, 999)}"
    return first + check_digit(first)


@dataclass
class PetitionEnv:
    settings: object
    client: object
    service: object
    workers: list = field(default_factory=list)
    _probe: object = None
    _seen: list = field(default_factory=list)
    id_number = staticmethod(id_number)

    def headers(self, role: str, org_unit: str, org_path: str, user_id: str | None = None, name: str = "测试用户",
                duties: tuple = ()) -> dict:
        # issued on the service's own (movable) clock, as the gateway would
        principal = Principal(user_id or unique("u"), name, (Grant(role, org_unit, org_path, tuple(duties)),))
        clock = clock_for(self.settings.clock_file)
        tokens = TokenService(self.settings.secret_key, clock=lambda: clock.now().timestamp())
        return {"Authorization": f"Bearer {tokens.issue(principal)[0]}"}

    def staff(self, org_unit="jiayuan", org_path=JIAYUAN, role="community_worker", **kw) -> dict:
        return self.headers(role, org_unit, org_path, **kw)

    def officer(self, org_unit="huangqi", org_path=HUANGQI, **kw) -> dict:
        return self.headers("subdistrict_officer", org_unit, org_path, **kw)

    def resident(self, user_id: str, org_unit="jiayuan", org_path=JIAYUAN) -> dict:
        return self.headers("resident", org_unit, org_path, user_id=user_id)

    def move_clock(self, seconds: float) -> None:
        Path(self.settings.clock_file).write_text(str(seconds))

    def post(self, path, body=None, headers=None, expect=None):
        r = self.client.post(API + path, json=body if body is not None else {}, headers=headers or self.staff())
        if expect is not None:
            assert r.status_code == expect, (r.status_code, r.get_json())
        return r

    def get(self, path, headers=None, expect=200, **params):
        r = self.client.get(API + path, query_string=params, headers=headers or self.staff())
        if expect is not None:
            assert r.status_code == expect, (r.status_code, r.get_json())
        return r.get_json()

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
        """Publish another service's contract event on the bus, as that service would."""
        platform = self.service.platform
        env = platform.new_event(name, subject, data, orgpath)
        platform.bus.publish(f"{name.split('.', 1)[0]}.events", subject, env.to_json())
        platform.bus.flush()
        return env

    def events(self, types: set[str]) -> list:
        """Every event of these types seen on the petition topic so far (one probe consumer per test,
        so a slow first assignment on Kafka only delays what a later call sees)."""
        from liandong.events import Envelope

        if self._probe is None:
            self._probe = self.service.platform.bus.consumer(unique("probe"), ["petition.events"])
        while True:
            batch = self._probe.poll(max_records=500, timeout=0.3)
            if not batch:
                break
            self._seen += [Envelope.from_json(m.value) for m in batch]
        return [e for e in self._seen if e.type in types]

    def close(self) -> None:
        if self._probe is not None:
            self._probe.close()


@pytest.fixture
def make_env(make_settings):
    started: list = []
    envs: list = []

    def make(store: str = "sqlite", scan_seconds: float = 60.0, **overrides) -> PetitionEnv:
        settings = make_settings(service="petition", store=store, **overrides)
        gw = gateway_worker(settings.for_service("gateway"))
        pw = create_worker(settings, scan_seconds=scan_seconds)
        for w in (gw, pw):
            w.start()
            started.append(w)
        env = PetitionEnv(settings, create_app(settings).test_client(), create_service(settings), [gw, pw])
        wait_for(lambda: env.service.platform.org.get("jiayuan-b1") and env.service.platform.org.get("yangzhong"),
                 30, message="petition learns the org tree")
        envs.append(env)
        return env

    yield make
    for env in envs:
        env.close()
    for w in started:
        w.stop.set()
    for w in started:
        for t in w.threads:
            t.join(timeout=10)


@pytest.fixture
def env(make_env) -> PetitionEnv:
    return make_env()
