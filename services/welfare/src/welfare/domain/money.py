"""Money as exact integer fen (分); yuan only at the edges, through Decimal, never float."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def yuan_to_fen(yuan: str | int | Decimal) -> int:
    """'720.00' -> 72000; refuses floats and more than two decimals."""
    if isinstance(yuan, float):
        raise TypeError("money is never a float")
    try:
        value = Decimal(str(yuan))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount of yuan: {yuan!r}") from exc
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"more than two decimals: {yuan!r}")
    return int(fen)


def fen_to_yuan(fen: int) -> str:
    """72000 -> '720.00'."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def times(fen: int, factor: str | int | Decimal) -> int:
    """fen multiplied by a decimal factor, rounded half up to the fen."""
    return int((Decimal(fen) * Decimal(str(factor))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
