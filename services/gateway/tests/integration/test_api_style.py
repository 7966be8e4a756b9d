"""The gateway's own endpoints speak the one API style (docs/api-style.md): lists in the one envelope,
every query parameter documented, an unknown one refused with its name."""
from __future__ import annotations

import pytest

from gateway.demo import DEMO_RESIDENT
from gateway.service_layer.identity import DEMO_ACCOUNTS
from liandong.listing import day_of

# a valid query for each of the gateway's own GETs (the proxied and exported lists are the services' own)
VALID = {
    "/api/v1/auth/me": {},
    "/api/v1/auth/roles": {},
    "/api/v1/org/tree": {"root": "huangqi"},
    "/api/v1/org/units/<unit_id>": {},
    "/api/v1/users": {"org_unit": "jiayuan"},
    "/api/v1/users/<user_id>": {},
    "/api/v1/audit": {"service": "petition"},
    "/api/v1/reports/metrics": {},
    "/api/v1/reports/overview": {"org_unit": "jiayuan", "from": "2026-01-01", "to": "2026-12-31"},
    "/api/v1/reports/overview.csv": {"org_unit": "jiayuan", "from": "2026-01-01", "to": "2026-12-31"},
    "/api/v1/reports/overview.xlsx": {"org_unit": "jiayuan", "from": "2026-01-01", "to": "2026-12-31"},
    "/api/v1/reports/timeseries": {"org_unit": "jiayuan", "from": "2026-01-01", "to": "2026-12-31",
                                   "metrics": "petition.batches"},
    "/api/v1/reports/annual.docx": {"org_unit": "jiayuan", "year": "2026"},
    "/api/v1/reports/annual.xlsx": {"org_unit": "jiayuan", "year": "2026"},
    "/api/v1/reports/rebuild": {},
    # filing reports (#21)
    "/api/v1/reports/approvals": {"org_unit": "jiayuan", "period": "2026-03", "state": "open,submitted"},
    "/api/v1/reports/approvals/<org_unit_id>/<period>": {},
    "/api/v1/reports/narratives/<org_unit_id>/<int:year>": {},
    "/api/v1/reports/narratives/<org_unit_id>/<int:year>/<int:month>": {},
    "/api/v1/reports/monthly-reports": {"org_unit": "jiayuan", "from": "2026-01-01", "format": "docx"},
    "/api/v1/reports/monthly-reports/<report>": {},
    "/api/v1/reports/monthly-reports/<report>/download": {},
    "/api/v1/org/units/<org_unit_id>/profiles": {"from": "2026-01-01"},
    "/api/v1/org/units/<org_unit_id>/profile": {"on": "2026-06-30"},
    # the demo's past being made (#22), the communities a resident may register in (#22)
    "/api/v1/demo/history": {},
    "/api/v1/residents/communities": {},
    # the door's accounts waiting for 实名核验 (#22)
    "/api/v1/residents": {"confirmed": "false", "org_unit": "jiayuan"},
}
PROXIED = ("/api/v1/<service>/", "/api/v1/exports/", "/api/v1/gateway/")


def test_every_get_of_the_gateway_refuses_a_parameter_it_does_not_document(svc):
    admin = svc.headers()
    user_id = svc.client.get("/api/v1/users", query_string={"org_unit": "jiayuan"}, headers=admin).get_json()["items"][0]["id"]
    own = sorted(r.rule for r in svc.app.url_map.iter_rules()
                 if "GET" in r.methods and r.rule.startswith("/api/v1/") and not r.rule.startswith(PROXIED))
    assert set(own) == set(VALID), "a new GET of the gateway: add its valid query here"
    assert svc.client.post("/api/v1/org/units/jiayuan/profiles", headers=admin, json={
        "as_of": "2026-01-01", "population": 6500, "households": 2300, "area_km2": 0.8, "grids": 6}).status_code == 201
    assert svc.client.post("/api/v1/reports/monthly-reports", headers=admin,
                           json={"period": "2026-03", "org_unit_id": "jiayuan"}).get_json()["generated"] == 2
    for rule in own:
        path = (rule.replace("<unit_id>", "jiayuan").replace("<org_unit_id>", "jiayuan").replace("<user_id>", user_id)
                .replace("<period>", "2026-03").replace("<int:year>", "2026").replace("<int:month>", "3")
                .replace("<report>", "jiayuan.2026-03.docx"))
        ok = svc.client.get(path, query_string=VALID[rule], headers=admin)
        assert ok.status_code == 200, (rule, ok.status_code, ok.get_data(as_text=True)[:300])
        # a misspelt filter (org_unit_id for org_unit) must not answer the unfiltered figures or list
        bad = svc.client.get(path, query_string={**VALID[rule], "org_unit_id": "jiayuan"}, headers=admin)
        assert bad.status_code == 422, (rule, bad.status_code)
        assert "org_unit_id" in bad.get_json()["error"]["fields"], rule


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_users_and_audit_lists_answer_the_one_envelope_and_page(make_svc, store):
    svc = make_svc(store=store)
    admin = svc.headers()
    first = svc.client.get("/api/v1/users", query_string={"page_size": 2}, headers=admin).get_json()
    assert set(first) == {"items", "total", "page", "page_size", "next"}  # more follow: the cursor to them
    assert (first["page"], first["page_size"], len(first["items"])) == (1, 2, 2)
    # every demo account is in the district admin's scope, and the demo's self-registered resident (居民端)
    accounts = len(DEMO_ACCOUNTS) + 1
    assert first["total"] == accounts
    names = [u["username"] for p in range(1, 1 + (accounts + 1) // 2)
             for u in svc.client.get("/api/v1/users", query_string={"page_size": 2, "page": p},
                                     headers=admin).get_json()["items"]]
    assert sorted(names) == names and len(set(names)) == accounts  # in one order, missing no one
    walked, body = [], first
    while True:  # the same, by cursor
        walked += [u["username"] for u in body["items"]]
        if "next" not in body:
            break
        body = svc.client.get("/api/v1/users", query_string={"page_size": 2, "after": body["next"]},
                              headers=admin).get_json()
    assert walked == names
    jiayuan = svc.client.get("/api/v1/users", query_string={"org_unit": "jiayuan"}, headers=admin).get_json()
    in_jiayuan = sum(unit.startswith("jiayuan") for *_, unit, _ in DEMO_ACCOUNTS) + (DEMO_RESIDENT["community"] == "jiayuan")
    assert jiayuan["total"] == in_jiayuan and all("jiayuan" in g["org_unit"] for u in jiayuan["items"] for g in u["grants"])
    assert svc.client.get("/api/v1/users", query_string={"page_size": 101}, headers=admin).status_code == 422
    assert svc.client.get("/api/v1/users", query_string={"limit": 10}, headers=admin).status_code == 422

    # the audit trail: an export written by the gateway, found by the one list's parameters
    svc.app.extensions["gateway"]["audit"].record_export(
        user_id="u-1", name="甲", roles=["subdistrict_officer"], org_path="/chuanying/huangqi/",
        path="/api/v1/petition/petitions", query="channel=visit", service="petition", fields=["mobile"],
        correlation_id="c-1")
    today = day_of(svc.platform.clock.now_iso()).isoformat()  # the offices' day (China time), as `from`/`to` read it
    found = svc.client.get("/api/v1/audit", query_string={"org_unit": "huangqi", "from": today, "to": today,
                                                          "action": "export"}, headers=admin).get_json()
    assert set(found) == {"items", "total", "page", "page_size"} and found["total"] == 1
    assert found["items"][0]["query"] == "channel=visit" and found["items"][0]["id"]
    elsewhere = svc.client.get("/api/v1/audit", query_string={"org_unit": "ceguan"}, headers=admin).get_json()
    assert elsewhere["total"] == 0
    assert svc.client.get("/api/v1/audit", query_string={"since": today}, headers=admin).status_code == 422
    # the reports answer rates as fractions
    o = svc.client.get("/api/v1/reports/overview", query_string={"org_unit": "jiayuan", "from": "2026-01-01",
                                                                 "to": "2026-12-31"}, headers=admin).get_json()
    assert all(r["value"] is None or 0 <= r["value"] <= 1 for k, r in o["rates"].items() if k.endswith("_rate"))


@pytest.mark.parametrize("query,field", [({"org_unit": "jiayuan", "from": "2026-13-01", "to": "2026-12-31"}, "from"),
                                         ({"org_unit": "jiayuan", "from": "2026-02-01", "to": "2026-01-01"}, "to"),
                                         ({"from": "2026-01-01", "to": "2026-12-31"}, "org_unit")])
def test_a_bad_report_period_is_a_422_naming_the_field(svc, query, field):
    r = svc.client.get("/api/v1/reports/overview", query_string=query, headers=svc.headers())
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"]
