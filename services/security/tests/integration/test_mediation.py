"""Mediation through the HTTP API: outcomes, success rates from summed cases, the mediated event."""
from liandong.contracts import CONTRACTS
from liandong.testing import unique, wait_for

from security.bootstrap import create_platform

from ..conftest import CEGUAN, HUANGQI

PARTIES = [{"name": "王大妈", "role": "楼上"}, {"name": "李师傅", "role": "楼下"}]


def mediate(svc, unit: str, outcome: str, petition_id: str | None = None) -> dict:
    where = {"org_unit": unit, "org_path": f"/chuanying/{'huangqi' if unit == 'jiayuan' else 'ceguan'}/{unit}/"}
    created = svc.post("/disputes", {"org_unit_id": unit, "type": "neighbour", "summary": "楼上漏水",
                                     "parties": PARTIES, "mediator_name": "何胜美", "petition_id": petition_id},
                       role="community_worker", where=where)
    assert created.status_code == 201, created.get_json()
    did = created.get_json()["id"]
    assert svc.post(f"/disputes/{did}/sessions", {"note": "第一次调解"}, role="community_worker",
                    where=where).status_code == 200
    done = svc.post(f"/disputes/{did}/outcome", {"outcome": outcome}, role="community_worker", where=where)
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def test_98_mediations_with_91_agreements_give_92_9_percent(svc):
    """The rate is the fraction 0.9286 (the console shows 92.9%)."""
    for n in range(98):
        mediate(svc, "jiayuan", "agreement" if n < 91 else ("failed" if n < 96 else "referred_to_court"))
    stats = svc.get("/stats?org_unit=jiayuan").get_json()
    assert stats["mediation"] == {"mediations": 98, "succeeded": 91, "failed": 5, "referred_to_court": 2,
                                  "success_rate": 0.9286}  # 92.86%, a fraction
    huangqi = svc.get("/stats?org_unit=huangqi", role="subdistrict_officer", where=HUANGQI).get_json()
    assert huangqi["mediation"]["success_rate"] == 0.9286
    assert [u["org_unit_id"] for u in huangqi["by_unit"]] == ["jiayuan"]


def test_a_subdistrict_rate_is_computed_from_summed_cases_not_averaged(svc):
    for n in range(10):
        mediate(svc, "yangchun", "agreement" if n < 9 else "failed")  # 90.0%
    for n in range(2):
        mediate(svc, "yangshang", "agreement" if n < 1 else "failed")  # 50.0%
    stats = svc.get("/stats?org_unit=ceguan", role="subdistrict_officer", where=CEGUAN).get_json()
    units = {u["org_unit_id"]: u["mediation"]["success_rate"] for u in stats["by_unit"]}
    assert units["yangchun"] == 0.9 and units["yangshang"] == 0.5
    assert stats["mediation"]["mediations"] == 12 and stats["mediation"]["success_rate"] == 0.8333  # not 0.7
    assert units["yangquan"] is None  # no cases: no rate rather than 0%


def known_petition(svc, org_path: str = "/chuanying/huangqi/jiayuan/", times: int = 1) -> tuple[str, str]:
    """A petition registered at `org_path`, as the petition service announces it; waits until security knows it.
    Returns its id and the event's id."""
    petition_id = unique("pet")
    example = CONTRACTS.by_name("petition.registered").example
    unit = [s for s in org_path.split("/") if s][-1]
    event = CONTRACTS.new_event("petition.registered", petition_id,
                                {**example, "petition_id": petition_id, "org_unit_id": unit}, org_path)
    bus = svc.platform.bus
    for _ in range(times):
        bus.publish("petition.events", petition_id, event.to_json(), event.headers())
    bus.flush()
    known = create_platform(svc.settings).db.collection("known_petitions")
    wait_for(lambda: known.find_one({"_id": petition_id}), 20, message="the petition is known")
    return petition_id, event.id


def test_a_dispute_from_a_petition_is_announced_once_with_its_petition_id(svc):
    pet, _ = known_petition(svc)
    done = mediate(svc, "jiayuan", "agreement", petition_id=pet)
    events = wait_for(lambda: svc.published("liandong.security.dispute.mediated.v1"), 20, message="mediated event")
    assert [e.data["petition_id"] for e in events] == [pet]
    assert events[0].data["dispute_id"] == done["id"] and events[0].data["sessions"] == 1
    again = svc.post(f"/disputes/{done['id']}/outcome", {"outcome": "failed"}, role="community_worker")
    assert again.status_code == 409
    follow = svc.post(f"/disputes/{done['id']}/follow-ups", {"note": "回访,双方和睦", "agreement_holding": True},
                      role="community_worker")
    assert follow.status_code == 200 and follow.get_json()["follow_ups"][0]["agreement_holding"] is True
    listed = svc.get(f"/disputes?petition_id={pet}").get_json()["items"]
    assert [d["id"] for d in listed] == [done["id"]]


def test_mediation_input_and_permissions(svc):
    bad = svc.post("/disputes", {"org_unit_id": "jiayuan", "type": "gossip", "summary": "", "parties": [],
                                 "mediator_name": "x"}, role="community_worker")
    assert bad.status_code == 422 and {"type", "summary", "parties"} <= set(bad.get_json()["error"]["fields"])
    resident = svc.post("/disputes", {"org_unit_id": "jiayuan", "type": "family", "summary": "家庭纠纷",
                                      "parties": PARTIES, "mediator_name": "x"}, role="resident")
    assert resident.status_code == 403
    elsewhere = svc.post("/disputes", {"org_unit_id": "yangchun", "type": "family", "summary": "家庭纠纷",
                                       "parties": PARTIES, "mediator_name": "x"}, role="community_worker")
    assert elsewhere.status_code == 403
    assert svc.get("/stats?org_unit=ceguan").status_code == 403



def test_a_dispute_links_to_a_petition_the_service_learned_from_events(svc):
    example = CONTRACTS.by_name("petition.registered").example
    petition_id, event_id = known_petition(svc, times=2)  # delivered twice: stored once
    stored = create_platform(svc.settings).db.collection("known_petitions").find_one({"_id": petition_id})
    assert stored["category"] == example["category"] and stored["_handled"] == [event_id]
    done = mediate(svc, "jiayuan", "agreement", petition_id=petition_id)
    assert done["petition_category"] == example["category"]
