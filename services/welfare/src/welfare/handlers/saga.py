"""The love-coin saga's answers from the volunteer service."""
from __future__ import annotations

from ..service_layer.redemptions import Redemptions


def handlers(redemptions: Redemptions) -> dict:
    return {
        "liandong.volunteer.coins.reserved.v1": redemptions.coins_reserved,
        "liandong.volunteer.coins.reservation_refused.v1": redemptions.coins_refused,
    }
