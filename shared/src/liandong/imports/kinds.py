"""What one kind of import is (a roster, a register, a stock list), and checking a whole file before any write.

A service declares an `ImportKind` per ledger it takes: its columns, the natural key that makes a row the same
record on a second import (the ID number, the org unit id), the checks across a row's fields, and `apply`: one
row through the service's own use case (validation, encryption, events), answering created / updated /
unchanged. `check_table` reads every row first and gives every problem with its sheet, row and column, so an
office fixes the whole file at once; nothing is written until a file checks clean (or the office chose to
import only the good rows).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .columns import CellError, Column, Context
from .reading import ImportFileError, Row, Table, column_letter, is_overflow

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
MODES = ("all", "good_rows")  # all-or-nothing (the default), or only the rows that check clean


@dataclass
class ImportKind:
    name: str  # the URL segment: /imports/<name>
    title: str  # what the office calls the ledger (低保救助对象花名册)
    permission: str  # held over the org unit of every row (the use case checks it again)
    columns: list[Column]
    apply: Callable[[dict, "ImportRun"], str]  # one checked row → CREATED / UPDATED / UNCHANGED
    key: Callable[[dict], Any] | None = None  # the natural key: two rows with the same key are one record
    key_label: str = ""  # how a duplicate is named in the message ("身份证号")
    check: Callable[[dict, Context], dict[str, str]] | None = None  # {column key: message} across fields
    prepare: Callable[[Context, Any, Any], None] | None = None  # (ctx, deps, principal): fill ctx.extra lookups
    unit_levels: tuple[str, ...] = ("community",)  # the org units the template lists in 代码表
    notes: tuple[str, ...] = ()  # further rules for the template's 填写说明 sheet
    sheet: str = "数据"
    # across the whole file, after every row was read: mark rows that depend on others (a unit whose parent is
    # neither in the tree nor in the file) with `CheckedRow.refuse`, and return the good rows in the order they
    # must be written (parents first); None: the file's order
    order: Callable[[list["CheckedRow"], Context], list["CheckedRow"]] | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def example_row(self) -> list[Any]:
        return [c.example for c in self.columns]


@dataclass
class ImportRun:
    """What `apply` gets beside the row: the service's dependencies, who imports, the read context."""

    deps: Any
    principal: Any
    ctx: Context
    state: dict = field(default_factory=dict)  # per-run caches of the kind's own

    def kept(self, name: str, make: Callable[[], Any]) -> Any:
        """What `make` gives, made once per import run (an index read once rather than once per row)."""
        if name not in self.state:
            self.state[name] = make()
        return self.state[name]


@dataclass
class Problem:
    row: int | None  # None: the file as a whole
    column: str | None  # the column's letter (B)
    header: str | None  # and its header (身份证号)
    message: str
    sheet: str = ""

    def view(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                "message": self.message}

    def sentence(self) -> str:
        """The message as one line in the office's words: 第 5 行 C 列「身份证号」:校验位错误."""
        where = [f"工作表「{self.sheet}」"] if self.sheet and self.sheet != "CSV" else []
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"{self.column} 列「{self.header}」")
        return " ".join(where) + (":" if where else "") + self.message


@dataclass
class CheckedRow:
    row: Row
    values: dict | None  # the row read into the use case's fields; None when it has problems
    problems: list[Problem]

    def refuse(self, message: str, column: str | None = None, header: str | None = None, sheet: str = "") -> None:
        """A problem found across rows (by `ImportKind.order`): the row is not written."""
        self.problems.append(Problem(self.row.number, column, header, message, sheet))
        self.values = None


@dataclass
class Checked:
    kind: ImportKind
    table: Table
    rows: list[CheckedRow]
    example_skipped: int = 0
    write_order: list[CheckedRow] | None = None  # the good rows as `ImportKind.order` put them

    @property
    def good(self) -> list[CheckedRow]:
        """The rows to write, in the order to write them."""
        rows = self.rows if self.write_order is None else self.write_order
        return [r for r in rows if not r.problems]

    @property
    def bad(self) -> list[CheckedRow]:
        return [r for r in self.rows if r.problems]

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.problems]


def _normal(header: str) -> str:
    text = re.sub(r"[\s*＊]|（必填）|\(必填\)", "", str(header or ""))
    return text.replace("（", "(").replace("）", ")")


def map_headers(kind: ImportKind, table: Table) -> dict[int, Column]:
    """Which column of the file is which column of the kind; a wrong, missing or repeated header refuses the file."""
    by_header: dict[str, Column] = {}
    for col in kind.columns:
        for name in (col.header, *col.aliases, col.key):
            by_header[_normal(name)] = col
    mapping: dict[int, Column] = {}
    unknown, repeated = [], []
    for i, header in enumerate(table.headers):
        if not header:
            unknown.append(f"{column_letter(i)} 列(无表头)")
            continue
        col = by_header.get(_normal(header))
        if col is None:
            unknown.append(f"「{header}」")
        elif col in mapping.values():
            repeated.append(f"「{header}」")
        else:
            mapping[i] = col
    missing = [f"「{c.header}」" for c in kind.columns if c.required and c not in mapping.values()]
    parts = []
    if missing:
        parts.append("缺少必填列 " + "、".join(missing))
    if unknown:
        parts.append("不认识的列 " + "、".join(unknown))
    if repeated:
        parts.append("重复的列 " + "、".join(repeated))
    if parts:
        raise ImportFileError(f"工作表「{table.sheet}」的表头与「{kind.title}」模板不符:" + ";".join(parts)
                              + "。请下载模板,按模板的表头填写", "headers")
    return mapping


def check_table(kind: ImportKind, table: Table, ctx: Context) -> Checked:
    """Every row read and checked: cell by cell, across the row's fields, and against the rows before it."""
    mapping = map_headers(kind, table)
    example = [kind.example_row()[kind.columns.index(mapping[i])] if i in mapping else None
               for i in range(len(table.headers))]
    letters = {col.key: column_letter(i) for i, col in mapping.items()}
    out = Checked(kind, table, [])
    seen: dict[Any, int] = {}
    for row in table.rows:
        if _is_example(row.values, example):
            out.example_skipped += 1
            continue
        problems: list[Problem] = []

        def problem(col: Column | None, message: str) -> None:
            problems.append(Problem(row.number, letters.get(col.key) if col else None,
                                    col.header if col else None, message, table.sheet))

        if row.values and is_overflow(row.values[-1]):
            problem(None, f"本行比表头多出 {len(row.values[-1])} 列(可能某个值里有未加引号的逗号)")
            out.rows.append(CheckedRow(row, None, problems))
            continue
        values: dict[str, Any] = {}
        for i, col in mapping.items():
            raw = row.values[i] if i < len(row.values) else None
            try:
                values[col.key] = col.read(raw, ctx)
            except CellError as exc:
                problem(col, exc.message)
        for col in kind.columns:
            values.setdefault(col.key, None)
        if not problems and kind.check is not None:
            for key, message in kind.check(values, ctx).items():
                problem(kind.column(key) if key else None, message)
        if not problems and kind.key is not None:
            natural = kind.key(values)
            if natural is not None:
                first = seen.setdefault(natural, row.number)
                if first != row.number:
                    problem(None, f"与第 {first} 行重复(同一{kind.key_label or '记录'})")
        out.rows.append(CheckedRow(row, None if problems else values, problems))
    if not out.rows:
        raise ImportFileError(f"工作表「{table.sheet}」没有数据行" + ("(只有示例行)" if out.example_skipped else ""),
                              "no_rows")
    if kind.order is not None:
        out.write_order = kind.order(out.rows, ctx)
    return out


def _is_example(values: list, example: list) -> bool:
    def same(a, b):
        return (a is None and b is None) or (a is not None and b is not None and str(a) == str(b))

    padded = list(values) + [None] * (len(example) - len(values))
    return any(v is not None for v in example) and all(same(a, b) for a, b in zip(padded, example))
