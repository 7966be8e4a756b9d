"""The annual work report (工作汇报) as DOCX, its tables as XLSX, and list exports (CSV/XLSX).

Sentences follow the offices' own reports ("今年以来共接访X批次Y人次,其中群体性上访Z批次…") with
the live figures. Charts in the DOCX are drawn with Pillow using digits only (no CJK font is needed
on the server); their captions are Chinese text in the document. The XLSX carries native charts.
"""
from __future__ import annotations

import csv
import io

from docx import Document
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from PIL import Image, ImageDraw

from ..domain.metrics import METRICS, RATES
from .report_sentences import cn_number, section_number, sentences, yuan
from .worker_counts import worker_lines

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


_BELOW = {"district": "街道", "subdistrict": "社区"}


def basic_situation(o: dict, profile: dict | None) -> str | None:
    """The 基本情况 opening: area, households, residents and grids of the unit (summed from its child units'
    profiles when it keeps none of its own)."""
    if not profile:
        return None
    name = o["org_unit"]["name"]
    if profile.get("source") == "children":
        below = _BELOW.get(o["org_unit"]["level"], "单位")
        units, of_units = profile["units"], profile.get("of_units") or profile["units"]
        # the sum covers only the child units with a profile: say how many it has, and whose figures these are
        name += (f"下辖{of_units}个{below}," if units >= of_units else
                 f"下辖{of_units}个{below},其中已报基本情况的{units}个{below}")
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


def _columns(year: int, month: int | None) -> tuple[str, str]:
    """The period's column and the year before's: "2026年", "2025年" — a month's "2026年3月", "2025年3月"."""
    return (f"{year}年{month}月", f"{year - 1}年{month}月") if month else (f"{year}年", f"{year - 1}年")


def annual_docx(o: dict, year: int, series: dict, profile: dict | None = None, narrative: dict | None = None,
                month: int | None = None, workers: list[dict] | None = None) -> bytes:
    """`profile`: the unit's in force at the period's end (基本情况); `narrative`: its written sections; `month`:
    the monthly report (月报) of that month of `year`, the same report over the month; `workers`: a community's
    per-worker counts (worker_counts), said in a 工作人员 section."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    doc.add_heading(f"{o['org_unit']['name']}{_columns(year, month)[0]}{'工作月报' if month else '工作汇报'}", level=0)
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
    said = worker_lines(workers or [])
    if said:  # #21: what each worker did (seed 003), a community's only
        heading("工作人员")
        for line in said:
            doc.add_paragraph(line)
    adjusted = adjustment_lines(o)
    if adjusted:
        heading("签报后调整")
        for line in adjusted:
            doc.add_paragraph(line)
    heading("主要指标")
    columns = ["指标", *_columns(year, month)] + (["签报后调整"] if _filed(o) else [])
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


def annual_xlsx(o: dict, year: int, series: dict, month: int | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "主要指标"
    ws.append(["指标", "单位", *_columns(year, month)] + (["签报后调整"] if _filed(o) else []))
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
