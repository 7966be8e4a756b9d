"""The registers' allowances (#20) run through the one flow: application, community review and 公示, approval,
grant, monthly payments, and the per-programme totals."""
from __future__ import annotations

import pytest

from welfare_testkit import SUBDISTRICT, id_number


def apply_and_approve(svc, programme: str, household: dict) -> dict:
    app = svc.post("/applications", {"org_unit_id": "jiayuan", "programme": programme, "household": household})
    assert app.status_code == 201, app.get_json()
    app = app.get_json()
    assert app["eligibility"]["eligible"], app["eligibility"]
    review = svc.post(f"/applications/{app['id']}/community-review", {"decision": "pass"})
    svc.clock.advance(days=review.get_json()["notice_days"], minutes=1)
    approved = svc.post(f"/applications/{app['id']}/approval", **SUBDISTRICT)
    assert approved.status_code == 200, approved.get_json()
    return approved.get_json()["grant"]


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_an_old_age_allowance_and_an_entitled_groups_subsidy_are_granted_and_paid_per_programme(svc):
    aged = {"members": [{"name": "高龄老人", "id_number": id_number("19400505", 611), "relation": "applicant"}]}
    young = {"members": [{"name": "年轻人", "id_number": id_number("19600505", 612), "relation": "applicant"}]}
    refused = svc.post("/eligibility-checks", {"org_unit_id": "jiayuan", "programme": "old_age_allowance",
                                               "household": young}).get_json()
    assert not refused["eligible"] and refused["rules"][0]["rule"] == "member_age_at_least"
    old_age = apply_and_approve(svc, "old_age_allowance", aged)
    assert old_age["monthly_amount_fen"] == 10000
    veteran = {"members": [{"name": "参战老兵", "id_number": id_number("19550101", 613), "relation": "applicant"}],
               "stated_statuses": ["entitled_group"], "documents_provided": ["身份证", "优抚证"]}
    subsidy = apply_and_approve(svc, "entitled_group_subsidy", veteran)
    without = svc.post("/eligibility-checks", {"org_unit_id": "jiayuan", "programme": "entitled_group_subsidy",
                                               "household": {**veteran, "documents_provided": ["身份证"]}}).get_json()
    assert not without["eligible"] and [r["rule"] for r in without["rules"] if not r["passed"]] == ["document_provided"]

    svc.clock.set_month("2026-04")
    for month in ("2026-03", "2026-04"):
        r = svc.post("/disbursements", {"org_unit_id": "huangqi", "period": month}, **SUBDISTRICT)
        assert r.status_code in (200, 201), r.get_json()
    totals = svc.fetch("/disbursements/totals?org_unit=jiayuan&from=2026-03-01&to=2026-04-30", **SUBDISTRICT).get_json()
    assert totals["by_programme"]["old_age_allowance"]["amount_fen"] == 2 * 10000
    assert totals["by_programme"]["entitled_group_subsidy"]["amount_fen"] == 2 * subsidy["monthly_amount_fen"] == 100000
