"""HTTP clients of the four domain services (the gateway never reads their databases)."""
from __future__ import annotations

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
