"""Rate limits counted in the gateway's database, so that every gateway process counts the same requests.

Semantics (fixed windows): a key gets at most `capacity` requests in each window of `window` seconds;
windows are aligned to the gateway's clock (epoch multiples of `window`), so every process agrees on
which window a request falls in. A refused request is told how long until its window ends. As with the
token bucket this replaces, a burst straddling a window's edge can reach 2 × capacity within one window's
length; never more, whatever the number of gateway processes.

Cost: one atomic write per request (an upserted `$inc` on the key's window document, returning the count
after it: SQLite one write transaction, MongoDB natively, FerretDB under the adapter's per-document lock).
Keys are hashed: the counters hold neither usernames nor IP addresses. Expired windows are purged by the
worker (`purge_expired`).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from liandong.clock import to_iso
from liandong.storage import DuplicateKeyError


class RateLimitWindows:
    """The count of requests per key and window, shared by every limiter of the gateway (one collection)."""

    def __init__(self, deps):
        self.clock = deps.clock
        self.counters = deps.db.collection("rate_limits")

    def prepare(self) -> None:
        self.counters.create_index([("expires_at", 1)], name="expires")

    def count(self, window_id: str, expires_at: str) -> int:
        """Add one request to the window; the count after it."""
        update = {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": expires_at}}
        try:
            return self.counters.find_one_and_update({"_id": window_id}, update, upsert=True)["count"]
        except DuplicateKeyError:  # MongoDB: two first requests of a window upserted at once; the other one won
            return self.counters.find_one_and_update({"_id": window_id}, update)["count"]

    def purge_expired(self, now: str) -> int:
        """Forget the windows that have ended."""
        return self.counters.delete_many({"expires_at": {"$lte": now}})  # a window ends at its end


class RateLimiter:
    def __init__(self, windows: RateLimitWindows, name: str, capacity: int, window: float):
        if capacity < 1 or window <= 0:
            raise ValueError("a rate limit needs a capacity of at least 1 and a positive window")
        self.windows = windows
        self.name = name
        self.capacity = capacity
        self.window = float(window)

    def allow(self, key: str) -> tuple[bool, float]:
        """Count one request for `key`; returns (allowed, seconds until the window ends if refused)."""
        now = self.windows.clock.now().timestamp()
        index = int(now // self.window)
        ends = (index + 1) * self.window
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        count = self.windows.count(f"{self.name}:{digest}:{index}",
                                   to_iso(datetime.fromtimestamp(ends, timezone.utc)))
        if count <= self.capacity:
            return True, 0.0
        return False, max(0.0, ends - now)
