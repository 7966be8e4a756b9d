"""The residents' door (居民端, #22) in the volunteer service and at the charity supermarket: a resident sees
and spends only their own — their volunteer record, hours, coins and sign-ups; a neighbour's volunteer record
is 404 to them, and a redemption naming a neighbour's volunteer is refused by the volunteer service (which owns
whose volunteer is whose) through the saga, the goods going back on the shelf. Staff lists answer a resident 403.
"""
from __future__ import annotations

from liandong.testing import auth_headers, wait_for

JIAYUAN = "/chuanying/huangqi/jiayuan/"
V, W = "/api/v1/volunteer", "/api/v1/welfare"


def resident(settings, user_id: str, key: str) -> dict:
    return auth_headers(settings, role="resident", org_unit="jiayuan", org_path=JIAYUAN, user_id=user_id,
                        person_key=key)


def test_a_resident_sees_and_spends_only_their_own(both):
    settings, vol, wel = both
    staff = auth_headers(settings, role="community_worker", org_unit="jiayuan", org_path=JIAYUAN)
    # 王 has not yet been to the community office (实名核验): his token carries no person key, and his own
    # record, sign-ups and coins at the supermarket are his all the same (by his login)
    wang, zhao = resident(settings, "u-wang", None), resident(settings, "u-zhao", "pk-zhao")

    def join(headers, name):
        r = vol.post(f"{V}/volunteers", json={"name": name, "kind": "resident", "org_unit_id": "jiayuan",
                                              "consent": True}, headers=headers)
        assert r.status_code == 201, r.get_json()
        vid = r.get_json()["id"]
        assert vol.post(f"{V}/coins/adjustments", json={"volunteer_id": vid, "coins": 50, "reason": "开户"},
                        headers=staff).status_code == 201
        return vid

    mine, theirs = join(wang, "王居民"), join(zhao, "赵居民")
    assert vol.get(f"{V}/volunteers/me", headers=wang).get_json()["id"] == mine
    assert vol.get(f"{V}/volunteers/{mine}/statement", headers=wang).status_code == 200
    # the neighbour's record, statement and reminders are not there for them
    for path in (f"/volunteers/{theirs}", f"/volunteers/{theirs}/statement", f"/volunteers/{theirs}/reminders"):
        assert vol.get(V + path, headers=wang).status_code == 404, path
    # the staff lists and figures refuse a resident
    for path in ("/volunteers", "/teams", "/stats?org_unit=jiayuan", "/recognition?org_unit=jiayuan"):
        assert vol.get(V + path, headers=wang).status_code == 403, path

    # activities: each signs up; each sees their own place, and not the neighbour's on the waitlist
    r = vol.post(f"{V}/activities", json={"title": "敬老活动", "type": "elderly_care", "org_unit_id": "jiayuan",
                                          "place": "家园社区服务站", "starts_at": "2099-03-05T01:00:00Z",
                                          "ends_at": "2099-03-05T04:00:00Z", "capacity": 1, "publish": True},
                 headers=staff)
    aid = r.get_json()["id"]
    assert vol.post(f"{V}/activities/{aid}/signups", json={}, headers=zhao).get_json()["status"] == "signed_up"
    assert vol.post(f"{V}/activities/{aid}/signups", json={}, headers=wang).get_json()["status"] == "waitlisted"
    seen = {who: next(a for a in vol.get(f"{V}/activities", headers=h).get_json()["items"] if a["id"] == aid)
            for who, h in (("wang", wang), ("zhao", zhao))}
    assert seen["wang"]["waitlist"] == [mine] and [x["volunteer_id"] for x in seen["wang"]["signups"]] == [mine]
    assert seen["zhao"]["waitlist"] == [] and [x["volunteer_id"] for x in seen["zhao"]["signups"]] == [theirs]
    one = vol.get(f"{V}/activities/{aid}", headers=zhao).get_json()
    assert one["waitlist"] == [] and "attendance" not in one and "checkin_code" not in one
    assert vol.post(f"{V}/activities/{aid}/signups", json={"volunteer_id": theirs}, headers=wang).status_code == 403

    assert wel.post(f"{W}/goods/donations", json={
        "org_unit_id": "jiayuan", "sku": "oil", "name": "食用油", "unit": "桶", "quantity": 5, "donor": "x",
        "unit_value_fen": 5000, "coin_price": 10}, headers=staff).status_code == 201
    assert wel.post(f"{W}/goods/donations", json={
        "org_unit_id": "jiayuan", "sku": "towel", "name": "毛巾", "unit": "条", "quantity": 5, "donor": "x",
        "unit_value_fen": 500}, headers=staff).status_code == 201
    offers = wel.get(f"{W}/goods/offers", headers=wang).get_json()
    assert [(o["name"], o["coin_price"], o["quantity"]) for o in offers["items"]] == [("食用油", 10, 5)]  # priced only

    def redeem(headers, vid):
        r = wel.post(f"{W}/goods/my-redemptions", json={"volunteer_id": vid,
                                                         "items": [{"item_id": "jiayuan:oil", "quantity": 1}]},
                     headers=headers)
        assert r.status_code == 202, r.get_json()
        return r.get_json()["id"]

    def finished(rid, headers):
        got = wel.get(f"{W}/goods/my-redemptions/{rid}", headers=headers).get_json()
        return got if got["status"] in ("handed_out", "cancelled") else None

    def balance(vid, headers):
        return vol.get(f"{V}/volunteers/{vid}/statement", headers=headers).get_json()["balance"]["available"]

    stolen = redeem(wang, theirs)  # naming the neighbour's volunteer: the volunteer service refuses
    refused = wait_for(lambda: finished(stolen, wang), 60, message="the saga answers")
    assert (refused["status"], refused["cancel_reason"]) == ("cancelled", "coins_refused")
    own = redeem(wang, mine)
    assert wait_for(lambda: finished(own, wang), 60, message="the saga answers")["status"] == "handed_out"
    wait_for(lambda: balance(mine, wang) == 40, 30, message="their own coins spent")
    assert balance(theirs, zhao) == 50  # not a coin of the neighbour's moved

    listed = wel.get(f"{W}/goods/my-redemptions", headers=wang).get_json()
    assert {r["id"] for r in listed["items"]} == {own, stolen} and listed["total"] == 2
    # the other resident sees none of them, and one named answers as if there were none
    assert wel.get(f"{W}/goods/my-redemptions", headers=zhao).get_json()["total"] == 0
    assert wel.get(f"{W}/goods/my-redemptions/{own}", headers=zhao).status_code == 404
    # the staff endpoints of the supermarket refuse a resident; the residents' ones refuse staff
    for path in ("/goods/stock", "/goods/movements", "/goods/alerts"):
        assert wel.get(W + path, headers=wang).status_code == 403, path
    assert wel.post(f"{W}/goods/redemptions", json={"org_unit_id": "jiayuan", "volunteer_id": mine, "items": [
        {"item_id": "jiayuan:oil", "quantity": 1}]}, headers=wang).status_code == 403
    # staff have no redemptions of their own at this door, and see the offers they see in the stock anyway
    assert wel.get(f"{W}/goods/my-redemptions", headers=staff).get_json()["total"] == 0
    assert wel.get(f"{W}/goods/my-redemptions/{own}", headers=staff).status_code == 404
    assert wel.get(f"{W}/goods/offers", headers=staff).get_json()["total"] == 1
    assert wel.get(f"{W}/goods/offers?from=2026-01-01", headers=wang).status_code == 422  # the list has no time
    assert wel.get(f"{W}/goods/offers?org_unit=huangniling", headers=wang).status_code == 403
