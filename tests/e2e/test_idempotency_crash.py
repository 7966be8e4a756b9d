"""A crash creates no duplicates despite retries (issue #16, class 6).

The platform runs as `make run` starts it (gunicorn for every web process). Clients register
petitions through the gateway, each with its own Idempotency-Key, and retry the same request with
the same key on any error or timeout, as the console does. Meanwhile the petition service's real
gunicorn worker is SIGKILLed several times: some requests die after the petition was stored and
before the answer left (the gateway sees the connection reset). Afterwards, counted in the petition
service's own database by a marker in each body: no petition is stored twice, every acknowledged
key maps to exactly the one petition stored for it, and everything stored is for a key a client sent.
"""
from __future__ import annotations

import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from liandong.clock import to_iso
from liandong.idnumbers import check_digit
from liandong.storage import open_database
from liandong.testing import auth_headers, wait_for

JIAYUAN = "/chuanying/huangqi/jiayuan/"
CLIENTS = 6
MIN_KILLS, KILLS = 3, 16  # kills go on until one lands between a commit and its answer (CI once missed in 8)
MARK = "标记"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def gunicorn_worker(port: int) -> int | None:
    """The pid of the gunicorn worker serving `port` (a child of its gunicorn master, same command line)."""
    bound = [int(p) for p in os.listdir("/proc") if p.isdigit()
             if "gunicorn" in (c := _cmdline(int(p))) and f":{port} " in c]
    workers = [p for p in bound if _ppid(p) in bound]
    return workers[0] if workers else None


def petition_body(marker: str) -> dict:
    first = f"220204197503{random.randint(10, 28)}{random.randint(100, 999)}"
    return {"org_unit_id": "jiayuan", "category": "environment_noise", "channel": "letter",
            "content": f"楼下饭店油烟和噪音扰民 {MARK}{marker}",
            "petitioners": [{"name": "刘女士", "id_number": first + check_digit(first), "mobile": "13904321234"}]}


@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "kafka")])
def test_sigkilled_petition_worker_under_retrying_clients_stores_every_petition_once(
        platform_settings, e2e, tmp_path, store, bus):
    settings = platform_settings(store=store, bus=bus)
    proc = e2e.start_platform(settings, tmp_path / "run.log")
    try:
        e2e.check_running(settings)
        gateway = f"http://127.0.0.1:{settings.ports['gateway']}"
        port = settings.ports["petition"]
        stop = threading.Event()
        acked: dict[str, str] = {}        # key -> petition id the client was given
        sent: set[str] = set()            # every key a client sent at least once
        failed_at: dict[str, str] = {}    # key -> when a client last saw an attempt of it fail (ISO, UTC)
        replayed = Counter()
        errors = Counter()
        lock = threading.Lock()

        def client(n: int) -> None:
            session = requests.Session()
            headers = auth_headers(settings, role="community_worker", org_unit="jiayuan", org_path=JIAYUAN,
                                   user_id=f"crash-client-{n}")
            while not stop.is_set():
                key = uuid.uuid4().hex
                body = petition_body(key)
                give_up = time.monotonic() + 40
                while time.monotonic() < give_up:  # the same request, the same key, until it is acknowledged
                    with lock:
                        sent.add(key)
                    try:
                        r = session.post(f"{gateway}/api/v1/petition/petitions", json=body, timeout=5,
                                         headers={**headers, "Idempotency-Key": key})
                    except requests.RequestException as exc:
                        with lock:
                            errors[type(exc).__name__] += 1
                            failed_at[key] = to_iso(datetime.now(timezone.utc))
                        time.sleep(0.1)
                        continue
                    if r.status_code == 201:
                        with lock:
                            acked[key] = r.json()["id"]
                            if r.headers.get("Idempotent-Replayed"):
                                replayed["gateway"] += 1
                        break
                    with lock:
                        errors[r.status_code] += 1
                        failed_at[key] = to_iso(datetime.now(timezone.utc))
                    # in flight at the gateway, or the worker is down (a body cut off mid-way is the gateway's 500)
                    assert r.status_code in (409, 500, 502, 503, 504), r.text
                    time.sleep(0.1)
                else:
                    raise AssertionError(f"key {key} never acknowledged")

        failures: list[BaseException] = []

        def run(n: int) -> None:
            try:
                client(n)
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                failures.append(exc)
                stop.set()

        threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        killed = 0

        def lost_answers(petitions) -> int:
            """Petitions stored before a client last saw their request fail: answers the crash lost."""
            with lock:
                failed = dict(failed_at)
            if not failed:
                return 0
            docs = petitions.find({}, projection={"content": 1, "registered_at": 1})
            return sum(1 for d in docs if (k := d["content"].rsplit(MARK, 1)[-1]) in failed
                       and d["registered_at"] < failed[k])

        db = open_database(settings.for_service("petition"))
        petitions = db.collection("petitions")
        try:
            while killed < KILLS and not (killed >= MIN_KILLS and lost_answers(petitions)):
                pid, deadline = None, time.monotonic() + 30
                while pid is None and time.monotonic() < deadline:
                    pid = gunicorn_worker(port)
                    time.sleep(0.05)
                assert pid is not None, "no petition gunicorn worker to kill"
                wait_for(lambda: len(acked) >= 5 * (killed + 1), 30, 0.02, message="the worker serves again")
                # the moment a petition is committed, before its answer is likely out: the crash
                stored, deadline = petitions.count_documents({}), time.monotonic() + 10
                while petitions.count_documents({}) == stored and time.monotonic() < deadline:
                    pass
                os.kill(pid, signal.SIGKILL)
                killed += 1
                time.sleep(0.5)
        finally:
            db.close()
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
        assert not failures, failures

        db = open_database(settings.for_service("petition"))
        try:
            stored = db.collection("petitions").find({}, projection={"_id": 1, "content": 1, "registered_at": 1})
            lost = lost_answers(db.collection("petitions"))
        finally:
            db.close()
        by_marker: dict[str, list[str]] = {}
        for doc in stored:
            marker = doc["content"].rsplit(MARK, 1)[-1]
            by_marker.setdefault(marker, []).append(doc["_id"])
        twice = {k: v for k, v in by_marker.items() if len(v) > 1}
        print(f"\n[crash {store}/{bus}] {killed} SIGKILLs, {len(sent)} keys sent, {len(acked)} acknowledged, "
              f"{len(stored)} stored, retries after {dict(errors)}, {lost} answers lost after the petition was stored, "
              f"{len(twice)} stored twice")
        assert not twice, f"petitions stored twice: {twice}"
        for key, pid_ in acked.items():
            assert by_marker.get(key) == [pid_], (key, pid_, by_marker.get(key))
        assert set(by_marker) <= sent
        assert len(stored) == len(by_marker) == len(set(by_marker) & sent)
        assert lost > 0, "no kill landed between a petition's commit and its answer"
    finally:
        e2e.stop_platform(proc)
