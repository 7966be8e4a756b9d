"""The periodic scans called directly with a fixed clock, and run by the worker on its own."""
from liandong.clock import FixedClock, to_iso
from liandong.testing import wait_for

from security.adapters.repositories import Repositories
from security.bootstrap import create_platform
from security.domain.corrections import SupervisedPerson
from security.domain.migrants import Migrant
from security.service_layer.jobs import announce_expiring_permits, flag_overdue_visits, record_lapsed_permits


T0 = "2026-03-01T08:00:00.000000Z"


def repos_with(settings, clock) -> Repositories:
    platform = create_platform(settings)
    platform.clock = clock
    repos = Repositories(platform.deps)
    repos.prepare()
    return repos


def add_migrant(repos, mid: str, expires_on: str, status: str = "active") -> None:
    m = Migrant.register(id=mid, org_path="/chuanying/huangqi/jiayuan/", org_unit_id="jiayuan",
                         community_id="jiayuan", name="赵", id_number=mid, origin="舒兰", address="1号楼",
                         permit_expires_on=expires_on, registered_by="u1", now="2026-01-05T08:00:00.000000Z")
    m.status = status
    repos.migrants.add(m)


def test_the_expiry_scan_announces_each_permit_once(make_settings):
    clock = FixedClock(T0)
    repos = repos_with(make_settings(service="security"), clock)
    add_migrant(repos, "m-in-7", "2026-03-08")
    add_migrant(repos, "m-in-8", "2026-03-09")
    add_migrant(repos, "m-gone", "2026-03-02", status="moved_out")
    add_migrant(repos, "m-past", "2026-02-20")  # expired already and never announced: announce it now
    assert sorted(announce_expiring_permits(repos, clock)) == ["m-in-7", "m-past"]
    assert announce_expiring_permits(repos, clock) == []
    clock.advance(days=1)
    assert announce_expiring_permits(repos, clock) == ["m-in-8"]
    outbox = repos.migrants.collection.find_one({"_id": "m-in-7"})["_outbox"]
    assert [e["type"] for e in outbox] == ["liandong.security.migrant.registered.v1",
                                           "liandong.security.migrant.permit_expiring.v1"]
    assert outbox[1]["data"]["days_left"] == 7


def test_the_lapse_scan_records_each_unrenewed_permit_once(make_settings):
    clock = FixedClock(T0)  # 2026-03-01
    repos = repos_with(make_settings(service="security"), clock)
    add_migrant(repos, "m-today", "2026-03-01")  # valid through today
    add_migrant(repos, "m-past", "2026-02-20")
    add_migrant(repos, "m-gone", "2026-02-20", status="moved_out")
    assert record_lapsed_permits(repos, clock) == ["m-past"]
    assert record_lapsed_permits(repos, clock) == []
    clock.advance(days=1)
    assert record_lapsed_permits(repos, clock) == ["m-today"]
    outbox = repos.migrants.collection.find_one({"_id": "m-past"})["_outbox"]
    assert outbox[-1]["type"] == "liandong.security.migrant.permit_lapsed.v1"
    assert outbox[-1]["data"]["expired_on"] == "2026-02-20"


def test_the_overdue_scan_flags_each_missed_visit_once(make_settings):
    clock = FixedClock(T0)
    repos = repos_with(make_settings(service="security"), clock)
    person = SupervisedPerson.enrol(id="c1", org_path="/chuanying/huangqi/jiayuan/", org_unit_id="jiayuan",
                                    name="钱", id_number="x", category="released_support", visit_interval_days=30,
                                    responsible_worker_id="w", responsible_worker_name="刘", now=T0)
    repos.corrections.add(person)
    clock.advance(days=30)
    assert flag_overdue_visits(repos, clock) == []
    clock.advance(minutes=1)
    assert flag_overdue_visits(repos, clock) == ["c1"]
    assert flag_overdue_visits(repos, clock) == []
    p = repos.corrections.get("c1")
    p.log_visit(to_iso(clock.now()), "w", "刘", "走访")
    repos.corrections.save(p)
    clock.advance(days=31)
    assert flag_overdue_visits(repos, clock) == ["c1"]  # the next missed visit is a new notice


def test_the_worker_runs_the_expiry_scan_by_itself(make_svc):
    from .test_migrants import migrant

    svc = make_svc(scan_seconds=0.2)
    created = svc.post("/migrants", migrant(seq=11, expires_in_days=20)).get_json()
    svc.move_clock(days=14)
    events = svc.published_once_settled("liandong.security.migrant.permit_expiring.v1", created["id"])
    assert [e.data["days_left"] for e in events] == [6]
    wait_for(lambda: svc.worker.relay.pending() == 0, 10, message="outbox drained")
