"""Early warning, duplicates and linking, the reception roster, search, privacy and mediation events."""
from datetime import timedelta

from liandong.testing import wait_for


def test_repeat_petitioner_duplicates_and_linking(svc):
    same_person = svc.id_number()
    first = svc.file(petitioners=[{"name": "孙大爷", "id_number": same_person}], content="暖气不热")
    assert first["risk_flags"] == [] and first["possible_duplicates"] == []
    second = svc.file(petitioners=[{"name": "孙大爷", "id_number": same_person}], category="property",
                      content="暖气还是不热")
    assert second["risk_flags"] == ["repeat_petitioner"]
    assert [(d["id"], d["reason"]) for d in second["possible_duplicates"]] == [(first["id"], "same_petitioner")]
    neighbour = svc.file(content="同一栋楼噪音")
    assert (first["id"], "same_category_and_place") in [(d["id"], d["reason"]) for d in neighbour["possible_duplicates"]]
    assert svc.get(f"/petitions/{neighbour['id']}/duplicates")["possible_duplicates"]

    linked = svc.post(f"/petitions/{first['id']}/link", {"petition_id": second["id"]}, expect=200).get_json()
    assert linked["matter_id"] == first["id"] and linked["linked_ids"] == [second["id"]]
    assert svc.get("/petitions", matter_id=first["id"])["total"] == 2
    # handled as one: the linked case follows its lead's assignment, handling and answer
    svc.post(f"/petitions/{first['id']}/assign", svc.assignment(), expect=200)
    svc.post(f"/petitions/{first['id']}/start", {"mode": "on_site_check"}, expect=200)
    svc.post(f"/petitions/{first['id']}/answer", {"text": "已协调热力公司上门检修"}, expect=200)
    follower = svc.get(f"/petitions/{second['id']}")
    assert follower["state"] == "answered" and follower["answer"]["text"] == "已协调热力公司上门检修"
    assert follower["assignment"]["person"] == "王科长"

    # the sub-district sees the warning at once: a list and an event
    flagged = svc.get("/petitions", headers=svc.officer(), risk="true")
    assert [p["id"] for p in flagged["items"]] == [second["id"]]
    wait_for(lambda: [e for e in svc.events({"liandong.petition.risk_flagged.v1"}) if e.subject == second["id"]
                      and e.data["flags"] == ["repeat_petitioner"]], 20, message="risk_flagged event")


def test_reception_roster_links_visits_to_the_leader_on_duty(svc):
    today = svc.clock.now().date()  # the roster is kept in local days; use a span around today
    days = [(today + timedelta(days=i)).isoformat() for i in range(-1, 2)]
    officer = svc.officer()
    for day in days:
        r = svc.client.put(f"/api/v1/petition/roster/huangqi/{day}", json={"leader_name": "赵书记", "title": "党工委书记"},
                           headers=officer)
        assert r.status_code == 200, r.get_json()
    gap = (today + timedelta(days=3)).isoformat()
    roster = svc.get("/roster", headers=officer, org_unit="huangqi", **{"from": days[0], "to": gap})
    assert [d["day"] for d in roster["items"]] == days and roster["gaps"] == [(today + timedelta(days=2)).isoformat(), gap]
    assert svc.client.put(f"/api/v1/petition/roster/huangqi/{days[0]}", json={"leader_name": "x"},
                          headers=svc.staff()).status_code == 403
    assert svc.client.put("/api/v1/petition/roster/jiayuan/2026-03-02", json={"leader_name": "x"},
                          headers=officer).status_code == 422
    visit = svc.file(channel="visit")
    assert visit["reception"]["leader_name"] == "赵书记" and visit["reception"]["subdistrict_id"] == "huangqi"
    assert svc.client.delete(f"/api/v1/petition/roster/huangqi/{days[0]}", headers=officer).status_code == 204


def test_search_pagination_scope_and_privacy(svc):
    number = svc.id_number()
    a = svc.file(content="电机厂冲床噪音扰民", petitioners=[{"name": "刘女士", "id_number": number, "mobile": "13904321234"}])
    svc.file(content="楼道堆放杂物", category="property", channel="hotline")
    svc.file(org_unit="jiayuan-b3", content="邻居装修噪音", category="neighbour_dispute")
    svc.file(org_unit="huangniling", content="电机厂噪音", headers=svc.staff(org_unit="huangniling",
                                                                         org_path="/chuanying/xihu/huangniling/"))
    hits = svc.get("/petitions", q="电机厂 噪音")
    assert [p["id"] for p in hits["items"]] == [a["id"]]  # the one in 西湖 is out of scope
    assert svc.get("/petitions", q="漏水")["total"] == 0
    assert svc.get("/petitions", headers=svc.officer(), q="噪音")["total"] == 2
    page1 = svc.get("/petitions", org_unit="jiayuan", page_size=2)
    page2 = svc.get("/petitions", org_unit="jiayuan", page_size=2, page=2)
    assert page1["total"] == 3 and len(page1["items"]) == 2 and len(page2["items"]) == 1
    assert svc.get("/petitions", org_unit="jiayuan-g2")["total"] == 1
    assert svc.get("/petitions", channel="hotline,letter", category="property")["total"] == 1
    assert svc.get("/petitions", status="registered", overdue="false")["total"] == 3
    assert svc.get("/petitions", **{"from": "2001-01-01", "to": "2001-12-31"})["total"] == 0
    svc.get("/petitions", org_unit="huangniling", expect=403)

    masked = svc.get(f"/petitions/{a['id']}")["petitioners"][0]
    assert masked["id_number"] != number and masked["mobile"] == "139****1234"
    clear = svc.get(f"/petitions/{a['id']}", headers=svc.officer())["petitioners"][0]
    assert clear["id_number"] == number and clear["mobile"] == "13904321234"
    looked = svc.platform.db.collection("personal_data_access").find({})
    # the officer's list (two cases) and the officer's look at one; never the community worker's masked views
    assert sorted(len(x["petition_ids"]) for x in looked) == [1, 2]
    assert [a["id"]] in [x["petition_ids"] for x in looked]
    assert svc.get("/petitions", headers=svc.officer(), id_number=number)["total"] == 1
    stored = str(svc.repo.collection.find_one({"_id": a["id"]}))
    assert number not in stored and "13904321234" not in stored  # encrypted at rest
    svc.get("/petitions", id_number=number, expect=403)  # a community worker may not search by ID number


def test_mediation_from_the_security_service_is_recorded_once(svc):
    def in_mediation():
        pid = svc.file(category="neighbour_dispute", content="楼上漏水纠纷")["id"]
        svc.post(f"/petitions/{pid}/assign", svc.assignment(unit_kind="community", unit_id="jiayuan"), expect=200)
        svc.post(f"/petitions/{pid}/start", {"mode": "mediation"}, expect=200)
        return pid

    pid, marker = in_mediation(), in_mediation()
    data = {"dispute_id": "d-1", "org_unit_id": "jiayuan", "type": "neighbour", "outcome": "agreement",
            "sessions": 2, "petition_id": pid, "mediated_at": "2026-03-02T10:00:00.000000Z"}
    event = svc.publish_event("security.dispute.mediated", data, "d-1")
    svc.platform.bus.publish("security.events", "d-1", event.to_json())  # delivered twice
    svc.publish_event("security.dispute.mediated", {**data, "petition_id": "not-ours"}, "d-1")
    svc.publish_event("security.dispute.mediated", {**data, "petition_id": None}, "d-1")
    # same key, so same partition: once the marker's mediation arrives, the repeat has been handled too
    svc.publish_event("security.dispute.mediated", {**data, "petition_id": marker, "outcome": "failed"}, "d-1")
    wait_for(lambda: svc.get(f"/petitions/{marker}")["mediations"], 20, message="the mediations reach the cases")
    case = svc.get(f"/petitions/{pid}")
    assert len(case["mediations"]) == 1 and case["mediations"][0]["outcome"] == "agreement"
    assert case["mediations"][0]["dispute_id"] == "d-1"
    assert [e["action"] for e in svc.get(f"/petitions/{pid}/timeline")["entries"]].count("mediation") == 1
    stats = svc.get("/stats", org_unit="jiayuan")
    assert stats["mediated"] == 2 and stats["mediation_success_rate"] == 0.5


def test_escalation_and_taxonomy(svc):
    case = svc.file()
    escalated = svc.post(f"/petitions/{case['id']}/escalate", {"reason": "社区无法协调"}, expect=200).get_json()
    assert escalated["state"] == "escalated" and escalated["level"] == "subdistrict"
    assert escalated["status"] == "办理中"
    wait_for(lambda: [e for e in svc.events({"liandong.petition.escalated.v1"}) if e.subject == case["id"]
                      and e.data["to_level"] == "subdistrict"], 20, message="escalated event")
    svc.post(f"/petitions/{case['id']}/assign", svc.assignment(unit_kind="subdistrict", unit_id="huangqi"),
             headers=svc.officer(), expect=200)

    admin = svc.headers("district_admin", "chuanying", "/chuanying/")
    body = {"name": "供暖", "group": "property", "deadline_days": {"community": 3, "subdistrict": 5, "district": 10}}
    assert svc.client.put("/api/v1/petition/config/categories/heating", json=body, headers=svc.officer()).status_code == 403
    assert svc.client.put("/api/v1/petition/config/categories/heating", json={**body, "deadline_days": {"community": 3}},
                          headers=admin).status_code == 422
    assert svc.client.put("/api/v1/petition/config/categories/heating", json=body, headers=admin).status_code == 200
    assert svc.client.put("/api/v1/petition/config/departments/water", json={"name": "水务"}, headers=admin).status_code == 200
    r = svc.client.put("/api/v1/petition/config/holidays", json={"holidays": ["2026-10-01", "2026-10-02"]}, headers=admin)
    assert r.status_code == 200 and r.get_json()["holidays"] == ["2026-10-01", "2026-10-02"]
    assert svc.client.put("/api/v1/petition/config/holidays", json={"holidays": ["someday"]},
                          headers=admin).status_code == 422
    config = svc.get("/config")
    assert config["holidays"] == ["2026-10-01", "2026-10-02"]
    assert config["categories"]["heating"]["name"] == "供暖" and config["departments"]["water"] == "水务"
    heating = svc.file(category="heating")
    by_name = svc.post(f"/petitions/{heating['id']}/assign", svc.assignment(unit_id="水务", deadline="2099-12-31T08:00:00Z"),
                       expect=200).get_json()["assignment"]
    assert by_name["unit"] == {"kind": "department", "id": "water", "name": "水务"} and by_name["deadline"] == "2099-12-31"
    services = svc.client.get("/open311/v2/services.json").get_json()
    assert "heating" in [s["service_code"] for s in services]


def test_a_large_match_is_counted_up_to_a_cap_and_listed_newest_first(svc, monkeypatch):
    from liandong import listing

    for i in range(3):
        svc.file(content=f"楼上噪音{i}")
    exact = svc.get("/petitions", org_unit="jiayuan")
    assert exact["total"] == 3 and "total_capped" not in exact  # said only when counting stopped
    monkeypatch.setattr(listing, "TOTAL_CAP", 2)
    capped = svc.get("/petitions", org_unit="jiayuan", page_size=2)
    assert capped["total"] == 2 and capped["total_capped"] is True
    newest = sorted((p["registered_at"] for p in exact["items"]), reverse=True)[:2]
    assert [p["registered_at"] for p in capped["items"]] == newest
