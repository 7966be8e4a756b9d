"""Replicas, for real: every service's worker as two processes in one consumer group (3 partitions a
topic), one SIGKILLed mid-stream; and two gateway web processes sharing one database.

The platform runs as `make run` starts it (deploy/local/run.py: gunicorn for every web process, one
worker each); a second `python -m <svc>.worker` per service joins each consumer group. While a
district's day of activity plays through the gateway (deploy/local/demo_activity.py: petitions, the
welfare saga of love coins with the volunteer service, mediations that reach petitions, ...), the
second worker of every service is killed with SIGKILL. The survivors take its partitions, and every
effect happens exactly once: the gateway's report figures equal what the actions imply, to the unit
and the fen, and the consumers' own records are counted one by one. Both processes ran the outbox
relay, so an event may have been published twice; the counts prove none was applied twice.
"""
from __future__ import annotations

import json
import os
import runpy
import signal
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from liandong.clock import FileClock
from liandong.registry import SERVICES
from liandong.storage import open_database
from liandong.testing import free_port, settings_env, spawn, unique, wait_for

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "deploy" / "local" / "run.py"
PASSWORD = "Liandong-demo-2026"
CHINA = timezone(timedelta(hours=8))


def play_a_day(base: str) -> dict:
    """deploy/local/demo_activity.py's day, through the gateway; what the reports must say after it."""
    return runpy.run_path(str(ROOT / "deploy" / "local" / "demo_activity.py"))["play"](base, seed=11643)


def stop(proc, sig=signal.SIGINT) -> None:
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=60)
    except ProcessLookupError:
        pass


def login(base: str, username: str, password: str = PASSWORD) -> requests.Response:
    return requests.post(f"{base}/api/v1/auth/login", json={"username": username, "password": password}, timeout=20)


def ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/readyz", timeout=3).status_code == 200
    except requests.RequestException:
        return False


# -- consumer groups, as the broker sees them

def group_partitions(bootstrap: str, namespace: str) -> dict[str, list[set]]:
    """{group: [each member's set of (topic, partition)]} for this run's groups (retry topics left out)."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=unique("replicas-admin"))
    try:
        ours = [g["group_id"] for g in admin.list_groups() if g["group_id"].startswith(namespace)]
        out = {}
        for group, info in (admin.describe_groups(ours) if ours else {}).items():
            out[group] = [{(a["topic"], p) for a in (m.get("member_assignment") or {}).get("assigned_partitions", [])
                           for p in a["partitions"] if not a["topic"].endswith(".retry")} for m in info["members"]]
        return out
    finally:
        admin.close()


def every_group_shared_by(bootstrap: str, namespace: str, groups: set[str], members: int):
    """Each of `groups` has `members` members, each holding partitions, and together all of them."""
    seen = group_partitions(bootstrap, namespace)
    if set(seen) < groups:
        return None
    for g in groups:
        if len(seen[g]) != members or not all(seen[g]):
            return None
    return seen


def every_worker_group(bootstrap: str, namespace: str) -> set[str] | None:
    """This run's groups once each service's worker has one and the gateway's reports projector its own."""
    seen = set(group_partitions(bootstrap, namespace))
    names = {g[len(namespace):].lstrip(".") for g in seen}
    if set(SERVICES) <= names and len(names) >= len(SERVICES) + 1:
        return seen
    return None


# -- what the gateway's reports say, against what the actions imply

def report_differences(base: str, admin: dict, expected: dict, rates: dict) -> dict:
    year = datetime.now(CHINA).year
    found = {}
    for unit, want in expected.items():
        r = requests.get(f"{base}/api/v1/reports/overview", headers=admin, timeout=20,
                         params={"org_unit": unit, "from": f"{year}-01-01", "to": f"{year}-12-31"})
        assert r.status_code == 200, r.text
        metrics = r.json()["metrics"]
        diff = {k: (want.get(k, 0), m["value"]) for k, m in metrics.items()
                if abs(want.get(k, 0) - m["value"]) > 1e-6}
        diff.update({k: ("missing", v) for k, v in want.items() if k not in metrics})
        for key, nd in rates.get(unit, {}).items():
            got = r.json()["rates"][key]
            if (got["numerator"], got["denominator"]) != (nd["numerator"], nd["denominator"]):
                diff[key] = ((nd["numerator"], nd["denominator"]), (got["numerator"], got["denominator"]))
        if diff:
            found[unit] = diff
    return found


def published(settings, service: str) -> tuple[int, int]:
    """(messages, distinct events) on the service's topic, read from the beginning by a group of its own."""
    from liandong.platform import Platform

    bus = Platform.create(service, settings).bus
    consumer = bus.consumer(unique("count"), [f"{service}.events"], from_beginning=True)
    ids: list[str] = []
    try:
        total = sum(bus.end_offsets([f"{service}.events"]).values())
        deadline = time.monotonic() + 60
        while len(ids) < total and time.monotonic() < deadline:
            ids.extend(json.loads(m.value)["id"] for m in consumer.poll(500, 1.0))
    finally:
        consumer.close()
    assert len(ids) == total, (service, len(ids), total)
    return len(ids), len(set(ids))


@pytest.mark.kafka
@pytest.mark.e2e
def test_a_worker_of_every_service_killed_mid_stream_its_twin_takes_over_and_effects_happen_once(
        make_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("LIANDONG_DEMO_ACTIVITY", "0")  # this test plays the day itself, and counts
    settings = make_settings(store="sqlite", bus="kafka", ports={s: free_port() for s in SERVICES})
    assert settings.kafka_topic_partitions == 3
    env = settings_env(settings)
    base = f"http://127.0.0.1:{settings.ports['gateway']}"
    platform = spawn(["python", str(RUN), "--threads", "4"], env, tmp_path / "run.log")
    twins: dict = {}
    try:
        wait_for(lambda: ready(base), 120, 0.5, message="the platform is ready")
        # every worker's group, and the gateway's second (its reports projector): ready answers before the
        # workers' consumers have joined, so they are waited for (a one-time look once saw 4 of the 6)
        groups = wait_for(lambda: every_worker_group(settings.kafka_bootstrap_servers, settings.bus_namespace), 120,
                          0.5, message="every worker's consumer group on the broker")
        twins = {svc: spawn(["python", "-m", f"{svc}.worker"], env, tmp_path / f"{svc}-twin.log")
                 for svc in SERVICES}
        try:  # twins join as the others rebalance
            wait_for(lambda: every_group_shared_by(settings.kafka_bootstrap_servers, settings.bus_namespace, groups,
                                                   2), 240, 0.5, message="every group shared by two workers")
        except AssertionError as exc:  # what the broker saw and what the twins said, for whoever reads the failure
            members = {g: [sorted(m) for m in ms]
                       for g, ms in group_partitions(settings.kafka_bootstrap_servers, settings.bus_namespace).items()}
            said = {svc: (tmp_path / f"{svc}-twin.log").read_text(errors="replace")[-1500:] for svc in twins}
            raise AssertionError(f"{exc}\nmembers: {members}\nalive: "
                                 f"{ {svc: p.poll() is None for svc, p in twins.items()} }\ntwins' logs: {said}") from exc

        outcome: dict = {}
        player = threading.Thread(target=lambda: outcome.update(play_a_day(base)))
        player.start()
        token = wait_for(lambda: login(base, "district_admin").json().get("access_token"), 30)
        admin = {"Authorization": f"Bearer {token}"}

        def petitions_reported():
            year = datetime.now(CHINA).year
            r = requests.get(f"{base}/api/v1/reports/overview", headers=admin, timeout=20, params={
                "org_unit": "chuanying", "from": f"{year}-01-01", "to": f"{year}-12-31"})
            assert r.status_code == 200, r.text
            return r.json()["metrics"]["petition.batches"]["value"] > 0

        wait_for(petitions_reported, 120, 0.3, message="the first effects reach the gateway's read model")
        assert player.is_alive(), "the day was over before the kill: not mid-stream"
        for proc in twins.values():
            os.killpg(proc.pid, signal.SIGKILL)
        killed = time.monotonic()
        for proc in twins.values():
            proc.wait(timeout=30)
        alone = wait_for(lambda: every_group_shared_by(settings.kafka_bootstrap_servers, settings.bus_namespace,
                                                       groups, 1), 120, 0.5, message="the survivors took over")
        rebalanced_s = time.monotonic() - killed
        for g in groups:  # each survivor holds every partition of its topics: 3 a topic
            topics = {t for t, _ in alone[g][0]}
            assert alone[g][0] == {(t, p) for t in topics for p in range(3)}, (g, alone[g][0])
        assert player.is_alive() or outcome, "the day's activity died with the killed workers"
        player.join(timeout=600)
        assert outcome and not outcome["notes"], outcome.get("notes")

        # the gateway's reports projector: every figure exactly what the actions imply
        expected = {**outcome["communities"], **outcome["subdistricts"], **outcome["district"]}
        differences = lambda: report_differences(base, admin, expected, outcome["rates"])  # noqa: E731
        try:
            wait_for(lambda: not differences(), 120, 1.0, message="the reports to equal what the actions imply")
        except AssertionError:
            raise AssertionError(f"the reports disagree with the actions: {differences()}") from None
        settled_s = time.monotonic() - killed

        # the consumers' own records, counted
        db = {svc: open_database(settings, f"{settings.database_prefix}_{svc}") for svc in SERVICES}

        def cross_service_effects():
            """What each service learnt from the others: the gateway's figures being right says nothing of when
            the petition and security workers (survivors of the kill, catching up) have applied theirs."""
            petitions = db["petition"].collection("petitions").find({})
            known = db["security"].collection("known_petitions").find({})
            # every mediation of a dispute that came from a petition is on that petition's timeline, once
            on = sorted((p["_id"], m["dispute_id"]) for p in petitions for m in p.get("mediations") or [])
            from_ = sorted((d["petition_id"], d["_id"]) for d in db["security"].collection("disputes").find({})
                           if d.get("petition_id"))
            return petitions, known, on, from_

        def applied() -> bool:
            petitions, known, on, from_ = cross_service_effects()
            return sorted(p["_id"] for p in known) == sorted(p["_id"] for p in petitions) and on == from_

        wait_for(applied, 60, 0.5, message="the survivors applied what the others announced")
        petitions, known, on_petitions, from_petitions = cross_service_effects()
        assert sorted(p["_id"] for p in known) == sorted(p["_id"] for p in petitions)  # each learnt once
        assert on_petitions == from_petitions and len(from_petitions) == 2, (on_petitions, from_petitions)
        redemptions = db["welfare"].collection("redemptions").find({})
        assert [r["status"] for r in redemptions] == ["handed_out"]
        rid = redemptions[0]["_id"]
        entries = [e for e in db["volunteer"].collection("ledger_entries").find({}) if rid in json.dumps(e)]
        assert entries and len(entries) == len({e["kind"] for e in entries}), entries  # each saga step once
        account = db["volunteer"].collection("accounts").find_one({"_id": entries[0]["from_account"]})
        assert account["reserved"] == 0, account  # the saga finished: nothing left held
        assert outcome["district"]["chuanying"]["volunteer.coins_redeemed"] == 40

        counts = {svc: published(settings, svc) for svc in SERVICES}
        print(f"\n[replicas] rebalance after SIGKILL {rebalanced_s:.1f}s, reports exact {settled_s:.1f}s after; "
              f"petitions={len(petitions)} known to security={len(known)}; mediations on petitions="
              f"{len(on_petitions)}; the redemption's ledger entries={[(e['kind'], e['coins']) for e in entries]}; "
              f"messages/distinct events per topic={counts}")
    finally:
        for proc in twins.values():
            stop(proc, signal.SIGKILL)
        stop(platform)


# -- two gateway web processes, one database

def gunicorn(port: int, env: dict, log: Path):
    """A gateway web process as run.py starts one."""
    import sys

    return spawn([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
                  "--threads", "4", "--worker-class", "gthread", "--graceful-timeout", "5", "--timeout", "60",
                  "gateway.bootstrap:create_app()"], env, log)


def healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=3).status_code == 200
    except requests.RequestException:
        return False


class HeldClock:
    """Every process's clock (LIANDONG_CLOCK_FILE, read on every call) held half a second into the next
    rate-limit window while the test counts, so a slow machine cannot carry the counting over a window's
    edge (windows are aligned to the clock)."""

    def __init__(self, clock_file: Path, window: float = 60.0):
        self.clock_file = clock_file
        self.target = (time.time() // window + 1) * window + 0.5
        self.stopped = threading.Event()
        self.hold()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def hold(self) -> None:
        tmp = self.clock_file.with_suffix(".tmp")
        tmp.write_text(str(self.target - time.time()))
        tmp.replace(self.clock_file)  # whole: a process never reads half a number

    def run(self) -> None:
        while not self.stopped.wait(0.02):
            self.hold()

    def release(self) -> None:
        self.stopped.set()
        self.thread.join()


@pytest.mark.e2e
@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_two_gateway_processes_count_one_rate_limit_and_one_lock_out(make_settings, tmp_path, store):
    """Requests alternate between two gateway processes: the login limit (10 a minute per account and
    address), the lock-out (5 wrong passwords) and the public limit (120 a minute per address) count
    both processes' requests together: 429 after N in all, not 2N."""
    settings = make_settings(store=store)
    clock_file = tmp_path / "clock-offset"
    FileClock.move(clock_file, 0)
    env = {**settings_env(settings), "LIANDONG_CLOCK_FILE": str(clock_file)}
    worker = spawn(["python", "-m", "gateway.worker"], env, tmp_path / "gateway-worker.log")  # the demo accounts
    webs, held = [], None
    try:
        ports = [free_port(), free_port()]
        webs = [gunicorn(port, env, tmp_path / f"gateway-{port}.log") for port in ports]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for b in bases:
            wait_for(lambda: healthy(b), 60, 0.3, message=f"the gateway at {b}")
        for user in ("resident_zhang", "jiayuan_grid"):  # the worker creates the demo accounts one by one
            wait_for(lambda: login(bases[0], user).status_code == 200, 60, 0.5, message=f"the account {user}")
        held = HeldClock(clock_file)
        public = 0  # requests on public paths from this address in this window, through either process

        def post_login(i: int, username: str, password: str = PASSWORD) -> int:
            nonlocal public
            public += 1
            return login(bases[i % 2], username, password).status_code

        logins = [post_login(i, "resident_zhang") for i in range(11)]
        assert logins == [200] * 10 + [429], logins  # 10 in all across both processes, not 10 each

        guesses = [post_login(i, "jiayuan_grid", "not-the-password") for i in range(5)]
        assert guesses == [401] * 4 + [423], guesses  # the 5th wrong guess locks, whichever process saw which
        assert post_login(5, "jiayuan_grid") == 423 and post_login(6, "jiayuan_grid") == 423

        answers = []
        while len(answers) < 300 and (not answers or answers[-1] != 429):
            answers.append(requests.get(f"{bases[len(answers) % 2]}/api/docs", timeout=20).status_code)
        assert answers.count(200) == 120 - public and answers[-1] == 429, (public, answers.count(200), answers[-1])
        assert requests.get(f"{bases[1]}/api/docs", timeout=20).status_code == 429  # the other process as well
        print(f"\n[two gateways, {store}] login limit: 10 of 11 through both; lock-out after 5 guesses across "
              f"both; public limit: {answers.count(200)} + {public} logins = 120 through both")
    finally:
        if held:
            held.release()
        for proc in webs:
            stop(proc, signal.SIGTERM)
        stop(worker, signal.SIGTERM)
