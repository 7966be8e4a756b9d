"""The security domain without I/O: lifecycles, once-only announcements, rates from summed cases."""
from datetime import timedelta

import pytest

from liandong.clock import FixedClock, to_iso
from liandong.errors import Conflict, InvalidTransition, ValidationFailed

from security.domain import statistics
from security.domain.base import rate
from security.domain.corrections import SupervisedPerson, VisitOverdue
from security.domain.disputes import Dispute, DisputeMediated
from security.domain.incidents import Incident, IncidentReported, IncidentResolved
from security.domain.migrants import Migrant, MigrantMovedOut, MigrantRegistered, PermitExpiring, PermitLapsed, PermitRenewed
from security.domain.patrols import PatrolRun, PatrolRunCompleted, Route, shift_status

T0 = "2026-03-01T08:00:00.000000Z"


def at(minutes: float) -> str:
    return to_iso(FixedClock(T0).now() + timedelta(minutes=minutes))


@pytest.mark.parametrize("num, den, expected", [(91, 98, 0.9286), (9, 10, 0.9), (10, 12, 0.8333), (1, 3, 0.3333),
                                                (2, 3, 0.6667), (1, 32, 0.0313), (0, 5, 0.0), (5, 5, 1.0),
                                                (0, 0, None)])
def test_rates_are_fractions_rounded_half_up_from_counts(num, den, expected):
    assert rate(num, den) == expected


def test_mediation_figures_sum_cases_rather_than_average_rates():
    a = ["agreement"] * 9 + ["failed"]
    b = ["agreement", "referred_to_court"]
    assert statistics.mediation_figures(a)["success_rate"] == 0.9
    assert statistics.mediation_figures(b)["success_rate"] == 0.5
    both = statistics.mediation_figures(a + b)
    assert (both["mediations"], both["succeeded"], both["success_rate"]) == (12, 10, 0.8333)


def incident(type_: str = "gas_leak") -> Incident:
    return Incident.report(id="i1", org_path="/c/h/j/", org_unit_id="j", type=type_, severity="high",
                           description="燃气味", reported_by_kind="resident", reporter_user_id="u1", now=T0)


def test_an_incident_records_its_times_and_refuses_skipping_steps():
    i = incident()
    assert i.emergency and i.events == [IncidentReported("i1")]
    assert not incident("theft").emergency
    with pytest.raises(InvalidTransition):
        i.close(at(1), "u2")
    i.dispatch("刘警官", at(2), "u2")
    i.arrive(at(15), "u2")
    i.resolve("已处理", at(40), "u2")
    i.close(at(60), "u2")
    assert (i.response_minutes, i.resolution_minutes) == (15, 40)
    assert i.events[-1] == IncidentResolved("i1")
    with pytest.raises(InvalidTransition):
        i.resolve("again", at(70), "u2")


def test_response_time_falls_back_to_resolution_when_nobody_logged_on_scene():
    i = incident()
    i.dispatch("a", at(1), "u")
    i.resolve("done", at(30), "u")
    assert i.response_minutes == 30
    assert statistics.incident_figures([i, incident("theft")])["mean_response_minutes"] == 30


def route() -> Route:
    return Route(id="r1", org_path="/c/h/j/", org_unit_id="j", name="夜巡", created_at=T0,
                 checkpoints=[{"id": "cp-1", "name": "东门"}, {"id": "cp-2", "name": "车棚"}])


def run(participants=None) -> PatrolRun:
    return PatrolRun.start(id="run1", org_path="/c/h/j/", org_unit_id="j", route=route(), started_at=T0,
                           started_by="u1", participants=participants if participants is not None else [
                               {"person_name": "张建国", "kind": "lane_guard", "volunteer_id": "v1"},
                               {"person_name": "刘警官", "kind": "police", "volunteer_id": None}])


def test_a_completed_run_lists_missed_checkpoints_and_credits_every_participant():
    r = run()
    r.check_in("cp-1", at(10), "u1", finding={"kind": "hazard", "description": "井盖松动"})
    with pytest.raises(Conflict):
        r.check_in("cp-1", at(11), "u1")
    with pytest.raises(ValidationFailed):
        r.check_in("cp-9", at(11), "u1")
    assert r.missed_checkpoints == []  # not over yet
    r.complete(at(90))
    assert [c["id"] for c in r.missed_checkpoints] == ["cp-2"]
    assert r.events == [PatrolRunCompleted("run1")]
    assert [(p["volunteer_id"], p["minutes"]) for p in r.participant_minutes()] == [("v1", 90), (None, 90)]
    with pytest.raises(InvalidTransition):
        r.complete(at(95))
    with pytest.raises(InvalidTransition):
        r.check_in("cp-2", at(96), "u1")
    assert statistics.patrol_figures([r])["checkpoint_coverage_rate"] == 0.5


def test_a_run_needs_distinct_participants():
    with pytest.raises(ValidationFailed):
        run([])
    with pytest.raises(ValidationFailed):
        run([{"person_name": "a", "kind": "police"}, {"person_name": "a", "kind": "staff"}])


def test_shift_status():
    assert shift_status({"ends_at": at(10), "run_id": None}, at(20)) == "missed"
    assert shift_status({"ends_at": at(10), "run_id": "x"}, at(20)) == "covered"
    assert shift_status({"ends_at": at(30), "run_id": None}, at(20)) == "planned"


def migrant(expires_on: str | None = "2026-03-08") -> Migrant:
    return Migrant.register(id="m1", org_path="/c/h/j/", org_unit_id="j", community_id="j", name="赵",
                            id_number="x", origin="舒兰", address="1号楼", permit_expires_on=expires_on,
                            registered_by="u1", now=T0)


def test_a_permit_is_announced_once_per_expiry_date():
    clock = FixedClock(T0)
    m = migrant("2026-03-09")  # 8 days ahead
    assert m.events == [MigrantRegistered("m1")]
    m.events.clear()
    assert not m.announce_expiry(clock.now())
    clock.advance(days=1)
    assert m.announce_expiry(clock.now()) and m.events == [PermitExpiring("m1", 7)]
    assert not m.announce_expiry(clock.now())
    m.renew_permit("new", "2026-03-06", clock.now())  # a new date is a new notice
    assert m.events[-1] == PermitExpiring("m1", 4) and not m.announce_expiry(clock.now())
    assert not migrant(None).expiring_within(7, clock.now())


def test_a_permit_about_to_expire_is_announced_at_registration():
    m = migrant("2026-03-05")
    assert m.events == [MigrantRegistered("m1"), PermitExpiring("m1", 4)]


def test_a_moved_out_registration_is_no_longer_checked_or_announced():
    m = migrant()
    m.verify("moved_out", at(1), "u1")
    assert m.status == "moved_out" and not m.announce_expiry(FixedClock(T0).now())
    with pytest.raises(InvalidTransition):
        m.verify("present", at(2), "u1")


def test_a_permit_lapses_once_after_its_expiry_date_and_moving_out_says_whether_it_had():
    clock = FixedClock(T0)  # 2026-03-01
    m = migrant("2026-03-01")
    m.events.clear()
    assert not m.lapse(clock.now())  # valid through its expiry date
    clock.advance(days=1)
    assert m.lapse(clock.now()) and m.events[-1] == PermitLapsed("m1", "2026-03-01")
    assert not m.lapse(clock.now())  # once
    m.renew_permit("new", "2027-03-01", clock.now())
    assert m.events[-1] == PermitRenewed("m1", True) and not m.permit_lapsed
    clock.advance(days=400)
    assert m.lapse(clock.now())
    m.verify("moved_out", at(1), "u1")
    assert m.events[-1] == MigrantMovedOut("m1", at(1), True) and m.moved_out_at == at(1)
    assert not m.lapse(clock.now())  # a registration that ended lapses no more


def test_an_overdue_visit_is_flagged_once_and_a_visit_sets_the_next_due_date():
    clock = FixedClock(T0)
    p = SupervisedPerson.enrol(id="c1", org_path="/c/h/j/", org_unit_id="j", name="钱", id_number="x",
                               category="community_correction", visit_interval_days=7, responsible_worker_id="w",
                               responsible_worker_name="刘", now=T0)
    assert p.next_visit_due == "2026-03-08T08:00:00.000000Z"
    clock.advance(days=10)
    assert p.flag_overdue(clock.now()) and p.events == [VisitOverdue("c1", 3)]
    assert not p.flag_overdue(clock.now())
    p.log_visit(to_iso(clock.now()), "w", "刘", "走访")
    assert not p.is_overdue(clock.now()) and p.next_visit_due == "2026-03-18T08:00:00.000000Z"


def test_a_dispute_is_mediated_once_and_followed_up_afterwards():
    d = Dispute(id="d1", org_path="/c/h/j/", org_unit_id="j", type="neighbour", summary="漏水",
                parties=[{"name": "a"}, {"name": "b"}], mediator_name="何", registered_at=T0, registered_by="u")
    with pytest.raises(InvalidTransition):
        d.follow_up(at(1), "u", "x", True)
    d.hold_session(at(5), "u", "第一次")
    d.conclude("agreement", at(10))
    assert d.succeeded and d.events == [DisputeMediated("d1")]
    with pytest.raises(InvalidTransition):
        d.conclude("failed", at(11))
    with pytest.raises(InvalidTransition):
        d.hold_session(at(12), "u", "again")
    d.follow_up(at(20), "u", "回访", True)
    assert len(d.follow_ups) == 1
