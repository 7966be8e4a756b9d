"""Sign-off and lock of a period (签报): a community submits, its sub-district approves (the figures are filed),
the district accepts; a late event is an adjustment beside the filed figure; unlock is audited and the next
approval files the figures again; the refusals."""
from __future__ import annotations

import io

import pytest

from liandong.clock import FixedClock
from liandong.contracts import CONTRACTS
from liandong.testing import auth_headers, unique, wait_for

CEGUAN = "/chuanying/ceguan/"
YANGCHUN, YANGHE = CEGUAN + "yangchun/", CEGUAN + "yanghe/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def petition(svc, orgpath: str, unit: str, headcount: int, at: str) -> None:
    """A petition registered at `at`, as the petition service announces it (the figures come from events only)."""
    pid = unique("p")
    env = CONTRACTS.new_event("petition.registered", pid, {
        "petition_id": pid, "org_unit_id": unit, "category": "environment_noise", "level": "community",
        "channel": "visit", "headcount": headcount, "is_group": headcount > 1, "anonymous": False, "risk_flags": [],
        "deadline": "2026-04-20", "registered_at": at}, orgpath, clock=FixedClock(at))
    svc.platform.bus.publish(CONTRACTS.by_name("petition.registered").topic, pid, env.to_json())
    svc.platform.bus.flush()


def projected(svc, unit: str, expected: int, **period) -> None:
    """Run the gateway's reports projector until `unit`'s current 接访批次 over the period is `expected`."""
    projector = svc.worker.consumers[-1]

    def current():
        projector.run_once()
        m = overview(svc, unit, **period)["metrics"]["petition.batches"]
        return m.get("current", m["value"]) == expected

    wait_for(current, 30, message=f"{unit}'s figures reach {expected}")


def overview(svc, unit: str, headers=None, **period) -> dict:
    r = svc.client.get("/api/v1/reports/overview", query_string={"org_unit": unit, **(period or MARCH)},
                       headers=headers or svc.headers())
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def act(svc, headers, unit: str, period: str, action: str, expect: int = 200, **body):
    r = svc.client.post(f"/api/v1/reports/approvals/{unit}/{period}/{action}", headers=headers,
                        **({"json": body} if body or action == "unlock" else {}))
    assert r.status_code == expect, (action, r.get_json())
    return r.get_json()


def people(svc):
    """Who acts at 测关街道: its communities' worker, the sub-district's officer, the district's admin."""
    s = svc.settings
    return (auth_headers(s, "community_worker", "yangchun", YANGCHUN), auth_headers(s, "subdistrict_officer", "ceguan", CEGUAN),
            auth_headers(s, "district_admin", "chuanying", "/chuanying/"), auth_headers(s, "community_worker", "yanghe", YANGHE))


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_a_filed_period_keeps_its_figures_and_a_late_event_shows_as_adjustment(make_svc, store):
    svc = make_svc(store=store)
    worker, officer, district, yanghe_worker = people(svc)
    petition(svc, YANGCHUN, "yangchun", 3, "2026-03-05T02:00:00.000000Z")
    petition(svc, YANGCHUN, "yangchun", 1, "2026-03-20T02:00:00.000000Z")
    petition(svc, YANGHE, "yanghe", 1, "2026-03-06T02:00:00.000000Z")
    projected(svc, "ceguan", 3)

    # the community submits, the sub-district approves: the figures are filed as they stand
    assert act(svc, worker, "yangchun", "2026-03", "submit")["state"] == "submitted"
    approved = act(svc, officer, "yangchun", "2026-03", "approve")
    assert approved["state"] == "approved" and approved["filed"]["petition.batches"] == 2
    assert approved["filed"]["petition.person_times"] == 4 and approved["approved"]["at"]

    # a petition of March registered late: the filed figure stays, the difference is its adjustment
    petition(svc, YANGCHUN, "yangchun", 2, "2026-03-28T02:00:00.000000Z")
    projected(svc, "yangchun", 3)
    o = overview(svc, "yangchun")
    batches, times = o["metrics"]["petition.batches"], o["metrics"]["petition.person_times"]
    assert (batches["value"], batches["filed"], batches["adjustment"], batches["current"]) == (2, 2, 1, 3)
    assert (times["value"], times["adjustment"]) == (4, 2)
    assert o["sign_off"] == {"period": "2026-03", "state": "approved", "filed_units": ["yangchun"]}

    # the sub-district's figure sums its filed community's filed figures and the adjustments apart
    sub = overview(svc, "ceguan")
    assert (sub["metrics"]["petition.batches"]["value"], sub["metrics"]["petition.batches"]["adjustment"]) == (3, 1)
    assert sub["sign_off"] == {"period": "2026-03", "state": "open", "filed_units": ["yangchun"]}
    kids = {c["org_unit"]["id"]: c["metrics"]["petition.batches"] for c in sub["children"]}
    assert (kids["yangchun"]["value"], kids["yangchun"]["adjustment"]) == (2, 1)
    assert kids["yanghe"] == {**kids["yanghe"], "value": 1} and "adjustment" not in kids["yanghe"]
    # another period than the filed one shows the figures as they are
    assert "filed" not in overview(svc, "yangchun", **{"from": "2026-03-01", "to": "2026-03-30"})["metrics"][
        "petition.batches"]

    # the district accepts the sub-district's approval
    assert act(svc, district, "yangchun", "2026-03", "accept")["state"] == "accepted"
    # the sub-district's own period: submitted by it, approved by the district; it files what its units filed
    act(svc, yanghe_worker, "yanghe", "2026-03", "submit")
    act(svc, officer, "yanghe", "2026-03", "approve")
    act(svc, officer, "ceguan", "2026-03", "submit")
    filed = act(svc, district, "ceguan", "2026-03", "approve")["filed"]
    assert (filed["petition.batches"], filed["petition.person_times"]) == (3, 5)
    # while the sub-district's period is filed with its communities' figures, theirs stay locked
    assert "unlock it first" in act(svc, district, "yangchun", "2026-03", "unlock", 409, reason="补录")["error"][
        "message"]
    petition(svc, YANGHE, "yanghe", 1, "2026-03-29T02:00:00.000000Z")
    projected(svc, "ceguan", 5)
    sub = overview(svc, "ceguan")
    assert sub["sign_off"]["filed_units"] == ["ceguan"]
    assert (sub["metrics"]["petition.batches"]["value"], sub["metrics"]["petition.batches"]["adjustment"]) == (3, 2)

    # the exports show the filed figures with the adjustment on a row of its own
    csv = svc.client.get("/api/v1/reports/overview.csv", query_string={"org_unit": "yangchun", **MARCH},
                         headers=district).data.decode("utf-8-sig").splitlines()
    header = csv[0].split(",")
    column = header.index("接访批次(批次)") if "接访批次(批次)" in header else next(
        i for i, h in enumerate(header) if h.startswith("接访批次"))
    rows = {line.split(",")[0]: line.split(",") for line in csv[1:]}
    assert rows["阳春社区(合计)"][column] == "2" and rows["阳春社区(合计)(签报后调整)"][column] == "1"

    # the trail: every act, with who and when
    trail = svc.client.get("/api/v1/audit", query_string={"page_size": 100}, headers=svc.headers()).get_json()["items"]
    acts = [(e["action"], e["report"]["org_unit_id"], e["report"]["state"]) for e in reversed(trail) if "report" in e]
    assert acts == [("submit", "yangchun", "submitted"), ("approve", "yangchun", "approved"),
                    ("accept", "yangchun", "accepted"), ("submit", "yanghe", "submitted"),
                    ("approve", "yanghe", "approved"), ("submit", "ceguan", "submitted"),
                    ("approve", "ceguan", "approved")]
    assert all(e["user_id"] and e["at"] for e in trail if "report" in e)
    listed = svc.client.get("/api/v1/reports/approvals", query_string={"period": "2026-03", "state": "accepted"},
                            headers=officer).get_json()
    assert listed["total"] == 1 and listed["items"][0]["org_unit_id"] == "yangchun"
    assert listed["items"][0]["filed"]["petition.batches"] == 2 and listed["items"][0]["state_name"] == "已确认"
    within = svc.client.get("/api/v1/reports/approvals", query_string={"from": "2026-03-01", "to": "2026-03-31",
                            "org_unit": "ceguan"}, headers=officer).get_json()
    assert sorted(i["org_unit_id"] for i in within["items"]) == ["ceguan", "yangchun", "yanghe"]
    assert svc.client.get("/api/v1/reports/approvals", query_string={"from": "2026-04-01"},
                          headers=officer).get_json()["total"] == 0
    if store == "mongo":
        svc.platform.db.drop()


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_unlock_is_the_level_above_s_audited_act_and_the_next_approval_files_anew(make_svc, store):
    svc = make_svc(store=store)
    worker, officer, district, _ = people(svc)
    petition(svc, YANGCHUN, "yangchun", 1, "2026-03-05T02:00:00.000000Z")
    projected(svc, "yangchun", 1)
    act(svc, worker, "yangchun", "2026-03", "submit")
    act(svc, officer, "yangchun", "2026-03", "approve")
    petition(svc, YANGCHUN, "yangchun", 1, "2026-03-06T02:00:00.000000Z")
    projected(svc, "yangchun", 2)

    # the community cannot open its own filed period; a reason is required
    act(svc, worker, "yangchun", "2026-03", "unlock", 403, reason="数字有误")
    assert act(svc, officer, "yangchun", "2026-03", "unlock", 422)["error"]["fields"] == {
        "reason": ["Missing data for required field."]}
    opened = act(svc, officer, "yangchun", "2026-03", "unlock", reason="补录3月漏报的来访")
    assert opened["state"] == "open" and opened["unlock_reason"] == "补录3月漏报的来访" and "filed" not in opened
    assert [h["action"] for h in opened["history"]] == ["submit", "approve", "unlock"]
    assert "filed" not in overview(svc, "yangchun")["metrics"]["petition.batches"]
    trail = svc.client.get("/api/v1/audit", query_string={"action": "unlock"}, headers=district).get_json()["items"]
    assert [(e["report"]["org_unit_id"], e["report"]["reason"]) for e in trail] == [("yangchun", "补录3月漏报的来访")]
    assert trail[0]["user_id"] and trail[0]["at"]

    # submitted and approved again: the new filing holds what came in meanwhile
    act(svc, worker, "yangchun", "2026-03", "submit")
    assert act(svc, officer, "yangchun", "2026-03", "approve")["filed"]["petition.batches"] == 2
    batches = overview(svc, "yangchun")["metrics"]["petition.batches"]
    assert (batches["value"], batches["adjustment"]) == (2, 0)
    # an accepted period is opened by the level that accepted it
    act(svc, district, "yangchun", "2026-03", "accept")
    act(svc, officer, "yangchun", "2026-03", "unlock", 403, reason="再次补录")
    assert act(svc, district, "yangchun", "2026-03", "unlock", reason="再次补录")["state"] == "open"
    if store == "mongo":
        svc.platform.db.drop()


def test_refusals_name_what_is_wrong(svc):
    worker, officer, district, yanghe_worker = people(svc)
    jiayuan = svc.headers("jiayuan_worker")

    def error(r, status):
        assert r["error"]["code"], r
        return r["error"]["message"]

    # approving before submission
    assert "submitted" in error(act(svc, officer, "yangchun", "2026-03", "approve", 409), 409)
    # submitting a period that has not ended (the clock says November 2026)
    fields = act(svc, worker, "yangchun", "2026-12", "submit", 422)["error"]["fields"]
    assert fields == {"period": ["2026-12 ends on 2026-12-31: submit it after"]}
    assert act(svc, worker, "yangchun", "2026", "submit", 422)["error"]["fields"]["period"]
    assert act(svc, worker, "yangchun", "2026-13", "submit", 422)["error"]["fields"] == {
        "period": ["a month YYYY-MM or a year YYYY (2000-2100)"]}
    # a community worker does not approve, not even another community's
    act(svc, worker, "yangchun", "2026-03", "submit")
    act(svc, yanghe_worker, "yangchun", "2026-03", "approve", 403)  # holds no reports:approve anywhere
    act(svc, worker, "yangchun", "2026-03", "approve", 403)
    act(svc, worker, "yangchun", "2026-03", "submit", 409)  # twice
    # outside one's scope: 404 in the same words as no such unit
    for unit in ("yangchun", "nowhere"):
        assert act(svc, jiayuan, unit, "2026-03", "submit", 404)["error"]["message"] == f"no org unit {unit!r}"
    assert svc.client.get("/api/v1/reports/approvals/yangchun/2026-03", headers=jiayuan).status_code == 404
    # approving one's own unit's period
    act(svc, officer, "ceguan", "2026-03", "submit")
    assert "own unit" in error(act(svc, officer, "ceguan", "2026-03", "approve", 403), 403)
    # a grid files nothing; the district has no level above to accept a sub-district's approval
    assert act(svc, jiayuan, "jiayuan-g1", "2026-03", "submit", 422)["error"]["fields"]["org_unit_id"]
    act(svc, district, "ceguan", "2026-03", "approve")
    act(svc, district, "ceguan", "2026-03", "accept", 409)
    # accepting before approval; unlocking an open period
    act(svc, district, "yanghe", "2026-03", "accept", 409)
    act(svc, officer, "yanghe", "2026-03", "unlock", 409, reason="没有可解锁的")
    # the state of one unit's period, with its communities'
    state = svc.client.get("/api/v1/reports/approvals/ceguan/2026-03", headers=officer).get_json()
    assert state["state"] == "approved" and state["state_name"] == "已审核"
    assert {c["org_unit_id"]: c["state"] for c in state["children"]}["yangchun"] == "submitted"
    assert svc.client.get("/api/v1/reports/approvals?state=done", headers=officer).status_code == 422


def test_the_annual_report_prints_the_filed_figures_and_the_adjustment_apart(svc):
    from docx import Document

    worker, officer, district, _ = people(svc)
    petition(svc, YANGCHUN, "yangchun", 2, "2025-05-05T02:00:00.000000Z")
    year = {"from": "2025-01-01", "to": "2025-12-31"}
    projected(svc, "yangchun", 1, **year)
    act(svc, worker, "yangchun", "2025", "submit")
    act(svc, officer, "yangchun", "2025", "approve")
    petition(svc, YANGCHUN, "yangchun", 3, "2025-06-05T02:00:00.000000Z")
    projected(svc, "yangchun", 2, **year)
    r = svc.client.get("/api/v1/reports/annual.docx", query_string={"org_unit": "yangchun", "year": 2025},
                       headers=district)
    doc = Document(io.BytesIO(r.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2025年全年共接访1批次2人次" in text  # the filed figures, in a past year's words
    assert "接访批次:签报1批次,签报后调整+1批次,现为2批次。" in text
    assert "接访人次:签报2人次,签报后调整+3人次,现为5人次。" in text
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["指标", "2025年", "2024年", "签报后调整"]
    from openpyxl import load_workbook

    x = svc.client.get("/api/v1/reports/annual.xlsx", query_string={"org_unit": "yangchun", "year": 2025},
                       headers=district)
    sheet = load_workbook(io.BytesIO(x.data))["主要指标"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["指标"][-1] == "签报后调整" and rows["接访批次"][2:] == (1, 0, 1)


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_two_acts_on_one_period_at_the_same_instant_one_is_refused(make_svc, store):
    """Two officers read the period at the same version and both act: the second write is a 409, not a lost act."""
    from liandong.errors import ConcurrencyConflict

    from gateway.adapters.report_filings import Approvals

    svc = make_svc(store=store)
    approvals = Approvals(svc.platform.deps)
    step = {"action": "submit", "state": "submitted", "user_id": "u", "name": "甲", "at": "2026-04-01T00:00:00Z"}
    approvals.write("yangchun", "2026-03", 0, {"state": "submitted", "org_path": YANGCHUN}, step)
    with pytest.raises(ConcurrencyConflict):
        approvals.write("yangchun", "2026-03", 0, {"state": "submitted", "org_path": YANGCHUN}, step)
    approvals.write("yangchun", "2026-03", 1, {"state": "approved"}, step | {"action": "approve"})
    with pytest.raises(ConcurrencyConflict):
        approvals.write("yangchun", "2026-03", 1, {"state": "open"}, step | {"action": "unlock"})
    doc = approvals.get("yangchun", "2026-03")
    assert (doc["state"], doc["_v"], [h["action"] for h in doc["history"]]) == ("approved", 2, ["submit", "approve"])
    if store == "mongo":
        svc.platform.db.drop()
