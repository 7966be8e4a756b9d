"""Fixtures for tests that start the whole platform, as `make run` starts it (deploy/local/run.py).

`platform` is parametrized over the two backend pairs, like the contract suites: `embedded` (SQLite and
the embedded event log in the data directory) and `kafka-mongo` (the shared Kafka broker and the
MongoDB-protocol server, FerretDB, of KAFKA_BOOTSTRAP_SERVERS and MONGO_URI, with random database names
and a topic namespace per test). A journey written once against `platform` runs on both. Anything
event-driven is waited for with `wait_for` on what the API answers: a Kafka consumer group takes longer
to its first assignment than the embedded log, so no fixed sleep fits both.
"""
import os
import signal
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from liandong.registry import DOMAIN_SERVICES, SERVICES
from liandong.testing import auth_headers, free_port, settings_env, spawn, wait_for


# the backend pairs the platform runs on, by test id (store, bus)
BACKEND_PAIRS = {"embedded": ("sqlite", "embedded"), "kafka-mongo": ("mongo", "kafka")}


@pytest.fixture
def platform_settings(make_settings):
    """Settings for a whole platform (a free port per process); its MongoDB databases are dropped after."""
    made = []

    def make(store="sqlite", bus="embedded"):
        ports = {s: free_port() for s in SERVICES}
        made.append(make_settings(store=store, bus=bus, ports=ports))
        return made[-1]
    yield make
    for settings in made:
        if settings.store == "mongo":
            drop_databases(settings)


@pytest.fixture(params=list(BACKEND_PAIRS.values()), ids=list(BACKEND_PAIRS))
def backend_pair(request) -> tuple[str, str]:
    """(store, bus): each e2e journey runs once per pair."""
    return request.param


class Platform:
    """The platform on one backend pair: `start()` runs it as `make run` does and waits until every service
    is ready and knows the tree; the fixture stops it (and the test's databases go with platform_settings)."""

    def __init__(self, settings_for, backend_pair, tmp_path: Path):
        self.store, self.bus = backend_pair
        self.settings = settings_for(store=self.store, bus=self.bus)
        self.tmp_path = tmp_path
        self.proc = None
        self.tree: dict = {}

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.settings.ports['gateway']}"

    def start(self, log: str = "run.log", **overrides):
        if overrides:
            self.settings = self.settings.with_overrides(**overrides)
        self.proc = start_platform(self.settings, self.tmp_path / log)
        self.tree = check_running(self.settings)
        return self.settings

    def stop(self) -> int:
        proc, self.proc = self.proc, None
        if proc is not None:
            stop_platform(proc)
            return proc.returncode
        return 0


@pytest.fixture
def platform(platform_settings, backend_pair, tmp_path):
    p = Platform(platform_settings, backend_pair, tmp_path)
    yield p
    p.stop()


ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "deploy" / "local" / "run.py"


def start_platform(settings, log: Path, **env):
    """`env`: more variables for the platform's processes (e.g. LIANDONG_LOGIN_ATTEMPTS)."""
    return spawn(["python", str(RUN), "--threads", "4"], {**settings_env(settings), **env}, log)


def stop_platform(proc) -> None:
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)


def ready(gateway: str):
    try:
        r = requests.get(f"{gateway}/readyz", timeout=3)
    except requests.RequestException:
        return None
    return r.json() if r.status_code == 200 else None


def check_running(settings) -> dict:
    gateway = f"http://127.0.0.1:{settings.ports['gateway']}"
    # ten processes importing, connecting and (on Kafka) joining their consumer groups: on a loaded 2-core
    # machine that can take well over a minute; the wait ends as soon as the gateway answers ready
    body = wait_for(lambda: ready(gateway), 180, 0.5, message="the gateway reports every service ready")
    assert all(body["checks"][s]["ready"] for s in DOMAIN_SERVICES)
    for svc in DOMAIN_SERVICES:
        url = f"http://127.0.0.1:{settings.ports[svc]}/api/v1/{svc}/org-units/jiayuan"
        wait_for(lambda: requests.get(url, headers=auth_headers(settings), timeout=3).status_code == 200, 30,
                 message=f"{svc} knows the tree")
        assert requests.get(url, timeout=3).status_code == 401  # no token, no data, even on the service's port
    tree = requests.get(f"{gateway}/api/v1/org/tree", headers=auth_headers(settings), timeout=5).json()["units"]
    return {u["id"]: u for u in tree}


def drop_databases(settings) -> None:
    """The platform's MongoDB databases, gone (the data directory alone does not hold them)."""
    import pymongo

    client = pymongo.MongoClient(settings.mongo_uri)
    for svc in SERVICES:
        client.drop_database(f"{settings.database_prefix}_{svc}")
    client.close()


def backlog(settings) -> dict:
    """Per service, from its /metrics: events not yet published from its outbox, messages its consumer groups
    have not committed (None while a group has no assignment yet), and events it has handled."""
    from prometheus_client.parser import text_string_to_metric_families

    out = {}
    for svc in SERVICES:
        text = requests.get(f"http://127.0.0.1:{settings.ports[svc]}/metrics", timeout=10).text
        samples = {(s.name, s.labels.get("group")): s.value
                   for family in text_string_to_metric_families(text) for s in family.samples}
        groups = sorted(g for (name, g) in samples if name == "liandong_consumer_handled_events")
        out[svc] = (samples.get(("liandong_outbox_pending_documents", None)),
                    {g: samples.get(("liandong_consumer_lag_messages", g)) for g in groups},
                    sum(samples[("liandong_consumer_handled_events", g)] for g in groups))
    return out


def wait_settled(settings, timeout: float = 120) -> dict:
    """Until every outbox is published and every consumer group has caught up, the same over two workers'
    heartbeats (2 s apart): what the platform will store from the events of a journey, it has stored."""
    seen: list[dict] = []

    def settled():
        now = backlog(settings)
        quiet = all(pending == 0 and lags and all(lag == 0 for lag in lags.values())
                    for pending, lags, _ in now.values())
        same = bool(seen) and seen[-1] == now
        seen.append(now)
        return now if quiet and same else None
    try:
        return wait_for(settled, timeout, 2.5, message="every outbox published and every consumer group caught up")
    except AssertionError as exc:  # say what stood still: (pending outbox, lag per group, events handled)
        raise AssertionError(f"{exc}; last seen per service: {seen[-1] if seen else None}") from None


@pytest.fixture
def e2e():
    """Start, check and stop the platform the way `make run` does."""
    return SimpleNamespace(start_platform=start_platform, stop_platform=stop_platform,
                           check_running=check_running, ready=ready, Records=Records, drop_databases=drop_databases,
                           check_same_records=check_same_records, wait_settled=wait_settled)


class Office:
    """The gateway's API as the offices' accounts use it, one token per account (the year tests' client)."""

    def __init__(self, base: str):
        self.base, self.tokens = f"{base}/api/v1", {}

    def headers(self, user: str) -> dict:
        if user not in self.tokens:
            r = requests.post(f"{self.base}/auth/login", json={"username": user, "password": PASSWORD}, timeout=20)
            assert r.status_code == 200, (user, r.text)
            self.tokens[user] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self.tokens[user]

    def call(self, user: str, method: str, path: str, expect=(200, 201), **kw):
        r = requests.request(method, f"{self.base}{path}", headers=self.headers(user), timeout=30, **kw)
        assert r.status_code in ((expect,) if isinstance(expect, int) else expect), (user, method, path, r.status_code,
                                                                                    r.text[:500])
        return r.json() if r.headers.get("content-type", "").startswith("application/json") else r.content

    def post(self, user: str, path: str, body: dict, expect=(200, 201)):
        return self.call(user, "POST", path, expect, json=body)

    def get(self, user: str, path: str, expect=200, **params):
        return self.call(user, "GET", path, expect, params=params)


@pytest.fixture
def office():
    """`office(gateway_url)`: the gateway's API as the offices' accounts use it."""
    return Office


# -- records made after start, in every service (so a test cannot pass on the demo tree, which a
#    fresh data directory imports again), and what the API answers about them

PASSWORD = "Liandong-demo-2026"


def _id_number(serial: int) -> str:
    from liandong.idnumbers import check_digit

    first = f"22020419750312{serial:03d}"[:17]
    return first + check_digit(first)


class Records:
    """Through the gateway, as the demo accounts: one record of every kind a service owns."""

    def __init__(self, settings):
        self.base = f"http://127.0.0.1:{settings.ports['gateway']}/api/v1"
        self.tokens: dict[str, dict] = {}
        self.ids: dict[str, str] = {}

    def login(self, user: str) -> dict:
        r = requests.post(f"{self.base}/auth/login", json={"username": user, "password": PASSWORD}, timeout=20)
        assert r.status_code == 200, (user, r.status_code, r.text)
        self.tokens[user] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self.tokens[user]

    def call(self, user: str, method: str, path: str, expect=(200, 201), **kw):
        headers = self.tokens.get(user) or self.login(user)
        r = requests.request(method, f"{self.base}{path}", headers=headers, timeout=20, **kw)
        assert r.status_code in expect, (user, method, path, r.status_code, r.text[:500])
        return r.json() if r.content else None

    def create(self) -> dict:
        """A sub-district's new community and its worker (gateway), a petition, a welfare application, a
        volunteer who earned love coins, an incident and a migrant (the four services)."""
        from datetime import datetime, timedelta, timezone

        iso = lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        self.call("district_admin", "POST", "/org/units", json={"id": "xinyuan", "name": "新苑社区",
                                                               "level": "community", "parent_id": "huangqi"})
        user = self.call("district_admin", "POST", "/users", json={
            "username": "xinyuan_worker", "name": "新苑社区民政员", "password": PASSWORD,
            "grants": [{"role": "community_worker", "org_unit": "xinyuan", "duties": ["civil_affairs"]}]})
        self.ids["user"] = user["id"]
        self.ids["petition"] = self.call("jiayuan_worker", "POST", "/petition/petitions", json={
            "org_unit_id": "jiayuan", "category": "property", "channel": "visit", "title": "2号楼供暖不热",
            "content": "2号楼三单元多户居民反映室温不足16度", "petitioners": [
                {"name": "王桂兰", "id_number": _id_number(101), "mobile": "13943218765",
                 "address": "家园社区2号楼3单元201"}]})["id"]
        self.call("jiayuan_worker", "POST", f"/petition/petitions/{self.ids['petition']}/assign", json={
            "unit_kind": "community", "unit_id": "jiayuan", "person": "社区主任 刘海燕", "deadline": "2099-12-31",
            "task": "联系供热公司入户测温", "requirement": "十个工作日内书面答复"})
        self.ids["application"] = self.call("jiayuan_worker", "POST", "/welfare/applications", json={
            "org_unit_id": "jiayuan", "programme": "dibao_urban", "channel": "window", "household": {
                "address": "家园社区1号楼", "members": [
                    {"name": "赵德顺", "id_number": _id_number(202), "relation": "applicant",
                     "monthly_income_fen": 50000, "employment": "retired"}]}})["id"]
        self.ids["volunteer"] = self.call("jiayuan_worker", "POST", "/volunteer/volunteers", json={
            "name": "柏明月", "kind": "party_member", "org_unit_id": "jiayuan", "skills": ["清雪"], "consent": True,
            "availability": "周末", "mobile": "13912345678"})["id"]
        starts = datetime.now(timezone.utc) - timedelta(hours=3)
        activity = self.call("jiayuan_worker", "POST", "/volunteer/activities", json={
            "title": "义务清雪", "type": "snow_cleaning", "org_unit_id": "jiayuan", "place": "家园社区主干道",
            "starts_at": iso(starts), "ends_at": iso(starts + timedelta(hours=2)), "capacity": 5, "publish": True})
        self.ids["activity"] = activity["id"]
        vid = {"volunteer_id": self.ids["volunteer"]}
        self.call("jiayuan_worker", "POST", f"/volunteer/activities/{activity['id']}/signups", json=vid)
        self.call("jiayuan_worker", "POST", f"/volunteer/activities/{activity['id']}/check-in",
                  json={**vid, "at": iso(starts)})
        self.call("jiayuan_worker", "POST", f"/volunteer/activities/{activity['id']}/check-out",
                  json={**vid, "at": iso(starts + timedelta(minutes=90))})
        self.ids["incident"] = self.call("jiayuan_police", "POST", "/security/incidents", json={
            "org_unit_id": "jiayuan", "type": "gas_leak", "severity": "high", "building": "2号楼",
            "description": "2号楼3单元楼道闻到天然气味"})["id"]
        self.call("jiayuan_police", "POST", f"/security/incidents/{self.ids['incident']}/dispatch",
                  json={"assignee": "社区民警"})
        self.ids["migrant"] = self.call("jiayuan_police", "POST", "/security/migrants", json={
            "org_unit_id": "jiayuan", "name": "王二虎", "id_number": _id_number(303), "origin": "四川省三台县",
            "address": "家园社区3号楼出租屋"})["id"]
        # the coins arrive by the volunteer service's own bookkeeping: wait until they are there
        wait_for(lambda: (self.volunteer().get("totals") or {}).get("available", 0) > 0, 30,
                 message="the volunteer's love coins")
        return dict(self.ids)

    def volunteer(self) -> dict:
        return self.call("jiayuan_worker", "GET", f"/volunteer/volunteers/{self.ids['volunteer']}")

    def snapshot(self) -> dict:
        """Every record made, as the API answers it (ids and fields), and the lists that hold them."""
        ids = self.ids
        self.tokens.clear()  # log in afresh: the accounts (and the new one) must be there too
        return {
            "org_unit": next((u for u in self.call("district_admin", "GET", "/org/tree")["units"]
                              if u["id"] == "xinyuan"), None),
            "user": self.call("district_admin", "GET", f"/users/{ids['user']}"),
            "new_worker_logs_in": bool(self.login("xinyuan_worker")),
            "petition": self.call("jiayuan_worker", "GET", f"/petition/petitions/{ids['petition']}"),
            "petitions": [p["id"] for p in self.call("jiayuan_worker", "GET", "/petition/petitions")["items"]],
            "application": self.call("jiayuan_worker", "GET", f"/welfare/applications/{ids['application']}"),
            "volunteer": self.volunteer(),
            "activity": self.call("jiayuan_worker", "GET", f"/volunteer/activities/{ids['activity']}"),
            "incident": self.call("jiayuan_police", "GET", f"/security/incidents/{ids['incident']}"),
            "migrant": self.call("jiayuan_police", "GET", f"/security/migrants/{ids['migrant']}"),
        }


def check_same_records(before: dict, after: dict) -> None:
    """The same records with the same fields, named per record so a failure says which service lost what."""
    for name in before:
        assert after[name] == before[name], name
