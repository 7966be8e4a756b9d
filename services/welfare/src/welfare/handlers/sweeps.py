"""The welfare worker's periodic jobs."""
from __future__ import annotations

from datetime import timedelta

from liandong.clock import to_iso

from ..service_layer import Welfare


def redemption_sweeper(welfare: Welfare, timeout_seconds: float):
    """Redemptions whose coins never came within the timeout are cancelled; ledger entries a crash left
    unrecorded (the stock or fund moved, its ledger row and event not yet written) are recorded."""

    def sweep_redemptions():
        cancelled = welfare.redemptions.sweep(to_iso(welfare.deps.clock.now() - timedelta(seconds=timeout_seconds)))
        welfare.goods.record_unrecorded()
        welfare.fund.record_unrecorded()
        return cancelled

    return sweep_redemptions
