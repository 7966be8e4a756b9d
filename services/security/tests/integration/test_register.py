"""The real-population register (实有人口) through the HTTP API: households and residents registered
idempotently by their natural keys, scope, masking with audited full reads, moving out, key groups from
corrections and from welfare's events (before or after the person is registered), 独居老人."""
from datetime import date

import pytest

from liandong.idnumbers import check_digit
from liandong.testing import wait_for

from ..conftest import HUANGQI

GRID = dict(role="grid_worker", user_id="gw-1")
ELSEWHERE = {"org_unit": "huangniling", "org_path": "/chuanying/xihu/huangniling/"}
STORES = ["sqlite", "mongo"]


def id_number(born: str = "19850312", seq: int = 1) -> str:
    first17 = f"220204{born}{seq:03d}"
    return first17 + check_digit(first17)


def born_years_ago(years: int, days_later: int = 0) -> str:
    today = date.today()
    return date(today.year - years, today.month, min(today.day, 28)).strftime("%Y%m%d")


def household(**kw) -> dict:
    return {"org_unit_id": "jiayuan-b1", "building": "1号楼", "unit": "2单元", "room": "301", **kw}


def resident(seq: int = 1, born: str = "19850312", **kw) -> dict:
    return {"name": "王秀兰", "id_number": id_number(born, seq), "relationship": "head", "residence": "registered",
            "mobile": "13904320001", **kw}


def register(svc, body=None, **who):
    r = svc.post("/households", body or household(), **(who or GRID))
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


def add(svc, hid: str, body: dict, **who):
    r = svc.post(f"/households/{hid}/residents", body, **(who or GRID))
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_a_household_and_its_residents_register_once_by_their_natural_keys(svc):
    first = svc.post("/households", household(), **GRID)
    assert first.status_code == 201 and first.get_json()["outcome"] == "created", first.get_json()
    hid = first.get_json()["id"]
    again = svc.post("/households", household(), **GRID)
    assert again.status_code == 200 and again.get_json()["outcome"] == "unchanged"
    assert again.get_json()["id"] == hid

    created = svc.post(f"/households/{hid}/residents", resident(), **GRID)
    assert created.status_code == 201 and created.get_json()["outcome"] == "created", created.get_json()
    same = svc.post(f"/households/{hid}/residents", resident(), **GRID)
    assert same.status_code == 200 and same.get_json()["outcome"] == "unchanged"
    moved = svc.post(f"/households/{hid}/residents", resident(residence="separated"), **GRID)
    assert moved.get_json()["outcome"] == "updated"
    assert [m["residence"] for m in moved.get_json()["members"]] == ["separated"]
    assert svc.get("/households?residence=separated,floating", **GRID).get_json()["total"] == 1
    assert svc.get("/households?residence=registered", **GRID).get_json()["total"] == 0
    assert svc.get("/households?residence=nomad", **GRID).status_code == 422

    events = svc.published_once_settled("liandong.security.resident.added.v1")
    assert len(events) == 1 and len(svc.published("liandong.security.household.registered.v1")) == 1
    changed = svc.published("liandong.security.resident.changed.v1")
    assert len(changed) == 1  # the unchanged repeats sent nothing
    # what the status was, so the figures by status move (#21)
    assert (changed[0].data["previous_residence"], changed[0].data["residence"]) == ("registered", "separated")
    data = events[0].data
    assert data["household_id"] == hid and data["org_unit_id"] == "jiayuan-b1" and data["person_key"]
    assert not {"name", "id_number", "mobile", "room", "building"} & set(data)


def test_an_out_of_scope_household_answers_like_a_missing_one(svc):
    from liandong.testing import assert_like_a_missing_one

    hid = register(svc)["id"]
    rid = add(svc, hid, resident())["members"][0]["id"]
    elsewhere = dict(role="grid_worker", where=ELSEWHERE)
    missing = svc.get("/households/nope", **elsewhere)
    assert missing.status_code == 404
    for label, resp in [("read", svc.get(f"/households/{hid}", **elsewhere)),
                        ("visits", svc.get(f"/households/{hid}/visits", **elsewhere)),
                        ("resident", svc.post(f"/households/{hid}/residents", resident(), **elsewhere)),
                        ("visit", svc.post(f"/households/{hid}/visits", {"findings": "x"}, **elsewhere)),
                        ("leave", svc.post(f"/households/{hid}/leave", **elsewhere)),
                        ("move out", svc.post(f"/households/{hid}/residents/{rid}/move-out", **elsewhere))]:
        assert_like_a_missing_one(resp, hid, missing, "nope", label, elsewhere=("jiayuan",))
    # the other grid of the same community does not see it either; the community's worker does
    g2 = dict(role="grid_worker",
              where={"org_unit": "jiayuan-g2", "org_path": "/chuanying/huangqi/jiayuan/jiayuan-g2/"})
    assert svc.get(f"/households/{hid}", **g2).status_code == 404
    assert svc.get("/households", **g2).get_json()["items"] == []
    assert [m["id"] for m in svc.get(f"/households/{hid}", **GRID).get_json()["members"]] == [rid]  # unchanged
    # registering where the caller does not work is refused
    assert svc.post("/households", household(org_unit_id="jiayuan-b1"), **elsewhere).status_code == 403


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_personal_fields_are_masked_unless_allowed_and_full_reads_are_audited(svc):
    hid = register(svc)["id"]
    number = id_number()
    add(svc, hid, resident())
    masked = svc.get(f"/households/{hid}", **GRID).get_json()
    member = masked["members"][0]
    assert member["id_number"] != number and member["id_number"].startswith(number[:6])
    assert member["mobile"] == "139****0001" and member["birth_date"] is None and member["age"] >= 40
    assert masked["room"] == "***" and masked["building"] == "1号楼" and "person_key" not in member
    listed = svc.get("/households", **GRID).get_json()["items"][0]["members"][0]
    assert listed["id_number"] == member["id_number"]

    officer = dict(role="subdistrict_officer", where=HUANGQI, user_id="officer-1")
    full = svc.get(f"/households/{hid}", **officer).get_json()
    assert full["members"][0]["id_number"] == number and full["room"] == "301"
    assert full["members"][0]["birth_date"] == "1985-03-12"
    reads = svc.admin_get("/audit?action=household.read").get_json()["items"]
    assert [(a["user_id"], a["record_id"]) for a in reads] == [("officer-1", hid)]
    # finding a person's household by ID number needs personal_data:read
    assert svc.get(f"/households?q={number}", **GRID).status_code == 403
    assert [h["id"] for h in svc.get(f"/households?q={number}", **officer).get_json()["items"]] == [hid]
    # at rest the ID number, name, mobile and room are ciphertext
    doc = svc.platform.db.collection("households").find_one({"_id": hid})
    assert number not in str(doc) and "王秀兰" not in str(doc) and "13904320001" not in str(doc)
    assert "301" not in str(doc["room"])


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_a_resident_moves_out_and_may_then_join_another_household(svc):
    hid = register(svc)["id"]
    other = register(svc, household(room="502"))["id"]
    add(svc, hid, resident(1))
    kept = add(svc, hid, resident(2, name="李强", relationship="spouse"))
    rid = next(m["id"] for m in kept["members"] if m["relationship"] == "head")
    taken = svc.post(f"/households/{other}/residents", resident(1), **GRID)
    assert taken.status_code == 409 and "id_number" in taken.get_json()["error"]["fields"]

    out = svc.post(f"/households/{hid}/residents/{rid}/move-out", **GRID)
    assert out.status_code == 200, out.get_json()
    body = out.get_json()
    assert [m["name"] for m in body["members"]] == ["李强"]
    assert [m["id"] for m in body["former_members"]] == [rid] and body["former_members"][0]["moved_out_at"]
    assert svc.post(f"/households/{hid}/residents/{rid}/move-out", **GRID).status_code == 404
    joined = svc.post(f"/households/{other}/residents", resident(1), **GRID)
    assert joined.status_code == 201, joined.get_json()
    events = svc.published_once_settled("liandong.security.resident.moved_out.v1")
    assert [(e.data["resident_id"], e.data["household_id"]) for e in events] == [(rid, hid)]

    left = svc.post(f"/households/{hid}/leave", **GRID).get_json()
    assert left["status"] == "left" and left["members"] == [] and len(left["former_members"]) == 2
    assert svc.get("/households", **GRID).get_json()["total"] == 1
    assert svc.get("/households?status=left", **GRID).get_json()["total"] == 1
    # its address is free: the next household at it is a new one
    assert register(svc)["outcome"] == "created"


def key_of(svc, number: str) -> str:
    from liandong.personal import person_key

    return person_key(svc.platform.deps.cipher, number)


def grant_event(svc, name: str, number: str, programme: str, grant_id: str):
    data = {"grant_id": grant_id, "application_id": "a-" + grant_id, "programme": programme,
            "org_unit_id": "jiayuan", "household_size": 1, "monthly_amount_fen": 108000,
            "reason": "no longer qualifies", "person_key": key_of(svc, number)}
    if name == "welfare.grant.ended":
        data = {k: data[k] for k in ("grant_id", "programme", "org_unit_id", "reason", "person_key")}
    else:
        data.pop("reason")
    return svc.publish_event(name, data, grant_id, "/chuanying/huangqi/jiayuan/")


def tags_of(svc, hid: str) -> list[str]:
    return svc.get(f"/households/{hid}", **GRID).get_json()["members"][0]["tags"]


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_welfare_grants_tag_the_person_whether_they_are_registered_before_or_after(svc):
    early, late = id_number(seq=7), id_number(seq=8)
    grant_event(svc, "welfare.grant.started", early, "dibao_urban", "g-early")
    facts = svc.platform.db.collection("key_group_facts")
    wait_for(lambda: facts.find_one({"_id": key_of(svc, early)}), 20, message="the grant is known")
    before = register(svc)["id"]
    assert add(svc, before, resident(7, id_number=early))["members"][0]["tags"] == ["dibao"]

    after = register(svc, household(room="502"))["id"]
    add(svc, after, resident(8, id_number=late))
    assert tags_of(svc, after) == []
    started = grant_event(svc, "welfare.grant.started", late, "severe_disability", "g-late")
    wait_for(lambda: tags_of(svc, after) == ["disabled"], 20, message="the member is tagged")
    assert svc.get("/households?tag=disabled", **GRID).get_json()["total"] == 1
    # a programme that marks no key group changes nothing; the end of the grant clears the tag
    grant_event(svc, "welfare.grant.started", late, "temporary_aid", "g-other")
    grant_event(svc, "welfare.grant.ended", late, "severe_disability", "g-late")
    wait_for(lambda: tags_of(svc, after) == [], 20, message="the tag is cleared")
    changed = svc.published_once_settled("liandong.security.resident.changed.v1")
    assert [e.data["tags"] for e in changed] == [["disabled"], []]
    # a redelivered start (the same event) does not tag again
    svc.platform.bus.publish("welfare.events", "g-late", started.to_json())
    svc.platform.bus.flush()
    sentinel = id_number(seq=10)  # published after it under the same key: handled after it
    grant_event(svc, "welfare.grant.started", sentinel, "dibao_urban", "g-late")
    wait_for(lambda: facts.find_one({"_id": key_of(svc, sentinel)}), 20, message="the sentinel is handled")
    assert tags_of(svc, after) == []


def test_a_corrections_subject_is_tagged_in_the_register(svc):
    number = id_number(seq=9)
    hid = register(svc)["id"]
    add(svc, hid, resident(9, id_number=number))
    enrol = {"org_unit_id": "jiayuan", "name": "钱某", "id_number": number, "category": "community_correction",
             "visit_interval_days": 7, "responsible_worker_id": "w-1", "responsible_worker_name": "刘芳"}
    assert svc.post("/corrections/people", enrol).status_code == 201
    assert tags_of(svc, hid) == ["correction"]
    assert svc.get("/households?tag=correction", **GRID).get_json()["total"] == 1


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_retried_register_requests_apply_once(svc):
    from .test_idempotency import twice

    first, again = twice(svc, "/households", household(), "hh-1", **GRID)
    assert first["id"] == again["id"] and again["outcome"] == "created"
    hid = first["id"]
    first, again = twice(svc, f"/households/{hid}/residents", resident(), "hh-2", **GRID)
    assert again["outcome"] == "created" and len(again["members"]) == 1
    first, again = twice(svc, f"/households/{hid}/visits", {"findings": "正常"}, "hh-3", **GRID)
    assert first["id"] == again["id"]
    assert svc.get(f"/households/{hid}/visits", **GRID).get_json()["total"] == 1
    assert len(svc.published_once_settled("liandong.security.household.visited.v1")) == 1
    assert len(svc.published("liandong.security.resident.added.v1")) == 1
    assert len(svc.published("liandong.security.household.registered.v1")) == 1



def test_the_importer_calls_one_row_at_a_time_and_a_second_import_changes_nothing(svc):
    """What the Excel import calls per row of a 实有人口 ledger, as the uploading user (scope checked inside)."""
    from liandong import outbox
    from liandong.auth import Grant, Principal
    from liandong.errors import Forbidden

    from security.adapters.repositories import Repositories
    from security.service_layer import SecurityService

    register_ = SecurityService.build(svc.platform.deps, Repositories(svc.platform.deps)).register
    worker = Principal("cw-1", "社区工作者", (Grant("community_worker", "jiayuan", "/chuanying/huangqi/jiayuan/"),))
    row = dict(household=household(household_number="0031"),
               resident={**resident(), "hand_tags": ["disabled"]})
    h_out, r_out, first = register_.register_or_update_row(worker, **row)
    assert (h_out, r_out) == ("created", "created") and first.tags == ["disabled"]
    stored = svc.platform.db.collection("households")
    version = stored.find_one({"_id": first.id})[outbox.VERSION]
    assert register_.register_or_update_row(worker, **row)[:2] == ("unchanged", "unchanged")
    assert stored.find_one({"_id": first.id})[outbox.VERSION] == version  # a re-import writes nothing
    # the same 户号 at a corrected room: the same household, updated; a new mobile updates the person
    moved = dict(household={**row["household"], "room": "302"}, resident={**row["resident"], "mobile": "13904320002"})
    h_out, r_out, again = register_.register_or_update_row(worker, **moved)
    assert (h_out, r_out, again.id, again.room) == ("updated", "updated", first.id, "302")
    # a household registered without its 户号 is found by its address when the ledger gives the number
    bare = register_.register_or_update_household(worker, household(room="601"))[1]
    numbered = register_.register_or_update_household(worker, household(room="601", household_number="0032"))
    assert numbered[0] == "updated" and (numbered[1].id, numbered[1].household_number) == (bare.id, "0032")
    outsider = Principal("cw-2", "社区工作者", (Grant("community_worker", "huangniling", ELSEWHERE["org_path"]),))
    with pytest.raises(Forbidden):
        register_.register_or_update_row(outsider, **row)
    assert svc.get("/households", **GRID).get_json()["total"] == 2
