"""The petition API speaks the platform's one style (docs/api-style.md): every GET refuses a parameter it
does not know (422 naming it), lists answer the envelope and page, `from`/`to` take a date or a UTC time."""
from datetime import timedelta

import pytest

from liandong.attachments_testing import photo, upload
from liandong.clock import LOCAL_TZ, from_iso, to_iso
from liandong.testing import STORES

from ..conftest import API

# the platform's own routes (liandong.platform: the org-tree copy, dead letters) are checked in shared/
PLATFORM_ROUTES = (f"{API}/org-units/", f"{API}/dead-letters")


def petition_gets(app) -> list[str]:
    """Every GET route of the petition API (Open311 aside: that standard keeps its own shape)."""
    return sorted(r.rule for r in app.url_map.iter_rules()
                  if r.rule.startswith(API) and "GET" in r.methods and not r.rule.startswith(PLATFORM_ROUTES))


@pytest.mark.parametrize("store", STORES)
def test_every_petition_get_refuses_an_unknown_query_parameter_naming_it(make_svc, store):
    svc = make_svc(store=store)
    pid = svc.file()["id"]
    mid = svc.post("/hall/matters", {"org_unit_id": "jiayuan", "item": "pension_survival_check", "materials": ["身份证"],
                                     "resident": {"name": "王", "id_number": svc.id_number()}}, expect=201).get_json()["id"]
    today = svc.clock.now().date().isoformat()
    # what each route needs to answer 200, so that the unknown parameter is the only thing wrong
    needs = {"/stats": {"org_unit": "jiayuan"}, "/roster": {"org_unit": "huangqi", "from": today, "to": today},
             "/hall/stats": {"org_unit": "jiayuan"}}
    routes = petition_gets(svc.client.application)
    assert {f"{API}/petitions", f"{API}/petitions/<petition_id>", f"{API}/petitions/<petition_id>/timeline",
            f"{API}/petitions/<petition_id>/duplicates", f"{API}/stats", f"{API}/config", f"{API}/roster",
            f"{API}/open311/keys", f"{API}/hall/items", f"{API}/hall/matters", f"{API}/hall/matters/<matter_id>",
            f"{API}/hall/window-services", f"{API}/hall/stats", f"{API}/petitions/<petition_id>/attachments",
            f"{API}/petitions/<petition_id>/attachments/<attachment_id>",
            f"{API}/petitions/<petition_id>/attachments/<attachment_id>/thumbnail"} == set(routes)
    aid = upload(svc.client, f"{API}/petitions/{pid}/attachments", svc.staff(), photo()).get_json()["id"]
    for rule in routes:
        path = rule[len(API):].replace("<petition_id>", pid).replace("<matter_id>", mid).replace("<attachment_id>", aid)
        params = needs.get(path, {})
        svc.get(path, headers=svc.admin(), **params)  # 200 as asked
        for unknown in ("org_unit_id", "pagesize"):  # a misspelt filter, a misspelt paging parameter
            r = svc.get(path, headers=svc.admin(), expect=422, **params, **{unknown: "x"})
            assert unknown in r["error"]["fields"], (rule, r)


@pytest.mark.parametrize("store", STORES)
def test_lists_answer_the_envelope_and_page_through_it(make_svc, store):
    svc = make_svc(store=store)
    filed = [svc.file(content=f"楼下噪音{i}")["id"] for i in range(3)]
    first = svc.get("/petitions", org_unit="jiayuan", page_size=2)
    second = svc.get("/petitions", org_unit="jiayuan", page_size=2, page=2)
    beyond = svc.get("/petitions", org_unit="jiayuan", page_size=2, page=3)
    for page, body in ((1, first), (2, second), (3, beyond)):
        assert {"items", "total", "page", "page_size"} <= set(body) and body["total"] == 3
        assert (body["page"], body["page_size"]) == (page, 2)
    assert (len(first["items"]), len(second["items"]), beyond["items"]) == (2, 1, [])
    assert sorted(p["id"] for p in first["items"] + second["items"]) == sorted(filed)  # each once, none lost
    svc.get("/petitions", page_size=101, expect=422)
    svc.get("/petitions", page=0, expect=422)

    # the api keys and the roster are lists too
    admin = svc.admin()
    for app in ("一号App", "二号App"):
        svc.post("/open311/keys", {"app": app, "org_unit_id": "jiayuan"}, headers=admin, expect=201)
    keys = svc.get("/open311/keys", headers=admin, page_size=1)
    assert keys["total"] >= 2 and len(keys["items"]) == 1 and (keys["page"], keys["page_size"]) == (1, 1)
    assert [k["app"] for k in svc.get("/open311/keys", headers=admin, org_unit="huangniling")["items"]] == []
    today = svc.clock.now().date()
    days = [(today + timedelta(days=i)).isoformat() for i in range(3)]
    for day in days:
        svc.call("PUT", f"/roster/huangqi/{day}", {"leader_name": "赵书记"}, headers=svc.officer(), expect=200)
    roster = svc.get("/roster", headers=svc.officer(), org_unit="huangqi", page_size=2,
                     **{"from": days[0], "to": days[-1]})
    assert roster["total"] == 3 and [d["day"] for d in roster["items"]] == days[:2] and roster["gaps"] == []
    # a roster is a sub-district's: org_unit names it; the old name is unknown, another level is refused by name
    period = {"from": days[0], "to": days[-1]}
    for query, named in (({"subdistrict": "huangqi"}, "subdistrict"), ({"org_unit": "jiayuan"}, "org_unit")):
        refused = svc.get("/roster", headers=svc.officer(), expect=422, **query, **period)
        assert named in refused["error"]["fields"], refused


@pytest.mark.parametrize("store", STORES)
def test_from_and_to_take_a_date_or_a_utc_time_and_refuse_a_time_without_its_zone(make_svc, store, tmp_path):
    svc = make_svc(store=store, clock_file=str(tmp_path / "clock"))
    svc.move_clock(0)
    early = svc.file(content="三天前的噪音")
    svc.move_clock(3 * 24 * 3600)
    late = svc.file(content="今天的噪音")
    early_at, late_at = from_iso(early["registered_at"]), from_iso(late["registered_at"])
    # a bare date is a day of the offices' calendar (China time): the days they were filed on there
    early_day, late_day = (t.astimezone(LOCAL_TZ).date().isoformat() for t in (early_at, late_at))

    def listed(**period) -> list[str]:
        return sorted(p["id"] for p in svc.get("/petitions", org_unit="jiayuan", **period)["items"])

    def batches(**period) -> int:
        return svc.get("/stats", org_unit="jiayuan", **period)["batches"]

    # a date: `from` that day's start, `to` its end (China time), both inclusive
    assert listed(**{"from": late_day}) == [late["id"]]
    assert listed(to=early_day) == [early["id"]]
    assert listed(**{"from": early_day, "to": late_day}) == sorted(
        [early["id"], late["id"]])
    assert batches(**{"from": late_day}) == 1 and batches(to=early_day) == 1
    # a time with Z (or an offset): to the microsecond, inclusive
    between = to_iso(early_at + (late_at - early_at) / 2)
    assert listed(**{"from": between}) == [late["id"]] and listed(to=between) == [early["id"]]
    assert listed(**{"from": late["registered_at"]}) == [late["id"]]  # the bound itself is in
    assert listed(to=early["registered_at"]) == [early["id"]]
    in_beijing = (late_at + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S.%f") + "+08:00"
    assert listed(**{"from": in_beijing}) == [late["id"]]
    assert batches(**{"from": between}) == 1 and batches(to=between) == 1
    # a time without its zone is ambiguous (Beijing's or UTC?): 422 naming the parameter, on every period
    naive = late_at.strftime("%Y-%m-%dT%H:%M:%S")
    for path, params in (("/petitions", {}), ("/stats", {"org_unit": "jiayuan"}),
                         ("/roster", {"org_unit": "huangqi", "to": late_day})):
        r = svc.get(path, headers=svc.officer(), expect=422, **params, **{"from": naive})
        assert "from" in r["error"]["fields"], (path, r)
    r = svc.get("/petitions", expect=422, **{"from": late_day, "to": early_day})
    assert "to" in r["error"]["fields"]
