"""The figures of the rest of the offices' work (#20) — 党建 (volunteer), 就业 / 社保 and the registers of 退管 / 老龄,
残联, 优抚 (welfare), the one-stop service hall (petition) — their labels and how their events move them, by the
contracts' names; `metrics` adds them to its catalogue and rules. No I/O."""
from __future__ import annotations

from .figure_kinds import Breakdown, Metric, Rate
from .register_figures import register_service, register_stock

OFFICE_METRICS = [
    # 党建 (#20): the party registers the volunteer service keeps. Members and branches are stocks (在册: up when
    # registered / founded, down when a membership ends — 转出, 去世 — or a branch is dissolved). 在职党员报到 is a
    # count of reports in the period, not a stock: a member reports to their community once a year (the offices'
    # yearly 报到), so a year's figure is that year's reports and last year's members do not linger in it.
    Metric("volunteer.party_members", "党员总数", "名", stock=True),
    Metric("volunteer.party_branches", "党支部", "个", stock=True),
    Metric("volunteer.party_members_reported", "在职党员报到", "名"),
    Metric("volunteer.party_reported_minutes", "在职党员志愿服务时长", "分钟"),
    Metric("volunteer.party_notices_signed", "签订党员告知书", "份"),
    # 就业 / 社保 (#20): the 保障员's registers in welfare
    Metric("welfare.jobseekers", "登记失业人员", "人", stock=True),
    Metric("welfare.reemployment_certificates", "办理再就业优惠证", "人"),
    Metric("welfare.placements", "安置就业", "人"),
    Metric("welfare.placements_on_site", "现场安置", "人"),
    Metric("welfare.zero_employment_households", "零就业家庭", "户", stock=True),
    Metric("welfare.zero_employment_cleared", "零就业家庭清零", "户"),
    Metric("welfare.medical_insurance_enrolled", "城镇居民医保参保", "人"),
    # 便民服务: the one-stop service hall (一站式服务大厅, petition service, #20)
    Metric("petition.hall_matters", "受理办件", "件"),
    Metric("petition.hall_on_behalf", "全程代办", "件"),
    Metric("petition.hall_completed", "办结办件", "件"),
    Metric("petition.hall_completed_on_time", "按时办结办件", "件"),
    Metric("petition.hall_returned", "退件", "件"),
    Metric("petition.hall_overdue", "超期办件", "件"),
    Metric("petition.window_services", "窗口服务", "次"),
    # 退管 / 老龄, 残联, 优抚 (#20): the registers' stocks (在册, up on registered, down on ended) and the services
    # delivered to their people (welfare.register_service.delivered, by kind)
    Metric("welfare.retirees", "企业离退休人员", "人", stock=True),
    Metric("welfare.elderly", "登记老年人", "人", stock=True),
    Metric("welfare.disabled", "持证残疾人", "人", stock=True),
    Metric("welfare.veterans", "优抚对象", "人", stock=True),
    Metric("welfare.hospital_visits", "看望生病住院老人", "人次"),
    Metric("welfare.elderly_home_visits", "走访老人", "人次"),
    Metric("welfare.birthday_greetings", "生日慰问", "人次"),
    Metric("welfare.holiday_greetings", "节日慰问", "人次"),
    Metric("welfare.rehabilitation", "康复服务", "人次"),
    # distinct in a calendar year: the event says whether it is the person's / household's first rehabilitation
    # that year, so a year's sum is "为50个家庭的54名残疾人提供康复"; a month's figure counts only those first served
    # in that month
    Metric("welfare.rehabilitation_people", "接受康复服务残疾人(年内首次)", "人"),
    Metric("welfare.rehabilitation_households", "接受康复服务家庭(年内首次)", "户"),
    Metric("welfare.assistive_devices", "辅具适配", "人次"),
    Metric("welfare.veteran_visits", "优抚对象走访慰问", "人次"),
    Metric("welfare.veteran_placements", "优抚对象安置", "人次"),
    Metric("welfare.veteran_relief", "优抚对象救助", "人次"),
    Metric("welfare.register_services", "为老助残优抚服务合计", "人次"),
    Metric("welfare.register_money_fen", "为老助残优抚慰问金", "fen"),
]

OFFICE_BREAKDOWNS = [
    # the hall's offices (民政, 社保, 退管…): petition's catalogue names them (GET /petition/config hall_offices)
    Breakdown("petition.hall_matters", "hall_office", "受理办件", "件"),
    Breakdown("petition.window_services", "hall_office", "窗口服务", "次"),
]

OFFICE_RATES = [
    Rate("petition.hall_on_time_rate", "按时办结率", ("petition.hall_completed_on_time",), "petition.hall_completed"),
]


def _insurance_year(d) -> str:
    """城镇居民医保 is counted per insurance year (an enrolment in December for next year is next year's): the
    first day of the year enrolled for."""
    return f"{d['year']}-01-01"


# contract name -> (fields that date the fact, rule), as metrics.RULES
OFFICE_RULES = {
    # 党建 (#20)
    "volunteer.party.branch_founded": (("founded_on",), lambda d, _: {"volunteer.party_branches": 1}),
    "volunteer.party.branch_dissolved": (("dissolved_on",), lambda d, _: {"volunteer.party_branches": -1}),
    "volunteer.party.member_registered": (("registered_at",), lambda d, _: {"volunteer.party_members": 1}),
    "volunteer.party.member_ended": (("ended_on",), lambda d, _: {"volunteer.party_members": -1}),
    "volunteer.party.notice_signed": (("signed_on",), lambda d, _: {"volunteer.party_notices_signed": 1}),
    "volunteer.party.member_reported": (("reported_on",), lambda d, _: {"volunteer.party_members_reported": 1}),
    "volunteer.party.service_recorded": (("started_at",), lambda d, _: {
        "volunteer.party_reported_minutes": d["delta_minutes"]}),
    # 就业 / 社保 (#20): a registration is in the stock until placed or ended; a placement also counts as 安置
    "welfare.jobseeker.registered": (("registered_on",), lambda d, _: {"welfare.jobseekers": 1}),
    "welfare.jobseeker.placed": (("placed_on",), lambda d, _: {
        "welfare.jobseekers": -1, "welfare.placements": 1, "welfare.placements_on_site": int(bool(d["on_site"]))}),
    "welfare.jobseeker.ended": (("ended_on",), lambda d, _: {"welfare.jobseekers": -1}),
    "welfare.reemployment_certificate.issued": (("issued_on",), lambda d, _: {
        "welfare.reemployment_certificates": 1}),
    "welfare.zero_employment_household.identified": (("identified_on",), lambda d, _: {
        "welfare.zero_employment_households": 1}),
    "welfare.zero_employment_household.cleared": (("cleared_on",), lambda d, _: {
        "welfare.zero_employment_households": -1, "welfare.zero_employment_cleared": 1}),
    "welfare.medical_insurance.enrolled": ((_insurance_year,), lambda d, _: {
        "welfare.medical_insurance_enrolled": 1}),
    # 便民服务 (#20): a matter counts when accepted (受理), not while it waits for its materials
    "petition.hall_matter.accepted": (("accepted_at",), lambda d, _: {
        "petition.hall_matters": 1, f"petition.hall_matters.{d['office']}": 1,
        "petition.hall_on_behalf": int(bool(d["on_behalf"]))}),
    "petition.hall_matter.completed": (("completed_at",), lambda d, _: {
        "petition.hall_completed": 1, "petition.hall_completed_on_time": int(bool(d["on_time"]))}),
    "petition.hall_matter.returned": (("returned_at",), lambda d, _: {"petition.hall_returned": 1}),
    "petition.hall_matter.overdue": (("detected_at",), lambda d, _: {"petition.hall_overdue": 1}),
    "petition.window_service.logged": (("served_at",), lambda d, _: {
        "petition.window_services": 1, f"petition.window_services.{d['office']}": 1}),
    # 退管 / 老龄, 残联, 优抚 (#20)
    "welfare.register_entry.registered": (("registered_on",), lambda d, _: register_stock(d, +1)),
    "welfare.register_entry.ended": (("ended_on",), lambda d, _: register_stock(d, -1)),
    "welfare.register_service.delivered": (("delivered_at",), lambda d, _: register_service(d)),
}
