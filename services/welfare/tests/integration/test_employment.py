"""Employment and social insurance (就业 / 社保, #20): the 保障员's registers, on both storage backends.

Unemployment registration (one open per person; placed or ended, the stock goes down), re-employment
certificates (once per person), placements clearing a zero-employment household, medical-insurance enrolment
(once per person and year); only with welfare:employment (403 audited), out of sight 404, masked without
personal_data:read, unmasked reads audited; events name people by person_key only.
"""
from __future__ import annotations

import json

import pytest

from liandong import auth
from liandong.testing import assert_like_a_missing_one, wait_for

from welfare_testkit import SUBDISTRICT, id_number

E = "/employment"
SOCIAL = dict(duties=("social_security",))  # the 保障员 of 家园社区
PLAIN = dict()  # a community worker of 家园 without the duty
HNL_SOCIAL = dict(org_unit="huangniling", path="/chuanying/xihu/huangniling/", duties=("social_security",))
ADMIN = dict(role="district_admin", org_unit="chuanying", path="/chuanying/")

WOMAN_1980 = id_number("19800505", 122)  # an even 17th digit: a woman
MAN_1970 = id_number("19700101", 131)  # odd: a man
SON_2000 = id_number("20000303", 151)
GRANDMA_1950 = id_number("19500202", 162)


def seeker(number: str, name: str = "王秀兰", household: str = "H-0301", category: str = "laid_off", **kw) -> dict:
    return {"org_unit_id": "jiayuan", "name": name, "id_number": number, "phone": "13912345678",
            "household_key": household, "category": category, "skills": ["保洁", "收银"], "wished_work": "社区公益性岗位",
            **kw}


def keyed(svc, key: str, **who) -> dict:
    return {**svc.headers(**who), "Idempotency-Key": key}


def figures(svc, **who) -> dict:
    r = svc.fetch(f"{E}/figures?org_unit=jiayuan", **(who or SOCIAL))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_a_seasons_work_registers_certifies_places_and_clears_and_the_stocks_go_down(svc):
    # 失业登记: a laid-off woman and her son (one household), a man of another household
    same_request = keyed(svc, "reg-1", **SOCIAL)  # one caller (a key is scoped by its user) sending twice
    first = svc.post(f"{E}/jobseekers", seeker(WOMAN_1980), headers=same_request)
    assert first.status_code == 201, first.get_json()
    her = first.get_json()
    assert her["status"] == "registered" and her["name"] == "王秀兰" and her["id_number"] == WOMAN_1980
    again = svc.post(f"{E}/jobseekers", seeker(WOMAN_1980), headers=same_request)
    assert (again.status_code, again.get_json()["id"]) == (201, her["id"])  # a retry: the same registration
    duplicate = svc.post(f"{E}/jobseekers", seeker(WOMAN_1980), **SOCIAL)
    assert duplicate.status_code == 409
    assert "open unemployment registration already" in duplicate.get_json()["error"]["message"]
    son = svc.post(f"{E}/jobseekers", seeker(SON_2000, "李强", category="unemployed"), **SOCIAL).get_json()
    man = svc.post(f"{E}/jobseekers", seeker(MAN_1970, "赵建国", household="H-0502", registered_on="2026-02-01"), **SOCIAL).get_json()
    assert figures(svc)["jobseekers_registered"] == 3

    # 再就业优惠证: once per person
    cert = svc.post(f"{E}/jobseekers/{her['id']}/certificate", {"number": "吉2026-0001", "issued_on": "2026-03-02"},
                    **SOCIAL)
    assert cert.status_code == 201, cert.get_json()
    twice = svc.post(f"{E}/jobseekers/{her['id']}/certificate", {"number": "吉2026-0002"}, **SOCIAL)
    assert twice.status_code == 409 and "issued to this person already" in twice.get_json()["error"]["message"]
    assert svc.fetch(f"{E}/jobseekers/{her['id']}", **SOCIAL).get_json()["certificate"]["number"] == "吉2026-0001"

    # 零就业家庭: the woman, her son and her mother (retired, not of working age); nobody works
    household = svc.post(f"{E}/zero-employment-households", {
        "org_unit_id": "jiayuan", "household_key": "H-0301", "identified_on": "2026-02-20", "members": [
            {"name": "王秀兰", "id_number": WOMAN_1980, "status": "laid_off"},
            {"name": "李强", "id_number": SON_2000, "status": "unemployed"},
            {"name": "张桂芝", "id_number": GRANDMA_1950, "status": "retired"}]}, **SOCIAL)
    assert household.status_code == 201, household.get_json()
    household = household.get_json()
    assert household["working_age_members"] == 2 and household["status"] == "open"
    assert household["days_open"] == 10  # 2026-02-20 .. today 2026-03-02
    assert svc.post(f"{E}/zero-employment-households", {
        "org_unit_id": "jiayuan", "household_key": "H-0301", "members": [
            {"name": "王秀兰", "id_number": WOMAN_1980, "status": "laid_off"}]}, **SOCIAL).status_code == 409
    visited = svc.post(f"{E}/zero-employment-households/{household['id']}/visits",
                       {"visited_on": "2026-03-01", "note": "推荐社区保洁岗位"}, **SOCIAL)
    assert visited.status_code == 200 and visited.get_json()["visits"][0]["note"] == "推荐社区保洁岗位"
    working = svc.post(f"{E}/zero-employment-households", {
        "org_unit_id": "jiayuan", "household_key": "H-0502", "members": [
            {"name": "赵建国", "id_number": MAN_1970, "status": "employed"}]}, **SOCIAL)
    assert working.status_code == 422 and "employed" in json.dumps(working.get_json(), ensure_ascii=False)
    opened = svc.fetch(f"{E}/zero-employment-households?status=open", **SOCIAL).get_json()
    assert [h["id"] for h in opened["items"]] == [household["id"]]

    # the son is placed at a job fair (现场安置): his registration ends, the household leaves the list
    placed = svc.post(f"{E}/jobseekers/{son['id']}/placement",
                      {"kind": "enterprise", "employer": "吉林市某物业公司", "on_site": True, "placed_on": "2026-03-02"},
                      **SOCIAL)
    assert placed.status_code == 200, placed.get_json()
    assert placed.get_json()["status"] == "placed" and placed.get_json()["cleared_households"] == [household["id"]]
    assert svc.fetch(f"{E}/zero-employment-households?status=open", **SOCIAL).get_json()["items"] == []
    shown = svc.fetch(f"{E}/zero-employment-households/{household['id']}", **SOCIAL).get_json()
    assert shown["status"] == "cleared" and shown["cleared"]["cleared_on"] == "2026-03-02"
    assert "person_key" not in json.dumps(shown) and "member_keys" not in json.dumps(shown)
    assert svc.post(f"{E}/jobseekers/{son['id']}/placement", {"kind": "flexible"}, **SOCIAL).status_code == 409
    ended = svc.post(f"{E}/jobseekers/{man['id']}/end", {"reason": "moved_away", "ended_on": "2026-03-01"}, **SOCIAL)
    assert ended.status_code == 200 and ended.get_json()["status"] == "ended"
    too_early = svc.post(f"{E}/jobseekers/{her['id']}/end", {"reason": "retired", "ended_on": "2026-03-01"}, **SOCIAL)
    assert too_early.status_code == 422 and "ended_on" in too_early.get_json()["error"]["fields"]
    counts = figures(svc)
    assert counts["jobseekers_registered"] == 1 and counts["zero_employment_households_open"] == 0
    listed = svc.fetch(f"{E}/jobseekers?status=registered", **SOCIAL).get_json()
    assert [s["id"] for s in listed["items"]] == [her["id"]]
    # placed, the son may register again later (a new registration of the same person)
    assert svc.post(f"{E}/jobseekers", seeker(SON_2000, "李强"), **SOCIAL).status_code == 201

    # 城镇居民医保: once per person and year
    body = {"org_unit_id": "jiayuan", "name": "王秀兰", "id_number": WOMAN_1980, "year": 2026}
    assert svc.post(f"{E}/medical-insurance-enrolments", body, **SOCIAL).status_code == 201
    assert svc.post(f"{E}/medical-insurance-enrolments", body, **SOCIAL).status_code == 409
    assert svc.post(f"{E}/medical-insurance-enrolments", {**body, "year": 2027}, **SOCIAL).status_code == 201
    assert figures(svc)["medical_insurance_enrolled"] == {"2026": 1, "2027": 1}

    # the events name people by person_key only
    wanted = {f"liandong.welfare.{t}.v1" for t in (
        "jobseeker.registered", "jobseeker.placed", "jobseeker.ended", "reemployment_certificate.issued",
        "zero_employment_household.identified", "zero_employment_household.cleared", "medical_insurance.enrolled")}
    events = wait_for(lambda: (lambda got: got if len({e.type for e in got}) == len(wanted) else None)(
        svc.events(wanted)), 30, message="employment events")
    placed_events = [e.data for e in events if e.type.endswith("jobseeker.placed.v1")]
    assert placed_events[0]["on_site"] is True and placed_events[0]["kind"] == "enterprise"
    wire = json.dumps([e.data for e in events], ensure_ascii=False)
    for secret in (WOMAN_1980, SON_2000, "王秀兰", "李强", "13912345678", "H-0301", "吉2026-0001"):
        assert secret not in wire
    assert all(e.data.get("person_key") for e in events if "person_key" in e.data)


def test_without_the_duty_every_employment_record_is_refused_and_the_refusal_audited(svc):
    her = svc.post(f"{E}/jobseekers", seeker(WOMAN_1980), **SOCIAL).get_json()
    for method, path, body in (("GET", f"{E}/jobseekers", None), ("GET", f"{E}/jobseekers/{her['id']}", None),
                               ("POST", f"{E}/jobseekers", seeker(MAN_1970)),
                               ("POST", f"{E}/jobseekers/{her['id']}/placement", {"kind": "flexible"}),
                               ("GET", f"{E}/medical-insurance-enrolments", None),
                               ("GET", f"{E}/zero-employment-households", None)):
        r = svc.call(method, path, body, headers=svc.headers(**PLAIN))
        assert r.status_code == 403, (method, path, r.get_json())
        assert "jiayuan" not in r.get_data(as_text=True)
    assert svc.fetch(f"{E}/jobseekers/{her['id']}", **SOCIAL).get_json()["status"] == "registered"  # unchanged
    trail = svc.fetch(f"{E}/audit?allowed=false", **ADMIN)
    assert trail.status_code == 200, trail.get_json()
    refused = trail.get_json()["items"]
    assert len(refused) == 6 and {e["action"] for e in refused} >= {"employment.list", "employment.read",
                                                                     "employment.register", "employment.place"}
    assert all(e["roles"] == ["community_worker"] and not e["allowed"] for e in refused)
    assert svc.fetch(f"{E}/audit", **SOCIAL).status_code == 403  # the trail is the auditors'


def test_a_record_of_another_community_is_not_found_like_a_missing_one(svc):
    her = svc.post(f"{E}/jobseekers", seeker(WOMAN_1980), **SOCIAL).get_json()
    household = svc.post(f"{E}/zero-employment-households", {
        "org_unit_id": "jiayuan", "household_key": "H-0301",
        "members": [{"name": "王秀兰", "id_number": WOMAN_1980, "status": "laid_off"}]}, **SOCIAL).get_json()
    for path, missing in ((f"{E}/jobseekers/{her['id']}", f"{E}/jobseekers/nope"),
                          (f"{E}/zero-employment-households/{household['id']}",
                           f"{E}/zero-employment-households/nope")):
        record_id = path.rsplit("/", 1)[1]
        assert_like_a_missing_one(svc.fetch(path, **HNL_SOCIAL), record_id, svc.fetch(missing, **HNL_SOCIAL), "nope",
                                  path)
    r = svc.post(f"{E}/jobseekers/{her['id']}/placement", {"kind": "flexible"}, **HNL_SOCIAL)
    assert r.status_code == 404
    assert svc.fetch(f"{E}/jobseekers", **HNL_SOCIAL).get_json()["total"] == 0
    assert svc.fetch(f"{E}/jobseekers?org_unit=jiayuan", **HNL_SOCIAL).status_code == 403
    # the sub-district's officer holds the duty over its communities
    assert svc.fetch(f"{E}/jobseekers/{her['id']}", **SUBDISTRICT).status_code == 200


def test_lists_mask_names_ids_and_phones_without_personal_data_read_and_unmasked_reads_are_audited(svc, monkeypatch):
    her = svc.post(f"{E}/jobseekers", seeker(WOMAN_1980), **SOCIAL).get_json()
    assert svc.post(f"{E}/medical-insurance-enrolments", {"org_unit_id": "jiayuan", "name": "王秀兰", "phone": "13912345678",
                                                          "id_number": WOMAN_1980, "year": 2026}, **SOCIAL).status_code == 201
    unmasked = svc.fetch(f"{E}/jobseekers", **SOCIAL).get_json()["items"][0]
    assert (unmasked["name"], unmasked["id_number"], unmasked["phone"]) == ("王秀兰", WOMAN_1980, "13912345678")
    reads = svc.fetch(f"{E}/audit?action=employment.read", **ADMIN).get_json()["items"]
    assert [(e["record_id"], e["allowed"]) for e in reads] == [(her["id"], True)]
    # a holder of the duty without personal_data:read (a role the district may configure so)
    monkeypatch.setitem(auth.DUTY_PERMISSIONS, "social_security", {"welfare:employment"})
    for path in (f"{E}/jobseekers", f"{E}/medical-insurance-enrolments"):
        row = svc.fetch(path, **SOCIAL).get_json()["items"][0]
        assert row["name"] == "王**" and row["id_number"] == WOMAN_1980[:6] + "********" + WOMAN_1980[-4:]
        assert row["phone"] == "139****5678"
    assert len(svc.fetch(f"{E}/audit?action=employment.read", **ADMIN).get_json()["items"]) == 1  # masked: not audited


def test_the_4050_subsidy_is_for_women_from_40_and_men_from_50_as_their_id_numbers_say(svc):
    def check(number: str) -> dict:
        household = {"residence": "urban", "members": [{"name": "申请人", "id_number": number, "relation": "applicant",
                                                         "monthly_income_fen": 150000, "employment": "employed"}]}
        r = svc.post("/eligibility-checks", {"programme": "flexible_employment_insurance_4050", "org_unit_id": "jiayuan",
                                             "household": household})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    assert check(id_number("19860101", 122))["eligible"] is True  # a woman of 40 in 2026
    assert check(id_number("19870101", 122))["eligible"] is False  # 39
    man_45 = check(id_number("19810101", 131))
    assert man_45["eligible"] is False and man_45["rules"][0]["figures"] == {"sex": "male", "age": 45, "required": 50}
    assert check(id_number("19760101", 131))["eligible"] is True and check(id_number("19760101", 131))["amount_fen"] == 30000


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_retried_employment_requests_apply_once(svc):
    """The same request sent again under its Idempotency-Key (its first answer lost) answers as the first did and
    stores, changes and announces nothing twice."""
    caller = svc.headers(**SOCIAL)

    def twice(url: str, body: dict, key: str) -> dict:
        h = {**caller, "Idempotency-Key": key}
        first, again = (svc.client.post(f"/api/v1/welfare{url}", json=body, headers=h) for _ in range(2))
        assert first.status_code in (200, 201) and again.status_code == first.status_code, again.get_json()
        assert again.get_json() == first.get_json()
        return first.get_json()

    her = twice(f"{E}/jobseekers", seeker(WOMAN_1980), "k-register")
    cert = twice(f"{E}/jobseekers/{her['id']}/certificate", {"number": "吉2026-0009"}, "k-certificate")
    household = twice(f"{E}/zero-employment-households", {"org_unit_id": "jiayuan", "household_key": "H-9", "members": [
        {"name": "王秀兰", "id_number": WOMAN_1980, "status": "laid_off"}]}, "k-household")
    twice(f"{E}/zero-employment-households/{household['id']}/visits", {"note": "走访"}, "k-visit")
    placed = twice(f"{E}/jobseekers/{her['id']}/placement", {"kind": "flexible", "on_site": True}, "k-place")
    assert placed["cleared_households"] == [household["id"]]
    twice(f"{E}/medical-insurance-enrolments", {"org_unit_id": "jiayuan", "name": "王秀兰", "id_number": WOMAN_1980,
                                                "year": 2026}, "k-enrol")
    records = svc.welfare.employment.records
    assert [r.collection.count_documents({}) for r in records.repositories()] == [1, 1, 1, 1]
    assert len(records.households.get(household["id"]).visits) == 1 and cert["id"]
    wanted = {f"liandong.welfare.{t}.v1" for t in ("jobseeker.registered", "jobseeker.placed",
                                                    "reemployment_certificate.issued", "medical_insurance.enrolled",
                                                    "zero_employment_household.identified",
                                                    "zero_employment_household.cleared")}
    events = wait_for(lambda: (lambda got: got if {e.type for e in got} == wanted else None)(svc.events(wanted)), 30,
                      message="the events")
    assert sorted(e.type for e in events) == sorted(wanted)  # each once


def test_a_household_left_open_by_a_crash_after_the_placement_is_cleared_by_the_worker(svc):
    """The placing request stores the placement, then clears the household: a crash between leaves it open, and
    the worker's reaction to `welfare.jobseeker.placed` clears it."""
    son = svc.post(f"{E}/jobseekers", seeker(SON_2000, "李强"), **SOCIAL).get_json()
    household = svc.post(f"{E}/zero-employment-households", {"org_unit_id": "jiayuan", "household_key": "H-0301",
                                                              "members": [{"name": "李强", "id_number": SON_2000,
                                                                           "status": "unemployed"}]}, **SOCIAL).get_json()
    web = svc.welfare.employment  # the web process's use cases only: the worker has its own
    web.clear_households_of = lambda seeker: []  # the request dies right after storing the placement
    assert svc.post(f"{E}/jobseekers/{son['id']}/placement", {"kind": "self_employed"}, **SOCIAL).status_code == 200
    shown = wait_for(lambda: (lambda h: h if h["status"] == "cleared" else None)(
        svc.fetch(f"{E}/zero-employment-households/{household['id']}", **SOCIAL).get_json()), 30,
        message="the worker clears the household")
    assert shown["cleared"]["jobseeker_id"] == son["id"]


def test_bad_input_is_a_422_naming_each_field(svc):
    def fields_of(url: str, body) -> set:
        r = svc.post(url, body, **SOCIAL)
        assert r.status_code == 422, r.get_json()
        return set(r.get_json()["error"]["fields"])

    assert fields_of(f"{E}/jobseekers", {**seeker(WOMAN_1980[:-1] + "0"), "category": "idle", "phone": "123"}) == {
        "id_number", "category", "phone"}
    assert fields_of(f"{E}/jobseekers", seeker(WOMAN_1980, registered_on="2099-01-01")) == {"registered_on"}
    her = svc.post(f"{E}/jobseekers", seeker(WOMAN_1980), **SOCIAL).get_json()
    assert fields_of(f"{E}/jobseekers/{her['id']}/placement", {"kind": "lottery", "on_site": "maybe"}) == {
        "kind", "on_site"}
    assert fields_of(f"{E}/medical-insurance-enrolments", {"org_unit_id": "jiayuan", "name": "x",
                                                          "id_number": WOMAN_1980, "year": "2026"}) == {"year"}
    assert fields_of(f"{E}/medical-insurance-enrolments", {"org_unit_id": "jiayuan", "name": "x",
                                                          "id_number": WOMAN_1980, "year": 2030}) == {"year"}
    assert fields_of(f"{E}/zero-employment-households", {"org_unit_id": "jiayuan", "household_key": "H-1",
                                                         "members": [{"name": "张桂芝", "id_number": GRANDMA_1950,
                                                                      "status": "retired"}]}) == {"members"}
    assert svc.fetch(f"{E}/jobseekers?colour=red", **SOCIAL).status_code == 422
    assert svc.post(f"{E}/jobseekers/nope/placement", {"kind": "flexible"}, **SOCIAL).status_code == 404
