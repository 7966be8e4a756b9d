"""The review workflow, re-review and the redemption saga as state machines (no I/O)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from liandong.errors import InvalidTransition, ValidationFailed

from welfare.adapters.programme_config import load_catalogue
from welfare.domain import cases, supermarket
from welfare.domain.programmes import Household, Member

CAT = load_catalogue()
DIBAO = CAT.get("dibao_urban")
PATH = "/chuanying/huangqi/jiayuan/"
T0 = datetime(2026, 3, 2, 1, tzinfo=timezone.utc)


def hh(*incomes):
    return Household(tuple(Member(f"m{i}", "x", "applicant" if i == 0 else "child", inc) for i, inc in enumerate(incomes)))


def hh_dict(n):
    return {"members": [{"name": f"m{i}"} for i in range(n)]}


def application(incomes=(80000, 0, 0)):
    return cases.Application.submit("a1", PATH, "jiayuan", "dibao_urban", hh_dict(len(incomes)), "window", "w1",
                                    "2026-03-02T01:00:00.000000Z", CAT.check(DIBAO, hh(*incomes), PATH, 2026))


def test_steps_only_in_order():
    app = application()
    ok = CAT.check(DIBAO, hh(80000, 0, 0), PATH, 2026)
    with pytest.raises(InvalidTransition):
        app.approve("g", ok, "s1", "2026-03-20T00:00:00.000000Z")  # not reviewed by the community
    app.community_review(True, "w1", T0, 7)
    assert app.status == "in_notice" and app.notice_ends_at == "2026-03-09T01:00:00.000000Z"
    with pytest.raises(InvalidTransition):
        app.approve("g", ok, "s1", "2026-03-05T00:00:00.000000Z")  # notice still running
    app.approve("g", ok, "s1", "2026-03-09T01:00:00.000000Z")
    assert app.status == "approved" and [type(e).__name__ for e in app.events] == [
        "ApplicationSubmitted", "CommunityReviewed", "ApplicationApproved"]
    for act in (lambda: app.community_review(True, "w", T0, 1), lambda: app.reject("x", "y", "z", "t"),
                lambda: app.object("o", "t", "b", "2026-03-01")):
        with pytest.raises(InvalidTransition):
            act()


def test_upheld_objection_rejects():
    app = application()
    app.community_review(True, "w1", T0, 7)
    o = app.object("o1", "有隐性收入", "居民", "2026-03-03T00:00:00.000000Z")
    app.resolve_objection(o["id"], True, "核实属实", "w1", "2026-03-04T00:00:00.000000Z")
    assert app.status == "rejected" and app.rejection["stage"] == "notice"
    late = application()
    late.community_review(True, "w1", T0, 1)
    with pytest.raises(InvalidTransition):
        late.object("o2", "late", "x", "2026-03-10T00:00:00.000000Z")


def test_rereview_suspends_resumes_and_ends():
    app = application()
    app.community_review(True, "w1", T0, 0)
    app.approve("g1", CAT.check(DIBAO, hh(80000, 0, 0), PATH, 2026), "s1", "2026-03-02T02:00:00.000000Z")
    grant = cases.Grant.start("g1", app, "monthly", 136000, "2026-03-02T02:00:00.000000Z", 6)
    assert grant.next_review_period == "2026-09" and grant.payable("2026-03") and not grant.payable("2026-02")
    assert grant.rereview(hh_dict(3), CAT.check(DIBAO, hh(240000, 0, 0), PATH, 2026), "w", "2026-09-01", 6) == "suspended"
    assert not grant.payable("2026-10")
    assert grant.rereview(hh_dict(3), CAT.check(DIBAO, hh(90000, 0, 0), PATH, 2026), "w", "2026-10-01", 6) == "resumed"
    assert grant.monthly_amount_fen == 216000 - 90000 and grant.next_review_period == "2027-04"
    assert grant.rereview(hh_dict(3), CAT.check(DIBAO, hh(240000, 0, 0), PATH, 2026), "w", "2026-11-01", 6,
                          "end") == "ended"
    with pytest.raises(InvalidTransition):
        grant.end("again")
    assert [type(e).__name__ for e in grant.events] == ["GrantStarted", "GrantSuspended", "GrantResumed", "GrantEnded"]
    assert cases.add_months("2026-11", 3) == "2027-02"
    # the reason is shown to people who may not see the household's figures, and the events travel
    # unencrypted (event log, dead letters): both name only the rules that failed (the figures stay in
    # the review's eligibility, stored encrypted)
    assert grant.end_reason == "re-review: not met: income_per_member_below_line"
    for e in grant.events[1::2]:
        assert e.reason == grant.end_reason and not any(c.isdigit() for c in e.reason)


def test_redemption_saga_states():
    r = supermarket.Redemption("r1", PATH, "jiayuan", "vol-1", [{"item_id": "i", "name": "米", "quantity": 1, "coins": 30}],
                               "t", "w")
    r.request_coins()
    assert r.hand_out({"event_id": "e1"}, "t2") is True
    assert r.hand_out({"event_id": "e2"}, "t3") is False  # a duplicate confirms nothing twice
    with pytest.raises(InvalidTransition):
        r.cancel("timed_out", "t4")
    c = supermarket.Redemption("r2", PATH, "jiayuan", "vol-1", [{"item_id": "i", "name": "米", "quantity": 1, "coins": 30}],
                               "t", "w")
    c.cancel("out_of_stock", "t")  # never asked for coins: nothing to compensate
    assert c.events == [] and c.cancel("out_of_stock", "t") is False
    with pytest.raises(InvalidTransition):
        c.hand_out({}, "t")
    assert supermarket.Redemption.merge_lines([{"item_id": "a", "quantity": 1}, {"item_id": "a", "quantity": 2}]) == [
        {"item_id": "a", "quantity": 3}]


def test_stocktake_differences_need_reasons():
    lines = supermarket.stocktake_lines({"a": 10, "b": 5}, [{"item_id": "a", "counted": 10},
                                                           {"item_id": "b", "counted": 7, "reason": "漏记捐赠"}])
    assert [line["difference"] for line in lines] == [0, 2]
    with pytest.raises(ValidationFailed) as err:
        supermarket.stocktake_lines({"a": 10}, [{"item_id": "a", "counted": 9}, {"item_id": "z", "counted": 1}])
    assert set(err.value.fields) == {"lines.0.reason", "lines.1.item_id"}
