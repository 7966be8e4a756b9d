"""Patrols through the HTTP API: routes, shifts, runs with check-ins, missed checkpoints, the completed event."""
from datetime import datetime, timedelta, timezone

from liandong.clock import to_iso

COMPLETED = "liandong.security.patrol.completed.v1"
CREW = [{"person_name": "张建国", "kind": "lane_guard", "volunteer_id": "vol-1"},
        {"person_name": "李秀英", "kind": "security_volunteer", "volunteer_id": "vol-2"},
        {"person_name": "刘警官", "kind": "police"}]


def ago(minutes: int) -> str:
    return to_iso(datetime.now(timezone.utc) - timedelta(minutes=minutes))


def route(svc) -> dict:
    created = svc.post("/patrol-routes", {"org_unit_id": "jiayuan", "name": "家园社区夜巡", "checkpoints": [
        {"name": "东门", "location": "小区东门岗亭"}, {"name": "1号楼"}, {"name": "车棚"}]}, role="grid_worker")
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def test_a_patrol_by_two_volunteers_is_announced_once_with_both_and_their_minutes(svc):
    r = route(svc)
    run = svc.post("/patrol-runs", {"route_id": r["id"], "participants": CREW, "started_at": ago(90)})
    assert run.status_code == 201, run.get_json()
    rid = run.get_json()["id"]
    assert svc.post(f"/patrol-runs/{rid}/checkins", {"checkpoint_id": "cp-1", "at": ago(80)}).status_code == 200
    found = svc.post(f"/patrol-runs/{rid}/checkins", {"checkpoint_id": "cp-2", "at": ago(50), "finding": {
        "kind": "repair_needed", "description": "1号楼路灯不亮"}})
    assert found.status_code == 200 and found.get_json()["findings"][0]["kind"] == "repair_needed"
    assert svc.post(f"/patrol-runs/{rid}/checkins", {"checkpoint_id": "cp-2"}).status_code == 409
    assert svc.post(f"/patrol-runs/{rid}/checkins", {"checkpoint_id": "cp-9"}).status_code == 422

    done = svc.post(f"/patrol-runs/{rid}/complete", {})
    assert done.status_code == 200
    assert [c["name"] for c in done.get_json()["missed_checkpoints"]] == ["车棚"]
    assert svc.post(f"/patrol-runs/{rid}/complete", {}).status_code == 409  # completed once only

    events = svc.published_once_settled(COMPLETED, rid)
    assert len(events) == 1
    data = events[0].data
    assert (data["patrol_run_id"], data["checkpoints_total"], data["checkpoints_checked"], data["findings"]) == \
        (rid, 3, 2, 1)
    volunteers = {p["volunteer_id"]: p["minutes"] for p in data["participants"] if p["volunteer_id"]}
    assert volunteers == {"vol-1": 90, "vol-2": 90}
    assert len(data["participants"]) == 3

    stats = svc.get("/stats?org_unit=jiayuan").get_json()["patrols"]
    assert (stats["patrols"], stats["checkpoints_total"], stats["checkpoints_checked"],
            stats["checkpoint_coverage_rate"]) == (1, 3, 2, 0.6667)


def test_a_shift_nobody_patrolled_shows_as_missed(svc):
    r = route(svc)
    missed = svc.post("/patrol-shifts", {"route_id": r["id"], "starts_at": ago(300), "ends_at": ago(180),
                                         "roster": CREW[:2]}).get_json()
    covered = svc.post("/patrol-shifts", {"route_id": r["id"], "starts_at": ago(120), "ends_at": ago(10),
                                          "roster": CREW}).get_json()
    planned = svc.post("/patrol-shifts", {"route_id": r["id"], "starts_at": ago(-60), "ends_at": ago(-180),
                                          "roster": CREW}).get_json()
    assert missed["status"] == "missed" and planned["status"] == "planned"
    run = svc.post("/patrol-runs", {"shift_id": covered["id"], "started_at": ago(110)})
    assert run.status_code == 201 and len(run.get_json()["participants"]) == 3  # the roster patrols
    assert svc.post("/patrol-runs", {"shift_id": covered["id"]}).status_code == 409
    listed = svc.get("/patrol-shifts?status=missed").get_json()["items"]
    assert [s["id"] for s in listed] == [missed["id"]]
    statuses = {s["id"]: s["status"] for s in svc.get("/patrol-shifts").get_json()["items"]}
    assert statuses == {missed["id"]: "missed", covered["id"]: "covered", planned["id"]: "planned"}


def test_patrol_input_and_permissions(svc):
    r = route(svc)
    assert svc.post("/patrol-runs", {"route_id": r["id"], "participants": []}).status_code == 422
    assert svc.post("/patrol-runs", {"route_id": r["id"], "participants": CREW,
                                     "started_at": ago(-60)}).status_code == 422
    bad_kind = svc.post("/patrol-runs", {"route_id": r["id"], "participants": [{"person_name": "x", "kind": "cat"}]})
    assert bad_kind.status_code == 422
    # residents do not see patrol routes: naming one is the same 404 as naming none
    assert svc.post("/patrol-runs", {"route_id": r["id"], "participants": CREW}, role="resident").status_code == 404
    assert svc.post("/patrol-runs", {"route_id": "nope", "participants": CREW}).status_code == 404
    assert svc.post("/patrol-shifts", {"route_id": r["id"], "starts_at": ago(10), "ends_at": ago(20),
                                       "roster": CREW}).status_code == 422
