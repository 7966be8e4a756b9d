"""Issue #16: no security record leaks across communities.

Workers of 黄泥岭社区 (西湖街道) face the records of 家园社区 (黄旗街道): every route that takes one record
by id answers exactly as for a record that does not exist (404), names no org path and changes nothing;
every field that names another record (a petition, a patrol route, shift or run) is checked against the
caller's scope where it is owned, with the same answer for one out of sight and one that does not exist.
"""

import pytest

from liandong.testing import ELSEWHERE, assert_like_a_missing_one, STORES, unique

from security.bootstrap import create_platform

from ..conftest import JIAYUAN
from .importing import upload, xlsx
from .test_corrections import CORRECTIONS, person
from .test_imports_migrants import HEADERS, row
from .test_mediation import PARTIES, known_petition
from .test_migrants import migrant
from .test_patrols import CREW, ago, route
from .test_register import GRID, household, resident

PREFIX = "/api/v1/security"
HUANGNILING = dict(org_unit="huangniling", org_path="/chuanying/xihu/huangniling/")
XIHU = dict(org_unit="xihu", org_path="/chuanying/xihu/")
COLLECTIONS = {"incident_id": "incidents", "run_id": "patrol_runs", "migrant_id": "migrants",
               "person_id": "corrections", "dispute_id": "disputes", "job_id": "import_jobs",
               "household_id": "households"}
# a valid body for every route that acts on one record, so the answer is about the record, not the body
BODIES = {
    "security.incidents.dispatch_incident": {"assignee": "刘警官"}, "security.incidents.incident_on_scene": {},
    "security.incidents.resolve_incident": {"resolution": "已处置"}, "security.incidents.close_incident": {},
    "security.incidents.verify_incident": {}, "security.patrols.check_in": {"checkpoint_id": "cp-1"}, "security.patrols.complete_run": {},
    "security.migrants.verify_migrant": {"result": "present"},
    "security.migrants.renew_permit": {"permit_number": "JL-9", "permit_expires_on": "2099-01-01"},
    "security.corrections.log_visit": {"note": "走访"}, "security.mediation.hold_session": {"note": "调解"},
    "security.mediation.conclude": {"outcome": "agreement"},
    "security.mediation.follow_up": {"note": "回访", "agreement_holding": True},
    "security.households.put_resident": resident(2), "security.households.household_leaves": {},
    "security.households.log_visit": {"findings": "走访"},
    # a file is multipart: the record is reached before the form is read, so any body meets the 404
    "security_attachments.incidents_attachments_add": {}, "security_attachments.patrol_runs_attachments_add": {},
}
GETS = {"security.incidents.get_incident", "security.patrols.get_run", "security.migrants.get_migrant", "security.corrections.get_person",
        "security.mediation.get_dispute", "security_imports.import_job", "security_imports.import_rejected",
        "security.households.get_household", "security.households.list_visits", "security.households.household_file",
        "security_attachments.incidents_attachments_listing", "security_attachments.patrol_runs_attachments_listing"}
# one file of a record (two ids): the record is reached first, as test_attachments checks
ATTACHMENT_FILES = {f"{PREFIX}/{records}/<{arg}>/attachments/<attachment_id>{end}"
                    for records, arg in (("incidents", "incident_id"), ("patrol-runs", "run_id"))
                    for end in ("", "/thumbnail")}


@pytest.fixture(params=STORES)
def any_svc(request, make_svc):
    return make_svc(request.param)


def raw(svc, collection: str, record_id: str) -> dict | None:
    doc = create_platform(svc.settings).db.collection(collection).find_one({"_id": record_id})
    for relayed in ("_outbox", "_outbox_pending"):  # the relay empties it meanwhile
        (doc or {}).pop(relayed, None)
    return doc


def count(svc, collection: str) -> int:
    return create_platform(svc.settings).db.collection(collection).count_documents({})


def jiayuan_records(svc) -> dict[str, str]:
    """One record of each kind in 家园社区, by the name of the route argument that takes it."""
    made = {
        "incident_id": svc.post("/incidents", {"org_unit_id": "jiayuan-b1", "type": "theft", "severity": "low",
                                               "description": "车棚电动车被盗"}),
        "run_id": svc.post("/patrol-runs", {"route_id": route(svc)["id"], "participants": CREW}),
        "migrant_id": svc.post("/migrants", migrant()),
        "person_id": svc.post("/corrections/people", person(), **CORRECTIONS),
        "dispute_id": svc.post("/disputes", {"org_unit_id": "jiayuan", "type": "neighbour", "summary": "楼上漏水",
                                             "parties": PARTIES, "mediator_name": "何胜美"}),
        "job_id": upload(svc, "migrants", xlsx(HEADERS, [row(1), row(2, 身份证号="1")]), mode="good_rows"),
        "household_id": svc.post("/households", household(), **GRID),
    }
    for name, resp in made.items():
        assert resp.status_code == 201, (name, resp.get_json())
    return {name: resp.get_json()["id"] for name, resp in made.items()}


def test_every_route_on_one_record_answers_404_out_of_scope_and_changes_nothing(any_svc):
    svc = any_svc
    records = jiayuan_records(svc)
    before = {name: raw(svc, COLLECTIONS[name], rid) for name, rid in records.items()}
    routes = [(method, rule.rule, rule.endpoint, next(iter(rule.arguments)))
              for rule in svc.client.application.url_map.iter_rules()
              if rule.rule.startswith(PREFIX) and len(rule.arguments) == 1 and next(iter(rule.arguments)) in COLLECTIONS
              for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    # every single-record route of the app is walked (and none without a body)
    assert {e for m, _, e, _ in routes if m != "GET"} == set(BODIES)
    assert {e for m, _, e, _ in routes if m == "GET"} == GETS
    others = {rule.rule for rule in svc.client.application.url_map.iter_rules()
              if rule.rule.startswith(PREFIX) and rule.arguments} - {r for _, r, _, _ in routes}
    # the org tree, which every service shares; a resident's move-out (two ids: test_register walks it)
    assert others == {f"{PREFIX}/org-units/<org_unit_id>",
                      f"{PREFIX}/households/<household_id>/residents/<resident_id>/move-out", *ATTACHMENT_FILES}
    callers = {  # staff of the other community (all its security permissions), its sub-district, a resident
        "huangniling police": svc.headers("community_police", HUANGNILING, user_id="hn-police"),
        "huangniling worker (corrections duty)": svc.headers("community_worker", HUANGNILING, user_id="hn-cw",
                                                             duties=("corrections",)),
        "xihu officer": svc.headers("subdistrict_officer", XIHU, user_id="xihu-officer"),
        "another jiayuan resident": svc.headers("resident", JIAYUAN, user_id=unique("res")),
    }
    for who, headers in callers.items():
        for method, rule, endpoint, argument in routes:
            body = BODIES.get(endpoint)
            missing_id = unique("r")
            missing = svc.client.open(rule.replace(f"<{argument}>", missing_id), method=method, json=body,
                                      headers=headers)
            resp = svc.client.open(rule.replace(f"<{argument}>", records[argument]), method=method, json=body,
                                   headers=headers)
            # without the corrections role anywhere the answer is 403 before any lookup, whatever the id
            if argument != "person_id" or who.startswith("huangniling"):
                assert missing.status_code == 404, (who, endpoint, missing.get_json())
            assert_like_a_missing_one(resp, records[argument], missing, missing_id, (who, endpoint))
    assert {name: raw(svc, COLLECTIONS[name], rid) for name, rid in records.items()} == before
    # the corrections record's office sees who tried, and the attempt names none of its particulars
    trail = svc.admin_get(f"/audit?allowed=false&record_id={records['person_id']}").get_json()["items"]
    assert {a["user_id"] for a in trail} >= {"hn-police", "hn-cw"}


def test_a_dispute_names_only_a_petition_known_here_and_inside_its_org_unit(any_svc):
    svc = any_svc
    theirs, _ = known_petition(svc, "/chuanying/huangqi/jiayuan/")
    before = count(svc, "disputes")
    body = {"org_unit_id": "huangniling", "type": "neighbour", "summary": "楼上漏水", "parties": PARTIES,
            "mediator_name": "何胜美"}
    missing_id = unique("pet")
    missing = svc.post("/disputes", {**body, "petition_id": missing_id}, **HUANGNILING_POLICE)
    resp = svc.post("/disputes", {**body, "petition_id": theirs}, **HUANGNILING_POLICE)
    assert resp.status_code == 404
    assert_like_a_missing_one(resp, theirs, missing, missing_id, "dispute petition_id")
    assert "category" not in resp.get_data(as_text=True)
    assert count(svc, "disputes") == before
    # inside 家园 but on a building's dispute: the petition (at the community) is not the building's
    below = svc.post("/disputes", {**body, "org_unit_id": "jiayuan-b1", "petition_id": theirs})
    assert below.status_code == 422 and "petition_id" in below.get_json()["error"]["fields"]
    assert count(svc, "disputes") == before
    ok = svc.post("/disputes", {**body, "org_unit_id": "jiayuan", "petition_id": theirs})
    assert ok.status_code == 201 and ok.get_json()["petition_category"]


HUANGNILING_POLICE = dict(role="community_police", where=HUANGNILING, user_id="hn-police")


INCIDENT = {"type": "hazard", "severity": "low", "description": "巡逻发现电线裸露", "reported_by_kind": "patrol"}
# (route, field, what it names, the rest of a valid body from 黄泥岭, the same in 家园)
PATROL_REFERENCES = {
    "shift.route_id": ("/patrol-shifts", "route_id", "route",
                       lambda: {"starts_at": ago(10), "ends_at": ago(-10), "roster": CREW}),
    "run.route_id": ("/patrol-runs", "route_id", "route", lambda: {"participants": CREW}),
    "run.shift_id": ("/patrol-runs", "shift_id", "shift", lambda: {"participants": CREW}),
    "incident.patrol_run_id": ("/incidents", "patrol_run_id", "run",
                               lambda: {"org_unit_id": "huangniling", **INCIDENT}),
}
STORE_OF = {"/patrol-shifts": "patrol_shifts", "/patrol-runs": "patrol_runs", "/incidents": "incidents"}


@pytest.mark.parametrize("reference", sorted(PATROL_REFERENCES))
def test_a_patrol_reference_out_of_scope_is_404_like_a_missing_one_and_changes_nothing(any_svc, reference):
    svc = any_svc
    url, field, kind, body = PATROL_REFERENCES[reference]
    theirs = {"route": route(svc)["id"]}
    shift = svc.post("/patrol-shifts", {"route_id": theirs["route"], "starts_at": ago(30), "ends_at": ago(-30),
                                        "roster": CREW})
    assert shift.status_code == 201, shift.get_json()
    theirs["shift"] = shift.get_json()["id"]
    theirs["run"] = svc.post("/patrol-runs", {"route_id": theirs["route"], "participants": CREW}).get_json()["id"]
    stores = ("patrol_shifts", "patrol_runs", "incidents")
    counts = {c: count(svc, c) for c in stores}
    shift_before = raw(svc, "patrol_shifts", theirs["shift"])
    missing_id = unique("r")
    missing = svc.post(url, {**body(), field: missing_id}, **HUANGNILING_POLICE)
    assert missing.status_code == 404, missing.get_json()
    resp = svc.post(url, {**body(), field: theirs[kind]}, **HUANGNILING_POLICE)
    assert_like_a_missing_one(resp, theirs[kind], missing, missing_id, reference)
    assert {c: count(svc, c) for c in stores} == counts
    assert raw(svc, "patrol_shifts", theirs["shift"]) == shift_before  # not claimed by anyone's run
    # in 家园 the same reference is taken (so the check above can fail)
    own = {**body(), field: theirs[kind]}
    if "org_unit_id" in own:
        own["org_unit_id"] = "jiayuan-b1"
    taken = svc.post(url, own)
    assert taken.status_code == 201, taken.get_json()
    assert count(svc, STORE_OF[url]) == counts[STORE_OF[url]] + 1


def test_an_incident_found_on_a_patrol_lies_inside_the_patrols_area(any_svc):
    svc = any_svc
    run = svc.post("/patrol-runs", {"route_id": route(svc)["id"], "participants": CREW}).get_json()["id"]
    before = count(svc, "incidents")
    officer = dict(role="community_police", where=dict(org_unit="huangqi", org_path="/chuanying/huangqi/"))
    above = svc.post("/incidents", {"org_unit_id": "huangqi", **INCIDENT, "patrol_run_id": run}, **officer)
    assert above.status_code == 422 and "patrol_run_id" in above.get_json()["error"]["fields"]
    assert count(svc, "incidents") == before
    inside = svc.post("/incidents", {"org_unit_id": "jiayuan-b1", **INCIDENT, "patrol_run_id": run}, **officer)
    assert inside.status_code == 201, inside.get_json()


def test_lists_name_nothing_outside_the_scope_and_mask_personal_data(svc):
    records = jiayuan_records(svc)
    petition, _ = known_petition(svc)
    linked = svc.post("/disputes", {"org_unit_id": "jiayuan", "type": "neighbour", "summary": "楼上漏水",
                                    "parties": PARTIES, "mediator_name": "何胜美", "petition_id": petition})
    assert linked.status_code == 201
    lists = ("/incidents", "/patrol-runs", "/patrol-routes", "/patrol-shifts", "/migrants", "/migrants/expiring",
             "/migrants/verification-due", "/corrections/people", "/disputes", f"/disputes?petition_id={petition}")
    for url in lists:
        resp = svc.get(url, **HUANGNILING_POLICE)
        assert resp.status_code == 200, (url, resp.get_json())
        text = resp.get_data(as_text=True)
        assert not any(rid in text for rid in records.values()) and petition not in text, url
        assert not any(word in text for word in ELSEWHERE), url
    # personal data: the police (no personal_data:read) get ID numbers and the landlord's mobile masked
    m = migrant()
    for url in ("/migrants", "/migrants/expiring?within_days=366", "/corrections/people",
                f"/migrants/{records['migrant_id']}", "/stats?org_unit=jiayuan"):
        text = svc.get(url).get_data(as_text=True)
        assert m["id_number"] not in text and m["landlord_mobile"] not in text and person()["id_number"] not in text
        assert m["address"] not in text
