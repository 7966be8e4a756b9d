"""The annual work report (工作汇报) as DOCX, its tables as XLSX, and list exports (CSV/XLSX).

Sentences follow the offices' own reports ("今年以来共接访X批次Y人次,其中群体性上访Z批次…") with
the live figures. Charts in the DOCX are drawn with Pillow using digits only (no CJK font is needed
on the server); their captions are Chinese text in the document. The XLSX carries native charts.
"""
from __future__ import annotations

import csv
import io
from datetime import date

from docx import Document
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from PIL import Image, ImageDraw

from liandong.clock import LOCAL_TZ, from_iso

from ..domain.metrics import METRICS, RATES
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
            f"其中群体性上访{_v(o, 'petition.group_batches')}批次{_v(o, 'petition.group_person_times')}人次。",
            f"已办结{_v(o, 'petition.closed')}件,按期办结率{pct(r['petition.on_time_rate'])},"
            f"群众满意率{pct(r['petition.satisfaction_rate'])},本级化解率{pct(r['petition.resolved_at_level_rate'])};"
            f"超期{_v(o, 'petition.overdue')}件均已督办,预警{_v(o, 'petition.risk_flagged')}件。",
        ],
        "二、民政救助": [
            f"目前在保低保{dibao_h}户{dibao_p}人,各类救助在保{_v(o, 'welfare.households')}户{_v(o, 'welfare.people')}人。",
            f"累计发放低保金等{yuan(_v(o, 'welfare.disbursed_fen'))}元,共{_v(o, 'welfare.payments')}笔;"
            f"受理救助申请{_v(o, 'welfare.applications')}件,批准{_v(o, 'welfare.applications_approved')}件。",
            *_programme_lines(o),
            f"爱心超市发放物资{_v(o, 'welfare.goods_handed_out')}件,折价{yuan(_v(o, 'welfare.goods_handed_out_fen'))}元;"
            f"爱心基金收入{yuan(_v(o, 'welfare.fund_in_fen'))}元,支出{yuan(_v(o, 'welfare.fund_out_fen'))}元;"
            f"走访慰问{_v(o, 'welfare.visits')}次,发放慰问金{yuan(_v(o, 'welfare.visit_money_fen'))}元。",
        ],
        "三、志愿服务": [
            f"注册志愿者{_v(o, 'volunteer.volunteers')}名,共开展了{_v(o, 'volunteer.activities')}次活动,"
            f"参与{_v(o, 'volunteer.participant_times')}人次,服务时长{hours:,.1f}小时,"
            f"积累爱心币{_v(o, 'volunteer.coins_credited')}枚,兑换{_v(o, 'volunteer.coins_redeemed')}枚。",
        ],
        "四、平安建设": [
            f"发生各类事件{_v(o, 'security.incidents')}起,其中天然气泄漏、暴雨、停电等公共安全事件"
            f"{_v(o, 'security.emergencies')}起,平均处置用时{_mean(r['security.mean_response_minutes'])}分钟。",
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
    # each area's section keeps its number wherever its code sits (一 … 十): the report reads in that order
    return dict(sorted(sections.items(), key=lambda kv: section_number(kv[0])))


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


TABLE_KEYS = ["petition.batches", "petition.person_times", "petition.group_batches", "welfare.households",
              "welfare.people", "welfare.disbursed_fen", "volunteer.volunteers", "volunteer.activities",
              "volunteer.participant_times", "security.incidents", "security.mediations"]


def _cell(key: str, value) -> str:
    return yuan(value) if METRICS[key].unit == "fen" else str(value)


def _header(key: str, shown: dict | None = None) -> str:
    """`key`'s column header; `shown` is the overview's entry (a breakdown's label is the owner's word)."""
    label, unit = (shown["label"], shown["unit"]) if shown else (METRICS[key].label, METRICS[key].unit)
    return f"{label}(元)" if unit == "fen" else f"{label}({unit})"


def bar_chart_png(values: list[float], width: int = 900, height: int = 320) -> bytes:
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    left, bottom, top = 50, height - 30, 20
    top_value = max(values + [1])
    slot = (width - left - 20) / max(len(values), 1)
    draw.line([(left, bottom), (width - 10, bottom)], fill="black")
    for i, v in enumerate(values):
        x0 = left + i * slot + slot * 0.15
        x1 = left + (i + 1) * slot - slot * 0.15
        y = bottom - (bottom - top) * (v / top_value)
        draw.rectangle([x0, y, x1, bottom], fill=(192, 57, 43))
        draw.text((x0, bottom + 6), str(i + 1), fill="black")
        draw.text((x0, max(top - 15, y - 14)), f"{v:g}", fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


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


_BELOW = {"district": "街道", "subdistrict": "社区"}


def basic_situation(o: dict, profile: dict | None) -> str | None:
    """The 基本情况 opening: area, households, residents and grids of the unit (summed from its child units'
    profiles when it keeps none of its own)."""
    if not profile:
        return None
    name = o["org_unit"]["name"]
    if profile.get("source") == "children":
        name += f"下辖{profile['units']}个{_BELOW.get(o['org_unit']['level'], '单位')},"
    area = f"{profile['area_km2']:.4f}".rstrip("0").rstrip(".")
    return (f"{name}辖区面积{area}平方公里,共有居民{profile['households']}户"
            f"{profile['population']}人,划分为{profile['grids']}个网格。")


NARRATIVE_HEADINGS = {"cases": "典型案例", "plans": "下一步打算", "text": "其他工作"}


def adjustment_lines(o: dict) -> list[str]:
    """Each figure that changed after sign-off: filed, the adjustment, and what it is now."""
    out = []
    for key, m in o["metrics"].items():
        if m.get("adjustment"):
            fmt = yuan if m["unit"] == "fen" else str
            unit = "元" if m["unit"] == "fen" else m["unit"]
            out.append(f"{m['label']}:签报{fmt(m['filed'])}{unit},签报后调整{'+' if m['adjustment'] > 0 else '-'}"
                       f"{fmt(abs(m['adjustment']))}{unit},现为{fmt(m['current'])}{unit}。")
    return out


def _filed(o: dict) -> bool:
    return bool((o.get("sign_off") or {}).get("filed_units"))


def annual_docx(o: dict, year: int, series: dict, profile: dict | None = None, narrative: dict | None = None) -> bytes:
    """`profile`: the unit's in force at the year's end (基本情况); `narrative`: its written sections."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    doc.add_heading(f"{o['org_unit']['name']}{year}年工作汇报", level=0)
    doc.add_paragraph(f"统计期间:{o['period']['from']}至{o['period']['to']}。以下数字均来自联动平台实时数据。")
    if _filed(o):
        doc.add_paragraph("本期数据已签报:文中数字为签报数;签报后新报的数据不改动签报数,另列为签报后调整。")
    opening = basic_situation(o, profile)
    if opening:
        doc.add_paragraph(opening)
    figures = sentences(o)
    for title, lines in figures.items():
        doc.add_heading(title, level=1)
        for line in lines:
            doc.add_paragraph(line)
    # the sections after the figures' continue their count (from the highest: the offices' sections may skip one)
    number = iter(range(max([len(figures), *map(section_number, figures)]) + 1, 100))

    def heading(title: str) -> None:
        doc.add_heading(f"{cn_number(next(number))}、{title}", level=1)

    for key, title in NARRATIVE_HEADINGS.items():
        written = ((narrative or {}).get(key) or "").strip()
        if written:
            heading(title)
            for line in (ln.strip() for ln in written.splitlines()):
                if line:
                    doc.add_paragraph(line)
    adjusted = adjustment_lines(o)
    if adjusted:
        heading("签报后调整")
        for line in adjusted:
            doc.add_paragraph(line)
    heading("主要指标")
    columns = ["指标", f"{year}年", f"{year - 1}年"] + (["签报后调整"] if _filed(o) else [])
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, columns):
        cell.text = text
    for key in TABLE_KEYS:
        row = table.add_row().cells
        m = o["metrics"][key]
        row[0].text = _header(key)
        row[1].text = _cell(key, m["value"])
        row[2].text = _cell(key, m.get("previous_year", 0))
        if _filed(o):
            row[3].text = _cell(key, m.get("adjustment", 0))
    if o["children"]:
        heading("下属单位情况")
        table = doc.add_table(rows=1, cols=1 + len(TABLE_KEYS))
        table.style = "Table Grid"
        table.rows[0].cells[0].text = "单位"
        for i, key in enumerate(TABLE_KEYS):
            table.rows[0].cells[i + 1].text = _header(key)
        for child in o["children"]:
            row = table.add_row().cells
            row[0].text = child["org_unit"]["name"]
            for i, key in enumerate(TABLE_KEYS):
                row[i + 1].text = _cell(key, child["metrics"][key]["value"])
    heading("月度走势")
    for n, key in enumerate(("petition.person_times", "volunteer.participant_times"), start=1):
        values = [p["value"] for p in series.get(key, [])]
        doc.add_paragraph(f"图{n} {year}年每月{METRICS[key].label}(横轴为月份)")
        doc.add_picture(io.BytesIO(bar_chart_png(values)), width=Cm(16))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def annual_xlsx(o: dict, year: int, series: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "主要指标"
    ws.append(["指标", "单位", f"{year}年", f"{year - 1}年"] + (["签报后调整"] if _filed(o) else []))
    for key, m in o["metrics"].items():
        unit = "元" if m["unit"] == "fen" else m["unit"]
        conv = (lambda v: v / 100) if m["unit"] == "fen" else (lambda v: v)
        ws.append([m["label"], unit, conv(m["value"]), conv(m.get("previous_year", 0))]
                  + ([conv(m.get("adjustment", 0))] if _filed(o) else []))
    rates = wb.create_sheet("比率")
    rates.append(["指标", "分子", "分母", "比率"])
    for rate in RATES:
        r = o["rates"][rate.key]
        rates.append([r["label"], r["numerator"], r["denominator"], r["value"]])
    if o["children"]:
        kids = wb.create_sheet("下属单位")
        kids.append(["单位"] + [_header(k) for k in TABLE_KEYS])
        for child in o["children"]:
            kids.append([child["org_unit"]["name"]] + [
                child["metrics"][k]["value"] / 100 if METRICS[k].unit == "fen" else child["metrics"][k]["value"]
                for k in TABLE_KEYS])
    monthly = wb.create_sheet("月度走势")
    keys = list(series)
    monthly.append(["月份"] + [METRICS[k].label for k in keys])
    months = [p["month"] for p in series[keys[0]]] if keys else []
    for i, month in enumerate(months):
        monthly.append([month] + [series[k][i]["value"] for k in keys])
    if months:
        chart = BarChart()
        chart.title = "月度走势"
        chart.add_data(Reference(monthly, min_col=2, max_col=1 + len(keys), min_row=1, max_row=1 + len(months)),
                       titles_from_data=True)
        chart.set_categories(Reference(monthly, min_col=1, min_row=2, max_row=1 + len(months)))
        monthly.add_chart(chart, "H2")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def overview_table(o: dict) -> tuple[list[str], list[list]]:
    """The overview as the offices' statistics sheet: one row for the unit (合计) and one per child unit."""
    keys = list(o["metrics"])  # the fixed figures and every breakdown the overview shows
    rate_keys = [r.key for r in RATES]
    percent = {k: "mean" not in k for k in rate_keys}  # a mean (minutes) is not a share
    headers = (["单位"] + [_header(k, o["metrics"][k]) for k in keys]
               + [o["rates"][k]["label"] + ("(%)" if percent[k] else "") for k in rate_keys])

    def figure(key: str, value):
        return round(value / 100, 2) if o["metrics"][key]["unit"] == "fen" else value

    def rate(key: str, value):
        return "" if value is None else round(value * 100, 1) if percent[key] else round(value, 1)

    def row(name: str, figures: dict) -> list:
        return ([name] + [figure(k, figures["metrics"][k]["value"]) for k in keys]
                + [rate(k, figures["rates"][k]["value"]) for k in rate_keys])

    def adjustment_row(name: str, figures: dict) -> list:
        # what came in after sign-off, on a row of its own beneath the filed one (rates are the filed figures')
        return ([f"{name}(签报后调整)"] + [figure(k, figures["metrics"][k].get("adjustment", 0)) for k in keys]
                + ["" for _ in rate_keys])

    rows = [row(f"{o['org_unit']['name']}(合计)", o)]
    if _filed(o):
        rows.append(adjustment_row(f"{o['org_unit']['name']}(合计)", o))
    for child in o["children"]:
        rows.append(row(child["org_unit"]["name"], child))
        if "adjustment" in next(iter(child["metrics"].values()), {}):
            rows.append(adjustment_row(child["org_unit"]["name"], child))
    return headers, rows


def write_table(headers: list[str], rows: list[list], fmt: str, title: str = "导出") -> bytes:
    """A table as CSV (UTF-8 with BOM, so Excel shows the Chinese) or XLSX, header row first."""
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(headers)
        writer.writerows(rows)
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
