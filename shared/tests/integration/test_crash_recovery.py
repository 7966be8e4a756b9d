"""Kill the relay and the consumer with SIGKILL mid-stream: every event arrives, every effect once."""
from __future__ import annotations

import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest

from liandong import outbox
from liandong.storage import open_database
from liandong.testing import load_module, settings_env, spawn, wait_for

ACTOR = Path(__file__).with_name("crash_actor.py")


def _actor_module():
    return load_module(ACTOR, "crash_actor")


registry = _actor_module().registry  # the same contract the child processes use
CASES = 150  # each case: created (1 event), then changed twice (2 events)


@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "kafka")])
def test_killed_relay_and_consumer_lose_nothing_and_apply_nothing_twice(make_settings, tmp_path, store, bus):
    settings = make_settings(service="crash", store=store, bus=bus)
    db = open_database(settings)
    cases = db.collection("cases")
    outbox.prepare(cases)
    effects = open_database(settings, name=f"{settings.database_prefix}_effects")
    env = settings_env(settings)

    def new_event(case_id: str, step: int):
        return registry.new_event("crash.case_changed", case_id, {"step": step}, "/cy/hq/jy/", sequence=step)

    def write_cases():
        for i in range(CASES):
            cid = f"case-{i:04d}"
            outbox.insert_with_events(cases, {"_id": cid, "step": 1}, [new_event(cid, 1)])
            for step in (2, 3):
                outbox.update_with_events(cases, cid, step - 1, {"step": step}, [new_event(cid, step)])
            time.sleep(0.003)

    procs = {role: spawn(["python", str(ACTOR), role], env, tmp_path / f"{role}.log") for role in ("relay", "consumer")}
    writer = threading.Thread(target=write_cases)
    writer.start()
    kills = {"relay": 0, "consumer": 0}
    rnd = random.Random(7)
    try:
        ledger = effects.collection("ledger")
        for _ in range(6):  # kill each process several times while events flow
            time.sleep(rnd.uniform(0.4, 1.2))
            for role, proc in procs.items():
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                kills[role] += 1
                procs[role] = spawn(["python", str(ACTOR), role], env, tmp_path / f"{role}.log")
        writer.join()
        expected = CASES * 3
        mid = ledger.count_documents({})
        assert mid < expected, "the kills should land while events are still flowing"
        wait_for(lambda: ledger.count_documents({}) == expected, timeout=120,
                 message=f"{expected} events handled (log: {(tmp_path / 'consumer.log').read_text()[-2000:]})")
        wait_for(lambda: (effects.collection("totals").find_one({"_id": "all"}) or {}).get("n") == expected,
                 timeout=30, message="totals")
        # the relay publishes, then marks its documents done: the last mark can follow the last effect
        wait_for(lambda: cases.count_documents({outbox.PENDING: True}) == 0, timeout=30, message="outbox drained")
    finally:
        for proc in procs.values():
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    per_case = effects.collection("per_case")
    assert per_case.count_documents({}) == CASES
    assert per_case.count_documents({"n": 3}) == CASES  # every case's three events, each applied once
    assert cases.count_documents({outbox.PENDING: True}) == 0
    print(f"\n[{store}+{bus}] written={expected} delivered={ledger.count_documents({})} "
          f"applied={effects.collection('totals').find_one({'_id': 'all'})['n']} kills={kills} "
          f"handled-before-end={mid}")
    if store == "mongo":
        db.drop()
        effects.drop()
