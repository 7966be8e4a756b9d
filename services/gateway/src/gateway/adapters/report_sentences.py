"""The annual report's sentences in the offices' own words (工作汇报): one section per area, numbered as the
offices number them, opened by words that fit the period ("今年以来", "2025年全年", "2026年3月"). No I/O."""
from __future__ import annotations

from datetime import date

from liandong.clock import LOCAL_TZ, from_iso

from ..domain.sign_off import Period


def yuan(fen: float) -> str:
    value = fen / 100
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def pct(rate: dict) -> str:
    return "—" if rate["value"] is None else f"{rate['value'] * 100:.1f}%"


def _v(overview: dict, key: str):
    return overview["metrics"].get(key, {}).get("value", 0)


def programmes(o: dict) -> list[dict]:
    """Per welfare programme (its code and welfare's name for it), households and people covered and money
    paid: every programme the figures hold or welfare lists, a new one as soon as welfare configures it."""
    codes = [m["code"] for m in o["metrics"].values() if m.get("of") in ("welfare.households", "welfare.disbursed_fen")]
    out = []
    for code in dict.fromkeys(codes):
        name = next(m["name"] for m in o["metrics"].values() if m.get("code") == code and m["of"].startswith("welfare."))
        out.append({"code": code, "name": name, "households": _v(o, f"welfare.households.{code}"),
                    "people": _v(o, f"welfare.people.{code}"), "disbursed_fen": _v(o, f"welfare.disbursed_fen.{code}")})
    return out


def _programme_lines(o: dict) -> list[str]:
    active = [p for p in programmes(o) if p["households"] or p["people"] or p["disbursed_fen"]]
    if not active:
        return []
    return ["其中" + ";".join(f"{p['name']}在保{p['households']}户{p['people']}人、发放{yuan(p['disbursed_fen'])}元"
                            for p in active) + "。"]


def _paid(o: dict) -> str:
    """The seed's disbursement sentence ("合计发放低保金、重残金、应急、零补…共计471906元"): each programme paid in
    the period with its amount, then the sum; a sum no programme names (none configured) stands alone."""
    paid = [f"{p['name']}{yuan(p['disbursed_fen'])}元" for p in programmes(o) if p["disbursed_fen"]]
    total = yuan(_v(o, "welfare.disbursed_fen"))
    return f"合计发放{'、'.join(paid)},共计{total}元" if paid else f"合计发放救助金{total}元"


# the figures the seeds compare with the year before ("比增12%"): the name the sentence gives each, its unit
_COMPARED = {
    "petition.batches": ("接访批次", "批次"), "petition.person_times": ("接访人次", "人次"),
    "welfare.households": ("在保户数", "户"), "welfare.disbursed_fen": ("发放金额", "元"),
    "volunteer.volunteers": ("注册志愿者", "名"), "volunteer.minutes": ("服务时长", "小时"),
    "security.incidents": ("各类事件", "起"),
}


def _amount(key: str, value: float) -> str:
    if key == "welfare.disbursed_fen":
        return yuan(value)
    if key == "volunteer.minutes":
        return f"{value / 60:,.1f}"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def compared(o: dict, *keys: str) -> str:
    """"与去年同期相比,接访批次增加2批次(比增20%)、…。" for each of `keys` the year before has a figure for;
    nothing when it has none (a platform new this year says nothing rather than "比增100%")."""
    parts = []
    for key in keys:
        m = o["metrics"].get(key, {})
        before, now = m.get("previous_year"), m.get("value", 0)
        if not before:
            continue
        name, unit = _COMPARED[key]
        change = now - before
        if not change:
            parts.append(f"{name}与去年同期持平")
            continue
        share = abs(change) / before * 100
        share_text = f"{share:.0f}%" if share >= 1 else f"{share:.1f}%"
        word, short = ("增加", "比增") if change > 0 else ("减少", "比减")
        parts.append(f"{name}{word}{_amount(key, abs(change))}{unit}({short}{share_text})")
    return f"与去年同期相比,{'、'.join(parts)}。" if parts else ""


def since(o: dict) -> str:
    """The opening words of a period's sentences: "今年以来" for the year under way, "2025年全年" for a past
    year, "2026年3月" for a month, else the dates."""
    if not o.get("period"):  # an overview put together by hand (a test, a preview): the year under way
        return "今年以来"
    start, end = (date.fromisoformat(o["period"][k]) for k in ("from", "to"))
    current = from_iso(o["generated_at"]).astimezone(LOCAL_TZ).year if o.get("generated_at") else None
    if (start.month, start.day) == (1, 1) and start.year == end.year == current:
        return "今年以来"
    period = Period.covering(start, end)
    if period is not None:
        return f"{start.year}年全年" if period.is_year else f"{start.year}年{start.month}月"
    return f"{_cn_date(start)}至{_cn_date(end)}"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def sentences(o: dict) -> dict[str, list[str]]:
    r = o["rates"]
    hours = _v(o, "volunteer.minutes") / 60
    # 低保 (urban and rural): the programmes welfare names so, whatever their codes
    dibao = [p for p in programmes(o) if "低保" in p["name"]]
    dibao_h, dibao_p = sum(p["households"] for p in dibao), sum(p["people"] for p in dibao)
    sections = {
        "一、信访工作": [
            f"{since(o)}共接访{_v(o, 'petition.batches')}批次{_v(o, 'petition.person_times')}人次,"
            f"其中群体性上访{_v(o, 'petition.group_batches')}批次{_v(o, 'petition.group_person_times')}人次。"
            + compared(o, "petition.batches", "petition.person_times"),
            f"已办结{_v(o, 'petition.closed')}件,按期办结率{pct(r['petition.on_time_rate'])},"
            f"群众满意率{pct(r['petition.satisfaction_rate'])},本级化解率{pct(r['petition.resolved_at_level_rate'])};"
            # the overdue and the escalated (上报或督办) as the figures count them: the platform cannot say that every
            # overdue case was 督办'd ("均已督办" claimed it whatever the figures)
            f"超期{_v(o, 'petition.overdue')}件,上报督办{_v(o, 'petition.escalated')}件,"
            f"预警{_v(o, 'petition.risk_flagged')}件。",
        ],
        "二、民政救助": [
            f"目前在保低保{dibao_h}户{dibao_p}人,各类救助在保{_v(o, 'welfare.households')}户{_v(o, 'welfare.people')}人。",
            f"{_paid(o)},共{_v(o, 'welfare.payments')}笔;"
            f"受理救助申请{_v(o, 'welfare.applications')}件,批准{_v(o, 'welfare.applications_approved')}件。"
            + compared(o, "welfare.households", "welfare.disbursed_fen"),
            *_programme_lines(o),
            f"爱心超市发放物资{_v(o, 'welfare.goods_handed_out')}件,折价{yuan(_v(o, 'welfare.goods_handed_out_fen'))}元;"
            f"爱心基金收入{yuan(_v(o, 'welfare.fund_in_fen'))}元,支出{yuan(_v(o, 'welfare.fund_out_fen'))}元;"
            f"走访慰问{_v(o, 'welfare.visits')}次,发放慰问金{yuan(_v(o, 'welfare.visit_money_fen'))}元。",
        ],
        "三、志愿服务": [
            f"注册志愿者{_v(o, 'volunteer.volunteers')}名,组建了{_v(o, 'volunteer.teams')}支志愿服务队,"
            f"共开展了{_v(o, 'volunteer.activities')}次活动,"
            f"参与{_v(o, 'volunteer.participant_times')}人次,服务时长{hours:,.1f}小时,"
            f"积累爱心币{_v(o, 'volunteer.coins_credited')}枚,兑换{_v(o, 'volunteer.coins_redeemed')}枚。"
            + compared(o, "volunteer.volunteers", "volunteer.minutes"),
        ],
        "四、平安建设": [
            f"发生各类事件{_v(o, 'security.incidents')}起,其中天然气泄漏、暴雨、停电等公共安全事件"
            f"{_v(o, 'security.emergencies')}起,平均处置用时{_mean(r['security.mean_response_minutes'])}分钟。"
            + compared(o, "security.incidents"),
            f"开展巡逻{_v(o, 'security.patrols')}次,点位覆盖率{pct(r['security.checkpoint_coverage'])};"
            f"登记流动人口{_v(o, 'security.migrants')}人。",
            f"矛盾纠纷调解{_v(o, 'security.mediations')}次,成功率{pct(r['security.mediation_success_rate'])}。",
            f"网格内实有人口{_v(o, 'security.households')}户{_v(o, 'security.residents')}人,其中户籍人口"
            f"{_v(o, 'security.residents_registered')}人、流动人口{_v(o, 'security.residents_floating')}人;"
            f"网格员走访{_v(o, 'security.household_visits')}户次。",
        ],
        "七、就业和社会保障": _employment_lines(o),  # 就业 / 社保 (#20)
        "九、党建工作": [
            f"{_where(o)}党员总数{_v(o, 'volunteer.party_members')}名,下设{_v(o, 'volunteer.party_branches')}个党支部;"
            f"{_v(o, 'volunteer.party_members_reported')}名在职党员到社区报到,参与志愿服务"
            f"{_v(o, 'volunteer.party_reported_minutes') / 60:,.1f}小时;"
            f"签订《党员告知书》{_v(o, 'volunteer.party_notices_signed')}份。",
        ],
        "十、便民服务": _hall_lines(o),
        **_register_sections(o),  # 五、六、八 (#20)
    }
    sections["二、民政救助"] += _helped_lines(o)  # #21
    # each area's section keeps its number wherever its code sits (一 … 十): the report reads in that order
    return dict(sorted(sections.items(), key=lambda kv: section_number(kv[0])))


def _helped_lines(o: dict) -> list[str]:
    """The households and people helped, each once however often ("爱心超市为66户困难家庭发放物资", "爱心基金…帮助65名
    困难居民"), and the pairings in force at the period's end ("108名干部…与127户困难家庭结对帮扶")."""
    return [f"爱心超市为{_v(o, 'welfare.supermarket_households')}户困难家庭发放物资,"
            f"爱心基金帮助{_v(o, 'welfare.fund_people')}名困难居民;"
            f"{_v(o, 'welfare.pairing_helpers')}名干部与{_v(o, 'welfare.paired_households')}户困难家庭结对帮扶。"]


def _where(o: dict) -> str:
    """How the report names its own ground: 社区 for a community's report, 辖区 for a sub-district's or wider."""
    return "社区" if (o.get("org_unit") or {}).get("level") == "community" else "辖区"


def _employment_lines(o: dict) -> list[str]:
    """The 保障员's year in the seeds' words ("为980名下岗职工办理再就业优惠证", "273名下崗失業人員得到現場安置",
    "城鎮居民醫保957人"); the zero-employment households cleared, and those still followed."""
    still = _v(o, "welfare.zero_employment_households")
    followed = f"尚有{still}户在跟踪帮扶" if still else "零就业家庭保持动态为零"
    return [
        f"为{_v(o, 'welfare.reemployment_certificates')}名下岗职工办理再就业优惠证,"
        f"{_v(o, 'welfare.placements')}名下岗失业人员得到安置(其中现场安置{_v(o, 'welfare.placements_on_site')}人),"
        f"目前登记失业人员{_v(o, 'welfare.jobseekers')}人。",
        f"零就业家庭{_v(o, 'welfare.zero_employment_cleared')}户已动态清零,{followed};"
        f"城镇居民医保参保{_v(o, 'welfare.medical_insurance_enrolled')}人。",
    ]


def _by_office(o: dict, family: str, unit: str) -> str:
    """`民政3件、社保2件`: a hall figure per office (petition's names for them), offices with none left out."""
    parts = [f"{m['name']}{m['value']}{unit}" for m in o["metrics"].values() if m.get("of") == family and m["value"]]
    return "、".join(parts)


def _hall_lines(o: dict) -> list[str]:
    """The one-stop service hall (#20), as the offices write it. The catalogue's size (细分了X项服务内容) is left
    out: the overview carries figures, not the catalogue, and a sentence must not guess it."""
    r = o["rates"]
    lines = [f"一站式服务大厅受理各类事项{_v(o, 'petition.hall_matters')}件,办结{_v(o, 'petition.hall_completed')}件,"
             f"按时办结率{pct(r['petition.hall_on_time_rate'])},其中全程代办{_v(o, 'petition.hall_on_behalf')}件;"
             f"窗口服务{_v(o, 'petition.window_services')}次。"]
    matters, window = _by_office(o, "petition.hall_matters", "件"), _by_office(o, "petition.window_services", "次")
    detail = ([f"受理事项中{matters}"] if matters else []) + ([f"窗口服务中{window}"] if window else [])
    tail = f"退件{_v(o, 'petition.hall_returned')}件,超期{_v(o, 'petition.hall_overdue')}件。"
    lines.append(";".join(detail) + ";" + tail if detail else tail)
    return lines


def _allowance(o: dict, code: str, name: str) -> str:
    """A register's allowance (a welfare programme by its code), when it has anyone or paid anything."""
    households, paid = _v(o, f"welfare.households.{code}"), _v(o, f"welfare.disbursed_fen.{code}")
    return f"{name}在保{households}户,发放{yuan(paid)}元。" if households or paid else ""


def _register_sections(o: dict) -> dict[str, list[str]]:
    """退管与为老服务, 残疾人工作, 优抚安置 (#20): the registers' stocks at the period's end and the services of the
    period; the rehabilitated people and households are distinct ones (the first service of each in a year)."""
    greetings = _v(o, "welfare.birthday_greetings") + _v(o, "welfare.holiday_greetings")
    sections = {
        "五、退管与为老服务": [
            f"现有企业离退休人员{_v(o, 'welfare.retirees')}人,登记老年人{_v(o, 'welfare.elderly')}人;"
            f"看望生病住院老人{_v(o, 'welfare.hospital_visits')}人次,走访老人{_v(o, 'welfare.elderly_home_visits')}"
            f"人次,生日和节日慰问{greetings}人次。",
            _allowance(o, "old_age_allowance", "高龄津贴")],
        "六、残疾人工作": [
            f"现有持证残疾人{_v(o, 'welfare.disabled')}人,为{_v(o, 'welfare.rehabilitation_households')}个家庭的"
            f"{_v(o, 'welfare.rehabilitation_people')}名残疾人提供康复服务{_v(o, 'welfare.rehabilitation')}人次,"
            f"辅具适配{_v(o, 'welfare.assistive_devices')}人次。",
            _allowance(o, "disabled_hardship_allowance", "困难残疾人生活补贴")],
        "八、优抚安置": [
            f"现有优抚对象{_v(o, 'welfare.veterans')}人,走访慰问{_v(o, 'welfare.veteran_visits')}人次,"
            f"帮助安置{_v(o, 'welfare.veteran_placements')}人次、救助{_v(o, 'welfare.veteran_relief')}人次。",
            _allowance(o, "entitled_group_subsidy", "优抚对象定期抚恤补助")],
    }
    return {title: [line for line in lines if line] for title, lines in sections.items()}


def _mean(rate: dict) -> str:
    return "—" if rate["value"] is None else f"{rate['value']:.1f}"


_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals, as section headings count (一、… 十一、…)."""
    tens, ones = divmod(n, 10)
    if not tens:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def section_number(title: str) -> int:
    """The number a heading counts as ("十一、…" -> 11), 0 for an unnumbered one."""
    head = title.split("、", 1)[0] if "、" in title else ""
    if not head or any(c not in _DIGITS + "十" for c in head):
        return 0
    tens, _, ones = head.rpartition("十")
    if "十" not in head:
        return _DIGITS.index(head) if len(head) == 1 else 0
    return (_DIGITS.index(tens) if tens else 1) * 10 + (_DIGITS.index(ones) if ones else 0)
