"""Activity rules without I/O: the waitlist, substitutes, attendance, corrections and no-shows."""
from datetime import datetime, timezone

import pytest

from liandong.errors import Conflict, InvalidTransition, ValidationFailed

from volunteer.domain import model

T0 = "2026-03-05T01:00:00.000000Z"


def activity(capacity=2, rate=10):
    a = model.Activity(id="act-1", title="敬老", type="elderly_care", org_unit_id="jiayuan",
                       org_path="/chuanying/huangqi/jiayuan/", place="服务站", starts_at=T0,
                       ends_at="2026-03-05T04:00:00.000000Z", capacity=capacity, organiser_id="u-1",
                       checkin_code="123456", coins_per_hour=rate)
    a.publish()
    return a


def test_signup_waitlist_and_promotion_in_arrival_order():
    a = activity(capacity=2)
    assert [a.sign_up(v, T0) for v in ("a", "b", "c", "d")] == ["signed_up", "signed_up", "waitlisted", "waitlisted"]
    assert a.cancel_signup("c", T0) is None  # leaving the waitlist promotes nobody
    assert a.cancel_signup("a", T0) == "d"
    assert a.taken == 2 and a.waitlist == []
    assert [e.status for e in a.events if isinstance(e, model.SignedUp)][-1] == "promoted"
    with pytest.raises(Conflict):
        a.sign_up("b", T0)
    a.sign_up("a", T0)  # after cancelling one may sign up again
    assert a.waitlist == ["a"]


def test_signup_needs_a_published_activity():
    a = activity()
    a.cancel()
    with pytest.raises(InvalidTransition):
        a.sign_up("a", T0)


def test_substitute_takes_the_place_ahead_of_the_waitlist():
    a = activity(capacity=1)
    a.sign_up("a", T0)
    a.sign_up("w", T0)
    a.substitute("a", "s", T0)
    assert a.status_of("s") == "signed_up" and a.status_of("a") is None and a.waitlist == ["w"]
    with pytest.raises(Conflict):
        a.substitute("w", "x", T0)  # a waitlisted volunteer has no place to hand on


def test_attendance_minutes_become_coins_at_the_rate_and_corrections_log_the_delta():
    a = activity(rate=12)
    a.sign_up("a", T0)
    with pytest.raises(ValidationFailed):
        a.check_in("a", T0, code="000000")
    a.check_in("a", T0, code="123456")
    att = a.check_out("a", "2026-03-05T02:35:00.000000Z", code="123456")
    assert (att.minutes, att.coins) == (95, 19)
    fixed = a.correct("a", 60, "早退", "u-1", T0)
    assert (fixed.minutes, fixed.coins) == (60, 12) and fixed.corrections[0]["from_minutes"] == 95
    recorded = [e for e in a.events if isinstance(e, model.AttendanceRecorded)]
    assert [(e.delta_minutes, e.delta_coins) for e in recorded] == [(95, 19), (-35, -7)]
    with pytest.raises(ValidationFailed):
        a.correct("a", 30, " ", "u-1", T0)


def test_attendance_only_for_place_holders_and_times_in_order():
    a = activity(capacity=1)
    a.sign_up("a", T0)
    a.sign_up("w", T0)
    with pytest.raises(Conflict):
        a.record("w", T0, "2026-03-05T02:00:00.000000Z")
    with pytest.raises(ValidationFailed):
        a.record("a", "2026-03-05T02:00:00.000000Z", T0)


def test_complete_marks_no_shows():
    a = activity(capacity=3)
    for v in ("a", "b", "c"):
        a.sign_up(v, T0)
    a.record("a", T0, "2026-03-05T02:00:00.000000Z")
    a.check_in("b", T0)
    assert a.complete() == ["c"]
    assert a.attendance["c"].no_show and not a.attendance["b"].no_show


def test_reminder_due_within_the_window_once():
    a = activity()
    before = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.utc)
    assert a.due_for_reminder(before)
    assert not a.due_for_reminder(datetime(2026, 3, 2, tzinfo=timezone.utc))
    a.reminded_at = T0
    assert not a.due_for_reminder(before)


def test_volunteer_needs_consent_and_cobuilding_members_name_their_unit():
    kw = dict(id="v", name="张", org_unit_id="jiayuan", org_path="/x/", now=T0)
    with pytest.raises(ValidationFailed):
        model.Volunteer.register(kind="resident", consent=False, **kw)
    with pytest.raises(ValidationFailed):
        model.Volunteer.register(kind="cobuilding_member", consent=True, **kw)
    v = model.Volunteer.register(kind="party_member", consent=True, **kw)
    v.events.clear()
    v.set_status("paused", T0)
    assert v.events == []  # paused: still registered
    v.set_status("left", T0)
    v.set_status("left", T0)
    assert v.events == [model.VolunteerLeft("v", T0)]  # leaving is announced once: the registered go down
    with pytest.raises(InvalidTransition):
        v.set_status("active", T0)
