"""What a figure of the offices' reports is: a metric (a sum of deltas, or a stock), a rate of two sums, a
breakdown by a code its owning service defines. No I/O."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # the offices' words
    unit: str  # 批次, 人次, 户, 人, fen, 分钟, 枚, 次, 名
    stock: bool = False


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    numerator: tuple[str, ...]
    denominator: str


@dataclass(frozen=True)
class Breakdown:
    """A figure split by a code that its owning service defines (a welfare programme, an incident type).

    The codes are not listed here: a figure `<family>.<code>` counts for any code an event carries, so a
    programme welfare adds to its configuration is counted from its first event, and its label comes
    from welfare (`Labels`) when the figure is shown."""

    family: str      # the figure it splits, e.g. "welfare.households"
    vocabulary: str  # whose codes: "programme" (welfare), "incident_type" (security)
    suffix: str      # after the code's label: 城市低保 + 在保户数
    unit: str
    stock: bool = False
