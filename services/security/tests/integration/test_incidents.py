"""Incidents through the HTTP API: report, lifecycle with times, emergencies, residents' own reports, figures."""
from liandong.testing import wait_for

from ..conftest import HUANGQI

GAS = {"org_unit_id": "jiayuan-b1", "type": "gas_leak", "severity": "high", "description": "3单元楼道有天然气味",
       "building": "1号楼", "injured": 0, "affected": 24}


def test_an_incident_goes_through_its_lifecycle_and_its_response_time_is_measured(svc):
    reported = svc.post("/incidents", GAS, role="resident", user_id="res-1")
    assert reported.status_code == 201, reported.get_json()
    inc = reported.get_json()
    assert inc["emergency"] is True and inc["reported_by_kind"] == "resident" and inc["status"] == "reported"
    iid = inc["id"]
    assert svc.post(f"/incidents/{iid}/resolve", {"resolution": "x"}).status_code == 409
    # the reporter sees their report but may not handle it; another resident does not see it at all
    assert svc.post(f"/incidents/{iid}/dispatch", {"assignee": "刘警官"}, role="resident",
                    user_id="res-1").status_code == 403
    assert svc.post(f"/incidents/{iid}/dispatch", {"assignee": "刘警官"}, role="resident").status_code == 404
    assert svc.post(f"/incidents/{iid}/dispatch", {"assignee": "刘警官"}).get_json()["status"] == "dispatched"
    svc.move_clock(days=12 / (24 * 60))  # twelve minutes later
    on_scene = svc.post(f"/incidents/{iid}/on-scene").get_json()
    assert on_scene["status"] == "on_scene" and 11.9 <= on_scene["response_minutes"] <= 12.1
    assert svc.post(f"/incidents/{iid}/verify").get_json()["verified"] is True
    resolved = svc.post(f"/incidents/{iid}/resolve", {"resolution": "关闭总阀,燃气公司已维修"}).get_json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    assert svc.post(f"/incidents/{iid}/close").get_json()["status"] == "closed"
    assert [h["status"] for h in svc.get(f"/incidents/{iid}").get_json()["history"]] == [
        "reported", "dispatched", "on_scene", "resolved", "closed"]

    events = wait_for(lambda: svc.published("liandong.security.incident.resolved.v1"), 20, message="resolved")
    assert [(e.subject, e.data["emergency"], e.data["verified"]) for e in events] == [(iid, True, True)]
    assert svc.published("liandong.security.incident.reported.v1")[0].data["building"] == "1号楼"

    mine = svc.get("/incidents", role="resident", user_id="res-1").get_json()["items"]
    assert [i["id"] for i in mine] == [iid]
    assert svc.get("/incidents", role="resident", user_id="res-2").get_json()["items"] == []
    assert svc.get(f"/incidents/{iid}", role="resident", user_id="res-2").status_code == 404

    svc.post("/incidents", {**GAS, "type": "theft", "severity": "low", "affected": 1}, role="grid_worker")
    stats = svc.get("/stats?org_unit=huangqi", role="subdistrict_officer", where=HUANGQI).get_json()["incidents"]
    assert stats["by_type"] == {"gas_leak": 1, "theft": 1} and stats["emergencies"] == 1
    assert 11.9 <= stats["mean_response_minutes"] <= 12.1
    assert [i["type"] for i in svc.get("/incidents?emergency=true").get_json()["items"]] == ["gas_leak"]


def test_incident_input_is_checked(svc):
    bad = svc.post("/incidents", {**GAS, "type": "alien", "severity": "extreme", "injured": -1})
    assert bad.status_code == 422 and {"type", "severity", "injured"} <= set(bad.get_json()["error"]["fields"])
    nowhere = svc.post("/incidents", {**GAS, "org_unit_id": "atlantis"})
    assert nowhere.status_code == 422 and "org_unit_id" in nowhere.get_json()["error"]["fields"]
    assert svc.post("/incidents", GAS, role="resident", where=HUANGQI).status_code == 201
    assert svc.client.post("/api/v1/security/incidents", data="nope", headers=svc.headers()).status_code in (400, 415)
