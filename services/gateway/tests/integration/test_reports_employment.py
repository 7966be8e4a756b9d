"""就业 / 社保 (#20) in the overview, from welfare's events only: the stocks of registered job seekers and of
zero-employment households go down with placements, endings and clearings; placements, certificates and
insurance enrolments roll up the org tree; an enrolment counts in the year enrolled for."""
from __future__ import annotations

import pytest

from liandong.contracts import CONTRACTS
from liandong.platform import Platform
from liandong.testing import auth_headers, wait_for

from gateway.adapters.org_repository import OrgRepository
from gateway.bootstrap import install_reports
from gateway.demo import demo_district
from gateway.service_layer.org import import_tree

JIAYUAN = "/chuanying/huangqi/jiayuan/"
YANGCHUN = "/chuanying/ceguan/yangchun/"
KEY = "7b2e3f0c9d8a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"


def publish(platform, name, subject, data, orgpath):
    platform.bus.publish(CONTRACTS.by_name(name).topic, subject,
                         CONTRACTS.new_event(name, subject, data, orgpath).to_json())


def caught_up(projector) -> bool:
    projector.run_once()
    return sum(projector.behind().values()) == 0


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
    platform = Platform.create("gateway", settings)
    repo = OrgRepository(platform)
    repo.prepare()
    import_tree(repo, demo_district())
    app = platform.create_app()
    projector = install_reports(app, platform, repo)
    client = app.test_client()
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
