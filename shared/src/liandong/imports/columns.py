"""The columns of an import: a Chinese header, how a cell is read, the rule the template's second sheet states.

A column reads one cell into the value the service's use case takes (an amount in yuan into integer fen, a
label into its code, a community's name into its org unit id) or raises `CellError` with a message in Chinese
that tells the office what is wrong and how to fix it. No I/O: the org tree comes in through the `Context`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from .. import idnumbers


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Context:
    """What reading a row needs beyond the row: today (for "not in the future"), the org units the caller may
    import into (id → unit document with `name`, `level`, `path`), and the kind's own lookups."""

    today: date
    units: dict[str, dict] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def unit_named(self, value: str, levels: tuple[str, ...]) -> dict:
        unit = self.units.get(value)
        if unit is None:
            named = [u for u in self.units.values() if u["name"] == value]
            if len(named) > 1 and levels:  # 新华社区 and a 新华 grid: the level asked for tells them apart
                named = [u for u in named if u["level"] in levels] or named
            if len(named) > 1:
                raise CellError(f"有 {len(named)} 个名为「{value}」的单位,请填写单位编号(见「代码表」)")
            unit = named[0] if named else None
        if unit is None:
            raise CellError(f"「{value}」不是您可导入的单位(未知或不在您的管辖范围内),请从下拉列表中选择")
        if levels and unit["level"] not in levels:
            raise CellError(f"「{value}」是{_LEVEL_NAMES.get(unit['level'], unit['level'])},此处应填"
                            + "或".join(_LEVEL_NAMES.get(x, x) for x in levels))
        return unit


_LEVEL_NAMES = {"city": "市", "district": "区", "subdistrict": "街道", "community": "社区",
                "grid": "网格", "group": "居民小组", "building": "楼栋"}


@dataclass
class Column:
    """One column. `key` is the field the use case takes; `header` what the office's sheet calls it."""

    key: str
    header: str
    required: bool = True
    example: Any = None
    rule: str = ""  # the sentence for the rules sheet ("18 位,末位可为 X")
    aliases: tuple[str, ...] = ()  # other headers offices use for it ("公民身份号码")
    personal: bool = False  # the value is personal data: never echoed in a message, masked in previews
    width: int = 14

    def choices(self, ctx: Context | None) -> list[str]:
        """The values a dropdown offers (empty: free input)."""
        return []

    def read(self, value: Any, ctx: Context) -> Any:
        if value is None:
            if self.required:
                raise CellError("必填,不能为空")
            return None
        return self.parse(value, ctx)

    def parse(self, value: Any, ctx: Context) -> Any:
        return value


@dataclass
class Text(Column):
    max_length: int = 100
    pattern: str | None = None
    pattern_hint: str = ""

    def parse(self, value, ctx):
        text = str(value).strip()
        if len(text) > self.max_length:
            raise CellError(f"不能超过 {self.max_length} 个字")
        if self.pattern and not re.fullmatch(self.pattern, text):
            raise CellError(self.pattern_hint or "格式不对")
        return text


@dataclass
class Integer(Column):
    minimum: int = 0
    maximum: int = 10**9

    def parse(self, value, ctx):
        if isinstance(value, bool):
            raise CellError("应为整数")
        if isinstance(value, float) and not value.is_integer():
            raise CellError("应为整数")
        try:
            number = int(str(value).replace(",", "").strip())
        except ValueError:
            raise CellError("应为整数") from None
        if not self.minimum <= number <= self.maximum:
            raise CellError(f"应在 {self.minimum} 到 {self.maximum} 之间")
        return number


@dataclass
class Decimal1(Column):
    """A quantity with at most `places` decimals (service hours: 2.5), kept as a Decimal-exact float."""

    places: int = 1
    minimum: float = 0
    maximum: float = 10**7

    def parse(self, value, ctx):
        number = _decimal(value)
        if number.as_tuple().exponent < -self.places:
            raise CellError(f"最多 {self.places} 位小数")
        if not Decimal(str(self.minimum)) <= number <= Decimal(str(self.maximum)):
            raise CellError(f"应在 {self.minimum:g} 到 {self.maximum:g} 之间")
        return float(number)


@dataclass
class Money(Column):
    """An amount in yuan as the office writes it (1234.5, "1,234.50", "¥800"); read into integer fen."""

    maximum_yuan: int = 10**7
    allow_zero: bool = True

    def parse(self, value, ctx):
        number = _decimal(value, strip="¥￥元 ")
        if number.as_tuple().exponent < -2:
            raise CellError("金额最多两位小数(分)")
        if number < 0 or (number == 0 and not self.allow_zero):
            raise CellError("金额应大于 0" if not self.allow_zero else "金额不能为负")
        if number > self.maximum_yuan:
            raise CellError(f"金额超过 {self.maximum_yuan} 元,请核对")
        return int(number * 100)


def _decimal(value, strip: str = " ") -> Decimal:
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, float):
        value = repr(value)  # 0.1 stays 0.1 (not 0.1000000000000000055…)
    text = str(value).replace(",", "").strip(strip).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError("应为数字") from None
    if not number.is_finite():
        raise CellError("应为数字")
    return number.normalize() if number == number.to_integral() else number


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


@dataclass
class Day(Column):
    """A date: an Excel date cell, 2024-03-01, 2024/3/1 or 2024年3月1日. `past` refuses a date after today."""

    past: bool = True
    earliest: date = date(1900, 1, 1)

    def parse(self, value, ctx):
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            m = _DATE_TEXT.match(str(value).strip())
            if not m:
                raise CellError("日期格式应为 2024-03-01")
            try:
                value = date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise CellError("日期不存在") from None
        if self.past and value > ctx.today:
            raise CellError(f"日期 {value.isoformat()} 在今天之后")
        if value < self.earliest:
            raise CellError(f"日期早于 {self.earliest.isoformat()}")
        return value.isoformat()


@dataclass
class Month(Column):
    """A month: 2024-03, 2024年3月, or an Excel date cell (its month). `past` refuses a month after this one."""

    past: bool = True

    def parse(self, value, ctx):
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            year, month = value.year, value.month
        else:
            m = _MONTH_TEXT.match(str(value).strip()) or _DATE_TEXT.match(str(value).strip())
            if not m:
                raise CellError("月份格式应为 2024-03")
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12 or year < 1950:
                raise CellError("月份不存在")
        if self.past and (year, month) > (ctx.today.year, ctx.today.month):
            raise CellError(f"月份 {year}-{month:02d} 在本月之后")
        return f"{year}-{month:02d}"


@dataclass
class Choice(Column):
    """One of a code list: the office writes the Chinese label (from the dropdown) or the code."""

    options: dict[str, str] = field(default_factory=dict)  # code → label
    options_from: Callable[[Context], dict[str, str]] | None = None  # a list known only at import time

    def _options(self, ctx: Context | None) -> dict[str, str]:
        if self.options_from is not None and ctx is not None:
            return self.options_from(ctx)
        return self.options

    def choices(self, ctx):
        return list(self._options(ctx).values())

    def parse(self, value, ctx):
        text = str(value).strip()
        options = self._options(ctx)
        for code, label in options.items():
            if text in (label, code):
                return code
        shown = "、".join(list(options.values())[:8]) + ("等" if len(options) > 8 else "")
        raise CellError(f"「{text}」不在可选值中(可选:{shown})")


@dataclass
class Flag(Column):
    def choices(self, ctx):
        return ["是", "否"]

    def parse(self, value, ctx):
        text = str(value).strip().lower()
        if text in ("是", "y", "yes", "true", "1", "√"):
            return True
        if text in ("否", "n", "no", "false", "0", "×"):
            return False
        raise CellError("应填“是”或“否”")


@dataclass
class IdNumber(Column):
    """A resident identity number (居民身份证号码), checked digit by digit; never echoed back in a message."""

    personal: bool = True
    width: int = 22

    def parse(self, value, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # an 18-digit number typed into a number cell keeps 15 significant digits: the end is lost
            raise CellError("身份证号被 Excel 存成了数字(末几位已丢失):请把该列设为“文本”后重新填写")
        text = str(value).strip().upper().replace(" ", "")
        problem = idnumbers.problem(text)
        if problem is None:
            return text
        raise CellError(_ID_PROBLEMS.get(problem, "身份证号无效"))


_ID_PROBLEMS = {
    "an ID number has 17 digits and a final digit or X": "身份证号应为 18 位:17 位数字加末位数字或 X",
    "the date of birth in the ID number does not exist": "身份证号中的出生日期不存在",
    "the date of birth in the ID number is out of range": "身份证号中的出生日期超出范围",
    "the check digit of the ID number is wrong": "身份证号校验位错误(末位不对),请核对",
}


@dataclass
class Mobile(Column):
    personal: bool = True

    def parse(self, value, ctx):
        text = re.sub(r"[\s-]", "", str(value))
        if not re.fullmatch(r"1[3-9]\d{9}", text) and not re.fullmatch(r"0\d{9,11}", text):
            raise CellError("应为 11 位手机号或带区号的固定电话")
        return text


@dataclass
class OrgUnitRef(Column):
    """An org unit the caller may import into, by its id or its (unique) name; read into the unit's id."""

    levels: tuple[str, ...] = ("community",)
    width: int = 18

    def choices(self, ctx):
        if ctx is None:
            return []
        names = [u["name"] for u in ctx.units.values() if not self.levels or u["level"] in self.levels]
        return sorted(set(n for n in names if names.count(n) == 1)) + sorted(
            u_id for u_id, u in ctx.units.items()
            if (not self.levels or u["level"] in self.levels) and names.count(u["name"]) > 1)

    def parse(self, value, ctx):
        return ctx.unit_named(str(value).strip(), self.levels)["_id"]
