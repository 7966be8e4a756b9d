"""Welfare's event contracts: every example is valid, and what the repositories publish fits its schema."""
from __future__ import annotations

from liandong.contracts import CONTRACTS

from welfare.adapters import repositories as r, visits as v
from welfare.domain import cases, supermarket

EXPECTED = {"application.submitted", "application.approved", "application.rejected", "grant.started",
            "grant.suspended", "grant.resumed", "grant.ended", "payment.disbursed", "goods.donated",
            "goods.handed_out", "fund.donation_received", "fund.grant_paid", "visit.recorded",
            "redemption.requested", "redemption.goods_handed_out", "redemption.cancelled"}


def test_every_welfare_event_has_a_valid_example():
    names = {c.name.split(".", 1)[1] for c in CONTRACTS.for_service("welfare")}
    assert EXPECTED <= names
    for c in CONTRACTS.for_service("welfare"):
        CONTRACTS.validate_outgoing(c.type, c.example)


def test_repository_mappings_produce_valid_events():
    app = cases.Application("a1", "/c/", "jiayuan", "dibao_urban", {"members": [{}, {}]}, "window", "w", "t")
    grant = cases.Grant("g1", "a1", "/c/", "jiayuan", "dibao_urban", "monthly", {"members": [{}]}, 1, 100, "2026-03", "t")
    red = supermarket.Redemption("r1", "/c/", "jiayuan", "v1", [{"item_id": "i", "name": "米", "quantity": 1, "coins": 3}],
                                 "t", "w")
    pay = r.Payment("g1:2026-03", "g1", "/c/", "jiayuan", "dibao_urban", "2026-03", 100, 1, "t", "w")
    visit = v.Visit("v1", "/c/", "jiayuan", "home", "w1", "小陈", "王某", "2026-03-01T00:00:00.000000Z", 0, "", "", "",
                    None, "t")
    cases_ = [(r.ApplicationRepository, app, [cases.ApplicationSubmitted(), cases.ApplicationApproved("g1", 100),
                                              cases.ApplicationRejected("notice", "x")]),
              (r.GrantRepository, grant, [cases.GrantStarted(), cases.GrantSuspended("x"), cases.GrantResumed(),
                                          cases.GrantEnded("x")]),
              (r.RedemptionRepository, red, [supermarket.RedemptionRequested(), supermarket.RedemptionHandedOut(),
                                             supermarket.RedemptionCancelled("coins_refused")]),
              (r.PaymentRepository, pay, ["disbursed"]), (v.VisitRepository, visit, ["recorded"])]
    for cls, aggregate, events in cases_:
        repo = cls.__new__(cls)
        for ev in events:
            name, data = repo.publish(aggregate, ev)
            CONTRACTS.validate_outgoing(CONTRACTS.by_name(name).type, data)
    assert r.ApplicationRepository.__new__(r.ApplicationRepository).publish(app, cases.CommunityReviewed("t")) is None


def test_the_redemption_request_carries_the_initiators_scope_and_earlier_producers_still_validate():
    import pytest

    from liandong.events.registry import InvalidEventData

    requested = CONTRACTS.by_name("welfare.redemption.requested").type
    red = supermarket.Redemption("r1", "/chuanying/huangqi/jiayuan/", "jiayuan", "v1",
                                 [{"item_id": "i", "name": "米", "quantity": 1, "coins": 3}], "t", "w",
                                 initiator_scopes=["/chuanying/huangqi/"])
    name, data = r.RedemptionRepository.__new__(r.RedemptionRepository).publish(red, supermarket.RedemptionRequested())
    assert CONTRACTS.validate_outgoing(requested, data)["initiator_scopes"] == ["/chuanying/huangqi/"]
    earlier = {k: v for k, v in data.items() if k != "initiator_scopes"}
    assert CONTRACTS.validate_outgoing(requested, earlier).get("initiator_scopes") is None
    with pytest.raises(InvalidEventData):
        CONTRACTS.validate_outgoing(requested, {**data, "initiator_scopes": ["jiayuan"]})  # a path, not an id
