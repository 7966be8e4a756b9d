"""The files an office gets back: the template of a kind, and the rows to fix (with what is wrong, per row)."""
from __future__ import annotations

import io
from datetime import date

from .columns import Column, Context, Day, Month
from .kinds import Checked, ImportKind
from .reading import column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_HEADER = "错误说明"


def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {"required": Font(bold=True, color="C00000"), "optional": Font(bold=True),
            "fill": PatternFill("solid", fgColor="DDEBF7"), "example": Font(italic=True, color="808080"),
            "wrap": Alignment(wrap_text=True, vertical="top")}


def _data_sheet(ws, kind: ImportKind, style) -> None:
    ws.append([c.header for c in kind.columns])
    for i, col in enumerate(kind.columns):
        cell = ws.cell(row=1, column=i + 1)
        cell.font = style["required" if col.required else "optional"]
        cell.fill = style["fill"]
        ws.column_dimensions[column_letter(i)].width = max(col.width, len(col.header) * 2 + 2)
        if isinstance(col, (Day, Month)) or getattr(col, "personal", False) or col.key.endswith("number"):
            # a text column: an ID number or a month typed here stays as typed (Excel would make a number of
            # it); the column's own format, so it holds however many rows the office types
            ws.column_dimensions[column_letter(i)].number_format = "@"
    ws.freeze_panes = "A2"


def template(kind: ImportKind, ctx: Context | None) -> bytes:
    """数据 (the header row, the example row in grey, dropdowns), 填写说明 (the rules), 代码表 (the code lists)."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    style = _styles()
    book = Workbook()
    data = book.active
    data.title = kind.sheet
    _data_sheet(data, kind, style)
    for i, col in enumerate(kind.columns):  # row 2 by number: `append` would go below the text-formatted cells
        data.cell(row=2, column=i + 1, value=_example_cell(col)).font = style["example"]
    codes = book.create_sheet("代码表")
    code_col = 0
    for i, col in enumerate(kind.columns):
        options = col.choices(ctx)
        if not options:
            continue
        code_col += 1
        letter = column_letter(code_col - 1)
        codes.cell(row=1, column=code_col, value=col.header).font = style["optional"]
        for r, option in enumerate(options, start=2):
            codes.cell(row=r, column=code_col, value=option)
        codes.column_dimensions[letter].width = 18
        rule = DataValidation(type="list", formula1=f"代码表!${letter}$2:${letter}${len(options) + 1}",
                              allow_blank=not col.required, showErrorMessage=True,
                              errorTitle="请从列表中选择", error=f"「{col.header}」请从下拉列表中选择")
        data.add_data_validation(rule)
        rule.add(f"{column_letter(i)}2:{column_letter(i)}50001")
    rules = book.create_sheet("填写说明", 1)
    rules.append(["列", "必填", "填写规则", "示例"])
    for cell in rules[1]:
        cell.font = style["optional"]
        cell.fill = style["fill"]
    for col in kind.columns:
        rules.append([col.header, "是" if col.required else "否", col.rule or "", _example_text(col)])
    rules.append([])
    for note in (
        "第 1 行是表头,请勿修改;第 2 行是灰色的示例行,导入时会自动跳过(也可删除)。",
        "请勿合并单元格、隐藏工作表或使用未计算的公式;身份证号等请按文本填写。",
        "导入前系统会逐行检查,所有问题一次列出(工作表、行、列),改正后再提交;默认有任何错误则一行也不写入。",
        "同一文件重复导入不会产生重复记录(按身份证号等唯一标识识别)。",
        "单个文件最多 50000 行;更大的台账请按社区拆分。支持 .xlsx 和 CSV(UTF-8 或 GBK),不支持 .xls。",
        *kind.notes,
    ):
        rules.append([note])
    rules.column_dimensions["A"].width = 22
    rules.column_dimensions["C"].width = 60
    rules.column_dimensions["D"].width = 24
    for row in rules.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = style["wrap"]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _example_cell(col: Column):
    return col.example


def _example_text(col: Column) -> str:
    value = col.example
    return value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))


def rejected_rows(checked: Checked, failed: dict[int, str] | None = None) -> bytes:
    """The rows that were not imported, as the office sent them, with a last column saying what to fix."""
    from openpyxl import Workbook

    style = _styles()
    book = Workbook()
    ws = book.active
    ws.title = checked.kind.sheet
    ws.append([*checked.table.headers, ERROR_HEADER])
    for cell in ws[1]:
        cell.font = style["optional"]
        cell.fill = style["fill"]
    failed = failed or {}
    for checked_row in checked.rows:
        messages = [p.sentence() for p in checked_row.problems]
        if checked_row.row.number in failed:
            messages.append(failed[checked_row.row.number])
        if not messages:
            continue
        values = [v if not isinstance(v, list) else ",".join(map(str, v)) for v in checked_row.row.values]
        values = values[:len(checked.table.headers)] + [None] * (len(checked.table.headers) - len(values))
        ws.append([*values, ";".join(messages)])
    for i in range(len(checked.table.headers)):
        ws.column_dimensions[column_letter(i)].width = 16
        for row in range(2, ws.max_row + 1):
            ws.cell(row=row, column=i + 1).number_format = "@"
    ws.column_dimensions[column_letter(len(checked.table.headers))].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
