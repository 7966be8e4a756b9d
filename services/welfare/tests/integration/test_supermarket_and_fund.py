"""Charity supermarket (爱心超市) and charity fund (爱心基金): stock and balances never go negative."""
from __future__ import annotations

import threading

import pytest

from liandong.testing import wait_for

from welfare_testkit import SUBDISTRICT, approved_grant


def donate(env, sku="mianbei", quantity=10, **extra):
    body = {"org_unit_id": "jiayuan", "sku": sku, "name": "棉被", "unit": "床", "quantity": quantity,
            "donor": "吉林银行船营支行", "donor_kind": "co_building_unit", "unit_value_fen": 12000,
            "low_stock_at": 3, **extra}
    r = env.post("/goods/donations", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def stock_of(env, item_id):
    return next(i for i in env.get("/goods/stock?org_unit_id=jiayuan").get_json()["items"] if i["item_id"] == item_id)


def test_goods_in_and_out_with_value_and_refusal_of_overdraw(env):
    donate(env, quantity=5)
    donate(env, quantity=3)  # the same item again: quantities add, the value stays
    item = stock_of(env, "jiayuan:mianbei")
    assert item["quantity"] == 8 and item["stock_value_fen"] == 96000 and item["low_stock"] is False
    grant = approved_grant(env, SUBDISTRICT, seq=600)
    r = env.post("/goods/handouts", {"item_id": "jiayuan:mianbei", "quantity": 6, "household_id": "h-1",
                                     "recipient_name": "张某某", "grant_id": grant["id"]})
    assert r.status_code == 201 and r.json["value_fen"] == 72000
    too_many = env.post("/goods/handouts", {"item_id": "jiayuan:mianbei", "quantity": 3, "household_id": "h-2"})
    assert too_many.status_code == 409
    item = stock_of(env, "jiayuan:mianbei")
    assert item["quantity"] == 2 and item["issued_total"] == 6 and item["low_stock"] is True
    alerts = env.get("/goods/alerts?org_unit_id=jiayuan").get_json()["items"]
    assert [a["item_id"] for a in alerts] == ["jiayuan:mianbei"]
    received = env.get("/goods/movements?org_unit_id=jiayuan&recipient=household:h-1").get_json()["movements"]
    assert [(m["name"], m["quantity"]) for m in received] == [("棉被", 6)]
    # a new item needs its in-kind value; a stranger community cannot hand out jiayuan's stock
    assert env.post("/goods/donations", {"org_unit_id": "jiayuan", "sku": "mi", "name": "大米", "unit": "袋",
                                         "quantity": 1, "donor": "居民"}).status_code == 422
    assert env.post("/goods/handouts", {"item_id": "jiayuan:mianbei", "quantity": 1, "household_id": "h-3"},
                    org_unit="huangniling", path="/chuanying/xihu/huangniling/").status_code == 404  # out of sight
    stats = env.get("/statistics?org_unit_id=jiayuan&from=2026-03&to=2026-03").get_json()
    assert stats["goods"]["value_fen"] == 72000 and stats["goods"]["households"] == 1


@pytest.mark.parametrize("env", ["sqlite", "mongo"], indirect=True)
def test_racing_handouts_never_take_more_than_the_stock(env):
    donate(env, sku="nuanping", quantity=10)
    codes = []

    def take():
        r = env.app.test_client().post("/api/v1/welfare/goods/handouts", headers=env.headers(),
                                       json={"item_id": "jiayuan:nuanping", "quantity": 3, "household_id": "h"})
        codes.append(r.status_code)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [201] * 3 + [409] * 5
    assert stock_of(env, "jiayuan:nuanping")["quantity"] == 1


def test_stocktake_records_and_explains_differences(env):
    donate(env, sku="mian", quantity=20)
    no_reason = env.post("/goods/stocktakes", {"org_unit_id": "jiayuan",
                                               "lines": [{"item_id": "jiayuan:mian", "counted": 18}]})
    assert no_reason.status_code == 422 and stock_of(env, "jiayuan:mian")["quantity"] == 20
    take = env.post("/goods/stocktakes", {"org_unit_id": "jiayuan", "lines": [
        {"item_id": "jiayuan:mian", "counted": 18, "reason": "2袋受潮报损"}]})
    assert take.status_code == 201
    line = take.get_json()["lines"][0]
    assert line == {**line, "expected": 20, "counted": 18, "difference": -2, "value_fen": -24000}
    assert stock_of(env, "jiayuan:mian")["quantity"] == 18


@pytest.mark.parametrize("env", ["sqlite", "mongo"], indirect=True)
def test_fund_balance_never_goes_negative_and_the_ledger_balances(env):
    officer = SUBDISTRICT
    for donor, kind, fen in (("船营区供电公司", "co_building_unit", 5000000), ("居民李某", "resident", 20050)):
        r = env.post("/fund/donations", {"org_unit_id": "huangqi", "donor": donor, "donor_kind": kind,
                                         "amount_fen": fen}, **officer)
        assert r.status_code == 201, r.get_json()
    big = env.post("/fund/grants", {"org_unit_id": "huangqi", "recipient": "王某", "reason": "火灾",
                                    "amount_fen": 6000000}, **officer).get_json()
    refused = env.post(f"/fund/grants/{big['_id']}/approval", **officer)
    assert refused.status_code == 409
    fund = env.get("/fund/huangqi", **officer).get_json()
    assert fund["balance_fen"] == 5020050 and fund["total_out_fen"] == 0
    assert env.welfare.fund.grants.find_one({"_id": big["_id"]})["status"] == "requested"  # still open
    assert env.post(f"/fund/grants/{big['_id']}/rejection", {"note": "超出基金余额"}, **officer).status_code == 200
    assert env.post(f"/fund/grants/{big['_id']}/approval", **officer).status_code == 409
    # two grants that each fit but not together, approved at the same time: one is refused
    grants = [env.post("/fund/grants", {"org_unit_id": "huangqi", "recipient": f"困难居民{i}", "reason": "大病",
                                        "amount_fen": 3000000}, **officer).get_json() for i in range(2)]
    codes = []

    def approve(g):
        codes.append(env.app.test_client().post(f"/api/v1/welfare/fund/grants/{g['_id']}/approval",
                                                headers=env.headers(**officer)).status_code)

    threads = [threading.Thread(target=approve, args=(g,)) for g in grants]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
    paid = next(g for g in grants if env.welfare.fund.grants.find_one({"_id": g["_id"]})["status"] == "paid")
    assert env.post(f"/fund/grants/{paid['_id']}/rejection", **officer).status_code == 409
    fund = env.get("/fund/huangqi", **officer).get_json()
    assert fund["balance_fen"] == 2020050 >= 0
    assert fund["ledger_sum_fen"] == fund["balance_fen"] == fund["total_in_fen"] - fund["total_out_fen"]
    # a community worker may ask for a grant but not pay one out
    small = env.post("/fund/grants", {"org_unit_id": "huangqi", "recipient": "赵某", "reason": "临时困难",
                                      "amount_fen": 100}, org_unit="huangqi", path="/chuanying/huangqi/")
    assert small.status_code == 201
    assert env.post(f"/fund/grants/{small.get_json()['_id']}/approval", org_unit="huangqi",
                    path="/chuanying/huangqi/").status_code == 403  # sees it, may not pay it
    assert env.post(f"/fund/grants/{small.get_json()['_id']}/approval").status_code == 404  # a community below
    wait_for(lambda: env.welfare.fund.accounts.count_documents({"_outbox_pending": True}) == 0, 20,
             message="fund events relayed")
    stats = env.get("/statistics?org_unit_id=huangqi&from=2026-03&to=2026-03", **officer).get_json()
    assert stats["fund"] == {**stats["fund"], "in_fen": 5020050, "out_fen": 3000000}


def test_pairing_and_visits_with_per_worker_counts(env):
    pairing = env.post("/pairings", {"org_unit_id": "jiayuan", "helper_id": "cadre-7", "helper_name": "刘书记",
                                     "helper_kind": "cadre", "household": "低保户 张某某 (3栋)",
                                     "plan": "输血与造血: 介绍就业, 每月走访", "goals": ["一人就业"]})
    assert pairing.status_code == 201
    pid = pairing.get_json()["_id"]
    for _ in range(2):
        r = env.post("/visits", {"org_unit_id": "jiayuan", "pairing_id": pid, "visited": "张某某",
                                 "visitor_id": "cadre-7", "visitor_name": "刘书记", "follow_up": "下月带招聘信息"})
        assert r.status_code == 201 and r.get_json()["kind"] == "pairing"
    r = env.post("/visits", {"org_unit_id": "jiayuan", "kind": "condolence", "visited": "空巢老人 王某",
                             "visitor_id": "w-1", "visitor_name": "保障员小陈", "money_fen": 50000, "goods": "米一袋"})
    assert r.status_code == 201
    assert env.post("/visits", {"org_unit_id": "jiayuan", "visited": "x", "visited_at": "yesterday"}).status_code == 422
    counts = env.get("/visits/counts?org_unit_id=huangqi&since=2026-01-01T00:00:00Z&until=2027-01-01T00:00:00Z",
                     **SUBDISTRICT).get_json()
    assert counts["visits"] == 3 and counts["money_fen"] == 50000
    assert counts["per_worker"]["cadre-7"]["visits"] == 2 and counts["per_worker"]["w-1"]["by_kind"] == {"condolence": 1}
    assert len(env.get(f"/pairings/{pid}").get_json()["visits"]) == 2
