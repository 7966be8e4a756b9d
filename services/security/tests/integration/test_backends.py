"""The same service on the real backends: FerretDB (MongoDB protocol) for storage, Kafka for the bus."""
from liandong.testing import auth_headers

from ..conftest import CEGUAN, start_service, stop
from .test_corrections import CORRECTIONS, person
from .test_mediation import mediate
from .test_patrols import CREW, ago, route


def test_subdistrict_rates_and_the_mediated_event_on_mongo(mongo_svc):
    for outcome in ["agreement"] * 3 + ["failed"]:
        mediate(mongo_svc, "yangchun", outcome)  # 75.0%
    for outcome in ["agreement", "failed", "failed"]:
        mediate(mongo_svc, "yanghe", outcome)  # 33.3%
    stats = mongo_svc.get("/stats?org_unit_id=ceguan", role="subdistrict_officer", where=CEGUAN).get_json()
    assert (stats["mediation"]["mediations"], stats["mediation"]["success_rate"]) == (7, 57.1)  # not 54.2
    assert len(mongo_svc.published_once_settled("liandong.security.dispute.mediated.v1")) == 7


def test_corrections_refusal_is_audited_on_mongo(mongo_svc):
    pid = mongo_svc.post("/corrections/people", person(), **CORRECTIONS).get_json()["id"]
    assert mongo_svc.get(f"/corrections/people/{pid}", role="community_worker", user_id="cw-x").status_code == 403
    trail = mongo_svc.client.get("/api/v1/security/audit?allowed=false",
                                 headers=auth_headers(mongo_svc.settings)).get_json()["items"]
    assert [(a["user_id"], a["record_id"]) for a in trail] == [("cw-x", pid)]


def test_a_patrol_completed_on_kafka_is_published_once(make_settings, tmp_path, kafka_bootstrap):
    settings = make_settings(service="security", bus="kafka", clock_file=str(tmp_path / "clock"))
    gw, worker, svc = start_service(settings)
    try:
        r = route(svc)
        started = svc.post("/patrol-runs", {"route_id": r["id"], "participants": CREW, "started_at": ago(60)})
        rid = started.get_json()["id"]
        for cp in ("cp-1", "cp-2", "cp-3"):
            assert svc.post(f"/patrol-runs/{rid}/checkins", {"checkpoint_id": cp}).status_code == 200
        assert svc.post(f"/patrol-runs/{rid}/complete", {}).status_code == 200
        events = svc.published_once_settled("liandong.security.patrol.completed.v1", rid)
        assert len(events) == 1 and events[0].data["checkpoints_checked"] == 3
        assert sorted(p["volunteer_id"] or "" for p in events[0].data["participants"]) == ["", "vol-1", "vol-2"]
    finally:
        svc.close()
        stop(worker, gw)
