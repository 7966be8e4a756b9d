"""Helpers of the welfare tests: a movable clock, the harness (`WelfareHarness`, behind the fixture `svc`),
and the bodies the tests send."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from liandong import idnumbers
from liandong.clock import FileClock
from liandong.testing import ServiceHarness, auth_headers, wait_for

START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)  # demo "today": the 2026 lines apply
JIAYUAN = "/chuanying/huangqi/jiayuan/"


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
        FileClock.move(self.path, self.offset)

    def set_month(self, period: str, day: int = 15) -> None:
        """Move to a later month: payments run for the current month and months missed before it."""
        y, m = map(int, period.split("-"))
        self.set(datetime(y, m, day, 1, 0, tzinfo=timezone.utc))

    def advance(self, **delta) -> None:
        self.offset += timedelta(**delta).total_seconds()
        FileClock.move(self.path, self.offset)


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


class WelfareHarness(ServiceHarness):
    """The welfare service as its tests drive it. Its requests act, unless told otherwise, as a community
    worker of 家园社区 (most of welfare happens there); `who` keywords (role, org_unit, path, duties)
    name another caller. The clock is the test's own (`clock`), set to START."""

    def __init__(self, module, settings, worker_kw=None, **kw):
        self.clock = MovableClock(Path(settings.clock_file))
        self.clock.set(START)  # before the workers start: every process reads the same moved clock
        super().__init__(module, settings, worker_kw, **kw)
        wait_for(lambda: self.welfare.deps.org.get("yangchun") and self.welfare.deps.org.get("jiayuan-b1"), 30,
                 message="welfare learns the org tree")

    @property
    def welfare(self):
        """The use cases and their repositories (`welfare.stores`), as the app holds them."""
        return self.app.extensions["welfare"]

    @property
    def worker(self):
        return self.workers[1]

    def headers(self, role: str = "community_worker", org_unit: str = "jiayuan", org_path: str | None = None,
                path: str = JIAYUAN, **kw) -> dict:
        return auth_headers(self.settings, role=role, org_unit=org_unit, org_path=org_path or path, **kw)

    def post(self, url: str, body=None, headers=None, expect: int | None = None, **who):
        """A POST as `who` (its `path` keyword is the caller's org path)."""
        return super().post(url, body, headers if headers is not None else self.headers(**who), expect)

    def fetch(self, url: str, **who):
        """A GET as `who`, its response whatever its status (`url` may carry its query string)."""
        return self.call("GET", url, headers=self.headers(**who))

    def stop_worker(self) -> None:
        worker = self.workers.pop(1)
        worker.stop.set()
        for t in worker.threads:
            t.join(timeout=10)

    def start_worker(self) -> None:
        worker = self.module.create_worker(self.settings)
        worker.start()
        self.workers.insert(1, worker)

    # -- the domain's steps

    def apply(self, org_unit="jiayuan", path=JIAYUAN, programme="dibao_urban", **kw) -> dict:
        r = self.post("/applications", {"org_unit_id": org_unit, "programme": programme, "household": household(**kw)},
                      org_unit=org_unit, path=path)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def approved_grant(self, sub, org_unit="jiayuan", path=JIAYUAN, **kw) -> dict:
        """Apply, review, wait out the notice (the clock moves past it), approve: returns the grant."""
        app = self.apply(org_unit, path, **kw)
        r = self.post(f"/applications/{app['id']}/community-review", {"decision": "pass"}, org_unit=org_unit, path=path)
        assert r.status_code == 200, r.get_json()
        self.clock.advance(days=r.get_json()["notice_days"], minutes=1)
        r = self.post(f"/applications/{app['id']}/approval", **sub)
        assert r.status_code == 200, r.get_json()
        return r.get_json()["grant"]
