"""The gateway's rate limits, counted in its database: every gateway process counts the same requests."""
from __future__ import annotations

import concurrent.futures
from types import SimpleNamespace

import pytest

from liandong.clock import FixedClock
from liandong.storage import open_database

from gateway.adapters.rate_limit import RateLimiter, RateLimitWindows

T0 = "2026-03-01T08:00:00.000000Z"  # the start of a 60-second window


def gateway_processes(make_settings, store: str, count: int = 2):
    """`count` gateway processes' views of one database (each its own connection) on one clock."""
    settings = make_settings(store=store)
    clock = FixedClock(T0)
    views = [RateLimitWindows(SimpleNamespace(db=open_database(settings), clock=clock)) for _ in range(count)]
    views[0].prepare()
    return views, clock


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_a_limit_counts_every_process_and_opens_again_with_the_next_window(make_settings, store):
    (one, two), clock = gateway_processes(make_settings, store)
    first, second = RateLimiter(one, "login", 3, 60), RateLimiter(two, "login", 3, 60)
    alternating = [(first if i % 2 else second).allow("resident_zhang|10.0.0.1") for i in range(5)]
    assert [ok for ok, _ in alternating] == [True, True, True, False, False]  # 3 in all, not 3 per process
    assert alternating[-1][1] == 60.0  # refused until the window ends
    assert first.allow("resident_li|10.0.0.1")[0]  # another key counts on its own
    assert RateLimiter(one, "public", 3, 60).allow("resident_zhang|10.0.0.1")[0]  # another limit too
    clock.advance(seconds=45)
    ok, wait = second.allow("resident_zhang|10.0.0.1")
    assert not ok and wait == 15.0
    clock.advance(seconds=15)
    assert first.allow("resident_zhang|10.0.0.1")[0] and second.allow("resident_zhang|10.0.0.1")[0]


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_parallel_requests_through_two_processes_are_each_counted_once(make_settings, store):
    """The count is one atomic write: 40 requests at once through two connections let exactly 25 through."""
    (one, two), _ = gateway_processes(make_settings, store)
    limiters = [RateLimiter(one, "public", 25, 60), RateLimiter(two, "public", 25, 60)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: limiters[i % 2].allow("10.0.0.7")[0], range(40)))
    assert answers.count(True) == 25


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_ended_windows_are_purged_and_the_counters_hold_no_usernames_or_addresses(make_settings, store):
    (windows,), clock = gateway_processes(make_settings, store, count=1)
    limiter = RateLimiter(windows, "login", 5, 60)
    limiter.allow("resident_zhang|10.0.0.1")
    clock.advance(seconds=60)
    limiter.allow("resident_zhang|10.0.0.1")
    stored = windows.counters.find({})
    assert len(stored) == 2 and not any("resident_zhang" in str(d) or "10.0.0.1" in str(d) for d in stored)
    assert windows.purge_expired(clock.now_iso()) == 1
    assert [d["count"] for d in windows.counters.find({})] == [1]
