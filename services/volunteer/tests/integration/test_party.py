"""Party building (党建, #20): branches, members and their 《党员告知书》, in-service members reporting to the
community they live in (党员报到) and becoming its volunteers. Party membership is sensitive (PIPL: political
affiliation): the registers are reached with volunteer:party only (audited, refusals too), masked without
personal_data:read, encrypted at rest, and named on events by `person_key` only."""
from __future__ import annotations

import json

import pytest

from liandong import idnumbers
from liandong.personal import person_key
from liandong.testing import STORES, wait_for

from ..conftest import HUANGNILING, JIAYUAN

pytestmark = pytest.mark.parametrize("svc", STORES, indirect=True)  # every test here on both backends
HUANGQI = "/chuanying/huangqi/"


def id_number(seq: int) -> str:
    first = f"22020419700101{seq:03d}"
    return first + idnumbers.check_digit(first)


def party_worker(svc, org_unit="jiayuan", org_path=JIAYUAN) -> dict:
    """A community worker with the duty 党建专干 (volunteer:party; no personal_data:read)."""
    return svc.headers("community_worker", org_unit, org_path, duties=("party_affairs",))


def officer(svc) -> dict:
    """A sub-district officer of 黄旗: volunteer:party and personal_data:read over its communities."""
    return svc.headers("subdistrict_officer", "huangqi", HUANGQI)


def branch(svc, headers, org_unit="jiayuan", name="家园社区第一党支部", founded_on="2014-07-01") -> dict:
    return svc.post("/party/branches", {"name": name, "org_unit_id": org_unit, "secretary": "王秀兰",
                                        "founded_on": founded_on}, headers=headers, expect=201).get_json()


def member(svc, headers, branch_id, seq, name="张建国", **kw) -> dict:
    body = {"branch_id": branch_id, "name": name, "id_number": id_number(seq), "mobile": "13900001234",
            "kind": "full", "joined_on": "1998-07-01", **kw}
    return svc.post("/party/members", body, headers=headers, expect=201).get_json()


def party_records(svc, headers=None, org_unit="jiayuan", serial=900) -> dict:
    """A branch, a member and a report of `org_unit` (the route walks of the API-style and scope tests)."""
    headers = headers or party_worker(svc)
    b = branch(svc, headers, org_unit)
    m = member(svc, headers, b["id"], serial)
    r = svc.post("/party/reports", {"org_unit_id": org_unit, "name": "刘振华", "id_number": id_number(serial + 1),
                                    "workplace": "市供电公司党委", "reported_on": "2026-03-05", "consent": True},
                 headers=headers, expect=201).get_json()
    return {"branch_id": b["id"], "member_id": m["id"], "report_id": r["id"]}


def audit(svc, **params) -> list[dict]:
    return svc.get("/party/audit", headers=svc.district(), page_size=100, **params)["items"]


def test_the_registers_need_the_party_duty_and_a_refusal_is_audited(svc):
    b = branch(svc, officer(svc))
    m = member(svc, officer(svc), b["id"], 1)
    plain_worker = svc.headers()  # volunteer:read and manage, but not the duty
    for path in ("/party/branches", "/party/members", "/party/reports", f"/party/members/{m['id']}",
                 f"/party/branches/{b['id']}"):
        assert svc.get(path, headers=plain_worker, expect=403)["error"]["code"] == "forbidden", path
    r = svc.post("/party/members", {"branch_id": b["id"], "name": "李四", "id_number": id_number(2),
                                    "kind": "full", "joined_on": "2001-07-01"}, headers=plain_worker)
    assert r.status_code == 403
    refused = audit(svc, allowed="false")
    assert {e["action"] for e in refused} >= {"party.branch.list", "party.member.list", "party.report.list",
                                              "party.member.read", "party.member.register"}
    # the refused read of a record is filed under the record's office, which sees who tried
    assert any(e["record_id"] == m["id"] and e["org_path"] == JIAYUAN for e in refused)
    # nothing was registered by the refused call
    assert svc.get("/party/members", headers=officer(svc))["total"] == 1


def test_another_communitys_records_are_404_as_if_missing(svc):
    b = branch(svc, officer(svc))
    m = member(svc, officer(svc), b["id"], 3)
    elsewhere = party_worker(svc, "huangniling", HUANGNILING)
    for path in (f"/party/members/{m['id']}", f"/party/branches/{b['id']}"):
        missing = svc.get(path.rsplit("/", 1)[0] + "/nope", headers=elsewhere, expect=404)
        found = svc.get(path, headers=elsewhere, expect=404)
        assert found["error"]["message"].replace(path.rsplit("/", 1)[1], "x") == \
            missing["error"]["message"].replace("nope", "x")
    assert svc.post(f"/party/members/{m['id']}/end", {"reason": "deceased", "ended_on": "2026-03-01"},
                    headers=elsewhere).status_code == 404
    assert svc.post("/party/members", {"branch_id": b["id"], "name": "李四", "id_number": id_number(4),
                                       "kind": "full", "joined_on": "2001-07-01"}, headers=elsewhere).status_code == 404
    assert svc.get("/party/members", headers=elsewhere)["total"] == 0
    assert svc.get(f"/party/members/{m['id']}", headers=officer(svc))["status"] == "active"


def test_lists_mask_names_id_numbers_and_mobiles_unless_personal_data_read_and_unmasked_reads_are_audited(svc):
    b = branch(svc, party_worker(svc))
    m = member(svc, party_worker(svc), b["id"], 5, name="张建国")
    number = id_number(5)
    masked = svc.get("/party/members", headers=party_worker(svc))["items"][0]
    assert (masked["name"], masked["id_number"], masked["mobile"]) == ("张**", idnumbers.mask(number),
                                                                       idnumbers.mask_mobile("13900001234"))
    shown = svc.get("/party/branches", headers=party_worker(svc))["items"][0]
    # the secretary is a person; the branch's own name is not, and a worker must be able to tell branches apart
    assert (shown["secretary"], shown["name"]) == ("王**", "家园社区第一党支部")
    assert svc.get(f"/party/branches/{b['id']}", headers=party_worker(svc))["name"] == "家园社区第一党支部"
    assert svc.get(f"/party/members/{m['id']}", headers=party_worker(svc))["name"] == "张**"
    whole = svc.get("/party/members", headers=officer(svc))["items"][0]
    assert (whole["name"], whole["id_number"], whole["mobile"]) == ("张建国", number, "13900001234")
    reads = [e for e in audit(svc, action="party.member.read") if e["record_id"] == m["id"]]
    assert any(e["unmasked"] for e in reads) and any(not e["unmasked"] for e in reads)
    # kept encrypted: neither the name nor the number is in the stored document
    stored = str(svc.platform.db.collection("party_members").find_one({"_id": m["id"]}))
    assert number not in stored and "张建国" not in stored and "13900001234" not in stored


def test_members_and_branches_go_up_and_down_with_one_membership_per_person(svc):
    w = party_worker(svc)
    b1, b2 = branch(svc, w), branch(svc, w, name="家园社区第二党支部")
    a = member(svc, w, b1["id"], 6)
    member(svc, w, b1["id"], 7, name="李秀英", kind="probationary", hardship=True)
    r = svc.post("/party/members", {"branch_id": b2["id"], "name": "张建国", "id_number": id_number(6),
                                    "kind": "full", "joined_on": "1998-07-01"}, headers=w)
    assert r.status_code == 409  # one membership per person, whichever branch
    assert svc.get("/party/members", headers=w, status="active")["total"] == 2
    assert svc.get("/party/members", headers=w, hardship="true")["total"] == 1
    # a transfer out ends the membership; the person may then join again
    ended = svc.post(f"/party/members/{a['id']}/end", {"reason": "transferred_out", "ended_on": "2026-06-01"},
                     headers=w, expect=200).get_json()
    assert (ended["status"], ended["ended_on"]) == ("transferred_out", "2026-06-01")
    assert svc.get("/party/members", headers=w, status="active")["total"] == 1
    assert svc.post(f"/party/members/{a['id']}/notice", {"signed_on": "2026-06-02"}, headers=w).status_code == 409
    member(svc, w, b2["id"], 6)  # 转入 again, now in the second branch
    # a branch with members is not dissolved; an empty one is
    assert svc.post(f"/party/branches/{b1['id']}/dissolve", {"dissolved_on": "2026-07-01"},
                    headers=w).status_code == 409
    empty = branch(svc, w, name="家园社区第三党支部")
    gone = svc.post(f"/party/branches/{empty['id']}/dissolve", {"dissolved_on": "2026-07-01"}, headers=w,
                    expect=200).get_json()
    assert gone["status"] == "dissolved"
    assert svc.get("/party/branches", headers=w, status="active")["total"] == 2
    renamed = svc.call("PATCH", f"/party/branches/{b1['id']}", {"secretary": "赵志强"}, headers=officer(svc),
                       expect=200).get_json()
    assert renamed["secretary"] == "赵志强"
    # bad input: field messages, never a 500
    r = svc.post("/party/members", {"branch_id": b1["id"], "name": "", "id_number": "123", "kind": "x",
                                    "joined_on": "yesterday"}, headers=w)
    assert r.status_code == 422 and set(r.get_json()["error"]["fields"]) >= {"name", "id_number", "kind", "joined_on"}


def test_the_events_name_the_member_by_person_key_only(svc):
    w = party_worker(svc)
    b = branch(svc, w)
    m = member(svc, w, b["id"], 8)
    svc.post(f"/party/members/{m['id']}/notice", {"signed_on": "2026-03-02"}, headers=w, expect=200)
    svc.post(f"/party/members/{m['id']}/end", {"reason": "deceased", "ended_on": "2026-05-02"}, headers=w,
             expect=200)
    svc.post(f"/party/branches/{b['id']}/dissolve", {"dissolved_on": "2026-06-01"}, headers=w, expect=200)
    names = {f"liandong.volunteer.party.{n}.v1" for n in ("branch_founded", "member_registered", "notice_signed",
                                                         "member_ended", "branch_dissolved")}
    events = wait_for(lambda: (found := {e.type: e for e in svc.events(names)}) and len(found) == 5 and found, 20,
                      message="the party's events")
    key = person_key(svc.platform.deps.cipher, id_number(8))
    for t in names - {"liandong.volunteer.party.branch_founded.v1", "liandong.volunteer.party.branch_dissolved.v1"}:
        assert events[t].data["person_key"] == key
    assert events["liandong.volunteer.party.member_ended.v1"].data["reason"] == "deceased"
    wire = json.dumps([e.to_dict() for e in events.values()], ensure_ascii=False)
    assert id_number(8) not in wire and "张建国" not in wire and "13900001234" not in wire and "王秀兰" not in wire


def report(svc, headers, seq, name="刘振华", **kw) -> dict:
    body = {"org_unit_id": "jiayuan", "name": name, "id_number": id_number(seq), "mobile": "13800005678",
            "workplace": "市供电公司党委", "reported_on": "2026-03-05", "consent": True, **kw}
    return svc.post("/party/reports", body, headers=headers, expect=201).get_json()


def test_reporting_makes_the_member_a_volunteer_once_and_their_hours_count(svc):
    w = party_worker(svc)
    fresh = report(svc, w, 20)
    assert fresh["linked"] is False
    v = svc.get(f"/volunteers/{fresh['volunteer_id']}", headers=officer(svc))
    assert (v["kind"], v["id_number"]) == ("party_member", id_number(20))
    # already a volunteer of the community (registered with the ID number): linked, not registered again
    known = svc.register(name="陈立新", id_number=id_number(21))
    linked = report(svc, w, 21, name="陈立新")
    assert (linked["linked"], linked["volunteer_id"]) == (True, known["id"])
    assert svc.get("/volunteers", headers=w, page_size=100)["total"] == 2  # exactly one volunteer each
    # once a year per community
    r = svc.post("/party/reports", {"org_unit_id": "jiayuan", "name": "刘振华", "id_number": id_number(20),
                                    "workplace": "市供电公司党委", "reported_on": "2026-09-01", "consent": True},
                 headers=w)
    assert r.status_code == 409
    # they serve: an activity after reporting counts as theirs (and as every volunteer's hours)
    act = svc.activity(starts_at="2026-03-08T01:00:00Z", ends_at="2026-03-08T04:00:00Z")
    for vid in (fresh["volunteer_id"], linked["volunteer_id"]):
        svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": vid}, expect=201)
        svc.post(f"/activities/{act['id']}/attendance", {"volunteer_id": vid, "checked_in_at": "2026-03-08T01:00:00Z",
                                                         "checked_out_at": "2026-03-08T03:30:00Z"}, expect=201)
    hours = wait_for(lambda: (items := svc.get("/party/reports", headers=officer(svc))["items"])
                     and all(i["hours_this_year"] == 2.5 for i in items) and items, 30, message="reported hours")
    assert {i["name"] for i in hours} == {"刘振华", "陈立新"}
    assert svc.get("/party/reports", headers=w)["items"][0]["name"].endswith("**")
    assert svc.get(f"/volunteers/{fresh['volunteer_id']}")["totals"]["minutes"] == 150
    served = wait_for(lambda: [e for e in svc.events({"liandong.volunteer.party.service_recorded.v1"})], 20,
                      message="party.service_recorded")
    assert {e.data["delta_minutes"] for e in served} == {150}
    reported = wait_for(lambda: [e for e in svc.events({"liandong.volunteer.party.member_reported.v1"})
                                 if len(svc.events({"liandong.volunteer.party.member_reported.v1"})) == 2], 20,
                        message="member_reported")
    assert {e.data["volunteer_linked"] for e in reported} == {True, False}


def test_hours_served_before_reporting_are_not_a_reported_members(svc):
    w = party_worker(svc)
    known = svc.register(name="孙海燕", id_number=id_number(30))
    early = svc.activity(starts_at="2026-02-01T01:00:00Z", ends_at="2026-02-01T04:00:00Z")
    svc.post(f"/activities/{early['id']}/signups", {"volunteer_id": known["id"]}, expect=201)
    svc.post(f"/activities/{early['id']}/attendance", {"volunteer_id": known["id"],
                                                       "checked_in_at": "2026-02-01T01:00:00Z",
                                                       "checked_out_at": "2026-02-01T02:00:00Z"}, expect=201)
    wait_for(svc.settled, 30, message="settled")
    r = report(svc, w, 30, name="孙海燕")
    assert r["linked"] is True and r["hours_this_year"] == 0
    # a correction of that service, made after reporting, is still service from before it
    svc.post(f"/activities/{early['id']}/attendance/{known['id']}/correction", {"minutes": 90, "reason": "漏记"},
             expect=200)
    wait_for(lambda: svc.settled() and svc.get(f"/volunteers/{known['id']}")["totals"]["minutes"] == 90, 30,
             message="the correction applied")
    assert svc.get(f"/party/reports/{r['id']}", headers=officer(svc))["hours_this_year"] == 0


def test_a_retried_report_registers_one_volunteer_and_one_report(svc):
    """The same 报到 sent twice (the gateway retries a request whose answer it lost): one report, one volunteer."""
    body = {"org_unit_id": "jiayuan", "name": "周国庆", "id_number": id_number(40), "workplace": "市第一中学党总支",
            "reported_on": "2026-04-01", "consent": True}
    headers = {**party_worker(svc), "Idempotency-Key": "report-40"}
    first, again = (svc.post("/party/reports", body, headers=headers) for _ in range(2))
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert first.get_json()["volunteer_id"] == again.get_json()["volunteer_id"]
    assert (first.get_json()["linked"], again.get_json()["linked"]) == (False, False)
    assert svc.get("/party/reports", headers=officer(svc))["total"] == 1
    assert svc.get("/volunteers", headers=officer(svc))["total"] == 1
