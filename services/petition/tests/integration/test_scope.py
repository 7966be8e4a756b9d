"""Issue #16: no petition leaks across communities.

A worker of 黄泥岭社区 (西湖街道) faces petitions of 家园社区 (黄旗街道): every route that takes a petition
by id answers exactly as for a petition that does not exist, names no org path, and changes nothing;
every field naming another record is checked where it is owned; duplicate and repeat-petitioner checks
and the lists only ever show what the caller may see; the district-wide settings need the district.
"""
import json

import pytest

from liandong.testing import ELSEWHERE, assert_like_a_missing_one, STORES, unique, wait_for

from ..conftest import API, JIAYUAN

HUANGNILING = dict(org_unit="huangniling", org_path="/chuanying/xihu/huangniling/")
XIHU = dict(org_unit="xihu", org_path="/chuanying/xihu/")
# words that would tell the caller where the record lives

# a valid body for every route that acts on one petition: the answer must not be a 422 that stops short
# of the record (a route added without a body here fails the walk below)
BODIES = {
    "petition.link": lambda svc, own: {"petition_id": own},
    "petition.act_assign": lambda svc, own: svc.assignment(),
    "petition.act_start": lambda svc, own: {"mode": "mediation"},
    "petition.act_answer": lambda svc, own: {"text": "已答复"},
    "petition.act_close": lambda svc, own: {"satisfaction": "satisfied"},
    "petition.act_reopen": lambda svc, own: {"reason": "不满意"},
    "petition.act_escalate": lambda svc, own: {"reason": "社区无法协调"},
    "petition.act_suspend": lambda svc, own: {"reason": "等待鉴定"},
    "petition.act_resume": lambda svc, own: {"note": "继续"},
    "petition.act_supervise": lambda svc, own: {"note": "督办"},
    "petition.act_mediation": lambda svc, own: {"outcome": "agreement"},
    # a file is multipart: the record is reached before the form is read, so any body meets the 404
    "petition_attachments.petitions_attachments_add": lambda svc, own: {},
    # taking a file off (#22): the petition is reached before the file is looked for
    "petition_attachments.petitions_attachments_remove": lambda svc, own: None,
}
ATTACHMENT_GETS = {f"petition_attachments.petitions_attachments_{n}" for n in ("listing", "download", "thumbnail")}


def record_routes(app, prefix: str, argument: str) -> list[tuple[str, str, str]]:
    """(method, url rule, endpoint) of every route under `prefix` that takes one record by `argument`."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and argument in rule.arguments:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, rule.rule, rule.endpoint))
    return found


def call(svc, method: str, rule: str, argument: str, record_id: str, body, headers):
    url = rule.replace(f"<{argument}>", record_id)
    return svc.client.open(url, method=method, json=body if method != "GET" else None, headers=headers)


def stored(svc, petition_id: str) -> dict:
    doc = svc.repo.collection.find_one({"_id": petition_id})
    for relayed in ("_outbox", "_outbox_pending"):  # the relay empties it meanwhile; the case must not change
        doc.pop(relayed, None)
    return doc


@pytest.mark.parametrize("store", STORES)
def test_every_route_on_one_petition_answers_404_out_of_scope_and_changes_nothing(make_svc, store):
    svc = make_svc(store)
    theirs = svc.file()["id"]  # 家园社区
    before = stored(svc, theirs)
    callers = {
        "huangniling worker": svc.staff(**HUANGNILING),
        "xihu officer (supervises)": svc.officer(**XIHU),
        "another jiayuan resident": svc.resident(unique("res")),
    }
    own = svc.file(org_unit="huangniling", headers=callers["huangniling worker"])["id"]
    routes = record_routes(svc.client.application, API + "/petitions/", "petition_id")
    # the walk covers every single-petition route of the app, and nothing is walked without a body
    assert {e for m, _, e in routes if m != "GET"} == set(BODIES)
    assert {e for m, _, e in routes if m == "GET"} == {"petition.get_one", "petition.timeline", "petition.duplicates",
                                                             *ATTACHMENT_GETS}
    for who, headers in callers.items():
        for method, rule, endpoint in routes:
            body = BODIES[endpoint](svc, own) if method != "GET" else None
            missing_id = unique("p")
            missing = call(svc, method, rule, "petition_id", missing_id, body, headers)
            assert missing.status_code == 404, (who, endpoint, missing.get_json())
            resp = call(svc, method, rule, "petition_id", theirs, body, headers)
            assert_like_a_missing_one(resp, theirs, missing, missing_id, (who, endpoint))
    assert stored(svc, theirs) == before
    assert svc.get(f"/petitions/{own}", headers=callers["huangniling worker"])["linked_ids"] == []


@pytest.mark.parametrize("store", STORES)
def test_possible_duplicates_and_the_repeat_flag_consider_only_petitions_the_caller_may_see(make_svc, store):
    svc = make_svc(store)
    number = svc.id_number()
    person = [{"name": "孙大爷", "id_number": number, "mobile": "13904321234", "address": "家园社区1号楼"}]
    theirs = svc.file(petitioners=person, content="暖气不热")  # 家园社区, the same person, the same category
    hn = svc.staff(**HUANGNILING)
    answer = svc.post("/petitions", {"org_unit_id": "huangniling", "category": "environment_noise",
                                      "channel": "visit", "content": "楼下噪音", "petitioners": person},
                      headers=hn, expect=201)
    mine = answer.get_json()
    assert mine["possible_duplicates"] == [] and mine["risk_flags"] == []
    assert theirs["id"] not in answer.get_data(as_text=True)
    later = svc.get(f"/petitions/{mine['id']}/duplicates", headers=hn)
    assert later["possible_duplicates"] == []
    # the same case inside the scope is found (the test can fail): the 家园 worker's second filing
    again = svc.file(petitioners=person, content="暖气还是不热")
    assert again["risk_flags"] == ["repeat_petitioner"]
    assert [d["id"] for d in again["possible_duplicates"]] == [theirs["id"]]
    # and a sub-district officer of 黄旗 filing for the same person sees 家园's case, not 黄泥岭's
    officer = svc.officer()
    mixed = svc.post("/petitions", {"org_unit_id": "jiayuan", "category": "property", "channel": "visit",
                                     "content": "再次反映", "petitioners": person}, headers=officer, expect=201)
    ids = {d["id"] for d in mixed.get_json()["possible_duplicates"]}
    assert ids == {theirs["id"], again["id"]} and mine["id"] not in mixed.get_data(as_text=True)


@pytest.mark.parametrize("store", STORES)
def test_linking_to_another_communitys_petition_is_404_and_links_nothing(make_svc, store):
    svc = make_svc(store)
    theirs = svc.file()["id"]
    hn = svc.staff(**HUANGNILING)
    own = svc.file(org_unit="huangniling", headers=hn)["id"]
    missing_id = unique("p")
    missing = svc.post(f"/petitions/{own}/link", {"petition_id": missing_id}, headers=hn, expect=404)
    resp = svc.post(f"/petitions/{own}/link", {"petition_id": theirs}, headers=hn, expect=404)
    assert_like_a_missing_one(resp, theirs, missing, missing_id, "link")
    assert svc.get(f"/petitions/{own}", headers=hn)["linked_ids"] == []
    assert svc.get(f"/petitions/{theirs}")["linked_ids"] == [] and svc.get(f"/petitions/{theirs}")["matter_id"] is None


@pytest.mark.parametrize("store", STORES)
def test_a_case_is_assigned_only_to_a_unit_on_its_own_line(make_svc, store):
    svc = make_svc(store)
    case = svc.file()["id"]  # at 家园社区1号楼
    for kind, unit in (("community", "huangniling"), ("subdistrict", "xihu")):
        r = svc.post(f"/petitions/{case}/assign", svc.assignment(unit_kind=kind, unit_id=unit), expect=422)
        assert "unit_id" in r.get_json()["error"]["fields"]
    assert svc.get(f"/petitions/{case}")["state"] == "registered"
    assert svc.get(f"/petitions/{case}/timeline")["entries"][-1]["action"] == "register"
    for kind, unit in (("community", "jiayuan"), ("subdistrict", "huangqi")):
        svc.post(f"/petitions/{case}/assign", svc.assignment(unit_kind=kind, unit_id=unit), expect=200)


@pytest.mark.parametrize("store", STORES)
def test_a_mediation_outcome_is_written_only_onto_a_petition_inside_the_disputes_org_path(make_svc, store):
    svc = make_svc(store)

    def in_mediation(**kw):
        pid = svc.file(category="neighbour_dispute", content="楼上漏水纠纷", **kw)["id"]
        headers = kw.get("headers")
        svc.post(f"/petitions/{pid}/assign", svc.assignment(), headers=headers, expect=200)
        svc.post(f"/petitions/{pid}/start", {"mode": "mediation"}, headers=headers, expect=200)
        return pid

    theirs = in_mediation()  # 家园社区
    marker = in_mediation(org_unit="huangniling", headers=svc.staff(**HUANGNILING))
    before = stored(svc, theirs)
    dispute = {"dispute_id": "d-hn", "org_unit_id": "huangniling", "type": "neighbour", "outcome": "agreement",
               "sessions": 1, "petition_id": theirs, "mediated_at": "2026-03-02T10:00:00.000000Z"}
    svc.publish_event("security.dispute.mediated", dispute, "d-hn", orgpath=HUANGNILING["org_path"])
    # same key, so same partition: once the marker's outcome is there, the first event has been handled
    svc.publish_event("security.dispute.mediated", {**dispute, "petition_id": marker}, "d-hn",
                      orgpath=HUANGNILING["org_path"])
    wait_for(lambda: svc.get(f"/petitions/{marker}", headers=svc.staff(**HUANGNILING))["mediations"], 20,
             message="the marker's mediation is recorded")
    assert stored(svc, theirs) == before
    assert svc.get(f"/petitions/{theirs}")["mediations"] == []


def test_lists_and_views_mask_personal_data_for_roles_without_personal_data_read(svc):
    number = svc.id_number()
    person = {"name": "刘女士", "id_number": number, "mobile": "13904321234", "address": "家园社区1号楼3单元201"}
    case = svc.file(petitioners=[person])["id"]
    plain = svc.staff()  # a community worker without the 民政/保障 duty
    grid = svc.headers("grid_worker", "jiayuan", JIAYUAN)
    for headers in (plain, grid):
        for text in (json.dumps(svc.get("/petitions", headers=headers), ensure_ascii=False),
                     json.dumps(svc.get(f"/petitions/{case}", headers=headers), ensure_ascii=False),
                     json.dumps(svc.get("/stats", headers=headers, org_unit="jiayuan"), ensure_ascii=False)):
            for value in (number, "13904321234", "1号楼3单元201"):
                assert value not in text
    seen = svc.get(f"/petitions/{case}", headers=svc.staff(duties=("civil_affairs",)))["petitioners"][0]
    assert (seen["id_number"], seen["mobile"], seen["address"]) == (number, "13904321234", person["address"])


def test_district_wide_settings_need_the_permission_held_for_the_district(svc):
    """The taxonomy (categories, departments, holidays) is one for the whole district; a reception roster
    is a sub-district's. Every settings route of the app is walked: nobody below the level may change it."""
    app = svc.client.application
    settings_routes = [(m, r.rule) for r in app.url_map.iter_rules()
                       if r.rule.startswith(API + "/config") for m in r.methods - {"GET", "HEAD", "OPTIONS"}]
    assert len(settings_routes) == 3
    bodies = {"categories": {"name": "供暖", "group": "property",
                             "deadline_days": {"community": 3, "subdistrict": 5, "district": 10}},
              "departments": {"name": "水务"}, "holidays": {"holidays": ["2026-10-01"]}}
    before = svc.get("/config")
    below = {"jiayuan worker": svc.staff(), "huangqi officer": svc.officer(),
             "jiayuan worker as officer": svc.headers("subdistrict_officer", "jiayuan", JIAYUAN)}
    for who, headers in below.items():
        for method, rule in settings_routes:
            url = rule.replace("<code>", "heating" if "categories" in rule else "water")
            body = next(b for k, b in bodies.items() if k in rule)
            r = svc.client.open(url, method=method, json=body, headers=headers)
            assert r.status_code == 403, (who, url, r.get_json())
    assert svc.get("/config") == before
    today = svc.clock.now().date().isoformat()
    for who, headers in {"jiayuan worker": svc.staff(), "xihu officer": svc.officer(**XIHU),
                         "officer role held at jiayuan": svc.headers("subdistrict_officer", "jiayuan", JIAYUAN)}.items():
        r = svc.client.put(f"{API}/roster/huangqi/{today}", json={"leader_name": "x"}, headers=headers)
        assert r.status_code == 403 and "/chuanying/" not in r.get_data(as_text=True), who
    assert svc.get("/roster", headers=svc.officer(), org_unit="huangqi", **{"from": today, "to": today})["items"] == []
    admin = svc.headers("district_admin", "chuanying", "/chuanying/")
    for method, rule in settings_routes:
        url = rule.replace("<code>", "heating" if "categories" in rule else "water")
        body = next(b for k, b in bodies.items() if k in rule)
        assert svc.client.open(url, method=method, json=body, headers=admin).status_code == 200


@pytest.mark.parametrize("store", STORES)
def test_a_case_linked_across_communities_does_not_name_the_other_community_s_case(make_svc, store):
    """The 册关 sub-district links a 阳春 case and a 阳和 case (one matter); each community's worker sees
    its own case without the other's id, in the view, the list, the timeline and an action's answer."""
    svc = make_svc(store)
    ceguan = svc.officer(org_unit="ceguan", org_path="/chuanying/ceguan/")
    yangchun = svc.staff(org_unit="yangchun", org_path="/chuanying/ceguan/yangchun/")
    yanghe = svc.staff(org_unit="yanghe", org_path="/chuanying/ceguan/yanghe/")
    a = svc.file(org_unit="yangchun", headers=yangchun)["id"]
    b = svc.file(org_unit="yanghe", headers=yanghe)["id"]
    lead = svc.post(f"/petitions/{a}/link", {"petition_id": b}, headers=ceguan, expect=200).get_json()
    assert lead["linked_ids"] == [b] and lead["matter_id"] == a  # the officer sees both
    for mine, other, headers in ((a, b, yangchun), (b, a, yanghe)):
        answers = [svc.get(f"/petitions/{mine}", headers=headers), svc.get("/petitions", headers=headers),
                   svc.get(f"/petitions/{mine}/timeline", headers=headers),
                   svc.post(f"/petitions/{mine}/escalate", {"reason": "社区无法协调"}, headers=headers,
                            expect=200).get_json()]
        for answer in answers:
            assert other not in json.dumps(answer), answer
    assert svc.get(f"/petitions/{b}", headers=yanghe)["matter_id"] is None
    assert svc.get(f"/petitions/{a}", headers=yangchun)["matter_id"] == a


@pytest.mark.parametrize("store", STORES)
def test_the_repeat_check_finds_a_persons_petitions_in_scope_behind_twenty_newer_ones_outside_it(make_svc, store):
    # #23: the person's petitions are read 20 at a time until 20 in the caller's scope; a frequent petitioner
    # whose newest 20 were filed elsewhere must still show the caller their own community's earlier ones
    svc = make_svc(store)
    person = [{"name": "孙大爷", "id_number": svc.id_number(), "mobile": "13904321234", "address": "家园社区1号楼"}]
    ours = [svc.file(petitioners=person, content=f"暖气不热 {i}")["id"] for i in range(3)]
    hn = svc.staff(**HUANGNILING)
    for i in range(21):
        svc.post("/petitions", {"org_unit_id": "huangniling", "category": "environment_noise", "channel": "visit",
                                "content": f"楼下噪音 {i}", "petitioners": person}, headers=hn, expect=201)
    again = svc.file(petitioners=person, content="暖气还是不热")
    assert again["risk_flags"] == ["repeat_petitioner"]
    same_person = {d["id"] for d in again["possible_duplicates"] if d["reason"] == "same_petitioner"}
    assert same_person == set(ours)
