"""The API style (docs/api-style.md) on the volunteer service, on both backends: a query parameter no GET
knows is refused by name; lists answer the one envelope and page; `from`/`to` bound an activity's start."""
from __future__ import annotations

import pytest

from liandong.testing import STORES, unique

from ..conftest import API
from .test_imports import row, upload, xlsx
from .test_party import party_records, party_worker

pytestmark = pytest.mark.parametrize("svc", STORES, indirect=True)


def own_get_routes(app) -> list[str]:
    """Every GET of the volunteer API itself (the platform's org-unit and dead-letter routes aside)."""
    return sorted({r.rule for r in app.url_map.iter_rules()
                   if "GET" in r.methods and r.rule.startswith(API) and r.endpoint.split(".")[0] != "known_org_unit"
                   and "/org-units/" not in r.rule and "/dead-letters" not in r.rule})


def test_an_unknown_query_parameter_on_any_get_is_a_422_naming_it(svc):
    vid = svc.register()["id"]
    team = svc.post("/teams", {"name": unique("队"), "type": "elderly_care", "org_unit_id": "jiayuan"},
                    expect=201).get_json()["id"]
    act = svc.activity()["id"]
    # an import with a row to fix, so its rows-to-fix workbook is there too
    job = upload(svc, "volunteers", xlsx([row(900), row(901, hours="x")]), mode="good_rows").get_json()["id"]
    ids = {"volunteer_id": vid, "team_id": team, "activity_id": act, "job_id": job, **party_records(svc)}
    routes = own_get_routes(svc.app)
    assert len(routes) >= 13, routes  # every GET of the service is walked, not a chosen few
    for rule in routes:
        path = rule
        for name, value in ids.items():
            path = path.replace(f"<{name}>", value)
        assert "<" not in path, rule
        # a resident's own record answers /volunteers/me; the district sees /coins/check; the org unit names
        # the figures' subtree: each caller may otherwise call the route, so the answer is about the parameter
        headers = svc.district() if rule.endswith(("/coins/check", "/stats", "/recognition", "/party/audit")) else \
            party_worker(svc) if "/party/" in rule else svc.staff()
        if rule.endswith("/me"):
            headers = svc.resident("resident-style")
            svc.register(headers=headers)
        ok = svc.client.get(path, headers=headers)
        assert ok.status_code == 200, (rule, ok.status_code, ok.get_json())
        r = svc.client.get(path, headers=headers, query_string={"org_unit_id": "jiayuan"})  # misspelt org_unit
        assert r.status_code == 422, (rule, r.status_code, r.get_json())
        assert "org_unit_id" in r.get_json()["error"]["fields"], (rule, r.get_json())


def test_volunteers_and_activities_answer_the_envelope_page_by_page(svc):
    registered = [svc.register()["id"] for _ in range(5)]
    first = svc.get("/volunteers", org_unit="jiayuan", page_size=2)
    assert set(first) >= {"items", "total", "page", "page_size"}
    assert (first["total"], first["page"], first["page_size"], len(first["items"])) == (5, 1, 2, 2)
    pages = [first] + [svc.get("/volunteers", org_unit="jiayuan", page_size=2, page=n) for n in (2, 3)]
    assert [v["id"] for p in pages for v in p["items"]] == registered  # in the order they registered, none twice
    assert svc.get("/volunteers", org_unit="jiayuan", page_size=2, page=4)["items"] == []
    assert svc.get("/volunteers", org_unit="huangniling", headers=svc.district())["total"] == 0

    made = [svc.activity(starts_at=f"2026-03-0{d}T01:00:00Z", ends_at=f"2026-03-0{d}T03:00:00Z")["id"]
            for d in (3, 1, 2)]
    acts = svc.get("/activities", page_size=2)
    assert (acts["total"], acts["page"], acts["page_size"]) == (3, 1, 2)
    assert [a["id"] for a in acts["items"]] == [made[1], made[2]]  # by their start
    assert [a["id"] for a in svc.get("/activities", page_size=2, page=2)["items"]] == [made[0]]
    for bad in ({"page_size": 0}, {"page_size": 101}, {"page": 0}, {"limit": 5}, {"offset": 2}):
        r = svc.get("/activities", expect=None, **bad)
        assert r.status_code == 422 and set(bad) <= set(r.get_json()["error"]["fields"]), (bad, r.get_json())


def test_from_and_to_bound_the_start_of_the_activities_listed(svc):
    starts = {d: svc.activity(starts_at=f"2026-04-{d:02d}T02:00:00Z", ends_at=f"2026-04-{d:02d}T04:00:00Z")["id"]
              for d in (1, 10, 20, 30)}

    def listed(**params) -> list[str]:
        return [a["id"] for a in svc.get("/activities", page_size=100, **params)["items"]]

    assert listed(**{"from": "2026-04-10", "to": "2026-04-20"}) == [starts[10], starts[20]]  # days inclusive
    assert listed(**{"from": "2026-04-10T02:00:00Z"}) == [starts[10], starts[20], starts[30]]  # the instant too
    assert listed(to="2026-04-09T23:59:59Z") == [starts[1]]
    assert listed(to="2026-04-20T02:00:00Z") == [starts[1], starts[10], starts[20]]  # both ends inclusive
    assert listed(**{"from": "2026-04-20T10:00:00+08:00", "to": "2026-04-20"}) == [starts[20]]  # 02:00Z
    r = svc.get("/activities", expect=None, **{"from": "2026-04-20", "to": "2026-04-10"})
    assert r.status_code == 422 and "to" in r.get_json()["error"]["fields"]
    r = svc.get("/activities", expect=None, **{"from": "2026-04-20T10:00:00"})  # no zone: ambiguous
    assert r.status_code == 422 and "from" in r.get_json()["error"]["fields"]


def test_a_statement_pages_its_entries_with_the_running_balance_and_the_balance_now(svc):
    v = svc.register()["id"]
    for coins in (10, 20, -5, 30):
        svc.post("/coins/adjustments", {"volunteer_id": v, "coins": coins, "reason": "补记"}, expect=201)
    second = svc.get(f"/volunteers/{v}/statement", page_size=2, page=2)
    assert (second["total"], second["page"], second["page_size"]) == (4, 2, 2)
    assert [(e["amount"], e["balance"]) for e in second["items"]] == [(-5, 25), (30, 55)]  # running from the first
    assert second["balance"] == {"available": 55, "reserved": 0, "total": 55}
    r = svc.get(f"/volunteers/{v}/statement", expect=None, limit=2)
    assert r.status_code == 422 and "limit" in r.get_json()["error"]["fields"]


def test_a_resident_lists_published_activities_only_whatever_status_they_ask(svc):
    resident = svc.resident("resident-drafts")
    svc.register(headers=resident)
    published, draft = svc.activity()["id"], svc.activity(publish=False)["id"]
    for params in ({}, {"status": "draft"}, {"status": "draft,published"}):
        listed = [a["id"] for a in svc.get("/activities", headers=resident, **params)["items"]]
        assert draft not in listed and (published in listed) == (params.get("status") != "draft"), params


def test_the_types_are_a_list_with_the_patrol_rate_beside_it_and_the_ranking_takes_top_not_limit(svc):
    district = svc.district()
    svc.post("/types", {"type": unique("t").replace("-", "_").lower()[:30], "name": "扫雪队"}, headers=district,
             expect=201)
    everything = svc.get("/types", page_size=100)
    assert {"items", "total", "page", "page_size", "patrol_coins_per_hour"} <= set(everything)
    assert everything["total"] == len(everything["items"]) >= 2
    second = svc.get("/types", page_size=1, page=2)
    assert second["items"] == everything["items"][1:2] and second["total"] == everything["total"]
    assert svc.get("/types", org_unit="jiayuan")["total"] == everything["total"]  # types hold in every unit
    r = svc.get("/types", expect=None, page_size=101)
    assert r.status_code == 422 and "page_size" in r.get_json()["error"]["fields"]

    # `top` names how many the ranking shows (test_scenario counts it); the paging dialect's `limit` is refused
    assert svc.get("/recognition", org_unit="jiayuan", top=1, headers=district)["volunteers"] == []
    r = svc.get("/recognition", expect=None, org_unit="jiayuan", limit=1, headers=district)
    assert r.status_code == 422 and "limit" in r.get_json()["error"]["fields"]
