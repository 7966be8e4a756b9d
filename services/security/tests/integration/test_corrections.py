"""Corrections records: only the roles that work them may read them; every attempt is audited; overdue visits."""
from liandong.idnumbers import check_digit
from liandong.testing import wait_for

CORRECTIONS = dict(role="community_worker", duties=("corrections",))


def person(**kw) -> dict:
    first17 = "22020219900101123"
    return {"org_unit_id": "jiayuan", "name": "钱某", "id_number": first17 + check_digit(first17),
            "category": "community_correction", "visit_interval_days": 7, "responsible_worker_id": "w-1",
            "responsible_worker_name": "矫正专干刘芳", **kw}


def audit(svc, **query) -> list[dict]:
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return svc.admin_get(f"/audit?{qs}").get_json()["items"]


def test_a_worker_without_the_corrections_duty_is_refused_and_the_attempt_is_audited(svc):
    created = svc.post("/corrections/people", person(), **CORRECTIONS)
    assert created.status_code == 201, created.get_json()
    pid = created.get_json()["id"]

    refused = svc.get(f"/corrections/people/{pid}", role="community_worker", user_id="cw-plain")
    assert refused.status_code == 403
    assert svc.get("/corrections/people", role="community_worker", user_id="cw-plain").status_code == 403
    assert svc.get(f"/corrections/people/{pid}", role="grid_worker", user_id="gw-1").status_code == 403

    allowed = svc.get(f"/corrections/people/{pid}", user_id="cw-duty", **CORRECTIONS)
    assert allowed.status_code == 200 and allowed.get_json()["name"] == "钱某"
    assert svc.get(f"/corrections/people/{pid}", role="community_police", user_id="police-1").status_code == 200

    denied = audit(svc, allowed="false")
    assert {(a["user_id"], a["action"], a["record_id"]) for a in denied} == {
        ("cw-plain", "corrections.read", pid), ("cw-plain", "corrections.list", None),
        ("gw-1", "corrections.read", pid)}
    assert all(a["roles"] and a["org_units"] == ["jiayuan"] and a["at"] and a["correlation_id"] for a in denied)
    granted = {(a["user_id"], a["record_id"]) for a in audit(svc, allowed="true", action="corrections.read")}
    assert granted == {("cw-duty", pid), ("police-1", pid)}
    assert svc.get("/audit", **CORRECTIONS).status_code == 403


def test_overdue_visits_are_flagged_once_and_a_visit_clears_them(svc):
    pid = svc.post("/corrections/people", person(), **CORRECTIONS).get_json()["id"]
    assert svc.post("/corrections/overdue-scan", **CORRECTIONS).get_json()["flagged"] == []
    svc.move_clock(days=9)
    assert svc.get("/corrections/people?overdue=true", **CORRECTIONS).get_json()["items"][0]["days_overdue"] == 2
    # ?org_unit= narrows the scan to a subtree (the building has nobody), a parameter it does not know is refused
    assert svc.post("/corrections/overdue-scan?org_unit=jiayuan-b1", **CORRECTIONS).get_json()["flagged"] == []
    assert svc.post("/corrections/overdue-scan?org_unit_id=jiayuan", **CORRECTIONS).status_code == 422
    assert svc.post("/corrections/overdue-scan", **CORRECTIONS).get_json()["flagged"] == [pid]
    assert svc.post("/corrections/overdue-scan", **CORRECTIONS).get_json()["flagged"] == []
    events = wait_for(lambda: svc.published("liandong.security.corrections.visit_overdue.v1"), 20,
                      message="visit_overdue event")
    assert [(e.subject, e.data["days_overdue"], e.data["responsible_worker_id"]) for e in events] == [(pid, 2, "w-1")]
    assert "name" not in events[0].data and "id_number" not in events[0].data

    visited = svc.post(f"/corrections/people/{pid}/visits", {"note": "走访,情况稳定"}, **CORRECTIONS)
    assert visited.status_code == 200 and visited.get_json()["overdue"] is False
    assert visited.get_json()["visits"][0]["by_name"] == "测试用户"
    assert svc.get("/corrections/people?overdue=true", **CORRECTIONS).get_json()["items"] == []
    refused = svc.post(f"/corrections/people/{pid}/visits", {"note": "x"}, role="community_worker")
    assert refused.status_code == 403
