"""A year of employment and social insurance (就业 / 社保, #20) through the gateway, as the offices work it: the
保障员s of 家园社区 (黄旗街道) and 阳春社区 (册关街道) register laid-off and unemployed residents (失业登记), issue
re-employment certificates (再就业优惠证), place people (one at a job fair: 现场安置), follow a zero-employment
household (零就业家庭) until its son is placed, enrol residents in the urban residents' medical insurance
(城镇居民医保); a 4050 subsidy is applied for, reviewed, approved and paid. Every figure of the area in the
overview (per community, rolled up to the sub-district and the district) and the annual report's sentences
say exactly that. On both backend pairs."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from docx import Document

from liandong.idnumbers import check_digit
from liandong.testing import wait_for

PASSWORD = "Liandong-demo-2026"
CHINA = timezone(timedelta(hours=8))
FIGURES = ("welfare.jobseekers", "welfare.reemployment_certificates", "welfare.placements",
           "welfare.placements_on_site", "welfare.zero_employment_households", "welfare.zero_employment_cleared",
           "welfare.medical_insurance_enrolled")
SUBSIDY = "flexible_employment_insurance_4050"


def id_number(born: str, serial: int) -> str:
    """A valid ID number (吉林市船营区): an odd `serial` a man, an even one a woman."""
    first = f"220204{born}{serial:03d}"
    return first + check_digit(first)


@pytest.mark.e2e
def test_a_year_of_employment_work_in_the_overview_and_the_annual_report(platform, office, monkeypatch):
    monkeypatch.setenv("LIANDONG_DEMO_ACTIVITY", "0")  # only this year's work in the figures
    settings = platform.start()
    o = office(f"http://127.0.0.1:{settings.ports['gateway']}")
    today = datetime.now(CHINA).date()
    year = today.year
    day = lambda md: f"{year}-{md}" if f"{year}-{md}" <= today.isoformat() else today.isoformat()  # noqa: E731
    # 阳春社区's 保障员: an account the district makes (the demo has one in 家园 only)
    o.call("district_admin", "POST", "/users", json={
        "username": "yangchun_security", "name": "阳春社区保障员", "password": PASSWORD,
        "grants": [{"role": "community_worker", "org_unit": "yangchun", "duties": ["social_security"]}]})
    E = "/welfare/employment"

    def register(user, unit, name, number, household, category="laid_off"):
        return o.call(user, "POST", f"{E}/jobseekers", json={
            "org_unit_id": unit, "name": name, "id_number": number, "phone": "13912345678", "household_key": household,
            "category": category, "skills": ["保洁"], "wished_work": "就近就业", "registered_on": day("03-02")})

    # 家园社区: a laid-off mother and her unemployed son (one household), a laid-off man, a woman who moves away
    mother_id = id_number("19800505", 122)
    mother = register("jiayuan_security", "jiayuan", "王秀兰", mother_id, "H-0301")
    son = register("jiayuan_security", "jiayuan", "李强", id_number("20000303", 151), "H-0301", "unemployed")
    man = register("jiayuan_security", "jiayuan", "赵建国", id_number("19720101", 131), "H-0502")
    leaver = register("jiayuan_security", "jiayuan", "孙丽", id_number("19850707", 142), "H-0703")
    o.call("jiayuan_security", "POST", f"{E}/jobseekers", expect=409, json={
        "org_unit_id": "jiayuan", "name": "王秀兰", "id_number": mother_id, "category": "laid_off"})
    for n, person in enumerate((mother, man, leaver), start=1):
        o.call("jiayuan_security", "POST", f"{E}/jobseekers/{person['id']}/certificate",
               json={"number": f"吉再{year}-{n:04d}", "issued_on": day("03-10")})
    household = o.call("jiayuan_security", "POST", f"{E}/zero-employment-households", json={
        "org_unit_id": "jiayuan", "household_key": "H-0301", "identified_on": day("03-05"), "members": [
            {"name": "王秀兰", "id_number": mother_id, "status": "laid_off"},
            {"name": "李强", "id_number": id_number("20000303", 151), "status": "unemployed"}]})
    o.call("jiayuan_security", "POST", f"{E}/zero-employment-households", json={
        "org_unit_id": "jiayuan", "household_key": "H-0502", "identified_on": day("03-05"), "members": [
            {"name": "赵建国", "id_number": id_number("19720101", 131), "status": "laid_off"}]})
    o.call("jiayuan_security", "POST", f"{E}/zero-employment-households/{household['id']}/visits",
           json={"visited_on": day("04-01"), "note": "推荐招聘会岗位"})
    placed = o.call("jiayuan_security", "POST", f"{E}/jobseekers/{son['id']}/placement", json={
        "kind": "enterprise", "employer": "吉林市某物业公司", "on_site": True, "placed_on": day("05-20")})
    assert placed["cleared_households"] == [household["id"]]
    o.call("jiayuan_security", "POST", f"{E}/jobseekers/{mother['id']}/placement",
           json={"kind": "flexible", "placed_on": day("06-01")})
    o.call("jiayuan_security", "POST", f"{E}/jobseekers/{leaver['id']}/end",
           json={"reason": "moved_away", "ended_on": day("07-01")})
    for n, (name, number) in enumerate((("王秀兰", mother_id), ("李强", id_number("20000303", 151)),
                                        ("赵建国", id_number("19720101", 131)))):
        o.call("jiayuan_security", "POST", f"{E}/medical-insurance-enrolments", json={
            "org_unit_id": "jiayuan", "name": name, "id_number": number, "year": year, "enrolled_on": day("01-15")})
    o.call("jiayuan_security", "POST", f"{E}/medical-insurance-enrolments", json={  # next year's: not this year's
        "org_unit_id": "jiayuan", "name": "王秀兰", "id_number": mother_id, "year": year + 1})
    # the 民政员 of 家园 does not hold the 保障员's duty: the register is not hers to read
    o.call("jiayuan_worker", "GET", f"{E}/jobseekers", expect=403)

    # 阳春社区: one laid-off worker placed at the job fair into a 公益性岗位
    worker = register("yangchun_security", "yangchun", "周海", id_number("19680909", 171), "Y-0101")
    o.call("yangchun_security", "POST", f"{E}/jobseekers/{worker['id']}/certificate",
           json={"number": f"吉再{year}-0101", "issued_on": day("03-12")})
    o.call("yangchun_security", "POST", f"{E}/jobseekers/{worker['id']}/placement",
           json={"kind": "public_welfare_post", "on_site": True, "placed_on": day("05-20")})
    o.call("yangchun_security", "POST", f"{E}/medical-insurance-enrolments", json={
        "org_unit_id": "yangchun", "name": "周海", "id_number": id_number("19680909", 171), "year": year})

    # the 4050 subsidy of the mother, placed in 灵活就业: applied, reviewed, approved by the 街道, paid
    application = o.call("jiayuan_worker", "POST", "/welfare/applications", json={
        "org_unit_id": "jiayuan", "programme": SUBSIDY, "channel": "window", "household": {
            "address": "家园社区3号楼", "members": [{"name": "王秀兰", "id_number": mother_id, "relation": "applicant",
                                                  "monthly_income_fen": 150000, "employment": "employed"}]}})
    assert application["eligibility"]["eligible"] is True, application["eligibility"]
    o.call("jiayuan_worker", "POST", f"/welfare/applications/{application['id']}/community-review",
           json={"decision": "pass"})
    approved = o.call("huangqi_officer", "POST", f"/welfare/applications/{application['id']}/approval")
    assert approved["grant"]["monthly_amount_fen"] == 30000
    o.call("jiayuan_worker", "POST", "/welfare/disbursements", json={
        "org_unit_id": "jiayuan", "period": today.strftime("%Y-%m"), "programme": SUBSIDY})

    def figures(unit: str, of_year: int = year) -> dict:
        r = o.call("district_admin", "GET", "/reports/overview",
                   params={"org_unit": unit, "from": f"{of_year}-01-01", "to": f"{of_year}-12-31"})
        return {k: r["metrics"][k]["value"] for k in FIGURES + (
            f"welfare.households.{SUBSIDY}", f"welfare.disbursed_fen.{SUBSIDY}") if k in r["metrics"]}

    jiayuan = {"welfare.jobseekers": 1, "welfare.reemployment_certificates": 3, "welfare.placements": 2,
               "welfare.placements_on_site": 1, "welfare.zero_employment_households": 1,
               "welfare.zero_employment_cleared": 1, "welfare.medical_insurance_enrolled": 3,
               f"welfare.households.{SUBSIDY}": 1, f"welfare.disbursed_fen.{SUBSIDY}": 30000}
    yangchun = {"welfare.jobseekers": 0, "welfare.reemployment_certificates": 1, "welfare.placements": 1,
                "welfare.placements_on_site": 1, "welfare.zero_employment_households": 0,
                "welfare.zero_employment_cleared": 0, "welfare.medical_insurance_enrolled": 1,
                f"welfare.households.{SUBSIDY}": 0, f"welfare.disbursed_fen.{SUBSIDY}": 0}
    district = {k: jiayuan[k] + yangchun[k] for k in jiayuan}
    expected = {"jiayuan": jiayuan, "huangqi": jiayuan, "yangchun": yangchun, "ceguan": yangchun,
                "chuanying": district}
    seen: dict = {}

    def agrees() -> bool:
        seen.update({unit: figures(unit) for unit in expected})
        return all(seen[unit] == want for unit, want in expected.items())

    try:
        wait_for(agrees, 90, 0.5, message="the overview to say what the year's work implies")
    except AssertionError:
        raise AssertionError(f"expected {expected}, the overview says {seen}") from None
    assert figures("jiayuan", year + 1)["welfare.medical_insurance_enrolled"] == 1  # the enrolment for next year

    # the annual report, for the district and for the sub-district, in the seeds' words
    for unit, want in (("chuanying", district), ("huangqi", jiayuan)):
        r = o.call("district_admin", "GET", "/reports/annual.docx", params={"org_unit": unit, "year": year})
        text = "\n".join(p.text for p in Document(io.BytesIO(r)).paragraphs)
        assert "七、就业和社会保障" in text
        assert (f"为{want['welfare.reemployment_certificates']}名下岗职工办理再就业优惠证,"
                f"{want['welfare.placements']}名下岗失业人员得到安置(其中现场安置{want['welfare.placements_on_site']}人),"
                f"目前登记失业人员{want['welfare.jobseekers']}人。") in text, text
        assert (f"零就业家庭{want['welfare.zero_employment_cleared']}户已动态清零,"
                f"尚有{want['welfare.zero_employment_households']}户在跟踪帮扶;"
                f"城镇居民医保参保{want['welfare.medical_insurance_enrolled']}人。") in text, text
