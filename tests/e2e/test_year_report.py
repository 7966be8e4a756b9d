"""One year of the offices' work played through the gateway's API across the four services and #20's areas, then
家园社区's annual work report (工作汇报) read back paragraph by paragraph: the test works out from what it played
what every sentence must say (counts, sums in 元, rates, the 基本情况 from the unit's profile, the written 典型案例
and 下一步打算, what each worker did) and fails on a paragraph it does not expect or one it misses; 黄旗街道's report
says the same figures rolled up. Then the sign-off of last month (community submits, sub-district approves, district
accepts), a late event dated into that month arriving through the bus: the filed figure stays, the adjustment
(签报后调整) shows in the overview and in the month's report (月报, with the month's own written sections), and the
district's unlock is in the audit trail. Both backend pairs; one platform start each.

The year: the demo's day of activity (deploy/local/demo_activity.py: petitions assigned, answered and closed, a
group petition, welfare applications approved and paid in one run over several programmes, the 爱心超市 and 爱心基金,
visits, volunteers, activities and hours, a team, incidents, patrols, mediations, migrants) and, on top, what the
demo does not play: a volunteer who leaves, a migrant who moves out, a household of the real-population register,
the registers (退管, 残联, 优抚), employment, the party, the hall, a pairing, and last year's team and retiree
(backdated: their stocks show in last year's column). The figures the prose compares with last year (接访, 在保,
发放, 志愿者, 服务时长, 事件) cannot be backdated through the API (their events are dated when they happen), so the
report must say no 比增 at all — a platform new this year says nothing rather than "比增100%"."""
from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from docx import Document

from liandong.clock import FileClock
from liandong.idnumbers import check_digit
from liandong.listing import day_of
from liandong.testing import demo_activity, wait_for

CHINA = timezone(timedelta(hours=8))
PASSWORD = "Liandong-demo-2026"


def id_number(born: str, serial: int) -> str:
    first = f"220204{born}{serial:03d}"
    return first + check_digit(first)


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def yuan(fen: float) -> str:
    value = fen / 100
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def pct(numerator: float, denominator: float) -> str:
    return f"{round(numerator / denominator, 4) * 100:.1f}%" if denominator else "—"


def compared(*figures: tuple[str, str, float, float]) -> str:
    """The prose's comparison with the same period a year earlier, for (name, unit, now, a year earlier) of each
    figure compared: those a year earlier has no figure for are left out."""
    parts = []
    for name, unit, now, before in figures:
        if not before:
            continue
        change = now - before
        amount = (yuan(abs(change)) if unit == "元" else f"{abs(change) / 60:,.1f}" if unit == "小时"
                  else str(int(abs(change))))
        share = abs(change) / before * 100
        share = f"{share:.0f}%" if share >= 1 else f"{share:.1f}%"
        parts.append(f"{name}与去年同期持平" if not change else
                     f"{name}{'增加' if change > 0 else '减少'}{amount}{unit}({'比增' if change > 0 else '比减'}{share})")
    return f"与去年同期相比,{'、'.join(parts)}。" if parts else ""


def mean(total: float, count: float) -> str:
    return f"{round(total / count, 4):.1f}" if count else "—"


# -- what the report must say, worked out from the played figures (f: figure -> value; names: welfare's programmes)

def expected_sections(f: Counter, names: dict[str, str], opening: str, community: bool,
                      before: Counter) -> dict[str, list[str]]:
    """`f`: the period's figures; `before`: the same period a year earlier."""
    programmes = sorted({k.rsplit(".", 1)[1] for k in f if k.startswith(("welfare.households.", "welfare.people.",
                                                                          "welfare.disbursed_fen."))})
    code = lambda key, c: f[f"{key}.{c}"]  # noqa: E731
    dibao = [c for c in names if "低保" in names[c]]
    active = [c for c in programmes if code("welfare.households", c) or code("welfare.people", c)
              or code("welfare.disbursed_fen", c)]
    paid = [c for c in sorted(names) if code("welfare.disbursed_fen", c)]
    party_hours = f["volunteer.party_reported_minutes"] / 60
    greetings = f["welfare.birthday_greetings"] + f["welfare.holiday_greetings"]
    hall_offices = {"zonghe": "综合"}  # the one office the year's matters went to, in petition's words
    still = f["welfare.zero_employment_households"]
    return {
        "一、信访工作": [
            f"{opening}共接访{f['petition.batches']}批次{f['petition.person_times']}人次,其中群体性上访"
            f"{f['petition.group_batches']}批次{f['petition.group_person_times']}人次。"
            + compared(("接访批次", "批次", f["petition.batches"], before["petition.batches"]),
                       ("接访人次", "人次", f["petition.person_times"], before["petition.person_times"])),
            f"已办结{f['petition.closed']}件,按期办结率{pct(f['petition.answered_on_time'], f['petition.answered'])},"
            f"群众满意率{pct(f['petition.satisfied'] + f['petition.basically_satisfied'], f['petition.closed'])},"
            f"本级化解率{pct(f['petition.resolved_at_level'], f['petition.closed'])};"
            f"超期{f['petition.overdue']}件,上报督办{f['petition.escalated']}件,预警{f['petition.risk_flagged']}件。"],
        "二、民政救助": [
            f"目前在保低保{sum(code('welfare.households', c) for c in dibao)}户"
            f"{sum(code('welfare.people', c) for c in dibao)}人,各类救助在保{f['welfare.households']}户"
            f"{f['welfare.people']}人。",
            f"合计发放{'、'.join(names[c] + yuan(code('welfare.disbursed_fen', c)) + '元' for c in paid)},"
            f"共计{yuan(f['welfare.disbursed_fen'])}元,共{f['welfare.payments']}笔;受理救助申请"
            f"{f['welfare.applications']}件,批准{f['welfare.applications_approved']}件。"
            + compared(("在保户数", "户", f["welfare.households"], before["welfare.households"]),
                       ("发放金额", "元", f["welfare.disbursed_fen"], before["welfare.disbursed_fen"])),
            "其中" + ";".join(f"{names[c]}在保{code('welfare.households', c)}户{code('welfare.people', c)}人、发放"
                            f"{yuan(code('welfare.disbursed_fen', c))}元" for c in active) + "。",
            f"爱心超市发放物资{f['welfare.goods_handed_out']}件,折价{yuan(f['welfare.goods_handed_out_fen'])}元;"
            f"爱心基金收入{yuan(f['welfare.fund_in_fen'])}元,支出{yuan(f['welfare.fund_out_fen'])}元;"
            f"走访慰问{f['welfare.visits']}次,发放慰问金{yuan(f['welfare.visit_money_fen'])}元。",
            f"爱心超市为{f['welfare.supermarket_households']}户困难家庭发放物资,爱心基金帮助{f['welfare.fund_people']}"
            f"名困难居民;{f['welfare.pairing_helpers']}名干部与{f['welfare.paired_households']}户困难家庭结对帮扶。"],
        "三、志愿服务": [
            f"注册志愿者{f['volunteer.volunteers']}名,组建了{f['volunteer.teams']}支志愿服务队,共开展了"
            f"{f['volunteer.activities']}次活动,参与{f['volunteer.participant_times']}人次,服务时长"
            f"{f['volunteer.minutes'] / 60:,.1f}小时,积累爱心币{f['volunteer.coins_credited']}枚,兑换"
            f"{f['volunteer.coins_redeemed']}枚。"
            + compared(("注册志愿者", "名", f["volunteer.volunteers"], before["volunteer.volunteers"]),
                       ("服务时长", "小时", f["volunteer.minutes"], before["volunteer.minutes"]))],
        "四、平安建设": [
            f"发生各类事件{f['security.incidents']}起,其中天然气泄漏、暴雨、停电等公共安全事件{f['security.emergencies']}起,"
            f"平均处置用时{mean(f['security.response_minutes'], f['security.incidents_resolved'])}分钟。"
            + compared(("各类事件", "起", f["security.incidents"], before["security.incidents"])),
            f"开展巡逻{f['security.patrols']}次,点位覆盖率"
            f"{pct(f['security.checkpoints_checked'], f['security.checkpoints_total'])};"
            f"登记流动人口{f['security.migrants']}人。",
            f"矛盾纠纷调解{f['security.mediations']}次,成功率"
            f"{pct(f['security.mediations_succeeded'], f['security.mediations'])}。",
            f"网格内实有人口{f['security.households']}户{f['security.residents']}人,其中户籍人口"
            f"{f['security.residents_registered']}人、流动人口{f['security.residents_floating']}人;"
            f"网格员走访{f['security.household_visits']}户次。"],
        "五、退管与为老服务": [
            f"现有企业离退休人员{f['welfare.retirees']}人,登记老年人{f['welfare.elderly']}人;看望生病住院老人"
            f"{f['welfare.hospital_visits']}人次,走访老人{f['welfare.elderly_home_visits']}人次,生日和节日慰问"
            f"{greetings}人次。"],
        "六、残疾人工作": [
            f"现有持证残疾人{f['welfare.disabled']}人,为{f['welfare.rehabilitation_households']}个家庭的"
            f"{f['welfare.rehabilitation_people']}名残疾人提供康复服务{f['welfare.rehabilitation']}人次,"
            f"辅具适配{f['welfare.assistive_devices']}人次。"],
        "七、就业和社会保障": [
            f"为{f['welfare.reemployment_certificates']}名下岗职工办理再就业优惠证,{f['welfare.placements']}名下岗失业"
            f"人员得到安置(其中现场安置{f['welfare.placements_on_site']}人),目前登记失业人员{f['welfare.jobseekers']}人。",
            f"零就业家庭{f['welfare.zero_employment_cleared']}户已动态清零,"
            f"{f'尚有{still}户在跟踪帮扶' if still else '零就业家庭保持动态为零'};"
            f"城镇居民医保参保{f['welfare.medical_insurance_enrolled']}人。"],
        "八、优抚安置": [
            f"现有优抚对象{f['welfare.veterans']}人,走访慰问{f['welfare.veteran_visits']}人次,帮助安置"
            f"{f['welfare.veteran_placements']}人次、救助{f['welfare.veteran_relief']}人次。"],
        "九、党建工作": [
            f"{'社区' if community else '辖区'}党员总数{f['volunteer.party_members']}名,下设{f['volunteer.party_branches']}"
            f"个党支部;{f['volunteer.party_members_reported']}名在职党员到社区报到,参与志愿服务{party_hours:,.1f}小时;"
            f"签订《党员告知书》{f['volunteer.party_notices_signed']}份。"],
        "十、便民服务": [
            f"一站式服务大厅受理各类事项{f['petition.hall_matters']}件,办结{f['petition.hall_completed']}件,按时办结率"
            f"{pct(f['petition.hall_completed_on_time'], f['petition.hall_completed'])},其中全程代办"
            f"{f['petition.hall_on_behalf']}件;窗口服务{f['petition.window_services']}次。",
            f"受理事项中{hall_offices['zonghe']}{f['petition.hall_matters.zonghe']}件;窗口服务中"
            f"民政{f['petition.window_services.minzheng']}次;退件{f['petition.hall_returned']}件,"
            f"超期{f['petition.hall_overdue']}件。"],
    }


def paragraphs(body: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(body)).paragraphs if p.text.strip()]


@pytest.mark.e2e
def play_last_year(o, year: int) -> Counter:
    """A little of last year in 家园社区, as of 10 June (the platform's clock is there): a petition assigned,
    answered and closed; a 临时救助 approved and paid; a volunteer registered who served two hours; an incident
    handled. Answers the figures it implies."""
    before = Counter()
    petition = o.post("jiayuan_worker", "/petition/petitions", {
        "org_unit_id": "jiayuan", "category": "property", "channel": "visit", "title": "楼道照明损坏",
        "content": "4号楼楼道照明损坏,夜间出行不便", "petitioners": [
            {"name": "吴淑华", "id_number": id_number("19560101", 950), "address": "家园社区4号楼"}]}, 201)
    o.post("jiayuan_worker", f"/petition/petitions/{petition['id']}/assign", {
        "unit_kind": "community", "unit_id": "jiayuan", "person": "社区主任 刘海燕", "deadline": f"{year - 1}-06-20",
        "task": "联系物业更换灯具", "requirement": "五个工作日内答复"}, 200)
    o.post("jiayuan_worker", f"/petition/petitions/{petition['id']}/start", {"mode": "on_site_check"}, 200)
    answered = o.post("jiayuan_worker", f"/petition/petitions/{petition['id']}/answer", {"text": "物业已更换灯具。"}, 200)
    o.post("jiayuan_worker", f"/petition/petitions/{petition['id']}/close", {"satisfaction": "satisfied", "note": "满意"},
           200)
    before.update({"petition.batches": 1, "petition.person_times": 1, "petition.answered": 1,
                   "petition.answered_on_time": int(bool(answered.get("answered_on_time", True))),
                   "petition.closed": 1, "petition.satisfied": 1, "petition.resolved_at_level": 1})

    application = o.post("jiayuan_worker", "/welfare/applications", {
        "org_unit_id": "jiayuan", "programme": "temporary_aid", "channel": "window", "household": {
            "address": "家园社区4号楼", "emergency_reason": "家中失火", "requested_amount_fen": 100000, "members": [
                {"name": "吴淑华", "id_number": id_number("19560101", 950), "relation": "applicant",
                 "monthly_income_fen": 50000, "employment": "retired"}]}}, 201)
    o.post("jiayuan_worker", f"/welfare/applications/{application['id']}/community-review",
           {"decision": "pass", "note": "入户核查属实"}, 200)
    o.post("huangqi_officer", f"/welfare/applications/{application['id']}/approval", {}, 200)
    paid = o.post("jiayuan_worker", "/welfare/disbursements", {"org_unit_id": "jiayuan", "period": f"{year - 1}-06"},
                  (200, 201))
    assert paid["payments"] == 1 and paid["total_fen"] > 0, paid
    before.update({"welfare.applications": 1, "welfare.applications_approved": 1, "welfare.payments": 1,
                   "welfare.disbursed_fen": paid["total_fen"], "welfare.disbursed_fen.temporary_aid": paid["total_fen"]})

    volunteer = o.post("jiayuan_worker", "/volunteer/volunteers", {
        "name": "钱友谊", "kind": "resident", "org_unit_id": "jiayuan", "skills": ["敬老"], "consent": True}, 201)
    starts = datetime(year - 1, 6, 10, 8, tzinfo=CHINA)
    activity = o.post("jiayuan_worker", "/volunteer/activities", {
        "title": "敬老院慰问", "type": "elderly_care", "org_unit_id": "jiayuan", "place": "家园社区敬老院",
        "starts_at": iso(starts), "ends_at": iso(starts + timedelta(hours=2)), "capacity": 5, "publish": True}, 201)
    o.post("jiayuan_worker", f"/volunteer/activities/{activity['id']}/signups", {"volunteer_id": volunteer["id"]}, 201)
    o.post("jiayuan_worker", f"/volunteer/activities/{activity['id']}/check-in",
           {"volunteer_id": volunteer["id"], "at": iso(starts)}, (200, 201))
    o.post("jiayuan_worker", f"/volunteer/activities/{activity['id']}/check-out",
           {"volunteer_id": volunteer["id"], "at": iso(starts + timedelta(minutes=120))}, (200, 201))
    before.update({"volunteer.volunteers": 1, "volunteer.activities": 1, "volunteer.participant_times": 1,
                   "volunteer.minutes": 120, "volunteer.coins_credited": 120 * activity["coins_per_hour"] // 60})

    incident = o.post("jiayuan_police", "/security/incidents", {
        "org_unit_id": "jiayuan", "type": "hazard", "severity": "low", "building": "4号楼",
        "description": "4号楼楼道堆放杂物"}, 201)
    o.post("jiayuan_police", f"/security/incidents/{incident['id']}/dispatch", {"assignee": "社区民警"}, 200)
    resolved = o.post("jiayuan_police", f"/security/incidents/{incident['id']}/resolve", {"resolution": "已清理"}, 200)
    before.update({"security.incidents": 1, "security.incidents.hazard": 1, "security.incidents_resolved": 1,
                   "security.response_minutes": round(resolved["response_minutes"] or 0, 1)})
    return before


@pytest.mark.e2e
def test_a_year_played_through_the_api_is_what_the_annual_report_says_sentence_by_sentence(platform, office,
                                                                                            monkeypatch, tmp_path):
    monkeypatch.setenv("LIANDONG_DEMO_ACTIVITY", "0")  # the test plays the demo's day itself, and counts
    now = datetime.now(timezone.utc)
    today = day_of(iso(now))  # the offices' day (China's), not UTC's
    year = today.year
    month_end = today.replace(day=1) - timedelta(days=1)  # last month, which the offices file below
    last_month = f"{month_end:%Y-%m}"
    in_last_month = datetime(month_end.year, month_end.month, 10, 10, tzinfo=CHINA)
    this_year_day = lambda md: min(f"{year}-{md}", today.isoformat())  # noqa: E731
    # every day of this month a holiday for the gateway's schedule: last month's report is not due yet, so the
    # schedule does not keep it before the month is filed (the test makes it, once filed)
    days = [today.replace(day=1) + timedelta(days=n) for n in range(31)]
    monkeypatch.setenv("LIANDONG_HOLIDAYS", ",".join(d.isoformat() for d in days if d.month == today.month))
    # the platform starts on 10 June last year (every process reads the moved clock), plays a little, then moves on
    clock = tmp_path / "clock"
    FileClock.move(clock, (datetime(year - 1, 6, 10, 10, tzinfo=CHINA) - now).total_seconds())
    settings = platform.start(clock_file=str(clock))
    base = f"http://127.0.0.1:{settings.ports['gateway']}"
    o = office(base)
    last_year = f"{year - 1}-06-01"
    before = play_last_year(o, year)
    FileClock.move(clock, 0)
    o.tokens.clear()  # last June's tokens have expired

    # -- the demo's day across the four services, in three communities of two sub-districts
    played = demo_activity().play(base, seed=2126)
    assert not played["notes"], played["notes"]
    jiayuan = Counter(played["communities"]["jiayuan"])
    huangqi = Counter(played["subdistricts"]["huangqi"])
    # what this test plays in 家园社区 on top (黄旗街道's figures gain it too): last June's volunteer is still registered
    extra = Counter({"volunteer.volunteers": 1})

    for username, name, duties in (("jiayuan_tuiguan", "家园社区退管员", ["retiree_affairs", "disability_affairs"]),
                                   ("jiayuan_party_office", "家园社区党建专干", ["party_affairs"])):
        o.post("district_admin", "/users", {"username": username, "name": name, "password": PASSWORD,
                                            "grants": [{"role": "community_worker", "org_unit": "jiayuan",
                                                        "duties": duties}]}, 201)

    # 志愿者: 孙桂英 leaves (在册 goes down); a team formed last year and one pairing (one cadre, one household)
    sun = next(v for v in o.get("jiayuan_worker", "/volunteer/volunteers", org_unit="jiayuan", page_size=100)["items"]
               if v["name"].startswith("孙"))
    o.post("jiayuan_worker", f"/volunteer/volunteers/{sun['id']}/status", {"status": "left"}, 200)
    o.post("jiayuan_worker", "/volunteer/teams", {"name": "家园社区助老志愿服务队", "type": "elderly_care",
                                                  "org_unit_id": "jiayuan", "formed_on": last_year}, 201)
    o.post("jiayuan_worker", "/welfare/pairings", {
        "org_unit_id": "jiayuan", "helper_id": "cadre-jy-1", "helper_name": "干部", "helper_kind": "cadre",
        "household": "幸福路7号 王家", "plan": "每月走访一次", "started_on": this_year_day("02-01")}, 201)
    extra.update({"volunteer.volunteers": -1, "volunteer.teams": 1, "welfare.pairing_helpers": 1,
                  "welfare.paired_households": 1})

    # 流动人口: two registered, one found gone at the check (迁出)
    gone = None
    for n, name in enumerate(("陈大勇", "刘小芳")):
        made = o.post("jiayuan_police", "/security/migrants", {
            "org_unit_id": "jiayuan", "name": name, "id_number": id_number("19900101", 400 + n),
            "origin": "四川省三台县", "address": f"家园社区{n + 5}号楼出租屋"}, 201)
        gone = gone or made["id"]
    o.post("jiayuan_police", f"/security/migrants/{gone}/verify", {"result": "moved_out", "note": "已搬离"}, 200)
    extra.update({"security.migrants": 1})

    # 实有人口: a household of three (two 户籍, a 流动 tenant), the tenant moves out; a grid visit
    household = o.post("jiayuan_grid", "/security/households", {
        "org_unit_id": "jiayuan-g1", "building": "9号楼", "unit": "1单元", "room": "101"}, 201)
    for n, (relationship, residence) in enumerate((("head", "registered"), ("spouse", "registered"),
                                                   ("other", "floating"))):
        household = o.post("jiayuan_grid", f"/security/households/{household['id']}/residents", {
            "name": f"住户{n}", "id_number": id_number("19700101", 500 + n), "relationship": relationship,
            "residence": residence}, 201)
    tenant = next(r for r in household["members"] if r["residence"] == "floating")
    o.post("jiayuan_grid", f"/security/households/{household['id']}/residents/{tenant['id']}/move-out", {}, 200)
    o.post("jiayuan_grid", f"/security/households/{household['id']}/visits", {"findings": "家中一切正常"}, 201)
    extra.update({"security.households": 1, "security.residents": 2, "security.residents_registered": 2,
                  "security.household_visits": 1})

    # 退管 / 残联 / 优抚 (#20): a retiree of last year's register, an elderly resident, a disabled one, a veteran
    def enter(user, register, serial, born, details, registered_on=None):
        return o.post(user, "/welfare/register-entries", {
            "register": register, "org_unit_id": "jiayuan", "details": details,
            "person": {"name": f"居民{serial}", "id_number": id_number(born, serial), "address": f"家园社区{serial}号"},
            **({"registered_on": registered_on} if registered_on else {})}, 201)

    def serve(user, entry, kind, at: datetime, money_fen=0):
        return o.post(user, f"/welfare/register-entries/{entry['id']}/services",
                      {"kind": kind, "delivered_at": iso(at), "money_fen": money_fen}, 201)

    retiree = enter("jiayuan_tuiguan", "retiree", 601, "19500301", {"employer": "吉林化纤厂", "retired_on": "2005-06-30"},
                    registered_on=last_year)
    elderly = enter("jiayuan_tuiguan", "elderly", 602, "19400101", {"living_alone": True})
    disabled = enter("jiayuan_tuiguan", "disabled", 603, "19700101",
                     {"category": "visual", "grade": "1", "certificate_number": "C-603"})
    veteran = enter("jiayuan_worker", "veteran", 604, "19580101", {"category": "war_veteran"})
    earlier = now - timedelta(hours=2)
    serve("jiayuan_tuiguan", retiree, "hospital_visit", in_last_month, 20000)  # last month: the month filed below
    serve("jiayuan_tuiguan", elderly, "home_visit", earlier)
    serve("jiayuan_tuiguan", disabled, "rehabilitation", earlier)
    serve("jiayuan_worker", veteran, "relief", earlier, 100000)
    in_year = int(month_end.year == year)  # in January, last month is last year's December
    extra.update({"welfare.retirees": 1, "welfare.elderly": 1, "welfare.disabled": 1, "welfare.veterans": 1,
                  "welfare.hospital_visits": in_year, "welfare.elderly_home_visits": 1, "welfare.rehabilitation": 1,
                  "welfare.rehabilitation_people": 1, "welfare.rehabilitation_households": 1,
                  "welfare.veteran_relief": 1, "welfare.register_services": 3 + in_year,
                  "welfare.register_money_fen": 100000 + 20000 * in_year})

    # 就业 / 社保 (#20): two jobseekers, one with a 再就业优惠证, the other placed on site; a zero-employment
    # household followed; one enrolled in 城镇居民医保
    E = "/welfare/employment"
    seekers = [o.post("jiayuan_security", f"{E}/jobseekers", {
        "org_unit_id": "jiayuan", "name": name, "id_number": id_number(born, serial), "household_key": key,
        "category": "laid_off", "registered_on": this_year_day("03-02")}, 201)
        for name, born, serial, key in (("王秀兰", "19800505", 701, "H-0901"), ("赵建国", "19720101", 702, "H-0902"))]
    o.post("jiayuan_security", f"{E}/jobseekers/{seekers[0]['id']}/certificate",
           {"number": f"吉再{year}-0901", "issued_on": this_year_day("03-10")}, (200, 201))
    o.post("jiayuan_security", f"{E}/zero-employment-households", {
        "org_unit_id": "jiayuan", "household_key": "H-0901", "identified_on": this_year_day("03-05"),
        "members": [{"name": "王秀兰", "id_number": id_number("19800505", 701), "status": "laid_off"}]}, 201)
    o.post("jiayuan_security", f"{E}/jobseekers/{seekers[1]['id']}/placement", {
        "kind": "enterprise", "employer": "吉林市某物业公司", "on_site": True, "placed_on": this_year_day("05-20")},
        (200, 201))
    o.post("jiayuan_security", f"{E}/medical-insurance-enrolments", {
        "org_unit_id": "jiayuan", "name": "王秀兰", "id_number": id_number("19800505", 701), "year": year}, 201)
    extra.update({"welfare.jobseekers": 1, "welfare.reemployment_certificates": 1, "welfare.placements": 1,
                  "welfare.placements_on_site": 1, "welfare.zero_employment_households": 1,
                  "welfare.medical_insurance_enrolled": 1})

    # 党建 (#20): a branch founded years ago, two members (one signs the 告知书), one 在职党员 reports
    branch = o.post("jiayuan_party_office", "/volunteer/party/branches", {
        "name": "家园社区第一党支部", "org_unit_id": "jiayuan", "secretary": "王秀兰", "founded_on": "2014-07-01"}, 201)
    members = [o.post("jiayuan_party_office", "/volunteer/party/members", {
        "branch_id": branch["id"], "name": f"党员{n}", "id_number": id_number("19800412", 800 + n),
        "mobile": "13900001234", "kind": "full", "joined_on": "1998-07-01"}, 201)["id"] for n in range(2)]
    o.post("jiayuan_party_office", f"/volunteer/party/members/{members[0]}/notice", {"signed_on": today.isoformat()},
           200)
    o.post("jiayuan_party_office", "/volunteer/party/reports", {
        "org_unit_id": "jiayuan", "name": "在职党员甲", "id_number": id_number("19850412", 850),
        "workplace": "市供电公司党委", "reported_on": today.isoformat(), "consent": True}, 201)
    extra.update({"volunteer.party_branches": 1, "volunteer.party_members": 2, "volunteer.party_notices_signed": 1,
                  "volunteer.party_members_reported": 1, "volunteer.volunteers": 1})  # reporting makes a volunteer

    # 便民服务 (#20): a 居住证明 accepted and completed the same day; two window services of the 民政员
    matter = o.post("jiayuan_worker", "/petition/hall/matters", {
        "org_unit_id": "jiayuan", "item": "residence_certificate", "materials": ["身份证", "户口簿"], "on_behalf": False,
        "resident": {"name": "居民901", "id_number": id_number("19480312", 901), "mobile": "13904320000"}}, 201)
    o.post("jiayuan_worker", f"/petition/hall/matters/{matter['id']}/complete", {}, 200)
    for kind in ("consultation", "form_filling"):
        o.post("jiayuan_worker", "/petition/hall/window-services",
               {"org_unit_id": "jiayuan", "office": "minzheng", "kind": kind}, 201)
    extra.update({"petition.hall_matters": 1, "petition.hall_matters.zonghe": 1, "petition.hall_completed": 1,
                  "petition.hall_completed_on_time": 1, "petition.window_services": 2,
                  "petition.window_services.minzheng": 2})

    # the unit's profile (基本情况) and its written sections (典型案例, 下一步打算)
    o.post("district_admin", "/org/units/jiayuan/profiles", {
        "as_of": f"{year}-01-01", "population": 6500, "households": 2300, "area_km2": 0.8, "grids": 6}, (200, 201))
    o.post("district_admin", "/org/units/yangchun/profiles", {
        "as_of": f"{year}-01-01", "population": 5000, "households": 1800, "area_km2": 1.25, "grids": 5}, (200, 201))
    narrative = {"cases": "独居老人王某突发疾病,网格员及时发现并送医。\n楼道堆物清理,化解邻里纠纷3起。",
                 "plans": "一是完善网格化管理;二是加强志愿服务队伍建设。"}
    o.call("jiayuan_worker", "PUT", f"/reports/narratives/jiayuan/{year}", json=narrative)

    jiayuan.update(extra)
    huangqi.update(extra)
    period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}

    def overview(unit: str, **dates) -> dict:
        return o.get("district_admin", "/reports/overview", org_unit=unit, **(dates or period))

    def differences(unit: str, want: Counter) -> dict:
        got = overview(unit)["metrics"]
        return {k: (want.get(k, 0), m["value"]) for k, m in got.items() if m["value"] != want.get(k, 0)}

    last: dict = {}
    try:
        wait_for(lambda: not last.update(jiayuan=differences("jiayuan", jiayuan), huangqi=differences("huangqi", huangqi))
                 and not (last["jiayuan"] or last["huangqi"]), 180, 1.0, message="the year's figures")
    except AssertionError:
        raise AssertionError(f"the overview disagrees with the year played: {last}") from None
    # last year: what was played in June, and the stocks backdated (the team, the retiree, the branch of 2014)
    before.update({"volunteer.teams": 1, "welfare.retirees": 1, "volunteer.party_branches": 1})
    if not in_year:  # last month's hospital visit was last year's
        before.update({"welfare.hospital_visits": 1, "welfare.register_services": 1, "welfare.register_money_fen": 20000})
    for unit in ("jiayuan", "huangqi"):
        previous = {k: round(m["previous_year"], 1) for k, m in overview(unit)["metrics"].items()
                    if m.get("previous_year")}
        assert previous == {k: round(v, 1) for k, v in before.items() if v}, unit

    names = {p["code"]: p["name"] for p in o.get("jiayuan_worker", "/welfare/programmes", page_size=100)["items"]}
    tree = {u["id"]: u for u in o.get("district_admin", "/org/tree")["units"]}

    def report(unit: str, user: str) -> list[str]:
        return paragraphs(o.get(user, "/reports/annual.docx", org_unit=unit, year=year))

    # -- 家园社区's report, every paragraph
    community = report("jiayuan", "jiayuan_worker")
    want = [f"家园社区{year}年工作汇报", f"统计期间:{year}-01-01至{year}-12-31。以下数字均来自联动平台实时数据。",
            "家园社区辖区面积0.8平方公里,共有居民2300户6500人,划分为6个网格。"]
    sections = expected_sections(jiayuan, names, "今年以来", community=True, before=before)
    for title, lines in sections.items():
        want += [title, *lines]
    # who did what (seed 003): the 民政员's window services and visits, the 退管员's and her own register services
    demo_visits = 2  # the demo's two 走访慰问 by 家园's 民政员
    want += ["十一、典型案例", *narrative["cases"].split("\n"), "十二、下一步打算", narrative["plans"],
             "十三、工作人员",
             f"家园社区民政员（演示）提供窗口服务2次,走访{demo_visits}次,为老助残优抚服务1次;"
             f"家园社区退管员为老助残优抚服务{2 + in_year}次。",
             "十四、主要指标"]
    if any(u.get("parent_id") == "jiayuan" for u in tree.values()):
        want.append("十五、下属单位情况")
    n = "十六" if want[-1] == "十五、下属单位情况" else "十五"
    want += [f"{n}、月度走势", f"图1 {year}年每月接访人次(横轴为月份)", f"图2 {year}年每月参与人次(横轴为月份)"]
    assert community == want, {"unexpected": [p for p in community if p not in want],
                               "missing": [p for p in want if p not in community]}
    assert sum("与去年同期相比" in p for p in community) == 4  # 一 to 四 compare, as the seeds do

    # -- 黄旗街道 rolls 家园社区 up: the same sections with the sub-district's sums, its 基本情况 summed from 家园's
    subdistrict = report("huangqi", "huangqi_officer")
    for title, lines in expected_sections(huangqi, names, "今年以来", community=False, before=before).items():
        at = subdistrict.index(title)
        assert subdistrict[at + 1:at + 1 + len(lines)] == lines, title
    assert "黄旗街道下辖1个社区,辖区面积0.8平方公里,共有居民2300户6500人,划分为6个网格。" in subdistrict
    assert "十一、典型案例" not in subdistrict and not any("工作人员" == p[3:] for p in subdistrict)

    # 册关街道 (five communities, two played by the demo, one with a profile): its sums, and whose 基本情况 it gives
    ceguan = report("ceguan", "district_admin")
    for title, lines in list(expected_sections(Counter(played["subdistricts"]["ceguan"]), names, "今年以来",
                                               community=False, before=Counter()).items())[:4]:
        at = ceguan.index(title)
        assert ceguan[at + 1:at + 1 + len(lines)] == lines, title
    assert "册关街道下辖5个社区,其中已报基本情况的1个社区辖区面积1.25平方公里,共有居民1800户5000人,划分为5个网格。" in ceguan

    # -- sign-off of last month: 家园 submits, 黄旗 approves, the district accepts
    for user, action in (("jiayuan_worker", "submit"), ("huangqi_officer", "approve"), ("district_admin", "accept")):
        o.post(user, f"/reports/approvals/jiayuan/{last_month}/{action}", {}, 200)
    month = {"from": f"{last_month}-01", "to": month_end.isoformat()}
    filed = o.get("district_admin", f"/reports/approvals/jiayuan/{last_month}")
    assert filed["state"] == "accepted" and filed["filed"]["welfare.hospital_visits"] == 1

    # a late fact of last month comes in through the bus: another hospital visit, delivered on the 10th
    serve("jiayuan_tuiguan", retiree, "hospital_visit", in_last_month + timedelta(hours=1))
    wait_for(lambda: overview("jiayuan", **month)["metrics"]["welfare.hospital_visits"].get("adjustment") == 1, 120,
             message="the late visit as an adjustment of the filed month")
    visits = overview("jiayuan", **month)["metrics"]["welfare.hospital_visits"]
    assert (visits["value"], visits["filed"], visits["adjustment"], visits["current"]) == (1, 1, 1, 2)
    rolled = overview("huangqi", **month)["metrics"]["welfare.hospital_visits"]
    assert (rolled["value"], rolled["adjustment"]) == (1, 1)

    # the month's report (月报) says the filed figure, the adjustment apart, and the month's own written sections
    month_cases = {"cases": f"{month_end.month}月10日,退管员看望住院老人。", "plans": "下月开展敬老走访。"}
    o.call("jiayuan_worker", "PUT", f"/reports/narratives/jiayuan/{month_end.year}/{month_end.month}", json=month_cases)
    made = o.post("jiayuan_worker", "/reports/monthly-reports", {"period": last_month, "org_unit_id": "jiayuan"}, 200)
    docx = next(i for i in made["items"] if i["format"] == "docx" and i["org_unit_id"] == "jiayuan")
    monthly = paragraphs(o.get("jiayuan_worker", f"/reports/monthly-reports/{docx['id']}/download"))
    assert "本期数据已签报:文中数字为签报数;签报后新报的数据不改动签报数,另列为签报后调整。" in monthly
    assert "看望生病住院老人:签报1人次,签报后调整+1人次,现为2人次。" in monthly
    assert month_cases["cases"] in monthly and month_cases["plans"] in monthly
    assert narrative["plans"] not in monthly  # the year's sections are the annual report's

    # the district unlocks it (the accepter's level), with its reason, in the audit trail; live figures again
    o.post("huangqi_officer", f"/reports/approvals/jiayuan/{last_month}/unlock", {"reason": "补录"}, 403)
    o.post("district_admin", f"/reports/approvals/jiayuan/{last_month}/unlock", {"reason": "补录迟报的走访"}, 200)
    trail = o.get("district_admin", "/audit", action="unlock")["items"]
    assert any(e["report"]["org_unit_id"] == "jiayuan" and e["report"]["period"] == last_month
               and e["report"]["reason"] == "补录迟报的走访" and e["user_id"] for e in trail if "report" in e)
    visits = overview("jiayuan", **month)["metrics"]["welfare.hospital_visits"]
    assert visits["value"] == 2 and "adjustment" not in visits
