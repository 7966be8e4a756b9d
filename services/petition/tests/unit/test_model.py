"""The petition state machine: guarded transitions, the five particulars, deadlines, overdue, timeline."""
from datetime import date, timedelta

import pytest

from liandong.clock import FixedClock
from liandong.errors import InvalidTransition, ValidationFailed

from petition.domain import model, rules
from petition.domain.model import Actor, Petition

CAL = rules.Calendar()
WORKER = Actor("u-1", "李社工")
CATS = rules.DEFAULT_CATEGORIES


def new_case(clock, **kw) -> Petition:
    args = dict(petition_id="p-1", org_unit_id="jiayuan-b1", org_path="/chuanying/huangqi/jiayuan/jiayuan-g1/jiayuan-b1/",
                org_level="building", category="environment_noise", channel="visit",
                content="电机厂冲床噪音扰民", petitioners=[{"name": "刘女士", "representative": True}],
                headcount=None, anonymous=False, actor=WORKER, now=clock.now(), calendar=CAL, categories=CATS)
    args.update(kw)
    return Petition.register(**args)


def assign(case, clock, deadline=None):
    case.assign(unit={"kind": "department", "id": "environment", "name": "环保"}, person="王科长",
                deadline=deadline or date(2026, 3, 13), task="核查噪音", requirement="书面答复", actor=WORKER,
                now=clock.now(), calendar=CAL)


@pytest.fixture
def clock():
    return FixedClock("2026-03-02T01:00:00.000000Z")  # Monday 09:00 in Beijing


def test_full_lifecycle_keeps_a_timeline(clock):
    case = new_case(clock, headcount=40)
    assert case.state == "registered" and case.public_status == "受理"
    assert case.is_group and case.risk_flags == ["group_petition"]
    assert case.level == "community" and case.deadline == "2026-03-16"  # 10 working days
    assert case.first_receiver == {"user_id": "u-1", "name": "李社工"}
    assign(case, clock)
    assert case.state == "assigned" and case.deadline == "2026-03-13" and case.owner["name"] == "王科长"
    case.start(mode="mediation", note="", actor=WORKER, now=clock.now())
    assert case.public_status == "办理中"
    clock.advance(days=3)
    case.answer_petitioner(text="已责令厂方搬迁冲床车间", actor=WORKER, now=clock.now())
    assert case.answered_on_time is True
    case.close(satisfaction="satisfied", note="", actor=WORKER, now=clock.now())
    assert case.state == "closed" and case.public_status == "办结"
    assert [e["action"] for e in case.timeline] == ["register", "risk_flagged", "assign", "start", "answer", "close"]
    assert [type(e).__name__ for e in case.events] == ["PetitionRegistered", "RiskFlagged", "PetitionAssigned",
                                                       "PetitionAnswered", "PetitionClosed"]


@pytest.mark.parametrize("action", ["start", "answer", "close", "resume"])
def test_illegal_transitions_are_refused(clock, action):
    case = new_case(clock)
    calls = {"start": lambda: case.start(mode="mediation", note="", actor=WORKER, now=clock.now()),
             "answer": lambda: case.answer_petitioner(text="x", actor=WORKER, now=clock.now()),
             "close": lambda: case.close(satisfaction="satisfied", note="", actor=WORKER, now=clock.now()),
             "resume": lambda: case.resume(note="", actor=WORKER, now=clock.now(), calendar=CAL)}
    with pytest.raises(InvalidTransition):
        calls[action]()
    assert case.state == "registered" and len(case.timeline) == 1


def test_assignment_needs_all_five_particulars(clock):
    case = new_case(clock)
    with pytest.raises(ValidationFailed) as err:
        case.assign(unit={"kind": "department", "id": "environment"}, person="", deadline=None, task="",
                    requirement=" ", actor=WORKER, now=clock.now(), calendar=CAL)
    assert set(err.value.fields) == {"person", "deadline", "task", "requirement"}
    assert case.state == "registered" and not case.assignments


def test_registration_validates_fields():
    clock = FixedClock("2026-03-02T01:00:00.000000Z")
    with pytest.raises(ValidationFailed) as err:
        new_case(clock, category="weather", petitioners=[], channel="visit")
    assert set(err.value.fields) == {"category", "petitioners"}
    with pytest.raises(ValidationFailed) as err:
        new_case(clock, anonymous=True, petitioners=[], channel="hotline")
    assert "anonymous" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        new_case(clock, headcount=1, petitioners=[{"name": "甲"}, {"name": "乙"}])
    assert "headcount" in err.value.fields
    group = new_case(clock, headcount=12, petitioners=[{"name": "甲"}, {"name": "乙"}])
    assert group.is_group and [p.get("representative") for p in group.petitioners] == [True, None]
    assert new_case(clock, is_group=True, headcount=3).risk_flags == ["group_petition"]
    anon = new_case(clock, anonymous=True, petitioners=[], channel="letter")
    assert anon.anonymous and anon.headcount == 1


def test_suspension_stops_the_deadline_clock(clock):
    case = new_case(clock)
    assign(case, clock, deadline=date(2026, 3, 13))
    case.suspend(reason="等待鉴定结果", actor=WORKER, now=clock.now())
    assert case.state == "suspended"
    assert not case.mark_overdue(now=clock.now() + timedelta(days=30), supervisor_level="subdistrict")
    clock.advance(days=7)  # Monday to Monday: five working days paused
    case.resume(note="", actor=WORKER, now=clock.now(), calendar=CAL)
    assert case.state == "assigned" and case.deadline == "2026-03-20"


def test_overdue_flags_and_hands_to_the_supervisor_once(clock):
    case = new_case(clock)
    assign(case, clock, deadline=date(2026, 3, 3))
    case.events.clear()
    assert not case.mark_overdue(now=clock.now() + timedelta(days=1), supervisor_level="subdistrict")
    late = clock.now() + timedelta(days=3)
    assert case.mark_overdue(now=late, supervisor_level="subdistrict")
    assert not case.mark_overdue(now=late, supervisor_level="subdistrict")
    assert case.overdue and case.supervision["required"] and case.supervision["level"] == "subdistrict"
    assert [type(e).__name__ for e in case.events] == ["PetitionOverdue", "PetitionEscalated"]
    case.supervise(note="限三日内办结", new_deadline=date(2026, 3, 9), supervisor=Actor("u-9", "张主任"), now=late,
                   calendar=CAL)
    assert not case.overdue and case.deadline == "2026-03-09" and case.supervision["supervisor"]["name"] == "张主任"
    case.start(mode="on_site_check", note="", actor=WORKER, now=late)
    case.answer_petitioner(text="已解决", actor=WORKER, now=late)
    assert case.answered_on_time is False  # it was overdue once


def test_escalation_goes_up_one_level_and_reassigns(clock):
    case = new_case(clock)
    case.escalate(reason="社区无法协调", actor=WORKER, now=clock.now(), calendar=CAL, categories=CATS)
    assert case.state == "escalated" and case.level == "subdistrict" and case.deadline == "2026-03-23"
    assign(case, clock)
    assert case.state == "assigned"
    case.escalate(reason="街道无法协调", actor=WORKER, now=clock.now(), calendar=CAL, categories=CATS)
    with pytest.raises(InvalidTransition):
        case.escalate(reason="again", actor=WORKER, now=clock.now(), calendar=CAL, categories=CATS)


def test_reopen_after_close_and_mediation_is_recorded_once(clock):
    case = new_case(clock)
    assign(case, clock)
    case.start(mode="mediation", note="", actor=WORKER, now=clock.now())
    assert case.record_mediation(outcome="agreement", source="security", note="", actor=WORKER, now=clock.now(),
                                 event_id="e-1")
    assert not case.record_mediation(outcome="agreement", source="security", note="", actor=WORKER,
                                     now=clock.now(), event_id="e-1")
    assert len(case.mediations) == 1
    case.answer_petitioner(text="调解成功", actor=WORKER, now=clock.now())
    case.close(satisfaction="not", note="", actor=WORKER, now=clock.now())
    case.reopen(reason="协议未履行", actor=WORKER, now=clock.now(), calendar=CAL, categories=CATS)
    assert case.state == "in_handling" and case.reopened_count == 1 and case.satisfaction is None


def test_reminder_comes_one_working_day_before(clock):
    case = new_case(clock)
    assign(case, clock, deadline=date(2026, 3, 9))  # Monday: reminded from Friday the 6th
    assert not case.remind(now=clock.now())
    assert case.remind(now=clock.now() + timedelta(days=4))
    assert not case.remind(now=clock.now() + timedelta(days=4))


def test_states_and_public_status_cover_each_other():
    assert set(model.PUBLIC_STATUS) == set(model.STATES)
