"""The security service as its tests drive it: `liandong.testing.ServiceHarness` (the gateway's worker
publishes the demo org tree; the security worker learns it and relays events), speaking as a caller
of a role in an org unit, with a clock the test moves.

`svc` is sqlite unless a test parametrizes it (`@pytest.mark.parametrize("svc", STORES, indirect=True)`);
`make_svc(store=..., bus=..., scan_seconds=...)` for other backends or worker settings."""
from __future__ import annotations

import pytest

from liandong.testing import ServiceHarness, wait_for

import security.bootstrap

JIAYUAN = dict(org_unit="jiayuan", org_path="/chuanying/huangqi/jiayuan/")
HUANGQI = dict(org_unit="huangqi", org_path="/chuanying/huangqi/")
CEGUAN = dict(org_unit="ceguan", org_path="/chuanying/ceguan/")
UNITS = ("jiayuan-b1", "yangchun", "yangshang")  # a building of 家园 and two communities of 策冠
QUIET_SCANS = 300.0  # the worker's scans stay out of the way unless a test asks for them


class SecurityHarness(ServiceHarness):
    api_prefix = "/api/v1/security"

    def __init__(self, module, settings, worker_kw=None, wait_units=UNITS, org_timeout: float = 30.0):
        super().__init__(module, settings, worker_kw={"scan_seconds": QUIET_SCANS, **(worker_kw or {})},
                         wait_units=wait_units, org_timeout=org_timeout)

    @property
    def worker(self):
        return self.workers[1]

    def headers(self, role: str = "community_police", where: dict = JIAYUAN, **kw) -> dict:
        """A caller of `role` in `where` (claims such as user_id and duties in `kw`)."""
        return super().headers(role, **where, **kw)

    def post(self, url: str, body: dict | None = None, role: str = "community_police", where: dict = JIAYUAN, **kw):
        return self.client.post(self.api_prefix + url, json=body or {}, headers=self.headers(role, where, **kw))

    def get(self, url: str, role: str = "community_police", where: dict = JIAYUAN, **kw):
        return self.client.get(self.api_prefix + url, headers=self.headers(role, where, **kw))

    def admin_get(self, url: str):
        """As the district admin (the audit trail's reader)."""
        return self.client.get(self.api_prefix + url, headers=ServiceHarness.headers(self))

    def move_clock(self, days: float) -> None:
        """Every process reading this clock file now lives `days` later (the FileClock offset)."""
        with open(self.settings.clock_file, "w") as fh:
            fh.write(str(days * 86400))

    def published(self, event_type: str, subject: str | None = None) -> list:
        """Events of this type (and subject) the relay has put on the bus so far."""
        return [e for e in self.events({event_type}) if subject is None or e.subject == subject]

    def published_once_settled(self, event_type: str, subject: str | None = None) -> list:
        """The events once the relay has nothing pending (so a duplicate would have shown up by now)."""
        wait_for(lambda: self.published(event_type, subject), 20, message=f"{event_type} published")
        wait_for(lambda: self.worker.relay.pending() == 0, 20, message="the outbox drained")
        return self.published(event_type, subject)


@pytest.fixture
def make_svc(make_harness, tmp_path):
    def make(store: str = "sqlite", bus: str = "embedded", scan_seconds: float = QUIET_SCANS) -> SecurityHarness:
        return make_harness(SecurityHarness, security.bootstrap, store=store, bus=bus,
                            worker_kw={"scan_seconds": scan_seconds}, clock_file=str(tmp_path / f"clock-{store}"))
    return make


@pytest.fixture
def svc(request, make_svc) -> SecurityHarness:
    return make_svc(getattr(request, "param", "sqlite"))
