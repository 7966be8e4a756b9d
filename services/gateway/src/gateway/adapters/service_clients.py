"""HTTP clients of the four domain services (the gateway never reads their databases)."""
from __future__ import annotations

import threading
import time

import requests

from liandong.config import Settings


class ServiceDirectory:
    def __init__(self, settings: Settings, services: tuple[str, ...], timeout: float = 2.0):
        self.settings = settings
        self.services = services
        self.timeout = timeout
        self.session = requests.Session()

    def url(self, service: str) -> str:
        return self.settings.url_of(service)

    def readiness(self, service: str) -> dict:
        try:
            resp = self.session.get(f"{self.url(service)}/readyz", timeout=self.timeout)
        except requests.RequestException as exc:
            raise RuntimeError(f"{service} is not reachable: {type(exc).__name__}") from exc
        body = resp.json() if resp.headers.get("content-type", "").startswith("application/json") else {}
        if resp.status_code != 200:
            failing = [k for k, v in (body.get("checks") or {}).items() if not v.get("ready")]
            raise RuntimeError(f"{service} is not ready: {', '.join(failing) or resp.status_code}")
        return {"url": self.url(service)}


class ServiceStatus:
    """Which domain services are not ready now (service -> why), asked at most every `ttl` seconds.

    The overview answers from the gateway's read models whatever is down, and names the services
    whose figures have stopped (down, or their worker not relaying their events)."""

    def __init__(self, settings: Settings, services: tuple[str, ...], ttl: float = 3.0, timeout: float = 1.0):
        self.directory = ServiceDirectory(settings, services, timeout=timeout)
        self.ttl = ttl
        self.lock = threading.Lock()
        self.cached: tuple[float, dict] | None = None

    def __call__(self) -> dict:
        with self.lock:
            if self.cached and time.monotonic() - self.cached[0] < self.ttl:
                return self.cached[1]
            down = {}
            for service in self.directory.services:
                try:
                    self.directory.readiness(service)
                except Exception as exc:  # noqa: BLE001 - any failure means its figures may be behind
                    down[service] = str(exc)[:200]
            self.cached = (time.monotonic(), down)
            return down
