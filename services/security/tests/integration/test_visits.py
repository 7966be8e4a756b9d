"""Grid visits (网格员走访) and the visit queue by the 六必访 rules (configuration), and 独居老人 derived from
the ID number's birth date: at registration, when the household changes, and by the daily review as people age."""
from datetime import date, timedelta

import pytest

from .test_register import GRID, STORES, add, household, register, resident


def born(years_ago: int, plus_days: int = 0) -> str:
    """A birth date `years_ago` years before today, `plus_days` later (so the person is that age in that many days)."""
    today = date.today()
    day = date(today.year - years_ago, today.month, 28 if (today.month, today.day) == (2, 29) else today.day)
    return (day + timedelta(days=plus_days)).strftime("%Y%m%d")


def queue(svc, query: str = "", **who) -> dict:
    r = svc.get(f"/visit-queue{query}", **(who or GRID))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def three_households(svc) -> tuple[str, str, str]:
    """独居老人 (weekly), 低保户 (monthly) and one under the every-household rule (yearly)."""
    elderly = register(svc)["id"]
    add(svc, elderly, resident(1, born(80)))
    poor = register(svc, household(room="502"))["id"]
    add(svc, poor, resident(2, born(40), hand_tags=["dibao"]))
    plain = register(svc, household(room="601"))["id"]
    add(svc, plain, resident(3, born(30)))
    return elderly, poor, plain


def test_one_member_aged_60_or_more_is_elderly_alone_and_a_second_member_ends_it(svc):
    hid = register(svc)["id"]
    alone = add(svc, hid, resident(1, born(60)))  # 60 today
    assert alone["tags"] == ["elderly_alone"] and alone["members"][0]["tags"] == ["elderly_alone"]
    assert alone["visit_rule"] == "elderly_alone"
    together = add(svc, hid, resident(2, born(40), name="王小明", relationship="child"))
    assert together["tags"] == [] and together["visit_rule"] == "household"
    young = register(svc, household(room="502"))["id"]
    assert add(svc, young, resident(3, born(59)))["tags"] == []
    # the last member but one moves out: alone again
    child = next(m["id"] for m in together["members"] if m["relationship"] == "child")
    assert svc.post(f"/households/{hid}/residents/{child}/move-out", **GRID).get_json()["tags"] == ["elderly_alone"]


@pytest.mark.parametrize("store", STORES)
def test_the_daily_review_tags_a_person_living_alone_who_turns_60(make_svc, store):
    svc = make_svc(store, scan_seconds=0.3)
    hid = register(svc)["id"]
    assert add(svc, hid, resident(1, born(60, plus_days=2)))["tags"] == []
    svc.move_clock(days=3)
    from liandong.testing import wait_for

    wait_for(lambda: svc.get(f"/households/{hid}", **GRID).get_json()["tags"] == ["elderly_alone"], 20,
             message="the review tags the household")
    assert svc.get("/households?tag=elderly_alone", **GRID).get_json()["total"] == 1
    events = svc.published_once_settled("liandong.security.resident.changed.v1")
    assert [e.data["tags"] for e in events] == [["elderly_alone"]]


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_the_visit_queue_lists_the_most_overdue_first_and_a_visit_takes_a_household_off(svc):
    elderly, poor, plain = three_households(svc)
    # due soon: the 独居老人 household falls due within the week
    assert [(i["household_id"], i["days_overdue"]) for i in queue(svc)["items"]] == [(elderly, -7)]
    assert queue(svc, "?within_days=6")["items"] == []

    svc.move_clock(days=10)
    due = queue(svc)
    assert [(i["household_id"], i["rule"], i["every_days"], i["days_overdue"]) for i in due["items"]] == [
        (elderly, "elderly_alone", 7, 3)]
    assert due["within_days"] == 7
    soon = queue(svc, "?within_days=30")["items"]
    assert [(i["household_id"], i["days_overdue"]) for i in soon] == [(elderly, 3), (poor, -20)]
    assert [i["household_id"] for i in queue(svc, "?within_days=30&tag=dibao")["items"]] == [poor]
    poor_due = soon[1]["due_at"]  # from/to bound the due time
    assert [i["household_id"] for i in queue(svc, f"?within_days=366&from={poor_due}&to={poor_due}")["items"]] == [poor]
    assert queue(svc, "?within_days=366")["total"] == 3

    visit = svc.post(f"/households/{elderly}/visits", {"kind": "key_group", "findings": "老人身体尚可,屋内取暖正常",
                                                        "follow_up_needed": True}, **GRID)
    assert visit.status_code == 201, visit.get_json()
    assert visit.get_json()["findings"].startswith("老人") and visit.get_json()["by"] == "gw-1"
    assert queue(svc, "?within_days=6")["items"] == []  # next due in a week
    listed = svc.get(f"/households/{elderly}/visits", **GRID).get_json()
    assert listed["total"] == 1 and listed["items"][0]["follow_up_needed"] is True
    reader = svc.get(f"/households/{elderly}/visits", role="district_admin",
                     where={"org_unit": "chuanying", "org_path": "/chuanying/"}).get_json()
    assert reader["items"][0]["findings"] == "老人身体尚可,屋内取暖正常"
    events = svc.published_once_settled("liandong.security.household.visited.v1")
    assert [(e.data["household_id"], e.data["kind"], e.data["tags"]) for e in events] == [
        (elderly, "key_group", ["elderly_alone"])]
    assert "findings" not in events[0].data
    future = svc.post(f"/households/{elderly}/visits", {"findings": "x", "visited_at": "2099-01-01T00:00:00Z"}, **GRID)
    assert future.status_code == 422


def test_the_visit_rules_are_configuration(make_svc, monkeypatch):
    monkeypatch.setenv("SECURITY_VISIT_RULES", "dibao=2,household=0")
    svc = make_svc()
    rules = {r["rule"]: r["every_days"] for r in svc.get("/config", **GRID).get_json()["visit_rules"]}
    assert rules == {"elderly_alone": 7, "dibao": 2, "correction": 30, "disabled": 30}
    elderly, poor, plain = three_households(svc)
    svc.move_clock(days=10)
    items = queue(svc, "?within_days=366")["items"]
    assert [(i["household_id"], i["days_overdue"]) for i in items] == [(poor, 8), (elderly, 3)]  # no rule: plain


def test_a_supervision_that_ends_takes_the_correction_tag_off(make_svc):
    svc = make_svc(scan_seconds=0.3)
    from liandong.testing import wait_for

    from .test_register import id_number, tags_of

    number = id_number(seq=11)
    hid = register(svc)["id"]
    add(svc, hid, resident(11, id_number=number))
    ends = (date.today() + timedelta(days=2)).isoformat()
    enrol = {"org_unit_id": "jiayuan", "name": "钱某", "id_number": number, "category": "community_correction",
             "visit_interval_days": 7, "responsible_worker_id": "w-1", "responsible_worker_name": "刘芳",
             "supervision_ends_on": ends}
    assert svc.post("/corrections/people", enrol).status_code == 201
    assert tags_of(svc, hid) == ["correction"]
    svc.move_clock(days=3)
    wait_for(lambda: tags_of(svc, hid) == [], 20, message="the tag is taken off")
