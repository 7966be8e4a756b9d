"""Helpers of the welfare tests: a movable clock, a client wrapper, and the bodies the tests send."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from liandong import idnumbers
from liandong.testing import auth_headers

from welfare.bootstrap import create_app, create_worker

START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)  # demo "today": the 2026 lines apply


def id_number(born: str = "19800101", seq: int = 123, region: str = "220204") -> str:
    """A valid ID number (吉林市船营区 region code) with its check digit."""
    first = f"{region}{born}{seq:03d}"
    return first + idnumbers.check_digit(first)


class MovableClock:
    """Writes the offset the FileClock of every process (app, workers) reads."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0.0

    def set(self, when: datetime) -> None:
        self.offset = (when - datetime.now(timezone.utc)).total_seconds()
        self.path.write_text(str(self.offset))

    def set_month(self, period: str, day: int = 15) -> None:
        """Move to a later month: payments run for the current month and months missed before it."""
        y, m = map(int, period.split("-"))
        self.set(datetime(y, m, day, 1, 0, tzinfo=timezone.utc))

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.offset += timedelta(**delta).total_seconds()
        self.path.write_text(str(self.offset))


class Env:
    def __init__(self, settings, clock):
        self.settings = settings
        self.clock = clock
        self.app = create_app(settings)
        self.client = self.app.test_client()
        self.welfare = self.app.extensions["welfare"]
        self.worker = None

    def start_worker(self):
        self.worker = create_worker(self.settings)
        self.worker.start()
        return self.worker

    def stop_worker(self):
        if self.worker is not None:
            self.worker.stop.set()
            for t in self.worker.threads:
                t.join(timeout=10)
            self.worker = None

    def headers(self, role="community_worker", org_unit="jiayuan", path="/chuanying/huangqi/jiayuan/", **kw):
        return auth_headers(self.settings, role=role, org_unit=org_unit, org_path=path, **kw)

    def post(self, url, body=None, **hkw):
        return self.client.post(f"/api/v1/welfare{url}", json=body if body is not None else {}, headers=self.headers(**hkw))

    def get(self, url, **hkw):
        return self.client.get(f"/api/v1/welfare{url}", headers=self.headers(**hkw))


SUBDISTRICT = dict(role="subdistrict_officer", org_unit="huangqi", path="/chuanying/huangqi/")
CEGUAN = dict(role="subdistrict_officer", org_unit="ceguan", path="/chuanying/ceguan/")
CIVIL = dict(role="community_worker", duties=("civil_affairs",))


def household(incomes_yuan=(800, 0, 0), residence="urban", assets_fen=0, seq=100):
    relations = ["applicant", "spouse", "child", "parent", "sibling"]
    births = ["19750310", "19770521", "20080901", "19500202", "19800101"]
    return {"residence": residence, "address": "家园社区3栋2单元", "financial_assets_fen": assets_fen,
            "members": [{"name": f"成员{i}", "id_number": id_number(births[i], seq + i), "relation": relations[i],
                         "monthly_income_fen": inc * 100, "employment": "unemployed"}
                        for i, inc in enumerate(incomes_yuan)]}


def apply(env, org_unit="jiayuan", path="/chuanying/huangqi/jiayuan/", programme="dibao_urban", **kw):
    r = env.post("/applications", {"org_unit_id": org_unit, "programme": programme, "household": household(**kw)},
                 org_unit=org_unit, path=path)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def approved_grant(env, sub, org_unit="jiayuan", path="/chuanying/huangqi/jiayuan/", **kw):
    """Apply, review, wait out the notice (the clock moves past it), approve: returns the grant."""
    app = apply(env, org_unit, path, **kw)
    r = env.post(f"/applications/{app['id']}/community-review", {"decision": "pass"}, org_unit=org_unit, path=path)
    assert r.status_code == 200, r.get_json()
    env.clock.advance(days=r.get_json()["notice_days"], minutes=1)
    r = env.post(f"/applications/{app['id']}/approval", **sub)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["grant"]
