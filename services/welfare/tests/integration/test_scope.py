"""No record leaks across communities (#16): references, single-record routes, masking, levels.

A worker of 家园 (community A) names a record of 黄泥岭 (community B): 404 in the words of a record that
does not exist, and nothing changes anywhere. Each reference field is one row.
"""
from __future__ import annotations

import io
import re

import pytest

from liandong.testing import assert_like_a_missing_one, fill, wait_for

from welfare_testkit import CIVIL, SUBDISTRICT, household, id_number

HNL = dict(org_unit="huangniling", path="/chuanying/xihu/huangniling/")
XIHU = dict(role="subdistrict_officer", org_unit="xihu", path="/chuanying/xihu/")
API = "/api/v1/welfare"


@pytest.fixture
def b(svc):
    """黄泥岭's records: an application, a grant, stock, a pairing, a fund grant, a redemption."""
    s = {"app": svc.apply(**HNL)["id"], "grant": svc.approved_grant(XIHU, **HNL, seq=700)["id"]}
    for unit, who in (("huangniling", HNL), ("jiayuan", {})):
        r = svc.post("/goods/donations", {"org_unit_id": unit, "sku": "oil", "name": "食用油", "unit": "桶",
                                          "quantity": 5, "donor": "x", "unit_value_fen": 5000, "coin_price": 10}, **who)
        assert r.status_code == 201, r.get_json()
    s["item"] = "huangniling:oil"
    s["pairing"] = svc.post("/pairings", {"org_unit_id": "huangniling", "helper_id": "c-1", "helper_name": "书记",
                                          "helper_kind": "cadre", "household": "x户", "plan": "每月走访"},
                            **HNL).get_json()["_id"]
    assert svc.post("/fund/donations", {"org_unit_id": "huangniling", "donor": "x", "donor_kind": "other",
                                        "amount_fen": 100000}, **XIHU).status_code == 201
    s["fund_grant"] = svc.post("/fund/grants", {"org_unit_id": "huangniling", "recipient": "x", "reason": "x",
                                                "amount_fen": 100}, **HNL).get_json()["_id"]
    r = svc.post("/goods/redemptions", {"org_unit_id": "huangniling", "volunteer_id": "v-b",
                                        "items": [{"item_id": s["item"], "quantity": 1}]}, **HNL)
    assert r.status_code == 202, r.get_json()
    s["redemption"] = r.get_json()["id"]
    r = svc.post(f"/applications/{s['app']}/community-review", {"decision": "pass"}, **HNL)
    stock_list = "社区,物品名称,数量,单位,单价(元),入库日期\r\n黄泥岭社区,棉被,2,床,120,2026-02-01\r\n".encode("gbk")
    r = svc.app.test_client().post(f"{API}/imports/supermarket_stock", data={"file": (io.BytesIO(stock_list), "b.csv")},
                                   headers=svc.headers(**HNL), content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    s["import_job"] = r.get_json()["id"]  # 黄泥岭's import, and its (absent) rows to fix
    s["objection"] = svc.post(f"/applications/{s['app']}/objections", {"text": "x"}, **HNL).get_json()["id"]
    # 就业 / 社保 (#20): a registration and a zero-employment household of 黄泥岭, by its 保障员
    hnl_social = dict(HNL, duties=("social_security",))
    s["jobseeker"] = svc.post("/employment/jobseekers", {"org_unit_id": "huangniling", "name": "x", "category":
                              "laid_off", "id_number": id_number("19700101", 311)}, **hnl_social).get_json()["id"]
    s["zero_household"] = svc.post("/employment/zero-employment-households", {
        "org_unit_id": "huangniling", "household_key": "H-1", "members": [
            {"name": "x", "id_number": id_number("19700101", 311), "status": "laid_off"}]}, **hnl_social).get_json()["id"]
    s["entry"] = svc.post("/register-entries", {"register": "veteran", "org_unit_id": "huangniling", "person": {
        "name": "x", "id_number": household(seq=710)["members"][0]["id_number"]},
        "details": {"category": "war_veteran"}}, **XIHU).get_json()["id"]  # 黄泥岭's 优抚对象 (#20)
    wait_for(lambda: settled(svc), 30, message="set-up settled")
    return s


def settled(svc) -> bool:
    return sum(c.count_documents({"_outbox_pending": True}) for c in svc.welfare.stores.outbox_collections()) == 0


def state(svc) -> dict:
    """Every stored record (bookkeeping fields aside): a refusal leaves all of it as it was."""
    out = {}
    for name in ("applications", "grants", "payments", "redemptions", "visits", "stock", "goods_movements",
                 "stocktakes", "funds", "fund_entries", "fund_grants", "pairings", "jobseekers",
                 "reemployment_certificates", "zero_employment_households", "register_entries",
                 "register_services"):
        docs = svc.platform.db.collection(name).find({})
        out[name] = sorted(repr(sorted((k, repr(v)) for k, v in d.items() if not k.startswith("_") or k == "_id"))
                           for d in docs)
    return out


# (row, path, body, what is named): a's worker sends it
REFERENCES = [
    ("handout.item_id", "/goods/handouts", {"item_id": "{item}", "quantity": 1, "household_id": "h-1"},
     ("stock item", "item")),
    ("handout.grant_id", "/goods/handouts", {"item_id": "jiayuan:oil", "quantity": 1, "household_id": "h-1",
                                             "grant_id": "{grant}"}, ("grant", "grant")),
    ("visit.pairing_id", "/visits", {"org_unit_id": "jiayuan", "visited": "x", "pairing_id": "{pairing}"},
     ("pairing", "pairing")),
    ("payments.grant_id", "/payments?grant_id={grant}", None, ("grant", "grant")),
    ("fund.org_unit_id", "/fund/huangniling", None, ("charity fund", None)),
    ("fund_entries.org_unit_id", "/fund/huangniling/entries", None, ("charity fund", None)),
]


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
@pytest.mark.parametrize("row,path,body,named", REFERENCES, ids=[r[0] for r in REFERENCES])
def test_a_reference_to_another_communitys_record_is_404_and_changes_nothing(svc, b, row, path, body, named):
    before = state(svc)
    url = fill(path, b)
    r = svc.fetch(url, **CIVIL) if body is None else svc.post(url, fill(body, b), **CIVIL)
    assert r.status_code == 404, (r.status_code, r.get_json())
    what, key = named
    assert r.get_json()["error"]["message"] == f"no {what} {b[key] if key else 'huangniling'!r}"
    assert "/chuanying" not in r.get_data(as_text=True)
    wait_for(lambda: settled(svc), 30, message="settled")
    assert state(svc) == before


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_list_lines_naming_another_communitys_item_answer_as_for_a_missing_one(svc, b):
    """Lines of a redemption or a stock-take are checked against the community the body names."""
    before = state(svc)
    answers = []
    for item in (b["item"], "jiayuan:nothing"):
        r1 = svc.post("/goods/redemptions", {"org_unit_id": "jiayuan", "volunteer_id": "v",
                                             "items": [{"item_id": item, "quantity": 1}]})
        r2 = svc.post("/goods/stocktakes", {"org_unit_id": "jiayuan", "lines": [{"item_id": item, "counted": 0}]})
        answers.append([(r.status_code, {k: v for k, v in r.get_json()["error"].items() if k != "correlation_id"})
                        for r in (r1, r2)])
    assert repr(answers[0]).replace(b["item"], "X") == repr(answers[1]).replace("jiayuan:nothing", "X")
    assert {code for code, _ in answers[0]} == {422}
    assert state(svc) == before


# -- every single-record route, walked from the app's url_map

BODIES = {
    "/applications/<app_id>/community-review:POST": {"decision": "pass"},
    "/applications/<app_id>/objections:POST": {"text": "x"},
    "/applications/<app_id>/objections/<objection_id>/resolution:POST": {"upheld": True, "note": "x"},
    "/applications/<app_id>/rejection:POST": {"reason": "x"},
    "/grants/<grant_id>/re-reviews:POST": {"household": household(seq=900)},
    "/grants/<grant_id>/end:POST": {"reason": "x"},
    "/pairings/<pairing_id>/end:POST": {"reason": "other"},
    "/employment/jobseekers/<jobseeker_id>/placement:POST": {"kind": "flexible"},
    "/employment/jobseekers/<jobseeker_id>/end:POST": {"reason": "other"},
    "/employment/jobseekers/<jobseeker_id>/certificate:POST": {"number": "x"},
    "/employment/zero-employment-households/<household_id>/visits:POST": {"note": "x"},
    "/register-entries/<entry_id>:PATCH": {"details": {"category": "martyr_family"}},
    "/register-entries/<entry_id>/end:POST": {"reason": "died"},
    "/register-entries/<entry_id>/services:POST": {"kind": "relief"},
}
PARAMS = {"app_id": "app", "grant_id": "grant", "redemption_id": "redemption", "pairing_id": "pairing",
          "objection_id": "objection", "org_unit_id": None, "job_id": "import_job", "jobseeker_id": "jobseeker",
          "household_id": "zero_household", "entry_id": "entry",
          "application_id": "app",  # a resident's own view of an application (/my-applications)
          "attachment_id": "app"}  # an application's file: any id, the application is reached first
NOT_RECORDS = {"/org-units/<org_unit_id>"}  # the platform's org tree: every unit's name is public


def single_record_routes(app):
    for rule in app.url_map.iter_rules():
        path = rule.rule[len(API):]
        if rule.rule.startswith(API) and rule.arguments and path not in NOT_RECORDS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield path, method


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_every_single_record_route_answers_404_out_of_scope_without_an_org_path(svc, b):
    routes = list(single_record_routes(svc.app))
    assert len(routes) >= 15
    outsiders = {"jiayuan worker": dict(CIVIL), "huangqi officer": SUBDISTRICT,
                 "jiayuan 保障员": dict(duties=("social_security",)),
                 "jiayuan resident": dict(role="resident", org_unit="jiayuan-b1", path="/chuanying/huangqi/jiayuan/b1/")}
    before = state(svc)
    for path, method in routes:
        fund_grant = "/fund/grants/" in path
        url = API + re.sub(r"<(\w+)>", lambda m: "huangniling" if PARAMS[m.group(1)] is None else
                           b["fund_grant" if fund_grant else PARAMS[m.group(1)]], path)
        for who, hkw in outsiders.items():
            body = BODIES.get(f"{path}:{method}", {})
            headers = svc.headers(**hkw)
            r = svc.client.open(url, method=method, json=body if method != "GET" else None, headers=headers)
            text = r.get_data(as_text=True)
            if path.startswith("/employment/"):  # without the 保障员's duty anywhere: 403 before any lookup (#20)
                record_id = b[PARAMS[re.search(r"<(\w+)>", path).group(1)]]
                missing = svc.client.open(url.replace(record_id, "nothing"), method=method,
                                          json=body if method != "GET" else None, headers=headers)
                assert_like_a_missing_one(r, record_id, missing, "nothing", (who, method, path))
                continue
            # the registers (#20) refuse a caller holding none of their permissions before any lookup (403 for
            # any id, audited: it tells nothing of the record), as security's corrections do
            refused = "<entry_id>" in path and who in ("jiayuan resident", "jiayuan 保障员")
            assert r.status_code == (403 if refused else 404), (who, method, path, r.status_code, text)
            assert "/chuanying" not in text and "xihu" not in text, (who, method, path, text)
    wait_for(lambda: settled(svc), 30, message="settled")
    assert state(svc) == before
    missing = svc.fetch("/applications/nothing", **CIVIL).get_json()["error"]["message"]
    hidden = svc.fetch(f"/applications/{b['app']}", **CIVIL).get_json()["error"]["message"]
    assert missing.replace("nothing", "X") == hidden.replace(b["app"], "X")


# -- incomes and assets hidden in the household are hidden in what is worked out from them

def _figures(app_or_review) -> dict:
    return {k: v for r in app_or_review["eligibility"]["rules"] for k, v in r["figures"].items()}


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_eligibility_figures_are_masked_wherever_the_household_is(svc):
    app = svc.apply(incomes_yuan=(1234, 0, 0), assets_fen=4567800, seq=800)
    masked = svc.fetch(f"/applications/{app['id']}").get_json()  # a community worker, no personal_data:read
    listed = next(a for a in svc.fetch("/applications").get_json()["items"] if a["id"] == app["id"])
    for view in (masked, listed):
        assert view["household"]["members"][0]["monthly_income_fen"] is None
        figures = _figures(view)
        assert figures["household_income_fen"] is None and figures["income_per_member_fen"] is None
        assert figures["assets_per_member_fen"] is None and figures["line_fen"] == 72000  # the policy stays
        text = repr(view)
        assert "411.33" not in text and "123400" not in text and "15226" not in text
    full = svc.fetch(f"/applications/{app['id']}", **CIVIL).get_json()  # 民政员: personal_data:read
    assert _figures(full)["household_income_fen"] == 123400 and "411.33" in repr(full)

    # a grant's re-reviews, and the reason it was suspended for, quote no income either
    grant = svc.approved_grant(SUBDISTRICT, incomes_yuan=(500, 0, 0), seq=810)
    r = svc.post(f"/grants/{grant['id']}/re-reviews", {"household": household((2345, 0, 0), seq=810)})
    assert r.status_code == 200 and r.get_json()["outcome"] == "suspended"
    for view in (svc.fetch(f"/grants/{grant['id']}").get_json(),
                 next(g for g in svc.fetch("/grants").get_json()["items"] if g["id"] == grant["id"])):
        assert _figures(view["reviews"][0])["household_income_fen"] is None
        assert "234500" not in repr(view) and "781.66" not in repr(view)
    assert _figures(svc.fetch(f"/grants/{grant['id']}", **CIVIL).get_json()["reviews"][0])[
        "household_income_fen"] == 234500


# -- settings at the wrong level: the 公示 period and the months paid

def test_the_notice_is_never_shorter_than_the_programmes(svc):
    app = svc.apply(seq=820)
    for days in (0, 6):
        r = svc.post(f"/applications/{app['id']}/community-review", {"decision": "pass", "notice_days": days})
        assert r.status_code == 422 and "notice_days" in r.get_json()["error"]["fields"]
    assert svc.fetch(f"/applications/{app['id']}").get_json()["status"] == "submitted"
    longer = svc.post(f"/applications/{app['id']}/community-review", {"decision": "pass", "notice_days": 10})
    assert longer.status_code == 200 and longer.get_json()["notice_days"] == 10
    svc.clock.advance(days=9)
    assert svc.post(f"/applications/{app['id']}/approval", **SUBDISTRICT).status_code == 409  # still on notice
    # a programme configured without 公示 (临时救助) needs none
    aid = svc.post("/applications", {"org_unit_id": "jiayuan", "programme": "temporary_aid",
                                     "household": {**household(seq=830), "emergency_reason": "火灾"}}).get_json()
    assert svc.post(f"/applications/{aid['id']}/community-review",
                    {"decision": "pass", "notice_days": 0}).status_code == 200


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_only_this_month_and_missed_months_are_paid(svc):
    grant = svc.approved_grant(SUBDISTRICT, seq=840)  # starts 2026-03
    svc.clock.set_month("2026-04")
    before = state(svc)
    for period in ("2026-05", "2030-01"):
        r = svc.post("/disbursements", {"org_unit_id": "jiayuan", "period": period})
        assert r.status_code == 422 and "period" in r.get_json()["error"]["fields"]
    assert state(svc) == before
    paid = {p: svc.post("/disbursements", {"org_unit_id": "jiayuan", "period": p}).get_json()["payments"]
            for p in ("2026-02", "2026-03", "2026-04")}
    assert paid == {"2026-02": 0, "2026-03": 1, "2026-04": 1}  # not before the grant started
    ledger = svc.fetch(f"/payments?grant_id={grant['id']}").get_json()["items"]
    assert [p["period"] for p in ledger] == ["2026-03", "2026-04"]
