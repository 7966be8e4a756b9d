"""The acceptance path: a household of three on 城市低保, from application to payments and re-review."""
from __future__ import annotations

import pytest

from liandong.testing import wait_for

from welfare_testkit import CEGUAN, CIVIL, SUBDISTRICT, household


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_household_of_three_is_approved_paid_three_months_and_suspended_on_rereview(svc):
    body = {"org_unit_id": "jiayuan", "programme": "dibao_urban", "household": household((800, 0, 0))}
    check = svc.post("/eligibility-checks", body).get_json()
    assert check["eligible"] is True
    income_rule = next(r for r in check["rules"] if r["rule"] == "income_per_member_below_line")
    assert income_rule["figures"]["line_fen"] == 72000 and income_rule["figures"]["income_per_member_fen"] == 26666
    assert check["amount_fen"] == 720_00 * 3 - 800_00  # 补差: 1360.00 yuan a month

    app = svc.post("/applications", body).get_json()
    assert app["status"] == "submitted" and app["eligibility"]["eligible"]
    # no approval before the community has reviewed it
    early = svc.post(f"/applications/{app['id']}/approval", **SUBDISTRICT)
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "invalid_transition"

    reviewed = svc.post(f"/applications/{app['id']}/community-review", {"decision": "pass"}).get_json()
    assert reviewed["status"] == "in_notice" and reviewed["notice_days"] == 7  # 公示 from the programme
    assert svc.post(f"/applications/{app['id']}/approval", **SUBDISTRICT).status_code == 409  # notice still on
    objection = svc.post(f"/applications/{app['id']}/objections", {"text": "邻居反映其有营运车辆"})
    assert objection.status_code == 201
    svc.clock.advance(days=7, minutes=1)
    blocked = svc.post(f"/applications/{app['id']}/approval", **SUBDISTRICT)
    assert blocked.status_code == 409 and "objection" in blocked.get_json()["error"]["message"]
    resolved = svc.post(f"/applications/{app['id']}/objections/{objection.get_json()['id']}/resolution",
                        {"upheld": False, "note": "经核实车辆已于2025年转让"})
    assert resolved.status_code == 200
    # a community worker cannot approve: that is the sub-district's step
    assert svc.post(f"/applications/{app['id']}/approval").status_code == 403
    approved = svc.post(f"/applications/{app['id']}/approval", **SUBDISTRICT).get_json()
    grant = approved["grant"]
    assert approved["application"]["status"] == "approved"
    assert grant["status"] == "active" and grant["monthly_amount_fen"] == 136000 and grant["start_period"] == "2026-03"
    # approving twice is an illegal transition
    assert svc.post(f"/applications/{app['id']}/approval", **SUBDISTRICT).status_code == 409

    svc.clock.set_month("2026-05")  # March and April are caught up, May is the current month
    for month in ("2026-03", "2026-04", "2026-05"):
        paid = svc.post("/disbursements", {"org_unit_id": "huangqi", "period": month}, **SUBDISTRICT).get_json()
        assert paid["payments"] == 1 and paid["total_fen"] == 136000
    again = svc.post("/disbursements", {"org_unit_id": "huangqi", "period": "2026-05"}, **SUBDISTRICT).get_json()
    assert again == {**again, "payments": 0, "already_paid": 1, "total_fen": 0}

    q = "from=2026-01-01&to=2026-12-31"
    community = svc.fetch(f"/disbursements/totals?org_unit=jiayuan&{q}").get_json()
    subdistrict = svc.fetch(f"/disbursements/totals?org_unit=huangqi&{q}", **SUBDISTRICT).get_json()
    assert community["total_fen"] == subdistrict["total_fen"] == 408000
    assert subdistrict["total_yuan"] == "4080.00"
    assert subdistrict["by_org_unit"]["jiayuan"]["amount_fen"] == 408000
    assert subdistrict["by_programme"]["dibao_urban"]["payments"] == 3
    ledger = svc.fetch(f"/payments?grant_id={grant['id']}").get_json()["items"]
    assert [p["period"] for p in ledger] == ["2026-03", "2026-04", "2026-05"]

    # 动态管理: the income rose above the line -> the grant is suspended and June is not paid
    svc.clock.advance(days=90)
    rr = svc.post(f"/grants/{grant['id']}/re-reviews", {"household": household((2400, 0, 0))})
    assert rr.status_code == 200, rr.get_json()
    assert rr.get_json()["outcome"] == "suspended" and rr.get_json()["status"] == "suspended"
    june = svc.post("/disbursements", {"org_unit_id": "huangqi", "period": "2026-06"}, **SUBDISTRICT).get_json()
    assert june["payments"] == 0
    # events went out through the outbox
    wait_for(lambda: svc.welfare.stores.grants.collection.count_documents({"_outbox_pending": True}) == 0, 20,
             message="grant events relayed")
    types = _published_types(svc, grant["id"], app["id"])
    assert types.count("liandong.welfare.payment.disbursed.v1") == 3
    assert {"liandong.welfare.application.submitted.v1", "liandong.welfare.application.approved.v1",
            "liandong.welfare.grant.started.v1", "liandong.welfare.grant.suspended.v1"} <= set(types)
    stats = svc.fetch(f"/statistics?org_unit=huangqi&{q}", **SUBDISTRICT).get_json()
    assert stats["programmes"]["dibao_urban"] == {"households": 1, "people": 3, "amount_fen": 408000,
                                                  "amount_yuan": "4080.00"}


def _published_types(svc, grant_id, app_id):
    """The types of the events about this grant and application found on the welfare topic."""
    from liandong.events.envelope import Envelope
    from liandong.testing import unique

    consumer = svc.platform.bus.consumer(unique("probe"), ["welfare.events"])
    seen: list[str] = []

    def read():
        for msg in consumer.poll(max_records=500, timeout=0.5):
            ev = Envelope.from_json(msg.value)
            if ev.data.get("grant_id") == grant_id or ev.data.get("application_id") == app_id:
                seen.append(ev.type)
        # every one awaited: payments and grants leave through outboxes of their own, so the suspension may be
        # published before the last payment is (CI once read 2 of the 3 payments here)
        return (seen.count("liandong.welfare.grant.suspended.v1") >= 1
                and seen.count("liandong.welfare.payment.disbursed.v1") >= 3)

    wait_for(read, 60, message="the grant's events on the bus")
    consumer.close()
    return seen


def test_sub_district_totals_are_the_sum_of_its_communities_to_the_fen(svc):
    # odd amounts: incomes with fen so the gaps are not round
    a = svc.approved_grant(CEGUAN, "yangchun", "/chuanying/ceguan/yangchun/", incomes_yuan=(333, 0, 0), seq=200)
    b = svc.approved_grant(CEGUAN, "yanghe", "/chuanying/ceguan/yanghe/", incomes_yuan=(101, 57), seq=300)
    svc.clock.set_month("2026-05")
    for month in ("2026-03", "2026-04", "2026-05"):
        svc.post("/disbursements", {"org_unit_id": "ceguan", "period": month}, **CEGUAN)
    q = "from=2026-03-01&to=2026-05-31"
    yangchun = svc.fetch(f"/disbursements/totals?org_unit=yangchun&{q}", **CEGUAN).get_json()
    yanghe = svc.fetch(f"/disbursements/totals?org_unit=yanghe&{q}", **CEGUAN).get_json()
    ceguan = svc.fetch(f"/disbursements/totals?org_unit=ceguan&{q}", **CEGUAN).get_json()
    assert yangchun["total_fen"] == 3 * a["monthly_amount_fen"] == 3 * (216000 - 33300)
    assert yanghe["total_fen"] == 3 * b["monthly_amount_fen"] == 3 * (144000 - 15800)
    assert ceguan["total_fen"] == yangchun["total_fen"] + yanghe["total_fen"]
    assert sum(r["amount_fen"] for r in ceguan["by_period"].values()) == ceguan["total_fen"]
    due = svc.fetch("/grants/reviews-due?org_unit=ceguan&period=2026-09", **CEGUAN).get_json()["items"]
    assert {g["id"] for g in due} == {a["id"], b["id"]}  # 动态管理 every six months
    assert svc.fetch("/grants/reviews-due?org_unit=ceguan&period=2026-08", **CEGUAN).get_json()["items"] == []


def test_rejection_and_illegal_transitions(svc):
    body = {"org_unit_id": "jiayuan", "programme": "dibao_urban", "household": household((3000, 0, 0), seq=400)}
    app = svc.post("/applications", body).get_json()
    failed = [r for r in app["eligibility"]["rules"] if not r["passed"]]
    assert [r["rule"] for r in failed] == ["income_per_member_below_line"]
    rejected = svc.post(f"/applications/{app['id']}/community-review",
                        {"decision": "fail", "note": "人均收入1000元高于低保标准720元"}).get_json()
    assert rejected["status"] == "rejected" and rejected["rejection"]["stage"] == "community_review"
    assert svc.post(f"/applications/{app['id']}/community-review", {"decision": "pass"}).status_code == 409
    assert svc.post(f"/applications/{app['id']}/approval", **SUBDISTRICT).status_code == 409
    # an application can be approved only if it still qualifies: approval re-checks
    app2 = svc.post("/applications", body).get_json()
    svc.post(f"/applications/{app2['id']}/community-review", {"decision": "pass"})
    svc.clock.advance(days=7, minutes=1)
    refused = svc.post(f"/applications/{app2['id']}/approval", **SUBDISTRICT)
    assert refused.status_code == 409 and "720.00" in refused.get_json()["error"]["message"]


def test_id_numbers_are_checked_and_masked(svc):
    bad = household(seq=500)
    bad["members"][0]["id_number"] = bad["members"][0]["id_number"][:-1] + ("0" if bad["members"][0]["id_number"][-1] != "0" else "1")
    r = svc.post("/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban", "household": bad})
    assert r.status_code == 422 and "id_number" in str(r.get_json()["error"]["fields"])
    one_applicant = household(seq=510)
    one_applicant["members"][1]["relation"] = "applicant"
    assert svc.post("/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban",
                                      "household": one_applicant}).status_code == 422
    app = svc.post("/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban",
                                     "household": household(seq=520)}).get_json()
    member = app["household"]["members"][0]
    assert "*" in member["id_number"] and member["monthly_income_fen"] is None
    full = svc.fetch(f"/applications/{app['id']}", **CIVIL).get_json()["household"]["members"][0]
    assert "*" not in full["id_number"] and full["monthly_income_fen"] == 80000
    # another community's worker does not see it; a resident files and sees only their own
    assert svc.fetch(f"/applications/{app['id']}", org_unit="huangniling",
                   path="/chuanying/xihu/huangniling/").status_code == 404
    resident = dict(role="resident", user_id="res-1")
    mine = svc.post("/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban",
                                      "household": household(seq=530)}, **resident).get_json()
    assert mine["channel"] == "online"
    listed = svc.fetch("/applications", **resident).get_json()["items"]
    assert [a["id"] for a in listed] == [mine["id"]]
    assert svc.fetch(f"/applications/{app['id']}", **resident).status_code == 404


def test_a_resident_follows_their_own_application_and_grant(svc):
    me, other = dict(role="resident", user_id="res-own"), dict(role="resident", user_id="res-other")
    app = svc.post("/applications", {"org_unit_id": "jiayuan", "programme": "severe_disability",
                                     "household": {**household((0,), seq=700),
                                                   "members": [{**household((0,), seq=700)["members"][0],
                                                                "disability_grade": 1}]}}, **me).get_json()
    assert app["eligibility"]["eligible"] and app["eligibility"]["amount_fen"] == 10000
    svc.post(f"/applications/{app['id']}/community-review", {"decision": "pass"})
    svc.clock.advance(days=5, minutes=1)  # 重残金: five days of notice
    grant = svc.post(f"/applications/{app['id']}/approval", **SUBDISTRICT).get_json()["grant"]
    assert svc.fetch(f"/grants/{grant['id']}", **me).get_json()["status"] == "active"
    assert svc.fetch(f"/grants/{grant['id']}", **other).status_code == 404
    assert svc.fetch(f"/applications/{app['id']}", **me).get_json()["status"] == "approved"
    assert svc.post("/goods/handouts", {"item_id": "x", "quantity": 1, "household_id": "h"}, **me).status_code == 403
