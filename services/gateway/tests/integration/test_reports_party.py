"""党建 (#20) in the offices' figures: the party registers' events move 党员总数 and 党支部 (stocks, down as well as
up), 在职党员报到 (a count of the year's reports), the hours reported members served and the 《党员告知书》 signed;
a sub-district's figure is its communities'; the annual report says it in section 九、党建工作."""
from __future__ import annotations

import io

import pytest

from liandong.clock import FixedClock
from liandong.contracts import CONTRACTS
from liandong.platform import Platform
from liandong.testing import auth_headers, wait_for

from gateway.adapters.org_repository import OrgRepository
from gateway.bootstrap import install_reports
from gateway.demo import demo_district
from gateway.domain.metrics import effect_of
from gateway.service_layer.org import import_tree

JIAYUAN = "/chuanying/huangqi/jiayuan/"
YANGCHUN = "/chuanying/ceguan/yangchun/"
YANGHE = "/chuanying/ceguan/yanghe/"
PARTY = "liandong.volunteer.party.{}.v1"


def test_members_and_branches_are_stocks_that_go_down_and_reports_a_count():
    def deltas(name, data):
        return effect_of(PARTY.format(name), data, "2026-03-01T02:00:00Z")

    assert deltas("member_registered", {"registered_at": "2026-03-01T02:00:00Z"}).deltas == {
        "volunteer.party_members": 1}
    ended = deltas("member_ended", {"ended_on": "2026-09-01", "reason": "transferred_out"})
    assert (ended.day, ended.deltas) == ("2026-09-01", {"volunteer.party_members": -1})
    founded = deltas("branch_founded", {"founded_on": "2014-07-01"})
    assert (founded.day, founded.deltas) == ("2014-07-01", {"volunteer.party_branches": 1})
    assert deltas("branch_dissolved", {"dissolved_on": "2026-06-30"}).deltas == {"volunteer.party_branches": -1}
    assert deltas("notice_signed", {"signed_on": "2026-03-02"}).deltas == {"volunteer.party_notices_signed": 1}
    assert deltas("member_reported", {"reported_on": "2026-03-05"}).deltas == {
        "volunteer.party_members_reported": 1}
    corrected = deltas("service_recorded", {"started_at": "2026-03-08T01:00:00Z", "delta_minutes": -30})
    assert corrected.deltas == {"volunteer.party_reported_minutes": -30}


def publish(platform, name, subject, data, orgpath, at="2026-03-01T02:00:00.000000Z"):
    env = CONTRACTS.new_event(f"volunteer.party.{name}", subject, data, orgpath, clock=FixedClock(at))
    platform.bus.publish("volunteer.events", subject, env.to_json())


def a_year(platform):
    """家园: two branches (one dissolved), three members (one transferred out), two notices, two reports serving
    5 h; 阳春: one branch, one member, one report serving 1 h; 阳和 (another sub-district's) nothing; a report last
    year in 家园."""
    for unit, path, branches in (("jiayuan", JIAYUAN, 2), ("yangchun", YANGCHUN, 1)):
        for i in range(branches):
            publish(platform, "branch_founded", f"{unit}-b{i}", {"branch_id": f"{unit}-b{i}", "org_unit_id": unit,
                                                                 "name": f"第{i + 1}党支部", "founded_on": "2014-07-01"}, path)
    publish(platform, "branch_dissolved", "jiayuan-b1", {"branch_id": "jiayuan-b1", "org_unit_id": "jiayuan",
                                                         "dissolved_on": "2026-06-30"}, JIAYUAN)
    members = [("jiayuan", JIAYUAN, "m1"), ("jiayuan", JIAYUAN, "m2"), ("jiayuan", JIAYUAN, "m3"),
               ("yangchun", YANGCHUN, "m4")]
    for unit, path, m in members:
        base = {"member_id": m, "branch_id": f"{unit}-b0", "org_unit_id": unit, "person_key": None}
        publish(platform, "member_registered", m, {**base, "kind": "full", "joined_on": "1998-07-01",
                                                   "registered_at": "2026-03-01T02:00:00.000000Z"}, path)
        if m in ("m1", "m2"):
            publish(platform, "notice_signed", m, {**base, "signed_on": "2026-03-02"}, path)
    publish(platform, "member_ended", "m3", {"member_id": "m3", "branch_id": "jiayuan-b0", "org_unit_id": "jiayuan",
                                             "person_key": None, "reason": "transferred_out",
                                             "ended_on": "2026-09-01"}, JIAYUAN)
    reports = [("jiayuan", JIAYUAN, "r1", "2026-03-05", 180), ("jiayuan", JIAYUAN, "r2", "2026-03-05", 120),
               ("yangchun", YANGCHUN, "r3", "2026-04-01", 60), ("jiayuan", JIAYUAN, "r0", "2025-03-05", 600)]
    for unit, path, r, on, minutes in reports:
        publish(platform, "member_reported", r, {"report_id": r, "volunteer_id": f"v-{r}", "org_unit_id": unit,
                                                 "person_key": None, "workplace": "市供电公司党委", "reported_on": on,
                                                 "volunteer_linked": False}, path)
        publish(platform, "service_recorded", r, {"report_id": r, "volunteer_id": f"v-{r}", "attendance_id": f"a:{r}",
                                                  "org_unit_id": unit, "started_at": f"{on}T02:00:00.000000Z",
                                                  "delta_minutes": minutes}, path)
    platform.bus.flush()


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_the_party_figures_roll_up_and_the_annual_report_says_them(make_settings, store):
    settings = make_settings(service="gateway", store=store, bus="embedded")
    platform = Platform.create("gateway", settings)
    repo = OrgRepository(platform)
    repo.prepare()
    import_tree(repo, demo_district())
    app = platform.create_app()
    projector = install_reports(app, platform, repo)
    client, admin = app.test_client(), auth_headers(settings)
    a_year(platform)

    def caught_up():
        projector.run_once()
        return sum(projector.behind().values()) == 0

    wait_for(caught_up, 60, message="the read model catches up")

    def figures(unit, **period):
        q = {"org_unit": unit, "from": "2026-01-01", "to": "2026-12-31", **period}
        r = client.get("/api/v1/reports/overview", query_string=q, headers=admin)
        assert r.status_code == 200, r.get_json()
        return {k[len("volunteer.party_"):]: v["value"] for k, v in r.get_json()["metrics"].items()
                if k.startswith("volunteer.party_")}

    assert figures("jiayuan") == {"members": 2, "branches": 1, "members_reported": 2, "reported_minutes": 300,
                                  "notices_signed": 2}
    # as of the end of June: the branch not dissolved yet, the transfer out not yet made
    assert figures("jiayuan", to="2026-06-29")["branches"] == 2
    assert figures("jiayuan", to="2026-08-31")["members"] == 3
    assert figures("jiayuan", **{"from": "2025-01-01", "to": "2025-12-31"})["members_reported"] == 1
    assert figures("huangqi") == figures("jiayuan")
    assert figures("ceguan") == {"members": 1, "branches": 1, "members_reported": 1, "reported_minutes": 60,
                                 "notices_signed": 0}
    assert figures("chuanying") == {"members": 3, "branches": 2, "members_reported": 3, "reported_minutes": 360,
                                    "notices_signed": 2}

    from docx import Document

    def report(unit):
        r = client.get("/api/v1/reports/annual.docx", query_string={"org_unit": unit, "year": 2026}, headers=admin)
        assert r.status_code == 200
        return "\n".join(p.text for p in Document(io.BytesIO(r.data)).paragraphs)

    text = report("jiayuan")
    assert "九、党建工作" in text
    assert ("社区党员总数2名,下设1个党支部;2名在职党员到社区报到,参与志愿服务5.0小时;签订《党员告知书》2份。"
            in text)
    assert "辖区党员总数3名,下设2个党支部;3名在职党员到社区报到,参与志愿服务6.0小时;签订《党员告知书》2份。" in report(
        "chuanying")
    if store == "mongo":
        platform.db.drop()
