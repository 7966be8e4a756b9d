"""The security API in the platform's one style (docs/api-style.md), on both storage adapters: every GET
refuses a query parameter it does not know (a misspelt filter must not answer the whole list), every
list answers the envelope {items, total, page, page_size} and pages, from/to bound a list's own time,
and the statistics give rates as fractions 0..1."""
from __future__ import annotations

import pytest

from liandong.listing import day_of
from liandong.testing import STORES

from ..conftest import CEGUAN, HUANGQI
from .test_corrections import CORRECTIONS
from .test_incidents import GAS
from .test_mediation import mediate
from .test_migrants import migrant
from .test_patrols import CREW, ago, route

PLATFORM_ROUTES = ("/org-units/", "/dead-letters")  # the platform's own, the same in every service
LISTS = ("/incidents", "/patrol-routes", "/patrol-shifts", "/patrol-runs", "/migrants", "/migrants/expiring",
         "/migrants/verification-due", "/corrections/people", "/disputes", "/audit")
ENVELOPE = {"items", "total", "page", "page_size"}


def security_gets(svc) -> list[str]:
    """Every GET of the security blueprint, a path argument filled with an id that exists nowhere."""
    rules = [r for r in svc.app.url_map.iter_rules()
             if r.rule.startswith(svc.api_prefix) and "GET" in r.methods
             and not any(p in r.rule for p in PLATFORM_ROUTES)]
    out = []
    for rule in rules:
        path = rule.rule[len(svc.api_prefix):]
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", "nobody-has-this-id")
        out.append(path)
    return sorted(out)


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_every_get_refuses_a_query_parameter_it_does_not_know(svc):
    gets = security_gets(svc)
    assert set(LISTS) | {"/stats", "/incidents/nobody-has-this-id"} <= set(gets)  # the walk found the routes
    for path in gets:
        resp = svc.admin_get(f"{path}?colour=blue")
        assert resp.status_code == 422, (path, resp.status_code, resp.get_json())
        assert "colour" in resp.get_json()["error"]["fields"], path
    # the misspelling the style warns of: org_unit_id= for org_unit= is refused, not the whole list
    misspelt = svc.get("/incidents?org_unit_id=jiayuan")
    assert misspelt.status_code == 422 and "org_unit_id" in misspelt.get_json()["error"]["fields"]
    assert svc.get("/stats?org_unit_id=jiayuan").status_code == 422
    bad = svc.get("/incidents?status=lost&emergency=maybe&page_size=500")
    assert bad.status_code == 422 and {"status", "emergency", "page_size"} <= set(bad.get_json()["error"]["fields"])


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_every_list_answers_the_envelope_and_pages(svc):
    for n in range(5):
        assert svc.post("/incidents", {**GAS, "description": f"第{n}起"}).status_code == 201
    r = route(svc)
    svc.post("/patrol-routes", {"org_unit_id": "jiayuan-b1", "name": "楼栋巡查", "checkpoints": [{"name": "大堂"}]})
    svc.post("/patrol-shifts", {"route_id": r["id"], "starts_at": ago(120), "ends_at": ago(60), "roster": CREW})
    svc.post("/migrants", migrant(seq=21))
    for path in LISTS:  # as whoever reads each list: the police, corrections staff, the auditor
        resp = svc.admin_get(path) if path == "/audit" else svc.get(path, **(
            CORRECTIONS if path.startswith("/corrections") else {}))
        body = resp.get_json()
        assert ENVELOPE <= set(body) and isinstance(body["items"], list), (path, body)
        assert (body["page"], body["page_size"]) == (1, 20) and body["total"] >= len(body["items"]), path

    first = svc.get("/incidents?page_size=2").get_json()
    second = svc.get("/incidents?page_size=2&page=2").get_json()
    last = svc.get("/incidents?page_size=2&page=3").get_json()
    assert (first["total"], first["page"], first["page_size"], len(first["items"])) == (5, 1, 2, 2)
    assert (second["page"], len(second["items"]), len(last["items"])) == (2, 2, 1)
    seen = [i["description"] for p in (first, second, last) for i in p["items"]]
    assert seen == [f"第{n}起" for n in (4, 3, 2, 1, 0)]  # newest first, each once
    assert svc.get("/incidents?page=4&page_size=2").get_json()["items"] == []

    # org_unit is a subtree: the building's own route, or the community's two
    routes = svc.get("/patrol-routes?org_unit=jiayuan").get_json()
    building = svc.get("/patrol-routes?org_unit=jiayuan-b1").get_json()
    assert routes["total"] == 2 and [x["name"] for x in building["items"]] == ["楼栋巡查"]
    shifts = svc.get("/patrol-shifts?status=missed,covered").get_json()
    assert shifts["total"] == 1 and shifts["items"][0]["status"] == "missed"
    assert svc.get("/patrol-shifts?status=planned").get_json()["total"] == 0
    expiring = svc.get("/migrants/expiring?within_days=90").get_json()
    assert (expiring["total"], expiring["within_days"]) == (1, 90)


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_incidents_from_to_bound_the_reported_time(svc):
    ids = {}
    for day in (0, 3, 6):  # reported three days apart
        svc.move_clock(days=day)
        ids[day] = svc.post("/incidents", {**GAS, "description": f"第{day}天"}).get_json()
    reported = {day: i["reported_at"] for day, i in ids.items()}
    assert all(t.endswith("Z") for t in reported.values())  # times in UTC with Z

    def listed(**query) -> list[str]:
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        resp = svc.get(f"/incidents?{qs}")
        assert resp.status_code == 200, resp.get_json()
        return sorted(i["description"] for i in resp.get_json()["items"])

    day3 = day_of(reported[3]).isoformat()  # a bare date is a day of the offices' calendar (China time)
    assert listed(**{"from": day3}) == ["第3天", "第6天"]
    assert listed(to=day3) == ["第0天", "第3天"]  # a date `to` is the whole of that day
    assert listed(**{"from": day3, "to": day3}) == ["第3天"]
    assert listed(**{"from": reported[3]}) == ["第3天", "第6天"]  # both ends inclusive, to the microsecond
    assert listed(to=reported[3].replace("Z", "%2B00:00")) == ["第0天", "第3天"]  # an offset instead of Z
    backwards = svc.get(f"/incidents?from={day_of(reported[6])}&to={day_of(reported[0])}")
    assert backwards.status_code == 422 and "to" in backwards.get_json()["error"]["fields"]
    no_zone = svc.get(f"/incidents?from={reported[3][:19]}")
    assert no_zone.status_code == 422 and "from" in no_zone.get_json()["error"]["fields"]


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_statistics_give_rates_as_fractions_and_take_the_period_query(svc):
    for outcome in ("agreement", "agreement", "failed"):
        mediate(svc, "jiayuan", outcome)
    run = svc.post("/patrol-runs", {"route_id": route(svc)["id"], "participants": CREW, "started_at": ago(30)})
    rid = run.get_json()["id"]
    svc.post(f"/patrol-runs/{rid}/checkins", {"checkpoint_id": "cp-1"})
    svc.post(f"/patrol-runs/{rid}/complete", {})
    svc.post("/migrants", migrant(seq=31))

    stats = svc.get("/stats?org_unit=huangqi", role="subdistrict_officer", where=HUANGQI).get_json()
    for figures in (stats, *stats["by_unit"]):
        assert figures["mediation"]["success_rate"] == 0.6667
        assert figures["patrols"]["checkpoint_coverage_rate"] == 0.3333
        assert figures["migrants"]["verification_coverage_rate"] == 1.0
        assert "checkpoint_coverage" not in figures["patrols"] and "verification_coverage" not in figures["migrants"]
    assert stats["period"]["from"].endswith("Z") and stats["period"]["to"].endswith("Z")
    # no cases: no rate at all (null), not 0
    empty = svc.get("/stats?org_unit=ceguan", role="subdistrict_officer", where=CEGUAN).get_json()
    assert empty["mediation"]["success_rate"] is None and empty["patrols"]["checkpoint_coverage_rate"] is None
    # a period before anything happened counts nothing
    before = svc.get("/stats?org_unit=jiayuan&from=2020-01-01&to=2020-12-31").get_json()
    # the days of the offices' calendar (China Standard Time), in UTC
    assert before["period"] == {"from": "2019-12-31T16:00:00.000000Z", "to": "2020-12-31T15:59:59.999999Z"}
    assert before["mediation"]["mediations"] == 0 and before["mediation"]["success_rate"] is None
