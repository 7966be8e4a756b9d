"""Event reactions of the welfare service, one module per concern; `handlers` merges them for the worker."""
from __future__ import annotations

from ..service_layer import Welfare
from . import employment, repairs, saga
from .sweeps import redemption_sweeper

__all__ = ["handlers", "redemption_sweeper"]


def handlers(welfare: Welfare) -> dict:
    return {**saga.handlers(welfare.redemptions), **repairs.handlers(welfare.applications),
            **employment.handlers(welfare.employment)}  # 就业 / 社保 (#20)
