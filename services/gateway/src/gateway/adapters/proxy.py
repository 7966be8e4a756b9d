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
    (calls fail at once); then one trial call is let through (half-open) and decides.

    While open, the service is probed early (its `/readyz?check=database`, one probe at a time) so a
    quick restart is noticed at once, not after `reset_after`: every `refused_probe` seconds when the
    last failure was a refused connection (nothing listens: a probe costs nothing and the process may be
    back any moment), every `timeout_probe` seconds after a timeout (a hanging service: probing it
    often would only tie up threads). A good probe makes the breaker half-open."""

    def __init__(self, threshold: int = 3, reset_after: float = 10.0, clock=time.monotonic,
                 refused_probe: float = 0.2, timeout_probe: float = 2.0):
        self.threshold = threshold
        self.reset_after = reset_after
        self.clock = clock
        self.refused_probe = refused_probe
        self.timeout_probe = timeout_probe
        self.failures = 0
        self.opened_at: float | None = None
        self.last_kind = "refused"
        self.probed_at: float | None = None
        self.probing = False
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

    def claim_probe(self) -> bool:
        """True for the one caller that should probe the open service now."""
        with self._lock:
            if self.state != "open" or self.probing:
                return False
            every = self.refused_probe if self.last_kind == "refused" else self.timeout_probe
            since = self.probed_at if self.probed_at is not None else self.opened_at
            if self.clock() - since < every:
                return False
            self.probing = True
            self.probed_at = self.clock()
            return True

    def probed(self, ready: bool) -> bool:
        """Record a probe's outcome; True if the caller may now make the trial call."""
        with self._lock:
            self.probing = False
            if ready and self.opened_at is not None and not self.trial:
                self.opened_at = self.clock() - self.reset_after  # half-open now ...
                self.trial = True  # ... and this caller's call is the trial
                return True
            return False

    def success(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None
            self.probed_at = None
            self.trial = False

    def failure(self, kind: str = "refused") -> None:
        """`kind`: "refused" (nothing listening, reset) or "timeout" (connect or read timed out, 5xx)."""
        with self._lock:
            self.failures += 1
            self.trial = False
            self.last_kind = kind
            if self.failures >= self.threshold or self.opened_at is not None:
                self.opened_at = self.clock()
                self.probed_at = None


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
        self.probe_timeout = (min(connect_timeout, 0.3), 0.5)

    def forward(self, service: str, method: str, path: str, query: bytes, headers: dict, body: bytes,
                read_timeout: float | None = None) -> Upstream:
        """`read_timeout`: this request's own (an office's ledger checked row by row takes longer than a form)."""
        check_path(path)  # every forwarded path (routes, exports, Open311), whoever built it
        breaker = self.breakers[service]
        if not breaker.allow() and not (breaker.claim_probe() and breaker.probed(self._ready(service))):
            raise ServiceUnavailable(service, f"the {service} service is unavailable (circuit open); try again shortly")
        url = f"{self.settings.url_of(service)}{path}" + (f"?{query.decode('latin-1')}" if query else "")
        attempts = 1 + (self.retries if method in IDEMPOTENT else 0)
        started = self.clock()
        last: Exception | None = None
        kind = "refused"
        for attempt in range(attempts):
            try:
                resp = self.session.request(method, url, headers=headers, data=body or None,
                                            timeout=self.timeout if read_timeout is None
                                            else (self.timeout[0], read_timeout), allow_redirects=False)
            except requests.ConnectionError as exc:  # refused, reset, DNS, connect timeout: nothing was done
                last = exc
                kind = "timeout" if isinstance(exc, requests.ConnectTimeout) else "refused"
                if attempt + 1 < attempts and self._may_retry(started, attempt):
                    time.sleep(0.05 * (attempt + 1))
                    continue
                break
            except requests.Timeout as exc:  # read timeout: the service may still be working; never retried
                breaker.failure("timeout")
                raise ServiceUnavailable(service, f"the {service} service did not answer in time") from exc
            except requests.RequestException as exc:  # the answer was cut off (a worker killed mid-answer):
                # the service may have acted, so it is never retried here; 503, not a 500 of the gateway's own
                breaker.failure("refused")
                raise ServiceUnavailable(service, f"the {service} service's answer was cut off; try again") from exc
            if resp.status_code in (502, 503, 504) and method in IDEMPOTENT and attempt + 1 < attempts \
                    and self._may_retry(started, attempt):
                time.sleep(0.05 * (attempt + 1))
                continue
            if resp.status_code >= 502:
                breaker.failure("timeout" if resp.status_code == 504 else "refused")
            else:
                breaker.success()
            out = {k: v for k, v in resp.headers.items() if k in FORWARDED_RESPONSE_HEADERS}
            return Upstream(resp.status_code, resp.content, out)
        breaker.failure(kind)
        log.warning("%s unreachable: %s", service, last)
        raise ServiceUnavailable(service, f"the {service} service is unavailable; try again shortly")

    def _ready(self, service: str) -> bool:
        """The early probe of an open breaker: is the service back (its web process and database)?"""
        try:
            resp = self.session.get(f"{self.settings.url_of(service)}/readyz?check=database",
                                    timeout=self.probe_timeout, allow_redirects=False)
        except requests.RequestException:
            return False
        return resp.status_code == 200

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
