"""The welfare API speaks the platform's one style (docs/api-style.md): every GET refuses a parameter it
does not know (a misspelt filter must not answer the whole unfiltered list), lists answer the envelope
{items, total, page, page_size} and page through it, `org_unit` is a subtree, `from`/`to` bound the
list's own time (a date's `to` takes in its whole day)."""
from __future__ import annotations

import re

import pytest

from welfare_testkit import CEGUAN, SUBDISTRICT

API = "/api/v1/welfare"


def welfare_gets(app) -> list[str]:
    """Every GET route of the welfare API (its blueprints; the platform's own routes aside), its path
    parameters filled."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("welfare_") and "GET" in rule.methods:
            paths.append(re.sub(r"<(\w+)>", "x", rule.rule[len(API):]))
    return sorted(paths)


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_every_get_refuses_a_parameter_it_does_not_know_and_names_it(svc):
    paths = welfare_gets(svc.app)
    assert {"/applications", "/grants", "/grants/reviews-due", "/payments", "/goods/stock", "/goods/alerts",
            "/goods/movements", "/fund/x", "/fund/x/entries", "/visits/counts", "/statistics",
            "/disbursements/totals", "/programmes", "/applications/x", "/grants/x", "/pairings/x",
            "/goods/redemptions/x"} <= set(paths)
    for path in paths:
        # the old spellings of the list parameters are unknown now too: never silently ignored
        for unknown in ("org_unit_id", "limit", "since"):
            r = svc.fetch(f"{path}?{unknown}=jiayuan", **SUBDISTRICT)
            assert r.status_code == 422, (path, unknown, r.status_code, r.get_json())
            assert unknown in r.get_json()["error"]["fields"], (path, unknown, r.get_json())


def test_applications_and_grants_answer_the_envelope_and_page_through_it(svc):
    apps = [svc.apply(seq=100 + 10 * i)["id"] for i in range(3)]
    grants = [svc.approved_grant(SUBDISTRICT, seq=200 + 10 * i)["id"] for i in range(3)]
    for path, ids in (("/applications", apps + [g.removeprefix("g-") for g in grants]), ("/grants", grants)):
        first = svc.fetch(f"{path}?page_size=2", **SUBDISTRICT).get_json()
        assert set(first) == {"items", "total", "page", "page_size", "next"}, first.keys()  # more follow
        assert (first["total"], first["page"], first["page_size"], len(first["items"])) == (len(ids), 1, 2, 2)
        seen, page = [], 1
        while body := svc.fetch(f"{path}?page_size=2&page={page}", **SUBDISTRICT).get_json()["items"]:
            assert len(body) == (2 if page * 2 <= len(ids) else len(ids) % 2), (path, page)
            seen += [i["id"] for i in body]
            page += 1
        assert sorted(seen) == sorted(ids) and page == (len(ids) + 1) // 2 + 1  # every record once, across the pages
        walked, body = [], first
        while True:  # the same by cursor (docs/api-style.md)
            walked += [i["id"] for i in body["items"]]
            if "next" not in body:
                break
            body = svc.fetch(f"{path}?page_size=2&after={body['next']}", **SUBDISTRICT).get_json()
        assert walked == seen, path
        for bad in ("page=0", "page_size=101", "page_size=x"):
            r = svc.fetch(f"{path}?{bad}", **SUBDISTRICT)
            assert r.status_code == 422 and bad.split("=")[0] in r.get_json()["error"]["fields"], (path, bad)
    newest_first = [a["id"] for a in svc.fetch("/applications?page_size=100", **SUBDISTRICT).get_json()["items"]]
    assert newest_first[0] == grants[-1].removeprefix("g-") and newest_first[-1] == apps[0]


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_org_unit_is_a_subtree_and_from_to_bound_the_lists_own_time(svc):
    early = svc.apply(seq=300)["id"]  # 2026-03-02
    elsewhere = svc.apply("yangchun", "/chuanying/ceguan/yangchun/", seq=310)["id"]
    svc.clock.advance(days=10)  # 2026-03-12
    late = svc.apply(seq=320)["id"]
    admin = dict(role="district_admin", org_unit="chuanying", path="/chuanying/")

    def ids(query, who=admin):
        r = svc.fetch(f"/applications?{query}", **who)
        assert r.status_code == 200, r.get_json()
        return {a["id"] for a in r.get_json()["items"]}

    assert ids("") == {early, elsewhere, late}
    assert ids("org_unit=huangqi") == ids("org_unit=jiayuan") == {early, late}  # the sub-district: its communities
    assert ids("org_unit=ceguan") == {elsewhere}
    assert svc.fetch("/applications?org_unit=ceguan", **SUBDISTRICT).status_code == 403
    assert ids("from=2026-03-05") == {late}
    assert ids("to=2026-03-02") == {early, elsewhere}  # a date's `to` takes in the whole day
    assert ids("from=2026-03-02T00:00:00Z&to=2026-03-11T23:59:59Z") == {early, elsewhere}
    assert ids("from=2026-03-12T09:00:00%2B08:00") == {late}  # an offset is as good as Z
    assert ids("from=2026-03-13") == set()
    r = svc.fetch("/applications?from=2026-03-12&to=2026-03-01", **admin)
    assert r.status_code == 422 and "to" in r.get_json()["error"]["fields"]
    assert svc.fetch("/applications?from=2026-03-12T08:00:00", **admin).status_code == 422  # which zone?

    # figures take the same bounds: visits counted within from..to
    for at in ("2026-02-10T02:00:00Z", "2026-03-10T02:00:00Z"):
        assert svc.post("/visits", {"org_unit_id": "yangchun", "visited": "x", "visited_at": at,
                                    "visitor_id": "w-1"}, **CEGUAN).status_code == 201
    march = svc.fetch("/visits/counts?org_unit=ceguan&from=2026-03-01&to=2026-03-31", **CEGUAN).get_json()
    # echoed as the instant it is: the offices' day (China Standard Time) begins at 16:00 UTC the day before
    assert march["visits"] == 1 and march["from"] == "2026-02-28T16:00:00.000000Z"
    assert svc.fetch("/visits/counts?org_unit=ceguan", **CEGUAN).get_json()["visits"] == 2
    # a caller of one unit need not name it
    assert svc.fetch("/visits/counts?to=2026-02-28", **CEGUAN).get_json()["visits"] == 1
    # a time given with an offset is kept, and answered, in UTC with Z: 07:00 in Beijing is the day before in UTC
    beijing = svc.post("/visits", {"org_unit_id": "yangchun", "visited": "y", "visited_at": "2026-04-01T07:00:00+08:00"},
                       **CEGUAN).get_json()
    assert beijing["visited_at"] == "2026-03-31T23:00:00.000000Z"
    # …and counted on the offices' day it happened (a date is a day in China Standard Time), not UTC's
    assert svc.fetch("/visits/counts?from=2026-04-01&to=2026-04-01", **CEGUAN).get_json()["visits"] == 1
    assert svc.fetch("/visits/counts?from=2026-03-31&to=2026-03-31", **CEGUAN).get_json()["visits"] == 0


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_the_payment_ledger_is_a_list_below_org_unit_and_grant_id_narrows_it(svc):
    here = svc.approved_grant(SUBDISTRICT, seq=400)["id"]
    there = svc.approved_grant(CEGUAN, org_unit="yangchun", path="/chuanying/ceguan/yangchun/", seq=410)["id"]
    for unit, who in (("huangqi", SUBDISTRICT), ("ceguan", CEGUAN)):
        r = svc.post("/disbursements", {"org_unit_id": unit, "period": "2026-03"}, **who)
        assert r.status_code == 200 and r.get_json()["payments"] == 1, r.get_json()
    admin = dict(role="district_admin", org_unit="chuanying", path="/chuanying/")

    def grants_paid(query, who=admin):
        r = svc.fetch(f"/payments?{query}", **who)
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        assert {"items", "total", "page", "page_size"} <= set(body)
        return [p["grant_id"] for p in body["items"]]

    assert sorted(grants_paid("")) == sorted([here, there])
    assert grants_paid("org_unit=huangqi") == grants_paid("org_unit=jiayuan") == [here]
    assert grants_paid("org_unit=ceguan") == [there]
    assert grants_paid(f"grant_id={there}") == [there]
    assert grants_paid(f"org_unit=huangqi&grant_id={there}") == []  # both filters hold
    assert grants_paid("", who=SUBDISTRICT) == [here]  # always within the caller's scope
    assert svc.fetch(f"/payments?grant_id={there}", **SUBDISTRICT).status_code == 404  # out of sight
    assert svc.fetch("/payments?org_unit=ceguan", **SUBDISTRICT).status_code == 403


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_programmes_are_one_list_for_every_unit_and_an_unknown_unit_is_refused(svc):
    everything = svc.fetch("/programmes?page_size=100").get_json()
    assert everything["total"] == len(everything["items"]) > 1
    assert svc.fetch("/programmes?page_size=100&org_unit=jiayuan").get_json() == everything
    r = svc.fetch("/programmes?org_unit=nowhere")
    assert r.status_code == 422 and "org_unit" in r.get_json()["error"]["fields"]
