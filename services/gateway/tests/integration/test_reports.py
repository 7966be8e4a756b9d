"""Cross-service figures from events only: rolled up the org tree, weighted rates, rebuild, annual report."""
from __future__ import annotations

import io

import pytest

from liandong.clock import FixedClock
from liandong.contracts import CONTRACTS
from liandong.platform import Platform
from liandong.testing import auth_headers, unique, wait_for

from gateway.adapters.org_repository import OrgRepository
from gateway.demo import demo_district
from gateway.bootstrap import install_reports
from gateway.service_layer.org import import_tree

JIAYUAN = "/chuanying/huangqi/jiayuan/"
YANGCHUN = "/chuanying/ceguan/yangchun/"
YANGHE = "/chuanying/ceguan/yanghe/"


def publish(platform, name, subject, data, orgpath, at=None):
    env = CONTRACTS.new_event(name, subject, data, orgpath, clock=FixedClock(at) if at else None)
    platform.bus.publish(CONTRACTS.by_name(name).topic, subject, env.to_json())
    return env


def petition(platform, orgpath, unit, headcount, at, answered_on_time=None, satisfaction=None):
    pid = unique("p")
    base = {"petition_id": pid, "org_unit_id": unit, "category": "environment_noise", "level": "community"}
    publish(platform, "petition.registered", pid, base | {
        "channel": "visit", "headcount": headcount, "is_group": headcount > 1, "anonymous": False,
        "risk_flags": ["group_petition"] if headcount > 1 else [], "deadline": "2026-03-20",
        "registered_at": at}, orgpath)
    if answered_on_time is not None:
        publish(platform, "petition.answered", pid, base | {"on_time": answered_on_time, "answered_at": at}, orgpath)
    if satisfaction is not None:
        publish(platform, "petition.closed", pid, base | {
            "satisfaction": satisfaction, "headcount": headcount, "is_group": headcount > 1,
            "resolved_at_level": True, "closed_at": at}, orgpath)


def scripted_actions(platform):
    # 信访: a group petition of 40 in 家园社区, closed satisfied; single ones elsewhere
    petition(platform, JIAYUAN, "jiayuan", 40, "2026-03-02T01:30:00.000000Z", True, "satisfied")
    petition(platform, JIAYUAN + "jiayuan-g1/jiayuan-b1/", "jiayuan-b1", 1, "2026-04-02T01:30:00.000000Z", True)
    petition(platform, YANGCHUN, "yangchun", 1, "2026-05-02T01:30:00.000000Z", False, "not")
    petition(platform, JIAYUAN, "jiayuan", 1, "2025-03-02T01:30:00.000000Z")  # last year
    # 民政: a household of 3 on 低保 with three monthly payments; one large disbursement in 阳春
    grant = unique("g")
    publish(platform, "welfare.grant.started", grant, {"grant_id": grant, "application_id": "a-1",
            "programme": "dibao_urban", "org_unit_id": "jiayuan", "household_size": 3,
            "monthly_amount_fen": 108000}, JIAYUAN, at="2026-01-05T02:00:00Z")
    for month in ("2026-04", "2026-05", "2026-06"):
        publish(platform, "welfare.payment.disbursed", grant, {"payment_id": f"{grant}:{month}", "grant_id": grant,
                "programme": "dibao_urban", "org_unit_id": "jiayuan", "period": month, "amount_fen": 108000}, JIAYUAN,
                at=f"{month}-10T02:00:00Z")
    publish(platform, "welfare.payment.disbursed", "g-y", {"payment_id": "g-y:2026-06", "grant_id": "g-y",
            "programme": "severe_disability", "org_unit_id": "yangchun", "period": "2026-06",
            "amount_fen": 47190601}, YANGCHUN, at="2026-06-10T02:00:00Z")
    publish(platform, "welfare.grant.suspended", grant, {"grant_id": grant, "programme": "dibao_urban",
            "org_unit_id": "jiayuan", "reason": "re-review"}, JIAYUAN, at="2026-07-01T02:00:00Z")
    # 志愿服务
    for i in range(3):
        publish(platform, "volunteer.attendance.recorded", f"act-{i}", {
            "attendance_id": f"act-{i}:v", "source": "activity", "activity_id": f"act-{i}", "patrol_run_id": None,
            "volunteer_id": "v", "activity_type": "elderly_care", "org_unit_id": "yanghe",
            "started_at": "2026-07-01T01:00:00.000000Z", "minutes": 90, "delta_minutes": 90, "coins": 15,
            "delta_coins": 15, "correction_reason": None}, YANGHE)
    # 平安建设: 98 mediations, 91 succeed, in 家园; 2 fail in 阳和
    for i in range(100):
        orgpath, unit = (JIAYUAN, "jiayuan") if i < 98 else (YANGHE, "yanghe")
        outcome = "agreement" if i < 91 else "failed"
        publish(platform, "security.dispute.mediated", f"d{i}", {
            "dispute_id": f"d{i}", "org_unit_id": unit, "type": "neighbour", "outcome": outcome, "sessions": 1,
            "petition_id": None, "mediated_at": "2026-08-01T02:00:00.000000Z"}, orgpath)
    platform.bus.flush()


def reports_of_the_demo_district(settings):
    """The gateway's platform, its reports' projector and a test client, with the demo district's tree."""
    platform = Platform.create("gateway", settings)
    repo = OrgRepository(platform)
    repo.prepare()
    import_tree(repo, demo_district())
    app = platform.create_app()
    return platform, install_reports(app, platform, repo), app.test_client()


def caught_up(projector):
    projector.run_once()
    return sum(projector.behind().values()) == 0


@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "kafka")])
def test_figures_roll_up_rates_are_weighted_and_a_rebuild_gives_the_same(make_settings, request, store, bus):
    extra = {}
    if bus == "kafka":  # a broker of its own: a rebuild reads whole topics, which other tests also write
        extra["kafka_bootstrap_servers"] = request.getfixturevalue("own_kafka")[0]
    settings = make_settings(service="gateway", store=store, bus=bus, **extra)
    platform, projector, client = reports_of_the_demo_district(settings)
    admin = auth_headers(settings)
    scripted_actions(platform)
    wait_for(lambda: caught_up(projector), 60, message="the read model catches up")

    def overview(unit, headers=admin, **period):
        q = {"org_unit": unit, "from": "2026-01-01", "to": "2026-12-31", **period}
        r = client.get("/api/v1/reports/overview", query_string=q, headers=headers)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def m(o, key):
        return o["metrics"][key]["value"]

    jiayuan, huangqi, ceguan, district = (overview(u) for u in ("jiayuan", "huangqi", "ceguan", "chuanying"))
    assert (m(jiayuan, "petition.batches"), m(jiayuan, "petition.person_times")) == (2, 41)
    assert (m(jiayuan, "petition.group_batches"), m(jiayuan, "petition.group_person_times")) == (1, 40)
    assert jiayuan["metrics"]["petition.batches"]["previous_year"] == 1
    assert (m(huangqi, "petition.batches"), m(district, "petition.batches")) == (2, 3)
    assert m(district, "petition.person_times") == 42
    assert district["rates"]["petition.on_time_rate"]["value"] == round(2 / 3, 4)
    assert district["rates"]["petition.satisfaction_rate"]["value"] == 0.5
    # money to the fen; a stock as of the period's end
    assert m(jiayuan, "welfare.disbursed_fen") == 324000
    assert m(district, "welfare.disbursed_fen") == 324000 + 47190601
    assert m(jiayuan, "welfare.households") == 0  # suspended after its payments
    assert m(overview("jiayuan", to="2026-05-31"), "welfare.people.dibao_urban") == 3
    # mediation: 92.9% in 家园, 91% for the district — weighted, not averaged
    assert jiayuan["rates"]["security.mediation_success_rate"]["value"] == round(91 / 98, 4)
    assert ceguan["rates"]["security.mediation_success_rate"]["value"] == 0.0
    assert district["rates"]["security.mediation_success_rate"]["value"] == 0.91
    assert m(ceguan, "volunteer.minutes") == 270
    kids = {c["org_unit"]["id"]: c for c in ceguan["children"]}
    assert kids["yangchun"]["metrics"]["welfare.disbursed_fen"]["value"] == 47190601
    assert kids["yanghe"]["metrics"]["volunteer.participant_times"]["value"] == 3
    assert set(district["freshness"]) == {"petition", "welfare", "volunteer", "security"}
    assert district["freshness"]["security"]["newest_event_time"]
    # scope: a community worker of 家园 sees 家园, not 黄旗街道 or another community
    worker = auth_headers(settings, "community_worker", "jiayuan", JIAYUAN)
    assert client.get("/api/v1/reports/overview", query_string={"org_unit": "huangqi", "from": "2026-01-01",
                      "to": "2026-12-31"}, headers=worker).status_code == 403
    assert overview("jiayuan", headers=worker)["metrics"]["petition.batches"]["value"] == 2
    bad = client.get("/api/v1/reports/overview", query_string={"org_unit": "jiayuan", "from": "2026-13-01",
                     "to": "x"}, headers=admin)
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"from", "to"}

    # drop and rebuild from the beginning of the topics: the same figures
    assert client.post("/api/v1/reports/rebuild", headers=worker).status_code == 403
    started = client.post("/api/v1/reports/rebuild", headers=admin)
    assert started.status_code == 202 and started.get_json()["rebuilding"] == 2
    assert client.post("/api/v1/reports/rebuild", headers=admin).status_code == 409

    def rebuilt():
        projector.run_once()
        return client.get("/api/v1/reports/rebuild", headers=admin).get_json()["active_generation"] == 2

    wait_for(rebuilt, 90, message="the rebuild finishes")
    state = client.get("/api/v1/reports/rebuild", headers=admin).get_json()
    assert state["last_rebuild"]["events"] >= 110
    for unit, before in (("jiayuan", jiayuan), ("ceguan", ceguan), ("chuanying", district)):
        after = overview(unit)
        assert after["metrics"] == before["metrics"] and after["rates"] == before["rates"]

    # the annual work report: Chinese, and its figures are the overview's
    from docx import Document
    from openpyxl import load_workbook

    r = client.get("/api/v1/reports/annual.docx", query_string={"org_unit": "chuanying", "year": 2026}, headers=admin)
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    text = "\n".join(p.text for p in Document(io.BytesIO(r.data)).paragraphs)
    assert "船营区2026年工作汇报" in text
    assert "今年以来共接访3批次42人次,其中群体性上访1批次40人次" in text
    # each programme paid with its amount (named by its code: no welfare here to name it), then the sum
    assert "合计发放dibao_urban3,240元、severe_disability471,906.01元,共计475,146.01元,共4笔" in text
    assert "与去年同期相比,接访批次增加2批次(比增200%)、接访人次增加41人次(比增4100%)。" in text
    assert "矛盾纠纷调解100次,成功率91.0%" in text
    x = client.get("/api/v1/reports/annual.xlsx", query_string={"org_unit": "chuanying", "year": 2026}, headers=admin)
    sheet = load_workbook(io.BytesIO(x.data))["主要指标"]
    rows = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["接访人次"] == 42 and rows["发放救助金"] == 475146.01
    if store == "mongo":
        platform.db.drop()


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_a_batch_that_overlaps_one_applied_before_counts_each_event_once(make_settings, store):
    """Redelivery after a crash between storing a poll's effects and committing its offsets."""
    from datetime import date

    from gateway.adapters.read_model import ReadModel

    platform = Platform.create("gateway", make_settings(service="gateway", store=store))
    model = ReadModel(platform.db, 1, lambda path: path)
    model.prepare()

    def registered(n, day):
        pid = unique("p")
        return CONTRACTS.new_event("petition.registered", pid, {
            "petition_id": pid, "org_unit_id": "jiayuan", "category": "environment_noise", "level": "community",
            "channel": "visit", "headcount": n, "is_group": n > 1, "anonymous": False, "risk_flags": [],
            "deadline": "2026-03-20", "registered_at": f"{day}T01:30:00.000000Z"}, JIAYUAN)

    first = [registered(1, "2026-03-02"), registered(2, "2026-03-02"), registered(3, "2026-03-03")]
    model.apply_batch(first)
    later = [registered(4, "2026-03-02"), registered(5, "2026-04-01")]
    model.apply_batch(first[1:] + later + [later[0]])  # redelivered, new, and a repeat within the batch
    model.apply(first[0])
    totals, _ = model.figures(JIAYUAN, date(2026, 1, 1), date(2026, 12, 31))
    assert totals["petition.batches"] == 5 and totals["petition.person_times"] == 15
    march, _ = model.figures(JIAYUAN, date(2026, 3, 2), date(2026, 3, 2))
    assert march["petition.person_times"] == 1 + 2 + 4
    # several periods read together give what each gives alone
    assert model.figures_many(JIAYUAN, [(date(2026, 3, 2), date(2026, 3, 2)), (date(2026, 1, 1), date(2026, 12, 31))]) \
        == [(march, {}), (totals, {})]
    if store == "sqlite":  # the ids live beside the buckets, in the same transaction: reports read figures only
        assert not any("_handled" in d for d in model.days.find({}) + model.months.find({}))
    if store == "mongo":
        platform.db.drop()


# -- 就业 / 社保 (#20): the stocks of registered job seekers and of zero-employment households go down with
# placements, endings and clearings; placements, certificates and enrolments roll up the org tree; an enrolment
# counts in the year enrolled for

KEY = "7b2e3f0c9d8a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"


def employment_year(platform):
    def seeker(n, orgpath, unit, registered_on):
        data = {"jobseeker_id": f"js-{n}", "org_unit_id": unit, "person_key": KEY}
        publish(platform, "welfare.jobseeker.registered", data["jobseeker_id"],
                {**data, "category": "laid_off", "registered_on": registered_on}, orgpath)
        return data

    a, b, c = (seeker(n, JIAYUAN, "jiayuan", "2026-03-02") for n in (1, 2, 3))
    d = seeker(4, YANGCHUN, "yangchun", "2026-04-01")
    for data, on_site, day in ((a, True, "2026-05-20"), (d, False, "2026-06-01")):
        publish(platform, "welfare.jobseeker.placed", data["jobseeker_id"],
                {**data, "kind": "flexible", "on_site": on_site, "placed_on": day}, YANGCHUN if data is d else JIAYUAN)
    publish(platform, "welfare.jobseeker.ended", "js-2", {**b, "reason": "moved_away", "ended_on": "2026-07-01"},
            JIAYUAN)
    for data, orgpath in ((a, JIAYUAN), (c, JIAYUAN), (d, YANGCHUN)):
        publish(platform, "welfare.reemployment_certificate.issued", data["jobseeker_id"],
                {**data, "certificate_id": f"rc-{data['jobseeker_id']}", "issued_on": "2026-03-10"}, orgpath)
    for h in ("zh-1", "zh-2"):
        publish(platform, "welfare.zero_employment_household.identified", h, {
            "household_id": h, "org_unit_id": "jiayuan", "identified_on": "2026-02-20", "working_age_members": 2},
            JIAYUAN)
    publish(platform, "welfare.zero_employment_household.cleared", "zh-1", {
        "household_id": "zh-1", "org_unit_id": "jiayuan", "cleared_on": "2026-05-20", "jobseeker_id": "js-1",
        "person_key": KEY, "days_open": 89}, JIAYUAN)
    for n, (year, on) in enumerate(((2026, "2026-01-15"), (2026, "2026-02-01"), (2027, "2026-12-10"))):
        publish(platform, "welfare.medical_insurance.enrolled", f"mi-{n}", {
            "enrolment_id": f"mi-{n}", "org_unit_id": "jiayuan", "person_key": KEY, "year": year,
            "category": "adult", "enrolled_on": on}, JIAYUAN)
    platform.bus.flush()


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_employment_figures_roll_up_and_their_stocks_go_down(make_settings, store):
    settings = make_settings(service="gateway", store=store)
    platform, projector, client = reports_of_the_demo_district(settings)
    employment_year(platform)
    wait_for(lambda: caught_up(projector), 60, message="the read model catches up")

    def figures(unit, start="2026-01-01", end="2026-12-31"):
        r = client.get("/api/v1/reports/overview", query_string={"org_unit": unit, "from": start, "to": end},
                       headers=auth_headers(settings))
        assert r.status_code == 200, r.get_json()
        return {k[len("welfare."):]: v["value"] for k, v in r.get_json()["metrics"].items()
                if k in ("welfare.jobseekers", "welfare.reemployment_certificates", "welfare.placements",
                         "welfare.placements_on_site", "welfare.zero_employment_households",
                         "welfare.zero_employment_cleared", "welfare.medical_insurance_enrolled")}

    assert figures("jiayuan") == {"jobseekers": 1, "reemployment_certificates": 2, "placements": 1,
                                  "placements_on_site": 1, "zero_employment_households": 1,
                                  "zero_employment_cleared": 1, "medical_insurance_enrolled": 2}
    assert figures("huangqi") == figures("jiayuan")
    district = figures("chuanying")
    assert (district["jobseekers"], district["placements"], district["placements_on_site"],
            district["reemployment_certificates"]) == (1, 2, 1, 3)
    # before the placements and the ending: all four registered, both households open
    spring = figures("chuanying", end="2026-04-30")
    assert (spring["jobseekers"], spring["zero_employment_households"], spring["placements"]) == (4, 2, 0)
    # the enrolment made in December for 2027 is 2027's
    assert figures("jiayuan", "2027-01-01", "2027-12-31")["medical_insurance_enrolled"] == 1
    if store == "mongo":
        platform.db.drop()
