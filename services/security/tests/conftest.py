"""Fixtures: the gateway's worker publishes the demo org tree; the security worker learns it and relays events."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from liandong.events.envelope import Envelope
from liandong.ids import new_id
from liandong.testing import auth_headers, wait_for

from gateway.bootstrap import create_worker as gateway_worker
from security.bootstrap import create_app, create_worker

JIAYUAN = dict(org_unit="jiayuan", org_path="/chuanying/huangqi/jiayuan/")
HUANGQI = dict(org_unit="huangqi", org_path="/chuanying/huangqi/")
CEGUAN = dict(org_unit="ceguan", org_path="/chuanying/ceguan/")


@dataclass
class Service:
    settings: object
    client: object
    worker: object
    _consumer: object = None
    _seen: list = field(default_factory=list)

    def headers(self, role: str = "community_police", where: dict = JIAYUAN, **kw) -> dict:
        return auth_headers(self.settings, role=role, **where, **kw)

    def post(self, url: str, body: dict | None = None, role: str = "community_police", where: dict = JIAYUAN, **kw):
        return self.client.post(f"/api/v1/security{url}", json=body or {}, headers=self.headers(role, where, **kw))

    def get(self, url: str, role: str = "community_police", where: dict = JIAYUAN, **kw):
        return self.client.get(f"/api/v1/security{url}", headers=self.headers(role, where, **kw))

    def move_clock(self, days: float) -> None:
        """Every process reading this clock file now lives `days` later (the FileClock offset)."""
        with open(self.settings.clock_file, "w") as fh:
            fh.write(str(days * 86400))

    def published(self, event_type: str, subject: str | None = None) -> list:
        """Events of this type (and subject) the relay has put on the bus so far, read by a group of our own."""
        if self._consumer is None:
            self._consumer = self.worker.relay.bus.consumer(new_id(), ["security.events"])
        while True:
            batch = self._consumer.poll(max_records=500, timeout=0.5)
            if not batch:
                break
            self._seen += [Envelope.from_json(m.value) for m in batch]
        return [e for e in self._seen if e.type == event_type and (subject is None or e.subject == subject)]

    def published_once_settled(self, event_type: str, subject: str | None = None) -> list:
        """The events once the relay has nothing pending (so a duplicate would have shown up by now)."""
        wait_for(lambda: self.published(event_type, subject), 20, message=f"{event_type} published")
        wait_for(lambda: self.worker.relay.pending() == 0, 20, message="the outbox drained")
        return self.published(event_type, subject)

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()


def start_service(settings, scan_seconds: float = 300.0):
    gw = gateway_worker(settings.for_service("gateway"))
    worker = create_worker(settings, scan_seconds=scan_seconds)
    gw.start()
    worker.start()
    client = create_app(settings).test_client()
    h = auth_headers(settings)
    for unit in ("jiayuan-b1", "yangchun", "yangshang"):
        wait_for(lambda u=unit: client.get(f"/api/v1/security/org-units/{u}", headers=h).status_code == 200, 30,
                 message=f"security learns org unit {unit}")
    return gw, worker, Service(settings, client, worker)


def stop(*workers) -> None:
    for w in workers:
        w.stop.set()
    for w in workers:
        for t in w.threads:
            t.join(timeout=10)


@pytest.fixture
def svc(make_settings, tmp_path):
    settings = make_settings(service="security", clock_file=str(tmp_path / "clock"))
    gw, worker, service = start_service(settings)
    try:
        yield service
    finally:
        service.close()
        stop(worker, gw)


@pytest.fixture
def mongo_svc(make_settings, tmp_path, mongo_uri):
    settings = make_settings(service="security", store="mongo", clock_file=str(tmp_path / "clock"))
    gw, worker, service = start_service(settings)
    try:
        yield service
    finally:
        service.close()
        stop(worker, gw)
