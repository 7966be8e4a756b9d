"""Forwards /api/v1/<service>/... to a domain service: timeouts, bounded retries, a circuit breaker."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import requests

from liandong.config import Settings
from liandong.paths import check_path

log = logging.getLogger(__name__)

FORWARDED_REQUEST_HEADERS = ("Authorization", "X-Correlation-ID", "Idempotency-Key", "Content-Type", "Accept",
                             "Accept-Language", "If-Match", "If-None-Match")
FORWARDED_RESPONSE_HEADERS = ("Content-Type", "Location", "ETag", "Retry-After", "Content-Disposition",
                              "Last-Modified")
IDEMPOTENT = ("GET", "HEAD", "OPTIONS")


class ServiceUnavailable(Exception):
    def __init__(self, service: str, message: str):
        super().__init__(message)
        self.service = service
        self.message = message


class CircuitBreaker:
    """Closed: calls pass. After `threshold` consecutive failures it opens for `reset_after` seconds
    (calls fail at once); then one trial call is let through (half-open) and decides."""

    def __init__(self, threshold: int = 3, reset_after: float = 10.0, clock=time.monotonic):
        self.threshold = threshold
        self.reset_after = reset_after
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self.trial = False
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.reset_after else "open"

    def allow(self) -> bool:
        with self._lock:
            state = self.state
            if state == "closed":
                return True
            if state == "half_open" and not self.trial:
                self.trial = True
                return True
            return False

    def success(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None
            self.trial = False

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            self.trial = False
            if self.failures >= self.threshold or self.opened_at is not None:
                self.opened_at = self.clock()


@dataclass
class Upstream:
    status: int
    body: bytes
    headers: dict


class ServiceProxy:
    def __init__(self, settings: Settings, services: tuple[str, ...], connect_timeout: float = 1.0,
                 read_timeout: float = 10.0, retries: int = 2, retry_budget: float = 1.8,
                 breaker_threshold: int = 3, breaker_reset: float = 10.0, clock=time.monotonic):
        self.settings = settings
        self.clock = clock
        self.timeout = (connect_timeout, read_timeout)
        self.retries = retries
        self.retry_budget = retry_budget
        self.session = requests.Session()
        self.session.trust_env = False
        self.breakers = {s: CircuitBreaker(breaker_threshold, breaker_reset) for s in services}

    def forward(self, service: str, method: str, path: str, query: bytes, headers: dict, body: bytes) -> Upstream:
        check_path(path)  # every forwarded path (routes, exports, Open311), whoever built it
        breaker = self.breakers[service]
        if not breaker.allow():
            raise ServiceUnavailable(service, f"the {service} service is unavailable (circuit open); try again shortly")
        url = f"{self.settings.url_of(service)}{path}" + (f"?{query.decode('latin-1')}" if query else "")
        attempts = 1 + (self.retries if method in IDEMPOTENT else 0)
        started = self.clock()
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                resp = self.session.request(method, url, headers=headers, data=body or None,
                                            timeout=self.timeout, allow_redirects=False)
            except requests.ConnectionError as exc:  # refused, reset, DNS, connect timeout: nothing was done
                last = exc
                if attempt + 1 < attempts and self._may_retry(started, attempt):
                    time.sleep(0.05 * (attempt + 1))
                    continue
                break
            except requests.Timeout as exc:  # read timeout: the service may still be working; never retried
                breaker.failure()
                raise ServiceUnavailable(service, f"the {service} service did not answer in time") from exc
            if resp.status_code in (502, 503, 504) and method in IDEMPOTENT and attempt + 1 < attempts \
                    and self._may_retry(started, attempt):
                time.sleep(0.05 * (attempt + 1))
                continue
            if resp.status_code >= 502:
                breaker.failure()
            else:
                breaker.success()
            out = {k: v for k, v in resp.headers.items() if k in FORWARDED_RESPONSE_HEADERS}
            return Upstream(resp.status_code, resp.content, out)
        breaker.failure()
        log.warning("%s unreachable: %s", service, last)
        raise ServiceUnavailable(service, f"the {service} service is unavailable; try again shortly")

    def _may_retry(self, started: float, attempt: int) -> bool:
        """Only if even a retry that hangs until its connect timeout gives up within the budget,
        so a dead service answers 503 in under 2 s."""
        return self.clock() - started + 0.05 * (attempt + 1) + self.timeout[0] < self.retry_budget

    def get_json(self, service: str, path: str, timeout: float = 1.5) -> dict | None:
        """A plain GET (for the OpenAPI documents); None if the service cannot be reached."""
        try:
            resp = self.session.get(f"{self.settings.url_of(service)}{path}", timeout=(min(timeout, 1.0), timeout))
            return resp.json() if resp.status_code == 200 else None
        except (requests.RequestException, ValueError):
            return None
