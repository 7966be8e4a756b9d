"""Charity supermarket (爱心超市) and charity fund (爱心基金): stock and balances never go negative."""
from __future__ import annotations

import pytest

from liandong.testing import at_once, wait_for

from welfare_testkit import SUBDISTRICT


def donate(svc, sku="mianbei", quantity=10, **extra):
    body = {"org_unit_id": "jiayuan", "sku": sku, "name": "棉被", "unit": "床", "quantity": quantity,
            "donor": "吉林银行船营支行", "donor_kind": "co_building_unit", "unit_value_fen": 12000,
            "low_stock_at": 3, **extra}
    r = svc.post("/goods/donations", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def stock_of(svc, item_id):
    return next(i for i in svc.fetch("/goods/stock?org_unit=jiayuan").get_json()["items"] if i["item_id"] == item_id)


def test_goods_in_and_out_with_value_and_refusal_of_overdraw(svc):
    donate(svc, quantity=5)
    donate(svc, quantity=3)  # the same item again: quantities add, the value stays
    item = stock_of(svc, "jiayuan:mianbei")
    assert item["quantity"] == 8 and item["stock_value_fen"] == 96000 and item["low_stock"] is False
    grant = svc.approved_grant(SUBDISTRICT, seq=600)
    r = svc.post("/goods/handouts", {"item_id": "jiayuan:mianbei", "quantity": 6, "household_id": "h-1",
                                     "recipient_name": "张某某", "grant_id": grant["id"]})
    assert r.status_code == 201 and r.json["value_fen"] == 72000
    too_many = svc.post("/goods/handouts", {"item_id": "jiayuan:mianbei", "quantity": 3, "household_id": "h-2"})
    assert too_many.status_code == 409
    item = stock_of(svc, "jiayuan:mianbei")
    assert item["quantity"] == 2 and item["issued_total"] == 6 and item["low_stock"] is True
    alerts = svc.fetch("/goods/alerts?org_unit=jiayuan").get_json()["items"]
    assert [a["item_id"] for a in alerts] == ["jiayuan:mianbei"]
    received = svc.fetch("/goods/movements?org_unit=jiayuan&recipient=household:h-1").get_json()["items"]
    assert [(m["name"], m["quantity"]) for m in received] == [("棉被", 6)]
    # a new item needs its in-kind value; a stranger community cannot hand out jiayuan's stock
    assert svc.post("/goods/donations", {"org_unit_id": "jiayuan", "sku": "mi", "name": "大米", "unit": "袋",
                                         "quantity": 1, "donor": "居民"}).status_code == 422
    assert svc.post("/goods/handouts", {"item_id": "jiayuan:mianbei", "quantity": 1, "household_id": "h-3"},
                    org_unit="huangniling", path="/chuanying/xihu/huangniling/").status_code == 404  # out of sight
    stats = svc.fetch("/statistics?org_unit=jiayuan&from=2026-03-01&to=2026-03-31").get_json()
    assert stats["goods"]["value_fen"] == 72000 and stats["goods"]["households"] == 1


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_racing_handouts_never_take_more_than_the_stock(svc):
    donate(svc, sku="nuanping", quantity=10)

    def take(_):
        return svc.app.test_client().post("/api/v1/welfare/goods/handouts", headers=svc.headers(), json={
            "item_id": "jiayuan:nuanping", "quantity": 3, "household_id": "h"}).status_code

    assert sorted(at_once(take, *range(8))) == [201] * 3 + [409] * 5
    assert stock_of(svc, "jiayuan:nuanping")["quantity"] == 1


def test_stocktake_records_and_explains_differences(svc):
    donate(svc, sku="mian", quantity=20)
    no_reason = svc.post("/goods/stocktakes", {"org_unit_id": "jiayuan",
                                               "lines": [{"item_id": "jiayuan:mian", "counted": 18}]})
    assert no_reason.status_code == 422 and stock_of(svc, "jiayuan:mian")["quantity"] == 20
    take = svc.post("/goods/stocktakes", {"org_unit_id": "jiayuan", "lines": [
        {"item_id": "jiayuan:mian", "counted": 18, "reason": "2袋受潮报损"}]})
    assert take.status_code == 201
    line = take.get_json()["lines"][0]
    assert line == {**line, "expected": 20, "counted": 18, "difference": -2, "value_fen": -24000}
    assert stock_of(svc, "jiayuan:mian")["quantity"] == 18


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_fund_balance_never_goes_negative_and_the_ledger_balances(svc):
    officer = SUBDISTRICT
    for donor, kind, fen in (("船营区供电公司", "co_building_unit", 5000000), ("居民李某", "resident", 20050)):
        r = svc.post("/fund/donations", {"org_unit_id": "huangqi", "donor": donor, "donor_kind": kind,
                                         "amount_fen": fen}, **officer)
        assert r.status_code == 201, r.get_json()
    big = svc.post("/fund/grants", {"org_unit_id": "huangqi", "recipient": "王某", "reason": "火灾",
                                    "amount_fen": 6000000}, **officer).get_json()
    refused = svc.post(f"/fund/grants/{big['_id']}/approval", **officer)
    assert refused.status_code == 409
    fund = svc.fetch("/fund/huangqi", **officer).get_json()
    assert fund["balance_fen"] == 5020050 and fund["total_out_fen"] == 0
    assert svc.welfare.stores.fund.grant(big["_id"])["status"] == "requested"  # still open
    assert svc.post(f"/fund/grants/{big['_id']}/rejection", {"note": "超出基金余额"}, **officer).status_code == 200
    assert svc.post(f"/fund/grants/{big['_id']}/approval", **officer).status_code == 409
    # two grants that each fit but not together, approved at the same time: one is refused
    grants = [svc.post("/fund/grants", {"org_unit_id": "huangqi", "recipient": f"困难居民{i}", "reason": "大病",
                                        "amount_fen": 3000000}, **officer).get_json() for i in range(2)]

    def approve(g):
        return svc.app.test_client().post(f"/api/v1/welfare/fund/grants/{g['_id']}/approval",
                                          headers=svc.headers(**officer)).status_code

    assert sorted(at_once(approve, *grants)) == [200, 409]
    paid = next(g for g in grants if svc.welfare.stores.fund.grant(g["_id"])["status"] == "paid")
    assert svc.post(f"/fund/grants/{paid['_id']}/rejection", **officer).status_code == 409
    fund = svc.fetch("/fund/huangqi", **officer).get_json()
    assert fund["balance_fen"] == 2020050 >= 0
    assert fund["ledger_sum_fen"] == fund["balance_fen"] == fund["total_in_fen"] - fund["total_out_fen"]
    # a community worker may ask for a grant but not pay one out
    small = svc.post("/fund/grants", {"org_unit_id": "huangqi", "recipient": "赵某", "reason": "临时困难",
                                      "amount_fen": 100}, org_unit="huangqi", path="/chuanying/huangqi/")
    assert small.status_code == 201
    assert svc.post(f"/fund/grants/{small.get_json()['_id']}/approval", org_unit="huangqi",
                    path="/chuanying/huangqi/").status_code == 403  # sees it, may not pay it
    assert svc.post(f"/fund/grants/{small.get_json()['_id']}/approval").status_code == 404  # a community below
    wait_for(lambda: svc.welfare.stores.fund_entries.collection.count_documents({"_outbox_pending": True}) == 0, 20,
             message="fund events relayed")
    stats = svc.fetch("/statistics?org_unit=huangqi&from=2026-03-01&to=2026-03-31", **officer).get_json()
    assert stats["fund"] == {**stats["fund"], "in_fen": 5020050, "out_fen": 3000000}


def test_pairing_and_visits_with_per_worker_counts(svc):
    pairing = svc.post("/pairings", {"org_unit_id": "jiayuan", "helper_id": "cadre-7", "helper_name": "刘书记",
                                     "helper_kind": "cadre", "household": "低保户 张某某 (3栋)",
                                     "plan": "输血与造血: 介绍就业, 每月走访", "goals": ["一人就业"]})
    assert pairing.status_code == 201
    pid = pairing.get_json()["_id"]
    for _ in range(2):
        r = svc.post("/visits", {"org_unit_id": "jiayuan", "pairing_id": pid, "visited": "张某某",
                                 "visitor_id": "cadre-7", "visitor_name": "刘书记", "follow_up": "下月带招聘信息"})
        assert r.status_code == 201 and r.get_json()["kind"] == "pairing"
    r = svc.post("/visits", {"org_unit_id": "jiayuan", "kind": "condolence", "visited": "空巢老人 王某",
                             "visitor_id": "w-1", "visitor_name": "保障员小陈", "money_fen": 50000, "goods": "米一袋"})
    assert r.status_code == 201
    assert svc.post("/visits", {"org_unit_id": "jiayuan", "visited": "x", "visited_at": "yesterday"}).status_code == 422
    counts = svc.fetch("/visits/counts?org_unit=huangqi&from=2026-01-01&to=2026-12-31",
                     **SUBDISTRICT).get_json()
    assert counts["visits"] == 3 and counts["money_fen"] == 50000
    assert counts["per_worker"]["cadre-7"]["visits"] == 2 and counts["per_worker"]["w-1"]["by_kind"] == {"condolence": 1}
    assert len(svc.fetch(f"/pairings/{pid}").get_json()["visits"]) == 2
