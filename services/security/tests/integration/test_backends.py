"""The same service on the real backends: FerretDB (MongoDB protocol) for storage, Kafka for the bus."""
from ..conftest import CEGUAN
from .test_corrections import CORRECTIONS, person
from .test_mediation import mediate
from .test_patrols import CREW, ago, route


def test_subdistrict_rates_and_the_mediated_event_on_mongo(make_svc):
    svc = make_svc("mongo")
    for outcome in ["agreement"] * 3 + ["failed"]:
        mediate(svc, "yangchun", outcome)  # 75.0%
    for outcome in ["agreement", "failed", "failed"]:
        mediate(svc, "yanghe", outcome)  # 33.3%
    stats = svc.get("/stats?org_unit=ceguan", role="subdistrict_officer", where=CEGUAN).get_json()
    assert (stats["mediation"]["mediations"], stats["mediation"]["success_rate"]) == (7, 0.5714)  # not 0.5417
    assert len(svc.published_once_settled("liandong.security.dispute.mediated.v1")) == 7


def test_corrections_refusal_is_audited_on_mongo(make_svc):
    svc = make_svc("mongo")
    pid = svc.post("/corrections/people", person(), **CORRECTIONS).get_json()["id"]
    assert svc.get(f"/corrections/people/{pid}", role="community_worker", user_id="cw-x").status_code == 403
    trail = svc.admin_get("/audit?allowed=false").get_json()["items"]
    assert [(a["user_id"], a["record_id"]) for a in trail] == [("cw-x", pid)]


def test_a_patrol_completed_on_kafka_is_published_once(make_svc):
    svc = make_svc(bus="kafka")
    r = route(svc)
    started = svc.post("/patrol-runs", {"route_id": r["id"], "participants": CREW, "started_at": ago(60)})
    rid = started.get_json()["id"]
    for cp in ("cp-1", "cp-2", "cp-3"):
        assert svc.post(f"/patrol-runs/{rid}/checkins", {"checkpoint_id": cp}).status_code == 200
    assert svc.post(f"/patrol-runs/{rid}/complete", {}).status_code == 200
    events = svc.published_once_settled("liandong.security.patrol.completed.v1", rid)
    assert len(events) == 1 and events[0].data["checkpoints_checked"] == 3
    assert sorted(p["volunteer_id"] or "" for p in events[0].data["participants"]) == ["", "vol-1", "vol-2"]
