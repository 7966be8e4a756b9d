"""一户一档 (#19): one view of a household across the services — its members (unmasked), each member's grants
and payments, petitions and volunteer hours as the other services announced them (by person key), and its
grid visits; only with personal_data:read over the household, every view audited."""
from __future__ import annotations

import pytest

from liandong.personal import person_key
from liandong.testing import STORES, wait_for

from ..conftest import CEGUAN, HUANGQI
from .test_register import GRID, add, household, register, resident

JIAYUAN = "/chuanying/huangqi/jiayuan/"
OFFICER = dict(role="subdistrict_officer", where=HUANGQI, user_id="officer-1")


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_the_household_file_joins_each_members_activity_and_is_read_only_with_personal_data_read(svc):
    hid = register(svc)["id"]
    mother, son = resident(1, born="19600101"), resident(2, born="19880202", name="王小明", relationship="child")
    add(svc, hid, mother)
    add(svc, hid, son)
    cipher = svc.platform.deps.cipher
    mother_key, son_key = person_key(cipher, mother["id_number"]), person_key(cipher, son["id_number"])
    grant = {"grant_id": "g-1", "programme": "dibao_urban", "org_unit_id": "jiayuan", "person_key": mother_key}
    svc.publish_event("welfare.grant.started", {**grant, "application_id": "a-1", "household_size": 2,
                                                "monthly_amount_fen": 108000, "programme_name": "城市低保",
                                                "start_period": "2026-01"}, "g-1", JIAYUAN)
    for period in ("2026-01", "2026-02"):
        svc.publish_event("welfare.payment.disbursed", {**grant, "payment_id": f"g-1:{period}", "period": period,
                                                        "amount_fen": 108000}, f"g-1:{period}", JIAYUAN)
    svc.publish_event("petition.registered", {
        "petition_id": "p-1", "org_unit_id": "jiayuan", "category": "environment_noise", "level": "community",
        "channel": "visit", "headcount": 1, "is_group": False, "anonymous": False, "risk_flags": [],
        "deadline": "2026-03-13", "registered_at": "2026-03-02T01:30:00.000000Z", "person_keys": [son_key]},
        "p-1", JIAYUAN)
    svc.publish_event("volunteer.registered", {"volunteer_id": "vol-1", "name": "王小明", "kind": "resident",
                                               "org_unit_id": "jiayuan", "skills": [], "user_id": None,
                                               "registered_at": "2026-03-01T08:00:00.000000Z",
                                               "person_key": son_key}, "vol-1", JIAYUAN)
    svc.publish_event("volunteer.attendance.recorded", {
        "attendance_id": "act-1:vol-1", "source": "activity", "activity_id": "act-1", "patrol_run_id": None,
        "volunteer_id": "vol-1", "activity_type": "health_clinic", "org_unit_id": "jiayuan",
        "started_at": "2026-03-05T01:00:00.000000Z", "correction_reason": None, "minutes": 150,
        "delta_minutes": 150, "coins": 25, "delta_coins": 25}, "act-1", JIAYUAN)
    assert svc.post(f"/households/{hid}/visits", {"findings": "老人腿脚不便,需送药上门", "kind": "key_group"},
                    **GRID).status_code == 201

    def file():
        r = svc.get(f"/households/{hid}/file", **OFFICER)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    seen = wait_for(lambda: (f := file())["summary"]["volunteer_hours"] == 2.5
                    and f["summary"]["payments_total_fen"] == 216000 and f, 30,
                    message="the file shows what the services announced")
    by_name = {m["name"]: m for m in seen["members"]}
    assert by_name["王秀兰"]["id_number"] == mother["id_number"]  # unmasked: the reader holds personal_data:read
    assert [(g["programme_name"], g["status"], g["payments"]["count"]) for g in by_name["王秀兰"]["activity"]["grants"]] \
        == [("城市低保", "active", 2)]
    assert [p["petition_id"] for p in by_name["王小明"]["activity"]["petitions"]] == ["p-1"]
    assert by_name["王小明"]["activity"]["grants"] == [] and by_name["王秀兰"]["activity"]["petitions"] == []
    assert seen["summary"] == {"members": 2, "grants_active": 1, "payments_total_fen": 216000, "petitions": 1,
                               "volunteer_hours": 2.5}
    assert [v["findings"] for v in seen["visit_log"]] == ["老人腿脚不便,需送药上门"]

    # a grid worker registers and visits, but reads no one's file; another sub-district does not see it at all
    refused = svc.get(f"/households/{hid}/file", **GRID)
    assert refused.status_code == 403
    assert svc.get(f"/households/{hid}/file", role="subdistrict_officer", where=CEGUAN).status_code == 404
    trail = svc.admin_get("/audit?page_size=100").get_json()["items"]
    views = [(e["action"], e["allowed"], e["user_id"]) for e in trail if e["record_id"] == hid]
    assert ("household.file", True, "officer-1") in views and ("household.file", False, "gw-1") in views
