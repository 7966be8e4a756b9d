"""The platform's own processes SIGKILLed, and its database stopped, while clients write (issue #18, 4.).

The platform runs as `make run` starts it (deploy/local/run.py: a gunicorn master and its worker per
web process, `python -m <svc>.worker` per service, restarted by run.py's supervisor when they die),
on the embedded pair and on Kafka + FerretDB. Clients write through the gateway as the demo accounts
would: petitions, welfare applications, volunteer registrations with sign-up and attendance, and
incidents, each request with its own Idempotency-Key, retried with the same key until it is
acknowledged (as the console does). Then:

- every gunicorn worker (a child of its gunicorn master, found by the process tree) and every service
  worker is SIGKILLed in turn; the gunicorn master or the supervisor starts what died;
- or the database (a FerretDB of the test's own, never the shared one) is stopped with writes in
  flight and started again.

Afterwards, counted in each service's own database by the key every record carries: each
acknowledged write is stored exactly once, with the id the client was given, and nothing else is;
no record still holds unpublished events; and every read-model figure (the gateway's overview, the
volunteer service's attendance rows and love-coin ledger) counts each record exactly once.
The SQLite pair has no database to stop: its database is a file the process itself opens, so a
"database down" is the process down, which the kills cover.
"""
from __future__ import annotations

import itertools
import os
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from liandong.idnumbers import check_digit
from liandong.registry import DOMAIN_SERVICES, SERVICES
from liandong.storage import open_database
from liandong.testing import free_port, load_module, settings_env, spawn, wait_for

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "deploy" / "local" / "run.py"
PASSWORD = "Liandong-demo-2026"
CLIENTS = 4
GIVE_UP = 60  # s a client retries one request (the gateway holds a key whose attempt died for 15 s)
BACK_WITHIN = 30  # s after a kill, a client completes the write it was cut off in
MINUTES = 90   # of each recorded attendance
IN_FLIGHT = "still being processed"  # the gateway's 409 for a key whose first attempt has no outcome yet


# -- the platform's processes, by the process tree under run.py


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _parents() -> dict[int, int]:
    out = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                out[int(p)] = int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return out


def platform_processes(run_pid: int, ports: dict[str, int]) -> dict[str, int]:
    """'<svc>-worker' -> the pid of `python -m <svc>.worker`; '<svc>-web' -> the pid of the gunicorn
    worker serving the service's port (the child of the gunicorn master run.py started)."""
    parents = _parents()
    children = lambda pid: [c for c, p in parents.items() if p == pid]  # noqa: E731
    found = {}
    for child in children(run_pid):
        cmd = _cmdline(child)
        for svc in SERVICES:
            if f"-m {svc}.worker" in cmd:
                found[f"{svc}-worker"] = child
            elif "gunicorn" in cmd and f":{ports[svc]} " in cmd:
                web = [w for w in children(child) if "gunicorn" in _cmdline(w)]
                if web:
                    found[f"{svc}-web"] = web[0]
    return found


# -- what clients write, and how they retry


def _id_number(n: int) -> str:
    first = "220204" + (date(1940, 1, 1) + timedelta(days=n % 20000)).strftime("%Y%m%d") + f"{n % 1000:03d}"
    return first + check_digit(first)


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Write:
    kind: str
    key: str
    body: dict
    answers: list = field(default_factory=list)  # (status or exception name, sent, answered) of every attempt
    acked: dict | None = None
    acked_sent: float = 0.0  # when the acknowledged attempt was sent
    acked_at: float = 0.0


class Clients:
    """Threads that write through the gateway until told to stop; each request retried with its key."""

    def __init__(self, gateway: str, tokens: dict[str, dict], activities: list[str]):
        self.api = f"{gateway}/api/v1"
        self.tokens = tokens
        self.activities = activities
        self.writes: list[Write] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.failures: list[BaseException] = []
        self.serial = itertools.count(int(time.time()) % 10000 * 10)
        self.retry_after_missing: list[str] = []
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.stop.clear()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(CLIENTS)]
        for t in self.threads:
            t.start()

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=GIVE_UP + 20)
        assert not any(t.is_alive() for t in self.threads), "a client never got its write acknowledged"
        assert not self.failures, self.failures
        assert not self.retry_after_missing, f"503 without Retry-After: {self.retry_after_missing[:3]}"

    def acked(self, kind: str | None = None) -> list[Write]:
        """The writes acknowledged so far (raises what a client ran into: a wait on them ends there)."""
        if self.failures:
            raise self.failures[0]
        with self.lock:
            return [w for w in self.writes if w.acked is not None and kind in (None, w.kind)]

    def send(self, session: requests.Session, kind: str, user: str, path: str, body: dict) -> dict:
        w = Write(kind, uuid.uuid4().hex, body)
        with self.lock:
            self.writes.append(w)
        give_up = time.monotonic() + GIVE_UP
        while True:
            assert time.monotonic() < give_up, f"{kind} {w.key} never acknowledged: {w.answers}"
            sent = time.monotonic()
            try:
                r = session.post(f"{self.api}{path}", json=body, timeout=15,
                                 headers={**self.tokens[user], "Idempotency-Key": w.key})
            except requests.RequestException as exc:  # the connection reset, refused, timed out
                w.answers.append((type(exc).__name__, sent, time.monotonic()))
                time.sleep(0.2)
                continue
            w.answers.append((r.status_code, sent, time.monotonic()))
            if r.status_code in (200, 201):
                w.acked, w.acked_sent, w.acked_at = r.json(), sent, time.monotonic()
                return w.acked
            if r.status_code == 503 and not r.headers.get("Retry-After"):
                self.retry_after_missing.append(f"{path}: {r.text[:200]}")
            # a dead process (5xx) or the first attempt's outcome still unknown to the gateway (409)
            assert r.status_code in (500, 502, 503, 504) or (r.status_code == 409 and IN_FLIGHT in r.text), \
                (kind, path, r.status_code, r.text[:300])
            time.sleep(0.2)

    def _run(self, n: int) -> None:
        try:
            session = requests.Session()
            activity = self.activities[n]
            while not self.stop.is_set():
                for act in (self.petition, self.application, self.volunteer, self.incident):
                    act(session, activity)
        except BaseException as exc:  # noqa: BLE001 - reported by finish()
            self.failures.append(exc)

    def petition(self, session, _activity) -> None:
        self.send(session, "petition", "jiayuan_worker", "/petition/petitions", {
            "org_unit_id": "jiayuan", "category": "environment_noise", "channel": "visit",
            "content": "楼下饭店油烟和噪音扰民", "petitioners": [
                {"name": "刘女士", "id_number": _id_number(next(self.serial)), "mobile": "13904321234"}]})

    def application(self, session, _activity) -> None:
        self.send(session, "application", "jiayuan_worker", "/welfare/applications", {
            "org_unit_id": "jiayuan", "programme": "dibao_urban", "channel": "window", "household": {
                "address": "家园社区1号楼", "members": [
                    {"name": "赵德顺", "id_number": _id_number(next(self.serial)), "relation": "applicant",
                     "monthly_income_fen": 50000, "employment": "retired"}]}})

    def volunteer(self, session, activity) -> None:
        n = next(self.serial)
        vid = self.send(session, "volunteer", "jiayuan_worker", "/volunteer/volunteers", {
            "name": "柏明月", "kind": "party_member", "org_unit_id": "jiayuan", "skills": ["清雪"],
            "consent": True, "availability": "周末", "mobile": f"139{n:08d}"})["id"]
        self.send(session, "signup", "jiayuan_worker", f"/volunteer/activities/{activity}/signups",
                  {"volunteer_id": vid})
        starts = datetime.now(timezone.utc) - timedelta(hours=3)
        self.send(session, "attendance", "jiayuan_worker", f"/volunteer/activities/{activity}/attendance", {
            "volunteer_id": vid, "checked_in_at": _iso(starts),
            "checked_out_at": _iso(starts + timedelta(minutes=MINUTES))})

    def incident(self, session, _activity) -> None:
        self.send(session, "incident", "jiayuan_police", "/security/incidents", {
            "org_unit_id": "jiayuan", "type": "gas_leak", "severity": "high", "building": "2号楼",
            "description": "2号楼3单元楼道闻到天然气味"})

    def failed_attempts(self, since: float = 0.0, until: float = float("inf")) -> Counter:
        """What the attempts that were not acknowledged answered (those sent between `since` and `until`)."""
        with self.lock:
            return Counter(a for w in self.writes for a, sent, _ in w.answers
                           if a not in (200, 201) and since <= sent <= until)

    def cut_off_at(self, moment: float) -> list[Write]:
        """The writes with an attempt sent before `moment` that failed after it."""
        with self.lock:
            return [w for w in self.writes for a, sent, answered in w.answers
                    if sent < moment < answered and a not in (200, 201)]

    def in_flight_at(self, moment: float) -> Counter:
        """What the attempts sent before `moment` and answered after it answered."""
        with self.lock:
            return Counter(a for w in self.writes for a, sent, answered in w.answers if sent < moment < answered)


# -- the platform, as `make run` starts it


class Platform:
    def __init__(self, settings, log: Path):
        self.settings = settings
        self.ports = settings.ports
        self.gateway = f"http://127.0.0.1:{self.ports['gateway']}"
        self.started = time.monotonic()
        self.proc = spawn(["python", str(RUN), "--threads", "4"], settings_env(settings), log)

    def processes(self) -> dict[str, int]:
        return platform_processes(self.proc.pid, self.ports)

    def ready(self) -> bool:
        try:
            r = requests.get(f"{self.gateway}/readyz", timeout=3)
        except requests.RequestException:
            return False
        return r.status_code == 200

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)
        self.proc.wait(timeout=60)

    def login(self, user: str) -> dict:
        r = requests.post(f"{self.gateway}/api/v1/auth/login", json={"username": user, "password": PASSWORD},
                          timeout=20)
        assert r.status_code == 200, (user, r.status_code, r.text)
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def start_writing(self) -> Clients:
        wait_for(self.ready, 240, 0.5, message="the gateway reports every service ready")
        self.ready_after = time.monotonic() - self.started
        tokens = {u: self.login(u) for u in ("jiayuan_worker", "jiayuan_police", "district_admin")}
        for svc in DOMAIN_SERVICES:  # each service has the org tree from the gateway's events
            wait_for(lambda: requests.get(f"{self.gateway}/api/v1/{svc}/org-units/jiayuan", headers=tokens[
                "district_admin"], timeout=5).status_code == 200, 60, 0.3, message=f"{svc} knows the tree")
        starts = datetime.now(timezone.utc) - timedelta(hours=3)
        activities = []
        for n in range(CLIENTS):
            r = requests.post(f"{self.gateway}/api/v1/volunteer/activities", headers=tokens["jiayuan_worker"],
                              timeout=20, json={
                                  "title": f"义务清雪{n}", "type": "snow_cleaning", "org_unit_id": "jiayuan",
                                  "place": "家园社区主干道", "starts_at": _iso(starts),
                                  "ends_at": _iso(starts + timedelta(hours=2)), "capacity": 1000, "publish": True})
            assert r.status_code == 201, r.text
            activities.append(r.json()["id"])
        self.tokens = tokens
        self.activities = activities
        self.baseline = self.figures()
        clients = Clients(self.gateway, tokens, activities)
        clients.start()
        return clients

    def figures(self) -> dict[str, int]:
        year = date.today().year
        r = requests.get(f"{self.gateway}/api/v1/reports/overview", headers=self.tokens["district_admin"],
                         timeout=20, params={"org_unit": "chuanying", "from": f"{year}-01-01",
                                             "to": f"{year}-12-31"})
        assert r.status_code == 200, r.text
        return {k: m["value"] for k, m in r.json()["metrics"].items()}


# -- what is stored, counted in each service's own database


COLLECTIONS = {"petition": ("petition", "petitions"), "application": ("welfare", "applications"),
               "volunteer": ("volunteer", "volunteers"), "incident": ("security", "incidents")}


def _client_key(stored_key: str) -> str:
    """The client's key of a stored, caller-scoped key (`<user>:<key>`, `#n` for a request's n-th insert)."""
    return stored_key.rsplit(":", 1)[-1].split("#")[0]


def check_stored_once(platform: Platform, clients: Clients) -> tuple[dict[str, int], int]:
    """Every acknowledged write stored exactly once with the id its client was given, nothing else
    stored under a key; returns the count of each kind and the coins each attendance earned."""
    counts = {}
    dbs = {svc: open_database(platform.settings.for_service(svc)) for svc in DOMAIN_SERVICES}
    try:
        for kind, (svc, name) in COLLECTIONS.items():
            by_key: dict[str, list] = {}
            for doc in dbs[svc].collection(name).find({"_idem": {"$exists": True}}, projection={"_idem": 1}):
                by_key.setdefault(_client_key(doc["_idem"]), []).append(doc["_id"])
            acked = {w.key: w.acked["id"] for w in clients.acked(kind)}
            twice = {k: v for k, v in by_key.items() if len(v) > 1}
            assert not twice, f"{kind}: stored twice under one key: {twice}"
            assert set(by_key) == set(acked), (kind, set(by_key) ^ set(acked))
            assert all(by_key[k] == [i] for k, i in acked.items()), kind
            counts[kind] = len(acked)
        # sign-ups and attendance: changes of each client's activity, applied once per key (the volunteer
        # from the request: a retry of a change already applied is answered with the activity's id only)
        volunteers = {w.acked["id"] for w in clients.acked("volunteer")}
        signed = {w.body["volunteer_id"] for w in clients.acked("signup")}
        attended = {w.body["volunteer_id"] for w in clients.acked("attendance")}
        assert attended <= signed <= volunteers
        held, present, coins = [], [], set()
        for a in dbs["volunteer"].collection("activities").find({"_id": {"$in": platform.activities}}):
            held += [s["volunteer_id"] for s in a["signups"] if s["status"] != "cancelled"]
            present += [v for v, att in a["attendance"].items() if att.get("checked_out_at")]
            assert all(att["minutes"] == MINUTES for att in a["attendance"].values()), a["attendance"]
            coins |= {att["coins"] for att in a["attendance"].values()}
        assert sorted(held) == sorted(signed) and sorted(present) == sorted(attended)
        assert len(coins) == 1, coins
        counts["signup"], counts["attendance"] = len(signed), len(attended)
    finally:
        for db in dbs.values():
            db.close()
    return counts, coins.pop()


def check_outboxes_drained(platform: Platform) -> None:
    """No record holds events its service never published (each record's events left with it)."""
    for kind, (svc, name) in [*COLLECTIONS.items(), ("activity", ("volunteer", "activities"))]:
        db = open_database(platform.settings.for_service(svc))
        try:
            pending = db.collection(name).count_documents({"_outbox_pending": True})
        finally:
            db.close()
        assert pending == 0, f"{svc}.{name}: {pending} records with events never published"


def check_volunteer_read_models(platform: Platform, clients: Clients, coins: int) -> None:
    """The volunteer service's own read models, kept by its worker from its events: one attendance row and
    one posted love-coin credit per recorded attendance, the balance exactly that credit."""
    from volunteer.domain.ledger import volunteer_account

    attended = [w.body["volunteer_id"] for w in clients.acked("attendance")]
    db = open_database(platform.settings.for_service("volunteer"))
    try:
        rows = Counter(r["volunteer_id"] for r in db.collection("attendance").find(
            {"activity_id": {"$in": platform.activities}}) if r["minutes"] == MINUTES)
        credits = Counter(e["to_account"] for e in db.collection("ledger_entries").find(
            {"to_account": {"$in": [volunteer_account(v) for v in attended]}}) if e["status"] == "posted")
        balances = {a["_id"]: a["available"] for a in db.collection("accounts").find(
            {"_id": {"$in": [volunteer_account(v) for v in attended]}})}
    finally:
        db.close()
    assert rows == Counter(attended), "attendance rows"
    assert credits == Counter(volunteer_account(v) for v in attended), "love-coin credits"
    assert balances == {volunteer_account(v): coins for v in attended}, "love-coin balances"


def wait_for_figures(platform: Platform, counts: dict[str, int], coins: int) -> float:
    """Wait until the gateway's overview counts every record exactly once; the seconds it took. The figures
    are asked again after a pause: an event applied twice late would show there."""
    expected = {"petition.batches": counts["petition"], "petition.person_times": counts["petition"],
                "welfare.applications": counts["application"], "volunteer.volunteers": counts["volunteer"],
                "volunteer.participant_times": counts["attendance"],
                "volunteer.minutes": MINUTES * counts["attendance"],
                "volunteer.coins_credited": coins * counts["attendance"], "security.incidents": counts["incident"]}

    def moved() -> dict[str, int]:
        now = platform.figures()
        return {k: now.get(k, 0) - platform.baseline.get(k, 0) for k in expected}

    started = time.monotonic()
    wait_for(lambda: moved() == expected, 120, 0.5, message=f"the overview's figures to reach {expected}")
    took = time.monotonic() - started
    time.sleep(2)
    assert moved() == expected
    return took


def check_every_write_once(platform: Platform, clients: Clients) -> tuple[dict[str, int], float]:
    """Counts and figures after the clients finished: (the records of each kind, s until figures caught up)."""
    counts, coins = check_stored_once(platform, clients)
    caught_up = wait_for_figures(platform, counts, coins)
    check_outboxes_drained(platform)
    check_volunteer_read_models(platform, clients, coins)
    return counts, caught_up


KILLED = ("gateway-web", *(f"{s}-web" for s in DOMAIN_SERVICES), *(f"{s}-worker" for s in SERVICES))
SERVICE_OF = {"petition": "petition", "application": "welfare", "volunteer": "volunteer", "signup": "volunteer",
              "attendance": "volunteer", "incident": "security"}


def just_after_a_commit(platform: Platform, svc: str) -> None:
    """Return the moment the service stores its next record: a kill then likely lands before the answer
    left, and the client's retry must find the record its first attempt stored."""
    name = next(coll for owner, coll in COLLECTIONS.values() if owner == svc)
    db = open_database(platform.settings.for_service(svc))
    try:
        records = db.collection(name)
        stored, deadline = records.count_documents({}), time.monotonic() + 10
        while records.count_documents({}) == stored and time.monotonic() < deadline:
            pass
    finally:
        db.close()


def kill_each_process(platform: Platform, clients: Clients) -> dict[str, float]:
    """SIGKILL every gunicorn worker and every service worker in turn, writes going on; the seconds until
    each was back (a web process: a write sent after the kill acknowledged; a worker: restarted)."""
    recovery: dict[str, float] = {}
    for name in KILLED:  # the gateway first: a key in flight there is held for 60 s, the rest overlaps
        progress = len(clients.acked()) + 4
        wait_for(lambda: len(clients.acked()) >= progress, 120, 0.05, message=f"writes go on before {name}")
        pid = wait_for(lambda: platform.processes().get(name), 60, 0.1, message=f"{name} running")
        svc, _, role = name.rpartition("-")
        if role == "web" and svc in DOMAIN_SERVICES:
            just_after_a_commit(platform, svc)
        killed_at = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        if role == "web":  # back: a new write through it acknowledged, and every write the kill cut off
            mine = lambda w: svc in ("gateway", SERVICE_OF[w.kind])  # noqa: E731
            served = wait_for(lambda: [w.acked_at for w in clients.acked() if w.acked_sent > killed_at and mine(w)],
                              120, 0.05, message=f"{name} serves again")
            cut_off = clients.cut_off_at(killed_at)
            wait_for(lambda: all(w.acked is not None for w in cut_off), GIVE_UP, 0.05,
                     message=f"the writes {name}'s death cut off")
            recovery[name] = max([min(served), *(w.acked_at for w in cut_off)]) - killed_at
        else:
            wait_for(lambda: platform.processes().get(name) not in (None, pid), 60, 0.05, message=f"{name} restarted")
            recovery[name] = time.monotonic() - killed_at
    time.sleep(1)
    clients.finish()
    assert set(platform.processes()) == set(KILLED), "every process is back"
    slow = {n: round(s, 1) for n, s in recovery.items() if s > BACK_WITHIN}
    assert not slow, f"writes through these processes completed only after {slow} s"
    return recovery


def stop_the_database(database, clients: Clients) -> tuple[Counter, Counter, float]:
    """Stop the database with writes in flight, start it again after a while, writes going on; what the
    attempts in flight at the stop answered, what those sent while it was down answered (those that
    failed), and the seconds after its return until the last write it cut off was acknowledged."""
    clients.start()
    progress = len(clients.acked()) + 8
    wait_for(lambda: len(clients.acked()) >= progress, 60, 0.05, message="writes acknowledged before the outage")
    stopping = time.monotonic()
    database.stop()
    time.sleep(6)  # writes in flight and new ones meet the stopped database
    database.restart_keep_data()
    up_at = time.monotonic()
    progress = len(clients.acked()) + 8
    wait_for(lambda: len(clients.acked()) >= progress, 120, 0.1, message="writes acknowledged again")
    clients.finish()
    # the last write the outage cut off (one attempt of it sent while the database was stopping or down)
    cut_off = [w for w in clients.acked() if any(stopping <= sent <= up_at for _, sent, _ in w.answers)]
    back_after = max(w.acked_at for w in cut_off) - up_at
    return clients.in_flight_at(stopping), clients.failed_attempts(stopping, up_at), back_after


@pytest.mark.e2e
@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "kafka")])
def test_platform_processes_killed_and_database_stopped_under_writing_clients_every_write_stored_once(
        make_settings, tmp_path, request, store, bus):
    """The Kafka + FerretDB pair runs on a FerretDB of the test's own, which it stops after the kills."""
    extra = {}
    if store == "mongo":
        uri, database = request.getfixturevalue("own_ferretdb")
        extra["mongo_uri"] = uri
    settings = make_settings(store=store, bus=bus, ports={s: free_port() for s in SERVICES}, **extra)
    platform = Platform(settings, tmp_path / "run.log")
    try:
        clients = platform.start_writing()
        recovery = kill_each_process(platform, clients)
        counts, caught_up = check_every_write_once(platform, clients)
        failed = clients.failed_attempts()
        print(f"\n[kills {store}/{bus}] ready {platform.ready_after:.0f}s after start; {len(KILLED)} SIGKILLs; back in "
              + ", ".join(f"{n} {s:.1f}s" for n, s in recovery.items())
              + f"; {counts} stored once each ({sum(len(w.answers) for w in clients.writes)} requests, "
              f"retried after {dict(failed)}); read models exact {caught_up:.1f}s after the last write")
        assert failed, "no kill met a request in flight"
        if store != "mongo":
            return  # SQLite is a file the process opens itself: no database to stop apart from the process
        before = clients.failed_attempts()
        in_flight, during, back_after = stop_the_database(database, clients)
        counts, caught_up = check_every_write_once(platform, clients)
        print(f"[database down] writes in flight at the stop answered {dict(in_flight)}, {dict(during)} "
              f"answered while FerretDB was stopped "
              f"({dict(clients.failed_attempts() - before)} in all); the last write it cut off acknowledged "
              f"{back_after:.1f}s after it started; {counts} stored once each; read models exact {caught_up:.1f}s after the last write")
        # 503 with Retry-After, or the gateway's 409 for a key whose attempt's outcome it could not record
        # while its own database was down (held IN_FLIGHT_SECONDS, then the retry goes through)
        assert in_flight and set(in_flight) <= {200, 201, 503}, f"in flight at the stop: {dict(in_flight)}"
        assert 503 in during and set(during) <= {503, 409}, f"while the database was down: {dict(during)}"
        assert set(clients.failed_attempts() - before) <= {503, 409}, dict(clients.failed_attempts() - before)
        assert back_after < BACK_WITHIN
    finally:
        platform.stop()


# -- run.py's supervisor itself: a process that dies is back after its pause whatever the others do


def _supervisor(cmds: dict[str, list[str]], logdir: Path):
    run = load_module(RUN, "liandong_run")
    sup = run.Supervisor(cmds, logdir, dict(os.environ))
    sup.healthy_after = 2.0  # (60 s in `make run`) a process up this long dies as if for the first time
    for name in cmds:
        sup.start(name)
    threading.Thread(target=sup.watch, daemon=True).start()
    return sup


def _back_after(sup, name: str) -> float:
    """SIGKILL `name` and return the seconds until the supervisor has started it again."""
    old = sup.procs[name]
    killed_at = time.monotonic()
    os.kill(old.pid, signal.SIGKILL)
    wait_for(lambda: sup.procs[name] is not old and sup.procs[name].poll() is None, 40, 0.05,
             message=f"{name} started again")
    return time.monotonic() - killed_at


def test_the_supervisor_restarts_a_killed_process_after_a_short_pause_however_often_it_died_before(tmp_path):
    """One process crashing in a loop (its pause grows) does not hold back the restart of another, and a
    process that ran a while before it died is restarted after the first, short pause again."""
    python = sys.executable
    sup = _supervisor({"crashing": [python, "-c", "raise SystemExit(3)"],
                       "steady": [python, "-c", "import time; time.sleep(600)"]}, tmp_path / "logs")
    try:
        wait_for(lambda: sup.restarts.get("crashing", 0) >= 3, 30, 0.1, message="the crash loop's third pause")
        time.sleep(0.5)
        back = _back_after(sup, "steady")
        assert back < 4, f"steady back after {back:.1f}s, held back by the crash loop's 8 s pause"
        backs = []
        for _ in range(2):
            time.sleep(sup.healthy_after + 0.5)
            backs.append(_back_after(sup, "steady"))
        assert all(b < 4 for b in backs), backs  # 2 s each, not 4, 8
    finally:
        sup.stop()
