"""A group petition of 40 people from intake to closing, counted in batches and person-times."""
import pytest

from liandong.testing import wait_for


@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "kafka")])
def test_group_petition_lifecycle_and_statistics(make_svc, store, bus):
    svc = make_svc(store=store, bus=bus)
    reps = [{"name": "刘女士", "id_number": svc.id_number(), "mobile": "13904321234", "address": "原罐头厂宿舍"}]
    others = [{"name": "张先生", "id_number": svc.id_number("19620708")}]
    case = svc.file(org_unit="jiayuan", headcount=40, representatives=reps, petitioners=others, says_higher_level=True,
                    content="相邻电机厂冲床噪音困扰,多次协商无果,扬言要找市领导")
    pid = case["id"]
    assert case["state"] == "registered" and case["status"] == "受理"
    assert case["is_group"] and case["headcount"] == 40
    assert set(case["risk_flags"]) == {"group_petition", "higher_level_threat"}
    assert [p["representative"] for p in case["petitioners"]] == [True, False]
    assert case["first_receiver"]["user_id"] and case["petitioners"][0]["id_number"].count("*") == 8  # masked

    assigned = svc.post(f"/petitions/{pid}/assign", svc.assignment(), expect=200).get_json()
    a = assigned["assignment"]
    assert assigned["state"] == "assigned" and assigned["deadline"] == "2099-12-31"
    assert (a["unit"], a["person"], a["deadline"], a["task"], a["requirement"]) == (
        {"kind": "department", "id": "environment", "name": "环保"}, "王科长", "2099-12-31", "现场核查噪音来源",
        "十个工作日内书面答复")
    svc.post(f"/petitions/{pid}/start", {"mode": "joint_handling"}, expect=200)
    svc.post(f"/petitions/{pid}/answer", {"text": "已规劝业主搬迁冲床车间"}, expect=200)
    closed = svc.post(f"/petitions/{pid}/close", {"satisfaction": "satisfied"}, expect=200).get_json()
    assert closed["state"] == "closed" and closed["status"] == "办结" and closed["answered_on_time"] is True

    timeline = svc.get(f"/petitions/{pid}/timeline")["entries"]
    assert [e["action"] for e in timeline] == ["register", "risk_flagged", "assign", "start", "answer", "close"]
    assert all(e["by"]["user_id"] and e["at"] for e in timeline)

    for org_unit, headers in (("jiayuan", svc.staff()), ("huangqi", svc.officer())):
        s = svc.get("/stats", headers=headers, org_unit=org_unit)
        assert (s["batches"], s["person_times"]) == (1, 40), org_unit
        assert (s["group_petitions"], s["group_person_times"]) == (1, 40)
        assert s["resolved_at_this_level"] == 1 and s["on_time_rate"] == 1.0 and s["satisfaction_rate"] == 1.0
    assert s["by_org_unit"]["jiayuan"]["name"] == "家园社区" and s["by_org_unit"]["jiayuan"]["person_times"] == 40
    assert svc.get("/stats", headers=svc.officer(), org_unit="huangqi", **{"from": "2001-01-01", "to": "2001-12-31"}
                   )["batches"] == 0
    assert svc.get("/stats", headers=svc.officer(org_unit="xihu", org_path="/chuanying/xihu/"),
                   org_unit="huangqi", expect=403)

    wanted = {f"liandong.petition.{n}.v1" for n in ("registered", "risk_flagged", "assigned", "answered", "closed")}
    events = wait_for(lambda: (lambda evs: evs if {e.type for e in evs} == wanted else None)(
        [e for e in svc.events(wanted) if e.subject == pid]), 20, message="the case's events on the bus")
    closed_event = next(e for e in events if e.type.endswith("closed.v1"))
    assert closed_event.data["headcount"] == 40 and closed_event.orgpath == "/chuanying/huangqi/jiayuan/"
    assert all("刘女士" not in str(e.data) for e in events)  # no personal data on the wire
