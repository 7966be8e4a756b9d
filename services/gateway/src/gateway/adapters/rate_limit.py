"""In-process token buckets (per gateway process; several gateway processes each keep their own)."""
from __future__ import annotations

import threading
import time
from typing import Callable


class RateLimiter:
    def __init__(self, capacity: int, per_seconds: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000):
        self.capacity = capacity
        self.rate = capacity / per_seconds
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> tuple[bool, float]:
        """Take one token for `key`; returns (allowed, seconds until one is available)."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.capacity), now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if len(self._buckets) >= self.max_keys:
                self._buckets.clear()  # memory stays bounded under a flood of distinct keys
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return True, 0.0
            self._buckets[key] = (tokens, now)
            return False, (1 - tokens) / self.rate
