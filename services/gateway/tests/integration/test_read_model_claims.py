"""The read model on a store without transactions (MongoDB, FerretDB): every event counted once through crashes,
redeliveries and two workers at once, with buckets that stay small (claims and intents, poll_claims.py)."""
from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from liandong.contracts import CONTRACTS
from liandong.platform import Platform
from liandong.testing import unique

from gateway.adapters import poll_claims
from gateway.adapters.poll_claims import KEEP_MARKS, LEASE, MARKS, SCHEME, PollClaims, PollInFlight
from gateway.adapters.read_model import ReadModel

JIAYUAN = "/chuanying/huangqi/jiayuan/"
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def registered(n: int, day: str = "2026-03-02"):
    pid = unique("p")
    return CONTRACTS.new_event("petition.registered", pid, {
        "petition_id": pid, "org_unit_id": "jiayuan", "category": "environment_noise", "level": "community",
        "channel": "visit", "headcount": n, "is_group": n > 1, "anonymous": False, "risk_flags": [],
        "deadline": "2026-03-20", "registered_at": f"{day}T01:30:00.000000Z"}, JIAYUAN)


@pytest.fixture
def db(make_settings):
    platform = Platform.create("gateway", make_settings(service="gateway", store="mongo"))
    yield platform.db
    platform.db.drop()


def worker(db) -> ReadModel:
    """A gateway worker's model of generation 1, as the projector makes it at start."""
    model = ReadModel(db, 1, lambda path: path)
    model.prepare()
    model.recover()
    return model


def person_times(model: ReadModel) -> float:
    return model.figures(JIAYUAN, *YEAR)[0].get("petition.person_times", 0)


def test_a_poll_that_died_after_writing_its_intent_is_finished_once_by_whoever_comes_next(db, monkeypatch):
    events = [registered(1), registered(2, "2026-03-03"), registered(4, "2026-04-01")]
    dying = worker(db)
    real_finish = PollClaims._finish
    added = []

    def die_half_way(self, intent):  # the first bucket kind added, then the process is gone
        monkeypatch.setattr(self.buckets["months"], "upsert_each", lambda changes: (_ for _ in ()).throw(SystemExit))
        added.append(intent["_id"])
        real_finish(self, intent)

    monkeypatch.setattr(PollClaims, "_finish", die_half_way)
    with pytest.raises(SystemExit):
        dying.apply_batch(events)
    monkeypatch.setattr(PollClaims, "_finish", real_finish)
    assert added and dying.claims.intents.find_one({"_id": added[0]})["state"] == "written"
    # the events come back to another worker (the offsets were never committed): it finishes the dead poll's intent
    other = ReadModel(db, 1, lambda path: path)
    other.apply_batch(events)
    assert person_times(other) == 7  # the months (read for whole months)
    day = date(2026, 3, 2)
    assert other.figures(JIAYUAN, day, day)[0]["petition.person_times"] == 1  # the days, added before the death
    assert dying.claims.intents.find_one({"_id": added[0]}) is None
    # a worker starting later finishes nothing twice; the same events again change nothing
    worker(db).apply_batch(events + [events[0]])
    assert person_times(other) == 7


def test_a_worker_finishes_a_written_intent_at_its_start(db, monkeypatch):
    events = [registered(3), registered(5)]
    dying = worker(db)
    monkeypatch.setattr(PollClaims, "_finish", lambda self, intent: (_ for _ in ()).throw(SystemExit))
    with pytest.raises(SystemExit):
        dying.apply_batch(events)
    monkeypatch.undo()
    assert person_times(dying) == 0
    assert person_times(worker(db)) == 8  # recover() at start, before any event comes back


def test_claims_of_a_poll_that_died_claiming_wait_out_their_lease_then_are_taken_over(db, monkeypatch):
    events = [registered(1), registered(2)]
    dying = worker(db)

    def crash(self, event):
        raise SystemExit  # killed between claiming and writing its intent: no chance to hand the claims back

    monkeypatch.setattr(ReadModel, "_effect", crash)
    monkeypatch.setattr(PollClaims, "apply", _without_abandoning(PollClaims.apply))
    with pytest.raises(SystemExit):
        dying.apply_batch(events)
    monkeypatch.undo()
    other = worker(db)
    with pytest.raises(PollInFlight):  # within the lease the dead poll may be a live slow one: nothing is added
        other.apply_batch(events)
    assert person_times(other) == 0
    later = time.time() + LEASE + 1
    monkeypatch.setattr(poll_claims.time, "time", lambda: later)
    other.apply_batch(events)
    assert person_times(other) == 3
    other.apply_batch(events)
    assert person_times(other) == 3


def _without_abandoning(apply_claimed):
    """`PollClaims.apply` as a killed process runs it: its `except` that hands the claims back never runs."""
    def run(self, events, sums):
        real = self.intents.update_one

        def no_abandon(filter, update, upsert=False):
            if update.get("$set", {}).get("state") == "abandoned":
                raise SystemExit
            return real(filter, update, upsert)
        self.intents.update_one = no_abandon
        try:
            return apply_claimed(self, events, sums)
        finally:
            self.intents.update_one = real
    return run


def test_a_poll_that_failed_claiming_hands_its_claims_back_at_once(db, monkeypatch):
    events = [registered(2), registered(6)]
    model = worker(db)
    failures = iter([RuntimeError("a bug in one rule"), None])

    def flaky(self, event, real=ReadModel._effect):
        failure = next(failures, None)
        if failure:
            raise failure
        return real(self, event)

    monkeypatch.setattr(ReadModel, "_effect", flaky)
    with pytest.raises(RuntimeError):
        model.apply_batch(events)
    monkeypatch.undo()
    model.apply_batch(events)  # no lease to wait out: the failed poll said so
    assert person_times(model) == 8


def test_a_slow_poll_overtaken_after_its_lease_adds_nothing(db, monkeypatch):
    events = [registered(1), registered(3)]
    slow, fast = worker(db), worker(db)
    real_effect = ReadModel._effect
    overtaken = []

    def slow_effect(self, event):
        if self is slow and not overtaken:  # while the slow poll computes, its lease runs out and another takes over
            overtaken.append(True)
            later = time.time() + LEASE + 1
            monkeypatch.setattr(poll_claims.time, "time", lambda: later)
            fast.apply_batch(events)
        return real_effect(self, event)

    monkeypatch.setattr(ReadModel, "_effect", slow_effect)
    with pytest.raises(PollInFlight):
        slow.apply_batch(events)
    assert person_times(fast) == 4


def test_a_poll_working_longer_than_the_lease_keeps_its_events_by_renewing_it(db, monkeypatch):
    events = [registered(1), registered(2), registered(4), registered(8)]
    busy, other = worker(db), worker(db)
    real_effect = ReadModel._effect
    clock = [time.time()]
    monkeypatch.setattr(poll_claims.time, "time", lambda: clock[0])
    refused = []

    def slow_effect(self, event):
        if self is busy:
            clock[0] += LEASE / 2  # each event takes half a lease: the whole poll two leases
            try:
                other.apply_batch(events)  # meanwhile the same events come to another worker
            except PollInFlight:
                refused.append(True)
        return real_effect(self, event)

    monkeypatch.setattr(ReadModel, "_effect", slow_effect)
    busy.apply_batch(events)
    assert len(refused) == len(events)  # never taken over while it said it was alive
    assert person_times(busy) == 15


def test_two_workers_at_once_count_each_event_once(db):
    events = [registered(n % 5 + 1, f"2026-0{n % 3 + 3}-0{n % 7 + 1}") for n in range(60)]
    expected = sum(e.data["headcount"] for e in events)
    errors = []

    def run(model, chunks):
        for chunk in chunks:
            for _ in range(40):
                try:
                    model.apply_batch(chunk)
                    break
                except PollInFlight:  # the other holds some of them for now: the consumer rewinds and polls again
                    time.sleep(0.05)
            else:
                errors.append("never applied")

    a, b = worker(db), worker(db)
    overlapping = [events[i:i + 15] for i in range(0, 60, 10)]  # every poll shares events with the next
    threads = [threading.Thread(target=run, args=(a, overlapping)),
               threading.Thread(target=run, args=(b, list(reversed(overlapping))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert person_times(a) == expected


def test_buckets_hold_figures_and_a_bounded_list_of_polls_not_event_ids(db):
    model = worker(db)
    polls = 2 * KEEP_MARKS + 10
    for _ in range(polls):
        model.apply_batch([registered(1), registered(1)])
    bucket = model.months.find_one({"_id": f"{JIAYUAN}|2026-03"})
    assert bucket["m"]["petition__person_times"] == 2 * polls
    # FerretDB ignores $slice: the adapter cuts the list back to the last KEEP_MARKS every KEEP_MARKS pushes
    assert KEEP_MARKS <= len(bucket[MARKS]) < 2 * KEEP_MARKS and "_handled" not in bucket
    assert not [d for d in model.claims.intents.find({}) if d["_id"] != SCHEME]  # every intent finished


def test_a_generation_built_before_claims_keeps_its_ids_in_its_buckets_until_rebuilt(db):
    events = [registered(2), registered(3)]
    old = ReadModel(db, 1, lambda path: path)
    old._claiming = False  # as the code before claims wrote it
    old.apply_batch(events)
    assert "_handled" in old.months.find_one({})
    upgraded = worker(db)  # the new code meets buckets and no note: it keeps the ids where they are
    assert not upgraded._uses_claims()
    upgraded.apply_batch(events)  # a redelivery across the upgrade counts once
    assert person_times(upgraded) == 5
    fresh = ReadModel(db, 2, lambda path: path)  # the next rebuild's generation starts with claims
    fresh.prepare()
    assert fresh._uses_claims()
