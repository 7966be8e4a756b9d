"""The love-coin saga across the two real services (#16): a 家园 worker cannot spend a 黄泥岭 volunteer's coins.

Welfare cannot know where a volunteer lives; the volunteer service, which owns volunteers, refuses the
saga step for a volunteer outside the initiator's scope (carried in `welfare.redemption.requested` as
`initiator_scopes`), and the refusal comes back as for insufficient coins: the goods go back on the
shelf and the coins never move. On the embedded bus and on Kafka.
"""
from __future__ import annotations

from liandong.testing import auth_headers, wait_for

JIAYUAN, HUANGNILING = "/chuanying/huangqi/jiayuan/", "/chuanying/xihu/huangniling/"


def test_a_redemption_for_another_communitys_volunteer_is_refused_through_the_saga(both):
    settings, svc, wel = both
    a = auth_headers(settings, role="community_worker", org_unit="jiayuan", org_path=JIAYUAN)
    b = auth_headers(settings, role="community_worker", org_unit="huangniling", org_path=HUANGNILING)

    def volunteer(headers, unit):
        r = svc.post("/api/v1/volunteer/volunteers", json={"name": "志愿者", "kind": "resident", "org_unit_id": unit,
                                                           "consent": True}, headers=headers)
        vid = r.get_json()["id"]
        assert svc.post("/api/v1/volunteer/coins/adjustments", json={"volunteer_id": vid, "coins": 50,
                                                                     "reason": "开户"}, headers=headers).status_code == 201
        return vid

    def balance(vid, headers):
        s = svc.get(f"/api/v1/volunteer/volunteers/{vid}/statement", headers=headers).get_json()
        return s["balance"]["available"], s["balance"]["reserved"]

    mine, theirs = volunteer(a, "jiayuan"), volunteer(b, "huangniling")
    assert wel.post("/api/v1/welfare/goods/donations", json={
        "org_unit_id": "jiayuan", "sku": "oil", "name": "食用油", "unit": "桶", "quantity": 5, "donor": "x",
        "unit_value_fen": 5000, "coin_price": 10}, headers=a).status_code == 201

    def redeem(vid):
        r = wel.post("/api/v1/welfare/goods/redemptions", json={
            "org_unit_id": "jiayuan", "volunteer_id": vid, "items": [{"item_id": "jiayuan:oil", "quantity": 1}]},
            headers=a)
        assert r.status_code == 202, r.get_json()
        return r.get_json()["id"]

    def finished(rid):
        got = wel.get(f"/api/v1/welfare/goods/redemptions/{rid}", headers=a).get_json()
        return got if got["status"] in ("handed_out", "cancelled") else None

    theirs_rid = redeem(theirs)
    refused = wait_for(lambda: finished(theirs_rid), 60, message="the saga answers")
    assert (refused["status"], refused["cancel_reason"]) == ("cancelled", "coins_refused")
    # the control: the worker's own volunteer pays
    mine_rid = redeem(mine)
    done = wait_for(lambda: finished(mine_rid), 60, message="the saga answers")
    assert done["status"] == "handed_out"
    wait_for(lambda: balance(mine, a) == (40, 0), 30, message="own volunteer's coins spent")
    assert balance(theirs, b) == (50, 0)  # not a coin moved, none reserved

    def stock():
        return wel.get("/api/v1/welfare/goods/stock?org_unit=jiayuan", headers=a).get_json()["items"][0]

    # welfare saves a redemption's outcome, then moves its stock: the stock is waited for, then checked whole
    wait_for(lambda: stock()["held"] == 0, 30, message="the held goods issued or put back")
    s = stock()
    assert (s["quantity"], s["held"], s["issued_total"]) == (4, 0, 1)  # only the control's oil left
