"""A retried request (same Idempotency-Key, its first answer lost) creates and applies nothing twice
(issue #16, class 6): applications and their review, approval with its grant, disbursements, goods
in and out, stock-takes, redemptions, the charity fund, pairings and visits."""
from __future__ import annotations

import pytest

from welfare_testkit import SUBDISTRICT, household


def twice(svc, url, body, key, expect=(200, 201, 202), **who):
    """The same request sent twice, as the gateway forwards a retry whose first answer it never saw."""
    h = {**svc.headers(**who), "Idempotency-Key": key}
    first = svc.client.post(f"/api/v1/welfare{url}", json=body, headers=h)
    assert first.status_code in expect, first.get_json()
    again = svc.client.post(f"/api/v1/welfare{url}", json=body, headers=h)
    assert again.status_code == first.status_code, (first.get_json(), again.get_json())
    assert "_idem" not in again.get_data(as_text=True)
    return first.get_json(), again.get_json()


def stock_of(svc, item_id):
    return next(i for i in svc.fetch("/goods/stock?org_unit=jiayuan").get_json()["items"] if i["item_id"] == item_id)


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_retried_welfare_requests_apply_once(svc):
    w = svc.welfare
    # an application, its review, approval (and the grant), a month's disbursement
    a1, a2 = twice(svc, "/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban",
                                          "household": household(seq=700)}, "apply-1")
    assert a1["id"] == a2["id"] and w.stores.applications.collection.count_documents({}) == 1
    r1, _ = twice(svc, f"/applications/{a1['id']}/community-review", {"decision": "pass", "notice_days": 7},
                  "review-1")
    o1, _ = twice(svc, f"/applications/{a1['id']}/objections", {"text": "收入申报不实"}, "object-1")
    assert len(w.stores.applications.get(a1["id"]).objections) == 1
    objection = w.stores.applications.get(a1["id"]).objections[0]
    oid = objection["id"] if isinstance(objection, dict) else objection.id
    twice(svc, f"/applications/{a1['id']}/objections/{oid}/resolution", {"upheld": False, "note": "经核实无误"},
          "resolve-1")
    svc.clock.advance(days=8)  # the notice (公示) is over
    p1, p2 = twice(svc, f"/applications/{a1['id']}/approval", {}, "approve-1", **SUBDISTRICT)
    assert p1 == p2 and w.stores.grants.collection.count_documents({}) == 1
    month = p1["grant"]["start_period"] if "grant" in p1 else w.deps.clock.now().strftime("%Y-%m")  # never a month ahead
    d1, d2 = twice(svc, "/disbursements", {"org_unit_id": "huangqi", "period": month}, "pay-1", **SUBDISTRICT)
    assert d1 == d2 and d1["payments"] == 1 and w.stores.payments.collection.count_documents({}) == 1

    # goods in and out, a stock-take
    donation = {"org_unit_id": "jiayuan", "sku": "mian", "name": "面粉", "unit": "袋", "quantity": 10,
                "donor": "粮油店", "donor_kind": "co_building_unit", "unit_value_fen": 5000, "coin_price": 10}
    g1, g2 = twice(svc, "/goods/donations", donation, "donate-1")
    assert g1 == g2 and stock_of(svc, "jiayuan:mian")["quantity"] == 10
    h1, h2 = twice(svc, "/goods/handouts", {"item_id": "jiayuan:mian", "quantity": 3, "household_id": "h-1"},
                   "handout-1")
    assert h1 == h2 and stock_of(svc, "jiayuan:mian")["quantity"] == 7
    assert w.stores.movements.collection.count_documents({}) == 2
    t1, t2 = twice(svc, "/goods/stocktakes", {"org_unit_id": "jiayuan", "lines": [
        {"item_id": "jiayuan:mian", "counted": 6, "reason": "1袋受潮报损"}]}, "count-1")
    assert t1 == t2 and w.stores.stock.stocktakes.count_documents({}) == 1 and stock_of(svc, "jiayuan:mian")["quantity"] == 6

    # a redemption for love coins
    x1, x2 = twice(svc, "/goods/redemptions", {"org_unit_id": "jiayuan", "volunteer_id": "v-1",
                                               "items": [{"item_id": "jiayuan:mian", "quantity": 1}]}, "redeem-1")
    assert x1["id"] == x2["id"] and w.stores.redemptions.collection.count_documents({}) == 1
    assert stock_of(svc, "jiayuan:mian")["held"] == 1

    # the charity fund: one donation, one grant request, decided once
    f1, f2 = twice(svc, "/fund/donations", {"org_unit_id": "huangqi", "donor": "供电公司",
                                            "donor_kind": "co_building_unit", "amount_fen": 100000}, "fund-1",
                   **SUBDISTRICT)
    assert f1 == f2
    q1, q2 = twice(svc, "/fund/grants", {"org_unit_id": "huangqi", "recipient": "王某", "reason": "火灾",
                                         "amount_fen": 30000}, "ask-1", **SUBDISTRICT)
    assert q1 == q2 and w.stores.fund.grants.count_documents({}) == 1
    y1, y2 = twice(svc, f"/fund/grants/{q1['_id']}/approval", {}, "decide-1", **SUBDISTRICT)
    assert y1["status"] == y2["status"] == "paid"
    fund = svc.fetch("/fund/huangqi", **SUBDISTRICT).get_json()
    assert fund["balance_fen"] == 70000 and fund["ledger_sum_fen"] == 70000 and svc.fetch("/fund/huangqi/entries", **SUBDISTRICT).get_json()["total"] == 2

    # pairing and visits
    pr1, pr2 = twice(svc, "/pairings", {"org_unit_id": "jiayuan", "helper_id": "c-1", "helper_name": "李书记",
                                        "helper_kind": "cadre", "household": "3栋2单元张家", "plan": "每月走访"},
                     "pair-1")
    assert pr1 == pr2 and w.stores.pairings.collection.count_documents({}) == 1
    v1, v2 = twice(svc, "/visits", {"org_unit_id": "jiayuan", "visited": "3栋2单元张家", "kind": "home"}, "visit-1")
    assert v1["id"] == v2["id"] and w.stores.visits.collection.count_documents({}) == 1
