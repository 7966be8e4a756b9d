"""A small year of the registers (#20) through the gateway, as the offices keep them: the 退管员 enters retirees and
elderly residents and visits them, the 残联专干 enters disabled residents and logs their rehabilitation, the 民政员
enters a veteran and helps him; one retiree dies and leaves the register; an 高龄津贴 is applied for, approved
and paid. Every figure of the overview must say exactly that — in each community, rolled up to the
sub-district and the district — and the annual report must tell it in its sections 五、六、八. On both backend
pairs (`embedded`, `kafka-mongo`)."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from docx import Document

from liandong.idnumbers import check_digit
from liandong.testing import wait_for

PASSWORD = "Liandong-demo-2026"
CHINA = timezone(timedelta(hours=8))


def id_number(born: str, seq: int) -> str:
    first = f"220204{born}{seq:03d}"
    return first + check_digit(first)


@pytest.mark.e2e
def test_a_year_of_retirees_elderly_disabled_and_veterans_in_the_overview_and_the_annual_report(platform, office,
                                                                                                 monkeypatch):
    monkeypatch.setenv("LIANDONG_DEMO_ACTIVITY", "0")  # only this year's actions move the figures
    settings = platform.start()
    office = office(f"http://127.0.0.1:{settings.ports['gateway']}")
    now = datetime.now(timezone.utc)
    year = now.astimezone(CHINA).year
    start = datetime(year, 1, 1, tzinfo=CHINA).astimezone(timezone.utc)

    def when(fraction: float) -> str:
        """A moment of this year so far (`fraction` of the way from 1 January to now)."""
        return (start + (now - start) * fraction).strftime("%Y-%m-%dT%H:%M:%SZ")

    def day(fraction: float) -> str:
        return datetime.fromisoformat(when(fraction).replace("Z", "+00:00")).astimezone(CHINA).date().isoformat()

    for username, unit, duties in (("jiayuan_tuiguan", "jiayuan", ["retiree_affairs"]),
                                   ("jiayuan_canlian", "jiayuan", ["disability_affairs"]),
                                   ("yangchun_worker", "yangchun", ["retiree_affairs", "disability_affairs"])):
        office.call("district_admin", "POST", "/users", json={
            "username": username, "name": username, "password": PASSWORD,
            "grants": [{"role": "community_worker", "org_unit": unit, "duties": duties}]})

    def enter(user, unit, register, seq, born, details, registered_on=None, head=None):
        person = {"name": f"居民{seq}", "id_number": id_number(born, seq), "phone": "13900000000",
                  "address": f"{unit}{seq}号"}
        if head:
            person["household_head_id_number"] = head
        return office.call(user, "POST", "/welfare/register-entries", json={
            "register": register, "org_unit_id": unit, "person": person, "details": details,
            **({"registered_on": registered_on} if registered_on else {})})

    def serve(user, entry, kind, fraction, money_fen=0):
        return office.call(user, "POST", f"/welfare/register-entries/{entry['id']}/services", json={
            "kind": kind, "delivered_at": when(fraction), "money_fen": money_fen})

    retired = {"employer": "吉林化纤厂", "retired_on": "2005-06-30"}
    # 家园社区: three retirees (one from the paper register of years ago), two elderly; one retiree dies
    r1 = enter("jiayuan_tuiguan", "jiayuan", "retiree", 1, "19450301", retired, registered_on="2019-05-01")
    r2 = enter("jiayuan_tuiguan", "jiayuan", "retiree", 2, "19500301", retired, registered_on=day(0.1))
    r3 = enter("jiayuan_tuiguan", "jiayuan", "retiree", 3, "19520301", retired, registered_on=day(0.1))
    e1 = enter("jiayuan_tuiguan", "jiayuan", "elderly", 4, "19400101", {"living_alone": True}, registered_on=day(0.1))
    e2 = enter("jiayuan_tuiguan", "jiayuan", "elderly", 5, "19420101", {"empty_nest": True}, registered_on=day(0.1))
    serve("jiayuan_tuiguan", r1, "hospital_visit", 0.2, 20000)
    serve("jiayuan_tuiguan", r2, "hospital_visit", 0.3, 20000)
    serve("jiayuan_tuiguan", e1, "hospital_visit", 0.4)
    serve("jiayuan_tuiguan", e1, "home_visit", 0.5)
    serve("jiayuan_tuiguan", e2, "home_visit", 0.5)
    serve("jiayuan_tuiguan", r3, "birthday_greeting", 0.6, 10000)
    serve("jiayuan_tuiguan", e2, "holiday_greeting", 0.7, 30000)
    office.call("jiayuan_tuiguan", "POST", f"/welfare/register-entries/{r1['id']}/end",
                json={"reason": "died", "ended_on": day(0.8)})
    # a second entry of the same person is refused
    office.call("jiayuan_tuiguan", "POST", "/welfare/register-entries", expect=(409,), json={
        "register": "elderly", "org_unit_id": "jiayuan", "person": {"name": "居民4", "id_number": id_number("19400101", 4)},
        "details": {}})

    # 残联: a father and his son in one household, and a woman of another; rehabilitation 4 times
    father = enter("jiayuan_canlian", "jiayuan", "disabled", 6, "19600101",
                   {"category": "physical", "grade": "2", "certificate_number": "C-6"})
    son = enter("jiayuan_canlian", "jiayuan", "disabled", 7, "19900101",
                {"category": "intellectual", "grade": "3", "certificate_number": "C-7"},
                head=id_number("19600101", 6))
    woman = enter("jiayuan_canlian", "jiayuan", "disabled", 8, "19700101",
                  {"category": "visual", "grade": "1", "certificate_number": "C-8"})
    for entry, fraction in ((father, 0.2), (father, 0.6), (son, 0.3), (woman, 0.4)):
        serve("jiayuan_canlian", entry, "rehabilitation", fraction)
    serve("jiayuan_canlian", woman, "assistive_device", 0.5)
    # the 退管员 does not see the 残联's register
    office.call("jiayuan_tuiguan", "GET", f"/welfare/register-entries/{father['id']}", expect=(404,))
    office.call("jiayuan_tuiguan", "GET", "/welfare/register-entries?register=disabled", expect=(403,))

    # 优抚: the 民政员's veteran, visited, placed and helped
    vet = enter("jiayuan_worker", "jiayuan", "veteran", 9, "19580101", {"category": "war_veteran"})
    for kind, money in (("condolence_visit", 50000), ("placement", 0), ("relief", 100000)):
        serve("jiayuan_worker", vet, kind, 0.5, money)

    # 阳春社区 (册关街道): one retiree and one disabled resident, one rehabilitation
    y1 = enter("yangchun_worker", "yangchun", "retiree", 10, "19480101", retired)
    serve("yangchun_worker", y1, "hospital_visit", 0.5)
    y2 = enter("yangchun_worker", "yangchun", "disabled", 11, "19800101",
               {"category": "hearing", "grade": "4", "certificate_number": "C-11"})
    serve("yangchun_worker", y2, "rehabilitation", 0.5)

    # 高龄津贴 for the 86-year-old of 家园: applied, reviewed, approved (the demo has no 公示), paid this month
    app = office.call("jiayuan_worker", "POST", "/welfare/applications", json={
        "org_unit_id": "jiayuan", "programme": "old_age_allowance", "channel": "window", "household": {
            "members": [{"name": "居民4", "id_number": id_number("19400101", 4), "relation": "applicant"}]}})
    assert app["eligibility"]["eligible"], app["eligibility"]
    office.call("jiayuan_worker", "POST", f"/welfare/applications/{app['id']}/community-review",
                json={"decision": "pass"})
    office.call("huangqi_officer", "POST", f"/welfare/applications/{app['id']}/approval")
    month = now.astimezone(CHINA).strftime("%Y-%m")
    office.call("huangqi_officer", "POST", "/welfare/disbursements", json={"org_unit_id": "huangqi", "period": month})

    # the 退管员's work this year, per worker ("走访2266次"), as the sub-district reads it
    counts = office.call("huangqi_officer", "GET", "/welfare/register-services/counts",
                         params={"org_unit": "jiayuan", **{"from": f"{year}-01-01", "to": f"{year}-12-31"}})
    workers = {w["worker_name"]: w for w in counts["per_worker"].values()}
    assert counts["services"] == 15 and workers["jiayuan_tuiguan"]["services"] == 7
    assert workers["jiayuan_tuiguan"]["by_kind"] == {"hospital_visit": 3, "home_visit": 2, "birthday_greeting": 1,
                                                     "holiday_greeting": 1}
    assert workers["jiayuan_canlian"]["by_kind"] == {"rehabilitation": 4, "assistive_device": 1}

    jiayuan = {
        "welfare.retirees": 2, "welfare.elderly": 2, "welfare.disabled": 3, "welfare.veterans": 1,
        "welfare.hospital_visits": 3, "welfare.elderly_home_visits": 2, "welfare.birthday_greetings": 1,
        "welfare.holiday_greetings": 1, "welfare.rehabilitation": 4, "welfare.rehabilitation_people": 3,
        "welfare.rehabilitation_households": 2, "welfare.assistive_devices": 1, "welfare.veteran_visits": 1,
        "welfare.veteran_placements": 1, "welfare.veteran_relief": 1, "welfare.register_services": 15,
        "welfare.register_money_fen": 20000 + 20000 + 10000 + 30000 + 50000 + 100000,
        # the 高龄津贴 through the one flow
        "welfare.applications": 1, "welfare.applications_approved": 1, "welfare.households": 1, "welfare.people": 1,
        "welfare.households.old_age_allowance": 1, "welfare.people.old_age_allowance": 1,
        "welfare.disbursed_fen": 10000, "welfare.disbursed_fen.old_age_allowance": 10000, "welfare.payments": 1}
    yangchun = {"welfare.retirees": 1, "welfare.disabled": 1, "welfare.hospital_visits": 1,
                "welfare.rehabilitation": 1, "welfare.rehabilitation_people": 1,
                "welfare.rehabilitation_households": 1, "welfare.register_services": 2}
    expected = {"jiayuan": jiayuan, "huangqi": jiayuan, "yangchun": yangchun, "ceguan": yangchun,
                "chuanying": {k: jiayuan.get(k, 0) + yangchun.get(k, 0) for k in {*jiayuan, *yangchun}}}
    period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}

    def overview(unit: str) -> dict:
        return office.call("district_admin", "GET", "/reports/overview", params={"org_unit": unit, **period})

    def differences() -> dict:
        out = {}
        for unit, want in expected.items():
            o = overview(unit)
            out.update({f"{unit} {k}": (want.get(k, 0), m["value"]) for k, m in o["metrics"].items()
                        if m["value"] != want.get(k, 0)})
            out.update({f"{unit} {k}": (v, "no metric") for k, v in want.items() if k not in o["metrics"]})
        return out

    last: dict = {}
    try:
        wait_for(lambda: not last.update(d=differences()) and not last["d"], 120, 1.0,
                 message="the overview of every unit to equal the year's actions")
    except AssertionError:
        raise AssertionError(f"the overview disagrees with the year's actions: {last.get('d')}") from None
    o = overview("jiayuan")
    assert o["metrics"]["welfare.disabled"]["label"] == "持证残疾人" and o["metrics"]["welfare.disabled"]["unit"] == "人"

    # the annual work report tells it in the offices' words (the district: both sub-districts)
    docx = office.call("district_admin", "GET", "/reports/annual.docx", params={"org_unit": "chuanying", "year": year})
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    for title in ("五、退管与为老服务", "六、残疾人工作", "八、优抚安置"):
        assert title in text, title
    assert "现有企业离退休人员3人,登记老年人2人;看望生病住院老人4人次,走访老人2人次,生日和节日慰问2人次。" in text
    assert "高龄津贴在保1户,发放100元。" in text
    assert "现有持证残疾人4人,为3个家庭的4名残疾人提供康复服务5人次,辅具适配1人次。" in text
    assert "现有优抚对象1人,走访慰问1人次,帮助安置1人次、救助1人次。" in text
