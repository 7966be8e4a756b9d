"""The lists of pairings, visits, fund grants and redemptions (#22): the console reached these records only by
number. Each list filters, pages with its total, stays inside the caller's org tree (another community's worker
sees none of 家园's records; asking for 家园 is refused, as every list refuses a unit out of sight) and masks whom
it names for a caller without personal_data:read. On SQLite and on MongoDB (FerretDB)."""
from __future__ import annotations

import pytest

from welfare_testkit import CIVIL, SUBDISTRICT

HNL = dict(org_unit="huangniling", path="/chuanying/xihu/huangniling/")  # another community (another sub-district)
XIHU = dict(role="subdistrict_officer", org_unit="xihu", path="/chuanying/xihu/")
BACKENDS = pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)


def listed(svc, path: str, who: dict | None = None, expect: int = 200, **params) -> dict:
    """A list as `who` asks for it (`from` and `to` as `from_`, `to`)."""
    if "from_" in params:
        params["from"] = params.pop("from_")
    r = svc.call("GET", path, headers=svc.headers(**(who or {})), **params)
    assert r.status_code == expect, (path, params, r.status_code, r.get_json())
    return r.get_json()


def ids(page: dict) -> list[str]:
    return [i.get("_id") or i.get("id") for i in page["items"]]


def pair(svc, household: str, helper_id: str = "c-1", kind: str = "cadre", started_on: str | None = None,
         unit: str = "jiayuan", **who) -> str:
    body = {"org_unit_id": unit, "helper_id": helper_id, "helper_name": "王书记", "helper_kind": kind,
            "household": household, "plan": "每月走访，协助申请临时救助", "goals": ["冬季取暖"]}
    r = svc.post("/pairings", {**body, **({"started_on": started_on} if started_on else {})}, **who)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["_id"]


@BACKENDS
def test_pairings_are_listed_filtered_paged_masked_and_kept_to_their_community(svc):
    first = pair(svc, "3栋2单元 王秀英户", started_on="2026-01-10")
    second = pair(svc, "5栋1单元 李大爷户", started_on="2026-02-20")
    third = pair(svc, "3栋2单元 王秀英户", helper_id="v-9", kind="volunteer")  # today: 2026-03-02
    assert svc.post(f"/pairings/{second}/end", {"reason": "no_longer_needed"}).status_code == 200
    other = pair(svc, "黄泥岭 张家", unit="huangniling", **HNL)

    everything = listed(svc, "/pairings", CIVIL)
    assert (everything["total"], ids(everything)) == (3, [third, second, first])  # newest first by 结对日期
    assert everything["items"][0]["household"] == "3栋2单元 王秀英户" and everything["items"][0]["plan"]
    assert "household_key" not in everything["items"][0]
    pages = [listed(svc, "/pairings", CIVIL, page=n, page_size=2) for n in (1, 2)]
    assert [p["total"] for p in pages] == [3, 3] and ids(pages[0]) + ids(pages[1]) == [third, second, first]
    assert ids(listed(svc, "/pairings", CIVIL, status="ended")) == [second]
    assert ids(listed(svc, "/pairings", CIVIL, status="active", helper_kind="cadre")) == [first]
    assert ids(listed(svc, "/pairings", CIVIL, helper_id="c-1")) == [second, first]
    # one household's pairings, by its name as written (spaces as typed do not matter)
    assert ids(listed(svc, "/pairings", CIVIL, household="3栋2单元  王秀英户")) == [third, first]
    assert ids(listed(svc, "/pairings", CIVIL, from_="2026-02-01", to="2026-02-28")) == [second]
    assert ids(listed(svc, "/pairings", SUBDISTRICT, org_unit="jiayuan")) == [third, second, first]

    # a worker without personal_data:read sees the household masked and no plan
    masked = listed(svc, "/pairings", {}, helper_id="v-9")["items"][0]
    assert (masked["household"][0], set(masked["household"][1:]), masked["plan"], masked["goals"]) == \
        ("3", {"*"}, None, [])
    # and opening that pairing shows no more than the list did, its visits masked as in theirs
    assert svc.post("/visits", {"org_unit_id": "jiayuan", "kind": "home", "visitor_id": "v-9", "visitor_name": "志愿者",
                                "visited": "王秀英", "visited_at": "2026-03-01T02:00:00Z", "notes": "血压偏高",
                                "pairing_id": third}).status_code == 201
    opened = svc.call("GET", f"/pairings/{third}", headers=svc.headers()).get_json()
    assert (opened["household"], opened["plan"], opened["visits"][0]["visited"], opened["visits"][0]["notes"]) == \
        (masked["household"], None, "王**", None)
    full = svc.call("GET", f"/pairings/{third}", headers=svc.headers(**CIVIL)).get_json()
    assert (full["household"], full["visits"][0]["notes"]) == ("3栋2单元 王秀英户", "血压偏高")
    # another community's worker sees none of 家园's; asking for 家园 is refused, as by every list
    assert ids(listed(svc, "/pairings", HNL)) == [other]
    assert listed(svc, "/pairings", HNL, expect=403, org_unit="jiayuan")["error"]["code"] == "forbidden"
    assert listed(svc, "/pairings", CIVIL, expect=422, status="over")["error"]["fields"]["status"]


@BACKENDS
def test_visits_are_listed_filtered_paged_masked_and_kept_to_their_community(svc):
    pairing = pair(svc, "3栋2单元 王秀英户")

    def visit(at: str, kind: str = "home", visitor: str = "w-1", unit: str = "jiayuan", who: dict | None = None,
              **more) -> str:
        r = svc.post("/visits", {"org_unit_id": unit, "kind": kind, "visitor_id": visitor, "visitor_name": "小陈",
                                 "visited": "王秀英", "visited_at": at, "notes": "腿脚不便，独居",
                                 "follow_up": "联系家庭医生", "money_fen": 20000, **more}, **(who or {}))
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    jan = visit("2026-01-05T02:00:00Z")
    feb = visit("2026-02-05T02:00:00Z", kind="condolence", visitor="w-2")
    mar = visit("2026-03-01T02:00:00Z", pairing_id=pairing)
    hnl = visit("2026-02-06T02:00:00Z", unit="huangniling", who=HNL)

    everything = listed(svc, "/visits", CIVIL)
    assert (everything["total"], ids(everything)) == (3, [mar, feb, jan])
    assert everything["items"][0]["visited"] == "王秀英" and everything["items"][0]["notes"] == "腿脚不便，独居"
    pages = [listed(svc, "/visits", CIVIL, page=n, page_size=2) for n in (1, 2)]
    assert [p["total"] for p in pages] == [3, 3] and ids(pages[0]) + ids(pages[1]) == [mar, feb, jan]
    assert ids(listed(svc, "/visits", CIVIL, kind="home,condolence")) == [feb, jan]
    assert ids(listed(svc, "/visits", CIVIL, kind="pairing")) == [mar]
    assert ids(listed(svc, "/visits", CIVIL, visitor_id="w-2")) == [feb]
    assert ids(listed(svc, "/visits", CIVIL, pairing_id=pairing)) == [mar]
    # a day of the offices' calendar: 1 March 10:00 in Beijing is on the 1st, 5 January is not in February
    assert ids(listed(svc, "/visits", CIVIL, from_="2026-02-01", to="2026-03-01")) == [mar, feb]

    masked = listed(svc, "/visits", {}, visitor_id="w-2")["items"][0]
    assert (masked["visited"], masked["notes"], masked["follow_up"], masked["money_fen"]) == ("王**", None, None, 20000)
    assert ids(listed(svc, "/visits", HNL)) == [hnl]
    assert ids(listed(svc, "/visits", XIHU)) == [hnl]
    assert listed(svc, "/visits", HNL, expect=403, org_unit="jiayuan")["error"]["code"] == "forbidden"


@BACKENDS
def test_fund_grants_open_and_decided_are_listed_masked_and_kept_to_their_community(svc):
    for unit, who in (("jiayuan", SUBDISTRICT), ("huangniling", XIHU)):
        assert svc.post("/fund/donations", {"org_unit_id": unit, "donor": "爱心企业", "donor_kind": "co_building_unit",
                                            "amount_fen": 500000}, **who).status_code == 201

    def ask(recipient: str, unit: str = "jiayuan", **who) -> str:
        r = svc.post("/fund/grants", {"org_unit_id": unit, "recipient": recipient, "reason": "大病住院，自付费用高",
                                      "amount_fen": 100000}, **who)
        assert r.status_code == 201, r.get_json()
        assert "recipient_key" not in r.get_json()
        return r.get_json()["_id"]

    paid = ask("赵小红")
    svc.clock.advance(minutes=1)
    rejected = ask("钱大军")
    svc.clock.advance(minutes=1)
    waiting = ask("赵小红")
    svc.clock.advance(minutes=1)
    also_waiting = ask("孙老师")
    other = ask("黄泥岭 周", unit="huangniling", **HNL)
    approved = svc.post(f"/fund/grants/{paid}/approval", {}, **SUBDISTRICT)
    assert approved.status_code == 200 and "recipient_key" not in approved.get_json()
    assert svc.post(f"/fund/grants/{rejected}/rejection", {"note": "已获其他救助"}, **SUBDISTRICT).status_code == 200

    everything = listed(svc, "/fund/grants", CIVIL)
    assert (everything["total"], ids(everything)) == (4, [also_waiting, waiting, rejected, paid])
    assert everything["items"][-1]["status"] == "paid" and everything["items"][-1]["recipient"] == "赵小红"
    assert "recipient_key" not in everything["items"][0]
    # what waits for a decision: the open ones
    assert ids(listed(svc, "/fund/grants", SUBDISTRICT, status="requested,paying")) == [also_waiting, waiting]
    assert ids(listed(svc, "/fund/grants", CIVIL, status="rejected")) == [rejected]
    assert ids(listed(svc, "/fund/grants", CIVIL, recipient="赵小红")) == [waiting, paid]
    pages = [listed(svc, "/fund/grants", CIVIL, page=n, page_size=3) for n in (1, 2)]
    assert [p["total"] for p in pages] == [4, 4] and ids(pages[1]) == [paid]
    assert listed(svc, "/fund/grants", CIVIL, from_="2030-01-01")["total"] == 0

    masked = listed(svc, "/fund/grants", {}, status="rejected")["items"][0]
    assert (masked["recipient"], masked["reason"], masked["note"], masked["amount_fen"]) == ("钱**", None, None, 100000)
    assert ids(listed(svc, "/fund/grants", HNL)) == [other]
    assert listed(svc, "/fund/grants", HNL, expect=403, org_unit="jiayuan")["error"]["code"] == "forbidden"


@BACKENDS
def test_redemptions_are_listed_by_state_and_volunteer_and_kept_to_their_community(svc):
    for unit, who in (("jiayuan", {}), ("huangniling", HNL)):
        r = svc.post("/goods/donations", {"org_unit_id": unit, "sku": "rice", "name": "大米", "unit": "袋", "quantity": 20,
                                          "donor": "x", "unit_value_fen": 5000, "coin_price": 10}, **who)
        assert r.status_code == 201, r.get_json()

    def redeem(volunteer: str, unit: str = "jiayuan", **who) -> str:
        r = svc.post("/goods/redemptions", {"org_unit_id": unit, "volunteer_id": volunteer,
                                            "items": [{"item_id": f"{unit}:rice", "quantity": 1}]}, **who)
        assert r.status_code == 202, r.get_json()
        svc.clock.advance(seconds=5)
        return r.get_json()["id"]

    first, second, third = redeem("v-1"), redeem("v-2"), redeem("v-1")
    other = redeem("v-8", "huangniling", **HNL)
    assert svc.post(f"/goods/redemptions/{second}/cancel").status_code == 200

    everything = listed(svc, "/goods/redemptions")
    assert (everything["total"], ids(everything)) == (3, [third, second, first])
    assert everything["items"][0]["coins"] == 10 and everything["items"][0]["lines"][0]["name"] == "大米"
    assert ids(listed(svc, "/goods/redemptions", status="cancelled")) == [second]
    assert ids(listed(svc, "/goods/redemptions", status="holding,awaiting_coins")) == [third, first]
    assert ids(listed(svc, "/goods/redemptions", volunteer_id="v-1")) == [third, first]
    pages = [listed(svc, "/goods/redemptions", page=n, page_size=2) for n in (1, 2)]
    assert [p["total"] for p in pages] == [3, 3] and ids(pages[1]) == [first]
    assert ids(listed(svc, "/goods/redemptions", HNL)) == [other]
    assert listed(svc, "/goods/redemptions", HNL, expect=403, org_unit="jiayuan")["error"]["code"] == "forbidden"
    assert "colour" in listed(svc, "/goods/redemptions", expect=422, colour="red")["error"]["fields"]
