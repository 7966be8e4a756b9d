"""No record leaks across communities (#16): references, single-record routes and district settings.

A worker of 家园 (community A) names a record of 黄泥岭 (community B): the answer is 404 in the words of
a record that does not exist, and nothing changes in B (or anywhere). Each reference field is one row.
"""
from __future__ import annotations

import re

import pytest

from liandong.events.envelope import Envelope
from liandong.testing import STORES, fill, unique, wait_for

from .test_imports import row, upload, xlsx
from .test_party import party_records, party_worker

API = "/api/v1/volunteer"
pytestmark = pytest.mark.parametrize("svc", STORES, indirect=True)  # every test here on both backends
HUANGNILING = "/chuanying/xihu/huangniling/"


@pytest.fixture
def two(svc):
    """The volunteer service with a volunteer, a team and an activity in each of 家园 (a) and 黄泥岭 (b)."""
    env = svc
    if True:
        b_staff = env.staff(org_unit="huangniling", org_path=HUANGNILING)
        s = {"env": env, "a_staff": env.staff(), "b_staff": b_staff}
        s["a_vol"] = env.register()["id"]
        s["b_vol"] = env.post("/volunteers", {"name": "黄泥岭志愿者", "kind": "resident", "org_unit_id": "huangniling",
                                              "consent": True}, headers=b_staff, expect=201).get_json()["id"]
        for who, headers in (("a", s["a_staff"]), ("b", b_staff)):
            env.post("/coins/adjustments", {"volunteer_id": s[f"{who}_vol"], "coins": 50, "reason": "开户"},
                     headers=headers, expect=201)
        unit = {"a": "jiayuan", "b": "huangniling"}
        for who, headers in (("a", s["a_staff"]), ("b", b_staff)):
            s[f"{who}_team"] = env.post("/teams", {"name": unique("队"), "type": "elderly_care",
                                                   "org_unit_id": unit[who]}, headers=headers,
                                        expect=201).get_json()["id"]
            s[f"{who}_act"] = env.post("/activities", {
                "title": unique("活动"), "type": "elderly_care", "org_unit_id": unit[who], "place": "服务站",
                "starts_at": "2026-03-05T01:00:00Z", "ends_at": "2026-03-05T04:00:00Z", "capacity": 5,
                "publish": True}, headers=headers, expect=201).get_json()["id"]
        # a roster a's staff imported, with a row to fix (its job and its rows-to-fix workbook are records too)
        s["a_job"] = upload(env, "volunteers", xlsx([row(950), row(951, hours="x")]), mode="good_rows",
                            headers=s["a_staff"]).get_json()["id"]
        # a's volunteer holds a place in a's activity (for the substitute and correction rows)
        env.post(f"/activities/{s['a_act']}/signups", {"volunteer_id": s["a_vol"]}, expect=201)
        env.post(f"/activities/{s['a_act']}/check-in", {"volunteer_id": s["a_vol"], "at": "2026-03-05T01:00:00Z"},
                 expect=200)
        env.post(f"/activities/{s['a_act']}/check-out", {"volunteer_id": s["a_vol"], "at": "2026-03-05T02:00:00Z"},
                 expect=200)
        # a's party registers (党建): a branch, a member, a report
        s.update({f"a_{k}": v for k, v in party_records(env).items()})
        # the hour's coins come through the worker: wait for them, so nothing moves under the tests
        wait_for(lambda: env.settled() and env.balance(s["a_vol"])["available"] == 60, 30,
                 message="set-up settled")
        return s


def state(svc) -> dict:
    """Every stored record of the service (bookkeeping fields aside): a refusal leaves all of it as it was."""
    out = {}
    for name in ("volunteers", "teams", "activities", "ledger_entries", "accounts", "attendance", "redemptions",
                 "coin_rates", "team_types", "party_branches", "party_members", "party_reports"):
        docs = svc.platform.db.collection(name).find({})
        out[name] = sorted((repr(sorted((k, repr(v)) for k, v in d.items() if not k.startswith("_") or k == "_id"))
                            for d in docs))
    return out


# each row: (name, method, path, body) with {a_*}/{b_*} filled in; the caller is a's worker unless it says resident
REFERENCES = [
    ("team.member_ids", "post", "/teams", {"name": "x队", "type": "elderly_care", "org_unit_id": "jiayuan",
                                           "member_ids": ["{b_vol}"]}),
    ("team.leader_id", "post", "/teams", {"name": "x队", "type": "elderly_care", "org_unit_id": "jiayuan",
                                          "leader_id": "{b_vol}"}),
    ("members.volunteer_id", "post", "/teams/{a_team}/members", {"volunteer_id": "{b_vol}"}),
    ("leader.volunteer_id", "post", "/teams/{a_team}/leader", {"volunteer_id": "{b_vol}"}),
    ("activity.team_id", "post", "/activities", {"title": "x", "type": "elderly_care", "org_unit_id": "jiayuan",
                                                 "place": "x", "starts_at": "2026-03-06T01:00:00Z",
                                                 "ends_at": "2026-03-06T02:00:00Z", "capacity": 3,
                                                 "team_id": "{b_team}"}),
    ("signup.volunteer_id", "post", "/activities/{a_act}/signups", {"volunteer_id": "{b_vol}"}),
    ("substitute.substitute_id", "post", "/activities/{a_act}/signups/{a_vol}/substitute",
     {"substitute_id": "{b_vol}"}),
    ("check-in.volunteer_id", "post", "/activities/{a_act}/check-in",
     {"volunteer_id": "{b_vol}", "at": "2026-03-05T01:00:00Z"}),
    ("attendance.volunteer_id", "post", "/activities/{a_act}/attendance",
     {"volunteer_id": "{b_vol}", "checked_in_at": "2026-03-05T01:00:00Z", "checked_out_at": "2026-03-05T03:00:00Z"}),
    ("correction.volunteer_id", "post", "/activities/{a_act}/attendance/{b_vol}/correction",
     {"minutes": 600, "reason": "补录"}),
    ("adjustment.volunteer_id", "post", "/coins/adjustments", {"volunteer_id": "{b_vol}", "coins": -50,
                                                               "reason": "扣回"}),
    ("time-bank.from_volunteer_id", "post", "/coins/time-bank",
     {"from_volunteer_id": "{b_vol}", "to_volunteer_id": "{a_vol}", "coins": 50, "reason": "x"}),
    ("time-bank.to_volunteer_id", "post", "/coins/time-bank",
     {"from_volunteer_id": "{a_vol}", "to_volunteer_id": "{b_vol}", "coins": 50, "reason": "x"}),
    ("time-bank.to_volunteer_id (resident)", "post", "/coins/time-bank",
     {"to_volunteer_id": "{b_vol}", "coins": 1, "reason": "x"}),
    ("list.team_id", "get", "/volunteers?team_id={b_team}", None),
]


@pytest.mark.parametrize("name,method,path,body", REFERENCES, ids=[r[0] for r in REFERENCES])
def test_a_reference_to_another_communitys_record_is_404_and_changes_nothing(two, name, method, path, body):
    env = two["env"]
    headers = two["a_staff"]
    if "resident" in name:  # a resident of 家园 who is a volunteer with coins of their own
        headers = env.resident("user-a")
        mine = env.post("/volunteers", {"name": "居民志愿者", "kind": "resident", "org_unit_id": "jiayuan",
                                        "consent": True}, headers=headers, expect=201).get_json()["id"]
        env.post("/coins/adjustments", {"volunteer_id": mine, "coins": 5, "reason": "x"}, expect=201)
    wait_for(env.settled, 30, message="settled before")
    before = state(env)
    url = API + fill(path, two)
    r = env.client.get(url, headers=headers) if method == "get" else \
        getattr(env.client, method)(url, json=fill(body, two), headers=headers)
    assert r.status_code == 404, (r.status_code, r.get_json())
    what, named = ("team", two["b_team"]) if "team_id" in name else ("volunteer", two["b_vol"])
    assert r.get_json()["error"]["message"] == f"no {what} {named!r}"  # the words of a missing one
    assert "/chuanying" not in r.get_data(as_text=True)
    wait_for(env.settled, 30, message="settled after")
    assert state(env) == before
    assert env.get(f"/volunteers/{two['b_vol']}/statement", headers=two["b_staff"])["balance"]["available"] == 50


def test_a_login_is_linked_only_by_its_owner(two):
    env = two["env"]
    before = state(env)
    r = env.post("/volunteers", {"name": "x", "kind": "resident", "org_unit_id": "jiayuan", "consent": True,
                                 "user_id": "resident-of-huangniling"})
    assert r.status_code == 422 and "user_id" in r.get_json()["error"]["fields"]
    assert state(env) == before
    # the resident links it themselves; staff may name their own login
    own = env.post("/volunteers", {"name": "y", "kind": "resident", "org_unit_id": "jiayuan", "consent": True},
                   headers=env.resident("resident-zhang"), expect=201).get_json()
    assert own["user_id"] == "resident-zhang"
    me = env.post("/volunteers", {"name": "z", "kind": "party_member", "org_unit_id": "jiayuan", "consent": True,
                                  "user_id": "worker-1"}, headers=env.staff(user_id="worker-1"), expect=201)
    assert me.get_json()["user_id"] == "worker-1"


# -- every single-record route, walked from the app's url_map

BODIES = {  # a valid body per route, so that the answer is about the record, not about the input
    "/volunteers/<volunteer_id>:PATCH": {"skills": ["x"]},
    "/volunteers/<volunteer_id>/status:POST": {"status": "paused"},
    "/teams/<team_id>/members:POST": {"volunteer_id": "{a_vol}"},
    "/teams/<team_id>/leader:POST": {"volunteer_id": "{a_vol}"},
    "/activities/<activity_id>/signups:POST": {"volunteer_id": "{a_vol}"},
    "/activities/<activity_id>/signups/<volunteer_id>/substitute:POST": {"substitute_id": "{a_vol}"},
    "/activities/<activity_id>/check-in:POST": {"volunteer_id": "{a_vol}", "at": "2026-03-05T01:00:00Z"},
    "/activities/<activity_id>/check-out:POST": {"volunteer_id": "{a_vol}", "at": "2026-03-05T01:00:00Z"},
    "/activities/<activity_id>/attendance:POST": {"volunteer_id": "{a_vol}", "checked_in_at": "2026-03-05T01:00:00Z",
                                                   "checked_out_at": "2026-03-05T02:00:00Z"},
    "/activities/<activity_id>/attendance/<volunteer_id>/correction:POST": {"minutes": 1, "reason": "x"},
    "/party/branches/<branch_id>:PATCH": {"secretary": "x"},
    "/party/branches/<branch_id>/dissolve:POST": {"dissolved_on": "2026-07-01"},
    "/party/members/<member_id>:PATCH": {"hardship": True},
    "/party/members/<member_id>/notice:POST": {"signed_on": "2026-07-01"},
    "/party/members/<member_id>/end:POST": {"reason": "deceased", "ended_on": "2026-07-01"},
}
# a district setting (test_district_settings), and the platform's org tree (every unit's name is public)
NOT_RECORDS = {"/rates/<type_key>", "/org-units/<org_unit_id>"}
PARAMS = {"volunteer_id": "a_vol", "team_id": "a_team", "activity_id": "a_act", "job_id": "a_job",
          "branch_id": "a_branch_id", "member_id": "a_member_id", "report_id": "a_report_id"}


def single_record_routes(app):
    for rule in app.url_map.iter_rules():
        path = rule.rule[len(API):]
        if not rule.rule.startswith(API) or not rule.arguments or path in NOT_RECORDS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield path, method


def test_every_single_record_route_answers_404_out_of_scope_without_an_org_path(two):
    env = two["env"]
    routes = list(single_record_routes(env.client.application))
    assert len(routes) >= 20  # the walk found the routes (a renamed prefix would make it vacuous)
    outsiders = {"b_worker": two["b_staff"], "b_resident": env.resident("user-b", "huangniling", HUANGNILING),
                 "b_officer": env.staff(role="subdistrict_officer", org_unit="xihu", org_path="/chuanying/xihu/")}
    # the party registers are the duty's (without it anywhere: 403, tested in test_party.py): their outsiders hold it
    party_outsiders = {"b_party_worker": party_worker(env, "huangniling", HUANGNILING),
                       "b_officer": outsiders["b_officer"]}
    wait_for(env.settled, 30, message="settled before")
    before = state(env)
    for path, method in routes:
        url = API + re.sub(r"<(\w+)>", lambda m: two[PARAMS[m.group(1)]], path)
        body = fill(BODIES.get(f"{path}:{method}", {}), two)
        for who, headers in (party_outsiders if path.startswith("/party/") else outsiders).items():
            r = env.client.open(url, method=method, json=body if method != "GET" else None, headers=headers)
            text = r.get_data(as_text=True)
            assert r.status_code == 404, (who, method, path, r.status_code, text)
            assert "/chuanying" not in text and "jiayuan" not in text, (who, method, path, text)
    wait_for(env.settled, 30, message="settled after")
    assert state(env) == before
    # and a record that is not there at all answers in the very same words
    missing = env.client.get(f"{API}/volunteers/nobody", headers=two["b_staff"]).get_json()
    out_of_scope = env.client.get(f"{API}/volunteers/{two['a_vol']}", headers=two["b_staff"]).get_json()
    assert missing["error"]["message"].replace("nobody", "X") == out_of_scope["error"]["message"].replace(
        two["a_vol"], "X")


# -- district-wide settings need the permission held at the root of the org tree

def test_district_settings_need_the_district(two):
    env = two["env"]
    community, subdistrict = two["a_staff"], env.staff(role="subdistrict_officer", org_unit="huangqi",
                                                       org_path="/chuanying/huangqi/")
    district = env.district()
    before = state(env)
    for headers in (community, subdistrict):
        assert env.client.put(f"{API}/rates/elderly_care", json={"coins_per_hour": 99},
                              headers=headers).status_code == 403
        assert env.client.post(f"{API}/types", json={"type": "snow_sweeping", "name": "扫雪队"},
                               headers=headers).status_code == 403
        r = env.client.get(f"{API}/coins/check", headers=headers)
        assert r.status_code == 403 and "/chuanying" not in r.get_data(as_text=True)
    assert state(env) == before
    assert env.get("/types", headers=community)["items"][0]["coins_per_hour"] == 10
    assert env.client.put(f"{API}/rates/elderly_care", json={"coins_per_hour": 12},
                          headers=district).status_code == 200
    assert env.client.post(f"{API}/types", json={"type": "snow_sweeping", "name": "扫雪队"},
                           headers=district).status_code == 201
    assert env.get("/coins/check", headers=district)["consistent"] is True
    rates = {t["type"]: t["coins_per_hour"] for t in env.get("/types", headers=community)["items"]}
    assert rates["elderly_care"] == 12 and "snow_sweeping" in rates


# -- the saga step: the volunteer service reserves only inside the initiator's scope

def test_a_redemption_for_a_volunteer_outside_the_initiators_scope_is_refused(two):
    env = two["env"]
    consumer = env.platform.bus.consumer(unique("watch"), ["volunteer.events"])
    seen: list[Envelope] = []

    class watcher:
        @staticmethod
        def of(name):
            seen.extend(Envelope.from_json(m.value) for m in consumer.poll(max_records=500, timeout=0.2))
            return [e for e in seen if e.type == f"liandong.{name}.v1"]

    asked = {}
    for case, scopes in (("outside", ["/chuanying/huangqi/jiayuan/"]), ("older producer", None),
                         ("inside", ["/chuanying/xihu/"])):
        rid = unique("r")
        data = {"redemption_id": rid, "volunteer_id": two["b_vol"], "org_unit_id": "jiayuan", "coins": 5,
                "items": [{"item_id": "oil", "name": "油", "quantity": 1, "coins": 5}]}
        if scopes is not None:
            data["initiator_scopes"] = scopes
        env.publish_event("welfare.redemption.requested", data, rid)  # orgpath: 家园's supermarket
        asked[rid] = case
    wait_for(lambda: len(watcher.of("volunteer.coins.reservation_refused")) + len(
        watcher.of("volunteer.coins.reserved")) == 3, 30, message="three answers")
    refused = {asked[e.data["redemption_id"]]: e.data["reason"]
               for e in watcher.of("volunteer.coins.reservation_refused")}
    # refused in the words of an unknown volunteer: the answer tells the initiator nothing about b
    assert refused == {"outside": "unknown_volunteer", "older producer": "unknown_volunteer"}
    assert [asked[e.data["redemption_id"]] for e in watcher.of("volunteer.coins.reserved")] == ["inside"]
    statement = env.get(f"/volunteers/{two['b_vol']}/statement", headers=two["b_staff"])
    assert (statement["balance"]["available"], statement["balance"]["reserved"]) == (45, 5)  # only the one inside was reserved


def test_a_patrol_credits_no_volunteer_of_another_community(two):
    """security.patrol.completed names volunteers: only those on the patrol's branch of the tree earn."""
    env = two["env"]
    run = unique("run")
    participants = [{"person_name": who, "kind": "lane_guard", "volunteer_id": two[f"{who}_vol"], "minutes": 60}
                    for who in ("b", "a")]
    env.publish_event("security.patrol.completed", {
        "patrol_run_id": run, "route_id": "route-1", "org_unit_id": "jiayuan-b1", "started_at": "2026-03-01T12:00:00Z",
        "ended_at": "2026-03-01T13:00:00Z", "checkpoints_total": 1, "checkpoints_checked": 1, "findings": 0,
        "participants": participants}, run, orgpath="/chuanying/huangqi/jiayuan/jiayuan-b1/")
    wait_for(lambda: env.balance(two["a_vol"])["available"] == 70, 30, message="a's guard earns 10")
    wait_for(env.settled, 30, message="settled")
    assert env.get(f"/volunteers/{two['b_vol']}/statement", headers=two["b_staff"])["balance"]["available"] == 50
    assert env.stores.attendance.rows.count_documents({"volunteer_id": two["b_vol"]}) == 0
