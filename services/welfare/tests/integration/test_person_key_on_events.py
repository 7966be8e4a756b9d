"""Welfare's events name the household's applicant by the platform's pseudonym, never by ID number (#19).

The security service's one file per household (一户一档) finds a household's grants and payments by the
`person_key` of its members: welfare computes it from the applicant's ID number with the platform's one
cipher (`liandong.personal.person_key`), and the ID numbers themselves stay in welfare, encrypted.
"""
from __future__ import annotations

import json

import pytest

from liandong.personal import person_key
from liandong.testing import wait_for

from welfare_testkit import SUBDISTRICT, household

CARRYING = {f"liandong.welfare.{t}.v1" for t in ("application.submitted", "grant.started", "grant.suspended",
                                                  "grant.ended", "payment.disbursed")}


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_the_applicants_person_key_and_no_id_number_on_the_grants_events(svc):
    seq = 710
    members = household(seq=seq)["members"]
    applicant = members[0]["id_number"]
    grant = svc.approved_grant(SUBDISTRICT, seq=seq)
    svc.clock.set_month(grant["start_period"])
    paid = svc.post("/disbursements", {"org_unit_id": "huangqi", "period": grant["start_period"]}, **SUBDISTRICT)
    assert paid.status_code in (200, 201), paid.get_json()
    # 动态管理: the income rose above the line (the same household) -> suspended; then ended for good
    rr = svc.post(f"/grants/{grant['id']}/re-reviews", {"household": household((2400, 0, 0), seq=seq)})
    assert rr.get_json()["outcome"] == "suspended", rr.get_json()
    ended = svc.post(f"/grants/{grant['id']}/end", {"reason": "household moved away"}, **SUBDISTRICT)
    assert ended.status_code == 200, ended.get_json()

    seen: dict[str, object] = {}

    def all_seen():
        for e in svc.events(CARRYING):
            seen[e.type] = e
        return set(seen) == CARRYING

    wait_for(all_seen, 20, message="the grant's events on welfare's topic")
    expected = person_key(svc.platform.deps.cipher, applicant)
    assert expected and len(expected) == 64
    for event in seen.values():
        assert event.data["person_key"] == expected, event.type
        wire = json.dumps(event.to_dict(), ensure_ascii=False)
        assert not any(m["id_number"] in wire for m in members), (event.type, wire)
    assert seen["liandong.welfare.grant.started.v1"].data["start_period"] == grant["start_period"]
