"""An office's file is read as the office meant it, or refused whole with a message saying what to do (#19)."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from liandong.idnumbers import check_digit
from liandong.imports import (CREATED, Choice, Context, Day, IdNumber, ImportKind, Money, Month, OrgUnitRef, Text)
from liandong.imports.kinds import check_table
from liandong.imports.reading import ImportFileError, read_upload
from liandong.imports.workbooks import ERROR_HEADER, rejected_rows, template
from liandong.testing import ledger_xlsx

GOOD_ID = "11010119900307451" + check_digit("11010119900307451")
OTHER_ID = "44030419850612003" + check_digit("44030419850612003")
BAD_CHECK = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")

KIND = ImportKind(
    name="roster", title="救助对象花名册", permission="welfare:review", apply=lambda values, run: CREATED,
    columns=[OrgUnitRef("org_unit_id", "社区", example="家园社区"),
             Text("name", "户主姓名", example="张三", personal=True),
             IdNumber("id_number", "身份证号", example=GOOD_ID, aliases=("公民身份号码",)),
             Money("amount", "月保障金额(元)", example=800.5),
             Month("start_month", "起始月份", example="2024-03"),
             Day("born_on", "登记日期", required=False, example="2024-03-01"),
             Choice("category", "类别", options={"a": "甲类", "b": "乙类"}, required=False, example="甲类")],
    key=lambda v: v["id_number"], key_label="身份证号")
TODAY = date(2026, 11, 29)
UNITS = {"jiayuan": {"_id": "jiayuan", "name": "家园社区", "level": "community", "path": "/c/h/jiayuan/"},
         "yangchun": {"_id": "yangchun", "name": "阳春社区", "level": "community", "path": "/c/g/yangchun/"},
         "huangqi": {"_id": "huangqi", "name": "黄岐街道", "level": "subdistrict", "path": "/c/h/"}}


def ctx():
    return Context(today=TODAY, units=dict(UNITS))


def xlsx(rows, headers=None, prepare=None) -> bytes:
    return ledger_xlsx(headers or ["社区", "户主姓名", "身份证号", "月保障金额(元)", "起始月份"], rows, prepare)


def refused(raw: bytes, name: str = "台账.xlsx") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        read_upload(raw, name)
    return caught.value


def test_every_problem_of_a_file_is_named_with_its_row_column_and_header_in_chinese():
    table = read_upload(xlsx([
        ["家园社区", "钱一", GOOD_ID, 800.5, "2024-03"],
        ["家园社区", "李四", BAD_CHECK, 800.555, "2027-01"],
        ["火星社区", "王五", OTHER_ID, "1,200.50", "2024年3月"],
        ["阳春社区", "赵六", GOOD_ID, 100, "2024/03"],
        ["黄岐街道", "孙七", 110101199003074514, 100, "2024-03"],
    ]), "花名册.xlsx")
    checked = check_table(KIND, table, ctx())
    said = [p.sentence() for p in checked.problems]
    assert "工作表「数据」 第 3 行 C 列「身份证号」:身份证号校验位错误(末位不对),请核对" in said
    assert "工作表「数据」 第 3 行 D 列「月保障金额(元)」:金额最多两位小数(分)" in said
    assert "工作表「数据」 第 3 行 E 列「起始月份」:月份 2027-01 在本月之后" in said
    assert any(s.startswith("工作表「数据」 第 4 行 A 列「社区」:「火星社区」不是您可导入的单位") for s in said)
    assert "工作表「数据」 第 5 行:与第 2 行重复(同一身份证号)" in said
    assert "第 6 行 A 列「社区」:「黄岐街道」是街道,此处应填社区" in " ".join(said)
    assert "身份证号被 Excel 存成了数字" in " ".join(said)
    assert GOOD_ID not in " ".join(said) and BAD_CHECK not in " ".join(said)  # never echoed back
    assert [r.values for r in checked.good] == [
        {"org_unit_id": "jiayuan", "name": "钱一", "id_number": GOOD_ID, "amount": 80050, "start_month": "2024-03",
         "born_on": None, "category": None}]
    # the third row's amount and month were read as the office wrote them, though the unit is wrong
    assert [p.header for p in checked.rows[2].problems] == ["社区"]


def test_headers_that_do_not_match_the_template_refuse_the_file_naming_each():
    raw = xlsx([["家园社区", "张三", GOOD_ID]], headers=["社区", "姓名", "公民身份号码", "备注"])
    with pytest.raises(ImportFileError) as caught:
        check_table(KIND, read_upload(raw, "x.xlsx"), ctx())
    message = caught.value.message
    assert "缺少必填列 「户主姓名」、「月保障金额(元)」、「起始月份」" in message
    assert "不认识的列 「姓名」、「备注」" in message  # 公民身份号码 is a known alias of 身份证号


def test_the_template_is_importable_once_filled_and_its_example_row_is_skipped():
    raw = template(KIND, ctx())
    book = openpyxl.load_workbook(io.BytesIO(raw))
    assert book.sheetnames == ["数据", "填写说明", "代码表"]
    data = book["数据"]
    assert [c.value for c in data[1]] == [c.header for c in KIND.columns]
    # the name, the ID number and the month are text columns, however many rows the office types (Excel would make numbers)
    assert [data.column_dimensions[col].number_format for col in "BCE"] == ["@", "@", "@"]
    assert data.column_dimensions["D"].number_format != "@"  # an amount stays a number
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in data.data_validations.dataValidation}
    assert set(lists) == {"A", "G"}  # the community and the category have dropdowns
    codes = book["代码表"]
    assert [c.value for c in codes["A"]][1:] == ["家园社区", "阳春社区"]  # the caller's communities only
    rules = [[c.value for c in row] for row in book["填写说明"].iter_rows()]
    assert rules[3][:2] == ["身份证号", "是"] and any("示例行" in str(r[0]) for r in rules)
    data.cell(row=3, column=1, value="阳春社区")
    data.cell(row=3, column=2, value="李四")
    data.cell(row=3, column=3, value=OTHER_ID)
    data.cell(row=3, column=4, value=650)
    data.cell(row=3, column=5, value="2025-01")
    data.cell(row=3, column=7, value="乙类")
    out = io.BytesIO()
    book.save(out)
    checked = check_table(KIND, read_upload(out.getvalue(), "filled.xlsx"), ctx())
    assert checked.example_skipped == 1 and not checked.problems
    assert [(r.row.number, r.values["id_number"], r.values["category"]) for r in checked.good] == [(3, OTHER_ID, "b")]


def test_the_rows_to_fix_come_back_as_sent_with_what_is_wrong():
    table = read_upload(xlsx([["家园社区", "张三", GOOD_ID, 800, "2024-03"],
                              ["家园社区", "李四", BAD_CHECK, 800, "2024-03"]]), "x.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(rejected_rows(check_table(KIND, table, ctx()))))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert rows[0][-1] == ERROR_HEADER and len(rows) == 2
    assert rows[1][:3] == ["家园社区", "李四", BAD_CHECK] and "校验位错误" in rows[1][-1]


def test_a_csv_in_gbk_or_utf8_with_or_without_bom_reads_the_same():
    text = "社区,户主姓名,身份证号,月保障金额(元),起始月份\n家园社区,张三," + GOOD_ID + ",12.3,2024-01\n"
    for raw, encoding in ((text.encode("gbk"), "gbk"), (text.encode("utf-8"), "utf-8"),
                          (b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8-sig")):
        table = read_upload(raw, "台账.csv")
        assert table.encoding == encoding
        assert table.headers[1] == "户主姓名" and table.rows[0].values == ["家园社区", "张三", GOOD_ID, "12.3", "2024-01"]


def test_legacy_xls_is_refused_with_the_way_out():
    error = refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "台账.xls")
    assert error.code == "xls" and "另存为” .xlsx" in error.message


def test_merged_cells_hidden_sheets_and_unsaved_formulas_are_refused():
    merged = refused(xlsx([["家园社区", "张三", GOOD_ID, 1, "2024-03"]], prepare=lambda b, ws: ws.merge_cells("A2:B2")))
    assert merged.code == "merged_cells" and "A2:B2" in merged.message

    def hide(book, ws):
        book.create_sheet("旧数据").sheet_state = "hidden"

    hidden = refused(xlsx([["家园社区", "张三", GOOD_ID, 1, "2024-03"]], prepare=hide))
    assert hidden.code == "hidden_sheet" and "旧数据" in hidden.message
    formula = refused(xlsx([["家园社区", "张三", GOOD_ID, "=100*8", "2024-03"]]))
    assert formula.code == "formula" and "D2" in formula.message


def test_a_formula_is_read_as_its_value_never_as_the_formula():
    raw = xlsx([["家园社区", "张三", GOOD_ID, "=100*8", "2024-03"]])
    # what Excel writes on saving: the formula with its cached value
    with zipfile.ZipFile(io.BytesIO(raw)) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<f>100*8</f><v></v>", b"<f>100*8</f><v>800</v>").replace(
        b"<f>100*8</f></c>", b"<f>100*8</f><v>800</v></c>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    table = read_upload(out.getvalue(), "x.xlsx")
    assert table.rows[0].values[3] == 800


def test_too_many_rows_are_refused_naming_the_limit():
    text = "社区,户主姓名\n" + "家园社区,张三\n" * 51
    with pytest.raises(ImportFileError) as caught:
        read_upload(text.encode(), "big.csv", max_rows=50)
    assert caught.value.code == "too_many_rows" and "50 行上限" in caught.value.message


def test_a_zip_bomb_disguised_as_xlsx_is_refused_unread():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    error = refused(out.getvalue(), "花名册.xlsx")
    assert error.code == "zip_bomb"


def test_a_file_that_is_not_what_its_name_says_is_refused():
    assert refused(b"PK\x03\x04 not really a zip").code == "not_xlsx"
    assert refused(b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "photo.xlsx").code == "not_xlsx"
    assert refused(b"", "empty.csv").code == "empty_file"
