"""The person registers (退管 / 老龄, 残联, 优抚; #20): entering, updating, ending (the stock goes down), one entry per
person per register, services per worker with first-in-year flags, and PIPL: each register only through its own
permission (403 audited), out of scope 404, masked without personal_data:read, every read audited, the
sensitive details sealed at rest."""
from __future__ import annotations

import pytest

from liandong.testing import wait_for
from welfare_testkit import JIAYUAN, SUBDISTRICT, id_number

RETIREES = dict(duties=("retiree_affairs",))  # 退管员 of 家园社区: no personal_data:read
DISABILITY = dict(duties=("disability_affairs",))  # 残联专干
CIVIL = dict(duties=("civil_affairs",))  # 民政员: 优抚, with personal_data:read
YANGCHUN_RETIREES = dict(org_unit="yangchun", path="/chuanying/ceguan/yangchun/", duties=("retiree_affairs",))

BOTH = pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)


def events_of(svc, *names: str, count: int) -> list:
    """The events of these names (`register_entry.registered` …) once `count` of them have gone out."""
    types = {f"liandong.welfare.{n}.v1" for n in names}
    wait_for(lambda: len(svc.events(types)) >= count, 20, message=f"{count} of {names}")
    return svc.events(types)


def person(seq: int, born: str = "19400101", **more) -> dict:
    return {"name": f"张老{seq}", "id_number": id_number(born, seq), "phone": "13912345678",
            "address": f"家园社区{seq}栋1单元", **more}


def enter(svc, register: str, seq: int, details: dict, expect: int = 201, **who) -> dict:
    r = svc.post("/register-entries", {"register": register, "org_unit_id": "jiayuan", "person": person(seq),
                                       "details": details}, **who)
    assert r.status_code == expect, r.get_json()
    return r.get_json()


DISABLED = {"category": "physical", "grade": "2", "certificate_number": "22020419400101001"}


@BOTH
def test_a_register_entry_is_entered_listed_masked_and_ended_and_its_stock_goes_down(svc):
    retiree = enter(svc, "retiree", 1, {"employer": "吉林化纤厂", "retired_on": "2000-05-01"}, **RETIREES)
    enter(svc, "retiree", 2, {"employer": "吉林碳素厂", "retired_on": "2003-01-01"}, **RETIREES)
    assert retiree["status"] == "active" and retiree["person_key"]
    # the 退管员 holds no personal_data:read: names, ID numbers, phones and addresses are masked
    assert retiree["masked"] is True and retiree["person"]["name"] == "张**"
    assert "*" in retiree["person"]["id_number"] and retiree["person"]["phone"] != "13912345678"
    assert retiree["details"] == {"employer": "吉林化纤厂", "retired_on": "2000-05-01"}

    listed = svc.fetch("/register-entries?register=retiree&status=active", **RETIREES).get_json()
    assert listed["total"] == 2 and all(e["masked"] for e in listed["items"])
    # a 街道干部 holds personal_data:read: the same entry unmasked
    full = svc.fetch(f"/register-entries/{retiree['id']}", **SUBDISTRICT).get_json()
    assert full["person"]["name"] == "张老1" and full["person"]["id_number"] == id_number("19400101", 1)

    early = svc.post(f"/register-entries/{retiree['id']}/end", {"reason": "died", "ended_on": "2026-03-01"}, **RETIREES)
    assert early.status_code == 422 and "ended_on" in early.get_json()["error"]["fields"]  # before it was entered
    ahead = svc.post(f"/register-entries/{retiree['id']}/end", {"reason": "died", "ended_on": "2026-03-03"}, **RETIREES)
    assert ahead.status_code == 422 and "ended_on" in ahead.get_json()["error"]["fields"]  # today is 2026-03-02
    r = svc.post(f"/register-entries/{retiree['id']}/end", {"reason": "died", "ended_on": "2026-03-02"}, **RETIREES)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "ended"
    assert svc.fetch("/register-entries?register=retiree&status=active", **RETIREES).get_json()["total"] == 1
    again = svc.post(f"/register-entries/{retiree['id']}/end", {"reason": "died"}, **RETIREES)
    assert again.status_code == 409, again.get_json()

    events = events_of(svc, "register_entry.registered", "register_entry.ended", count=3)
    assert sum(1 for e in events if ".registered." in e.type) == 2
    ended = [e for e in events if ".ended." in e.type]
    assert [(e.data["ended_on"], e.data["reason"], e.data["person_key"]) for e in ended] == [
        ("2026-03-02", "died", retiree["person_key"])]
    for e in events:  # no name, no ID number on the wire
        assert "张老" not in str(e.data) and id_number("19400101", 1) not in str(e.data)


@BOTH
def test_one_entry_per_person_per_register_a_retry_is_no_duplicate(svc):
    body = {"register": "elderly", "org_unit_id": "jiayuan", "person": person(5), "details": {"living_alone": True}}
    headers = svc.headers(**RETIREES) | {"Idempotency-Key": "k-1"}  # one worker sending the same request twice
    first = svc.post("/register-entries", body, headers)
    retry = svc.post("/register-entries", body, headers)
    assert first.status_code == retry.status_code == 201 and retry.get_json()["id"] == first.get_json()["id"]
    second = svc.post("/register-entries", body, **RETIREES)
    assert second.status_code == 409, second.get_json()
    assert "already" in second.get_json()["error"]["message"] and first.get_json()["id"] in second.get_json()["error"]["message"]
    # another register is another entry; an ended entry lets the person be entered again
    enter(svc, "retiree", 5, {"employer": "吉林化纤厂", "retired_on": "2000-05-01"}, **RETIREES)
    assert svc.post(f"/register-entries/{first.get_json()['id']}/end", {"reason": "moved_away"},
                    **RETIREES).status_code == 200
    assert svc.post("/register-entries", body, **RETIREES).status_code == 201
    assert len(events_of(svc, "register_entry.registered", count=3)) == 3


@BOTH
def test_details_are_checked_against_the_register_and_sealed_at_rest(svc):
    kinds = {k["code"]: k for k in svc.fetch("/register-kinds").get_json()["items"]}
    assert {c: k["permission"] for c, k in kinds.items()} == {
        "retiree": "welfare:retirees", "elderly": "welfare:retirees", "disabled": "welfare:disability",
        "veteran": "welfare:veterans"}
    assert [s["code"] for s in kinds["disabled"]["services"]] == ["rehabilitation", "assistive_device"]
    assert next(d for d in kinds["disabled"]["details"] if d["code"] == "grade")["choices"] == {
        "1": "一级", "2": "二级", "3": "三级", "4": "四级"}
    bad = svc.post("/register-entries", {"register": "disabled", "org_unit_id": "jiayuan", "person": person(7),
                                          "details": {"category": "wings", "grade": "5"}}, **DISABILITY)
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"details.category", "details.grade", "details.certificate_number"}
    unknown = svc.post("/register-entries", {"register": "pets", "org_unit_id": "jiayuan", "person": person(7)},
                       **DISABILITY)
    assert unknown.status_code == 422 and "register" in unknown.get_json()["error"]["fields"]
    entry = enter(svc, "disabled", 7, DISABLED, **DISABILITY)
    stored = svc.welfare.stores.register_entries.collection.find_one({"_id": entry["id"]})
    text = str(stored)
    for plain in ("physical", "张老7", id_number("19400101", 7), "22020419400101001"):
        assert plain not in text, plain
    r = svc.call("PATCH", f"/register-entries/{entry['id']}",
                 {"details": {"grade": "1"}, "person": {"phone": "13800001111"}}, headers=svc.headers(**DISABILITY))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["details"]["grade"] == "1" and r.get_json()["history"][-1]["changed"] == [
        "person.phone", "details.grade"]
    updated = events_of(svc, "register_entry.updated", count=1)
    assert [e.data["changed"] for e in updated] == [["person.phone", "details.grade"]]
    assert "13800001111" not in str(updated[0].data)


@BOTH
def test_each_register_only_through_its_permission_refusals_audited_out_of_scope_404(svc):
    disabled = enter(svc, "disabled", 8, DISABLED, **DISABILITY)
    # a community worker without the 残联 duty: 403, and the attempt is in the audit trail
    for url in (f"/register-entries/{disabled['id']}", "/register-entries?register=disabled"):
        r = svc.fetch(url)
        assert r.status_code == 403, (url, r.get_json())
        assert "/chuanying" not in r.get_data(as_text=True)
    refused = svc.post("/register-entries", {"register": "disabled", "org_unit_id": "jiayuan", "person": person(9),
                                             "details": DISABLED}, **RETIREES)
    assert refused.status_code == 403
    # the 退管员 holds another register: the 残联's entry is out of their sight, as a missing one
    missing = svc.fetch("/register-entries/nope", **RETIREES)
    r = svc.fetch(f"/register-entries/{disabled['id']}", **RETIREES)
    assert r.status_code == missing.status_code == 404
    assert r.get_json()["error"]["message"].replace(disabled["id"], "X") == missing.get_json()["error"]["message"].replace(
        "nope", "X")
    # another community's 退管员 neither sees the 家园 retirees
    retiree = enter(svc, "retiree", 10, {"employer": "厂", "retired_on": "2001-01-01"}, **RETIREES)
    assert svc.fetch(f"/register-entries/{retiree['id']}", **YANGCHUN_RETIREES).status_code == 404
    assert svc.fetch("/register-entries", **YANGCHUN_RETIREES).get_json()["total"] == 0
    assert svc.post(f"/register-entries/{retiree['id']}/services", {"kind": "home_visit"},
                    **YANGCHUN_RETIREES).status_code == 404

    audit = svc.fetch("/register-audit?page_size=100", role="district_admin", org_unit="chuanying",
                      path="/chuanying/").get_json()["items"]
    refusals = [(a["action"], a["register"]) for a in audit if not a["allowed"]]
    assert ("register.read", None) in refusals or ("register.read", "disabled") in refusals
    assert ("register.list", "disabled") in refusals and ("register.enter", "disabled") in refusals
    assert sum(1 for a in audit if not a["allowed"] and a["record_id"] == disabled["id"]) >= 2
    # an unmasked read is audited, marked so
    svc.fetch(f"/register-entries/{disabled['id']}", **SUBDISTRICT)
    audit = svc.fetch("/register-audit?action=register.read&allowed=true", role="district_admin",
                      org_unit="chuanying", path="/chuanying/").get_json()["items"]
    assert any(a["unmasked"] and a["record_id"] == disabled["id"] for a in audit)


@BOTH
def test_services_per_worker_and_first_in_year_per_person_and_household(svc):
    head = person(20, born="19600101")
    son = {**person(21, born="19900101"), "household_head_id_number": head["id_number"]}
    a = svc.post("/register-entries", {"register": "disabled", "org_unit_id": "jiayuan", "person": head,
                                       "details": DISABLED}, **DISABILITY).get_json()
    b = svc.post("/register-entries", {"register": "disabled", "org_unit_id": "jiayuan", "person": son,
                                       "details": {**DISABLED, "category": "intellectual"}}, **DISABILITY).get_json()
    served = []
    for entry, at in ((a, "2026-02-01T02:00:00Z"), (a, "2026-02-05T02:00:00Z"), (b, "2026-03-01T02:00:00Z")):
        r = svc.post(f"/register-entries/{entry['id']}/services", {"kind": "rehabilitation", "delivered_at": at},
                     **DISABILITY)
        assert r.status_code == 201, r.get_json()
        served.append(r.get_json())
    assert [(s["first_for_person"], s["first_for_household"]) for s in served] == [
        (True, True), (False, False), (True, False)]
    wrong = svc.post(f"/register-entries/{a['id']}/services", {"kind": "hospital_visit"}, **DISABILITY)
    assert wrong.status_code == 422 and "kind" in wrong.get_json()["error"]["fields"]
    # retry-safe: the same key is the same service, not a second first
    headers = svc.headers(**DISABILITY) | {"Idempotency-Key": "svc-1"}
    one = svc.post(f"/register-entries/{b['id']}/services", {"kind": "assistive_device"}, headers)
    two = svc.post(f"/register-entries/{b['id']}/services", {"kind": "assistive_device"}, headers)
    assert one.status_code == two.status_code == 201 and one.get_json()["id"] == two.get_json()["id"]
    assert two.get_json()["first_for_person"] is True

    counts = svc.fetch("/register-services/counts?org_unit=jiayuan&from=2026-01-01&to=2026-12-31").get_json()
    assert counts["services"] == 4 and counts["by_kind"] == {"rehabilitation": 3, "assistive_device": 1}
    assert sum(w["services"] for w in counts["per_worker"].values()) == 4  # (each request here is another worker)
    events = events_of(svc, "register_service.delivered", count=4)
    assert len(events) == 4
    assert sum(e.data["first_for_person_in_year"] for e in events if e.data["kind"] == "rehabilitation") == 2
    assert sum(e.data["first_for_household_in_year"] for e in events if e.data["kind"] == "rehabilitation") == 1
    listed = svc.fetch(f"/register-services?entry_id={a['id']}", **DISABILITY).get_json()
    assert listed["total"] == 2
    audit = svc.fetch("/register-audit?action=register.services.read", role="district_admin", org_unit="chuanying",
                      path="/chuanying/").get_json()["items"]  # the notes tell of health: each listed is audited
    assert sorted(a["record_id"] for a in audit) == sorted(s["id"] for s in listed["items"])
    # an ended entry takes no more services
    svc.post(f"/register-entries/{a['id']}/end", {"reason": "moved_away"}, **DISABILITY)
    assert svc.post(f"/register-entries/{a['id']}/services", {"kind": "rehabilitation"},
                    **DISABILITY).status_code == 409
