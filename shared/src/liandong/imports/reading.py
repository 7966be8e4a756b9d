"""Reading an office's file safely: XLSX (openpyxl, values never formulas) or CSV (UTF-8 with or without BOM, GBK).

Everything here refuses rather than guesses: a legacy .xls, a zip bomb, a hidden sheet, merged cells, a formula
without a computed value, more rows than the limit. Every refusal is an `ImportFileError` whose message is in
Chinese, the office's language, and names what to do. Nothing is written before a file has been read whole.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

MAX_ROWS = 50_000  # data rows per file; a bigger ledger is split by community (and the refusal says so)
MAX_FILE_BYTES = 20 * 1024 * 1024  # an upload; a 50 000-row XLSX of 20 columns is about 6 MB
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an XLSX is a zip: all its parts unpacked
MAX_RATIO = 200  # unpacked / packed size of one part; XML compresses ~10-30x, a bomb ~1000x
MAX_PARTS = 2_000

XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: Excel 97-2003 (.xls) and other legacy Office files
ZIP_MAGIC = b"PK\x03\x04"


class ImportFileError(Exception):
    """The file as a whole cannot be imported: nothing is read from it and nothing written."""

    def __init__(self, message: str, code: str = "bad_file"):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass
class Row:
    number: int  # the row's number as the office sees it (1 = the header row)
    values: list[Any]


@dataclass
class Table:
    sheet: str  # the sheet name ("CSV" for a CSV file)
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    file_format: str = "xlsx"
    encoding: str | None = None  # a CSV's


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how Excel names a column, and how a message names it to the office."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def read_upload(raw: bytes, filename: str = "", *, sheet: str | None = None, max_rows: int = MAX_ROWS) -> Table:
    """The table of an uploaded file: its header row and data rows (blank rows dropped), or ImportFileError."""
    name = (filename or "").lower()
    if not raw:
        raise ImportFileError("文件是空的", "empty_file")
    if len(raw) > MAX_FILE_BYTES:
        raise ImportFileError(f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB 上限,请按社区拆分后分别导入", "too_large")
    if raw.startswith(XLS_MAGIC) or name.endswith(".xls"):
        raise ImportFileError("不支持旧版 Excel 97-2003 (.xls) 文件:请在 Excel 中“另存为” .xlsx 格式后再导入", "xls")
    if raw.startswith(ZIP_MAGIC):
        return _read_xlsx(raw, sheet, max_rows)
    if name.endswith((".xlsx", ".xlsm")):
        raise ImportFileError("文件扩展名是 .xlsx,但内容不是 Excel 工作簿(文件可能已损坏)", "not_xlsx")
    return _read_csv(raw, max_rows)


# -- XLSX

def _check_zip(raw: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError("文件不是有效的 Excel 工作簿(.xlsx),可能已损坏", "not_xlsx") from None
    if len(parts) > MAX_PARTS:
        raise ImportFileError("文件的内部结构异常(部件过多),拒绝读取", "zip_bomb")
    total = 0
    for part in parts:
        total += part.file_size
        packed = max(part.compress_size, 1)
        if part.file_size > 1024 * 1024 and part.file_size / packed > MAX_RATIO:
            raise ImportFileError("文件解压后异常膨胀(疑似压缩炸弹),拒绝读取", "zip_bomb")
    if total > MAX_UNPACKED_BYTES:
        raise ImportFileError(f"文件解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB,拒绝读取;请按社区拆分",
                              "zip_bomb")
    names = {p.filename for p in parts}
    if "xl/workbook.xml" not in names:
        raise ImportFileError("文件不是 Excel 工作簿(.xlsx):缺少工作簿部件", "not_xlsx")
    return archive


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
# a formula cell without a cached value: <c r="B3" ...><f>SUM(..)</f></c> or an empty <v/>
_FORMULA_NO_VALUE = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]+\d+)"[^>]*>\s*<(?:\w+:)?f[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)'
                               rb'\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')


def _read_xlsx(raw: bytes, wanted: str | None, max_rows: int) -> Table:
    import openpyxl

    archive = _check_zip(raw)
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook; none may become a 500
        raise ImportFileError(f"无法读取 Excel 工作簿:{type(exc).__name__}", "not_xlsx") from None
    try:
        hidden = [ws.title for ws in book.worksheets if ws.sheet_state != "visible"]
        if hidden:
            raise ImportFileError(f"工作簿含隐藏的工作表「{'」「'.join(hidden)}」:请取消隐藏并确认其内容,"
                                  "或删除后再导入(导入只读取可见数据)", "hidden_sheet")
        names = book.sheetnames
        title = wanted if wanted in names else names[0]
        ws = book[title]
        xml = archive.read(ws._worksheet_path.lstrip("/"))
        merged = [m.decode() for m in _MERGE.findall(xml)]
        if merged:
            shown = "、".join(merged[:5]) + ("等" if len(merged) > 5 else "")
            raise ImportFileError(f"工作表「{title}」含合并单元格({shown}):请取消合并,每个单元格填写一个值", "merged_cells")
        formulas = [m.decode() for m in _FORMULA_NO_VALUE.findall(xml)]
        if formulas:
            shown = "、".join(formulas[:5]) + ("等" if len(formulas) > 5 else "")
            raise ImportFileError(f"工作表「{title}」的单元格 {shown} 是公式,但文件中没有计算结果:"
                                  "请在 Excel 中打开、保存后再导入(导入读取公式的结果,不读取公式)", "formula")
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError(f"工作表「{title}」是空的:第 1 行应为表头", "empty_file")
        headers = [_text(v) for v in header]
        while headers and not headers[-1]:
            headers.pop()
        table = Table(sheet=title, headers=headers, file_format="xlsx")
        for number, values in enumerate(rows, start=2):
            cells = [_cell(v) for v in values[:len(headers)]]
            if all(c is None for c in cells):
                continue
            if len(table.rows) >= max_rows:
                raise ImportFileError(f"数据超过 {max_rows} 行上限:请按社区或街道拆分成多个文件分别导入", "too_many_rows")
            table.rows.append(Row(number, cells))
        return table
    finally:
        book.close()


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _cell(value):
    """A cell's value as the office meant it: text stripped (empty → None), whole floats as ints, dates as dates."""
    if isinstance(value, str):
        value = value.strip().replace("\u3000", " ").strip()
        return value or None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    return value


# -- CSV

def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise ImportFileError("CSV 文件标明为 UTF-8,但内容不是有效的 UTF-8 编码", "encoding") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError("CSV 文件的 UTF-16 编码有误", "encoding") from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # what the offices' Excel writes on a Chinese Windows ("CSV (逗号分隔)"): GBK, of which GB18030 is a superset
        return raw.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        raise ImportFileError("无法识别 CSV 文件的编码:请另存为“CSV UTF-8”或 .xlsx 后再导入", "encoding") from None


def _read_csv(raw: bytes, max_rows: int) -> Table:
    text, encoding = _decode(raw)
    if "\x00" in text:
        raise ImportFileError("文件不是文本格式的 CSV,也不是 .xlsx 工作簿", "not_csv")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise ImportFileError("CSV 文件是空的:第 1 行应为表头", "empty_file")
        headers = [h.strip() for h in header]
        while headers and not headers[-1]:
            headers.pop()
        table = Table(sheet="CSV", headers=headers, file_format="csv", encoding=encoding)
        for number, values in enumerate(reader, start=2):
            cells = [_cell(v) for v in values[:len(headers)]]
            if len(values) > len(headers) and any(v.strip() for v in values[len(headers):]):
                cells.append(_Overflow(values[len(headers):]))
            if all(c is None for c in cells):
                continue
            if len(table.rows) >= max_rows:
                raise ImportFileError(f"数据超过 {max_rows} 行上限:请按社区或街道拆分成多个文件分别导入", "too_many_rows")
            table.rows.append(Row(number, cells))
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式有误(第 {reader.line_num} 行):{exc}", "not_csv") from None
    return table


class _Overflow(list):
    """Cells past the last header (a stray comma in an unquoted value): the row is refused, not cut silently."""


def is_overflow(value) -> bool:
    return isinstance(value, _Overflow)


def as_date(value) -> date | None:
    return value if isinstance(value, date) and not isinstance(value, datetime) else None
