"""Welfare's own placement events: a zero-employment household of the placed person is cleared by the placing
request; this covers a crash between the placement and the clearing (idempotent: a cleared one stays so)."""
from __future__ import annotations

from ..service_layer.employment import Employment


def handlers(employment: Employment) -> dict:
    return {"liandong.welfare.jobseeker.placed.v1": lambda event: employment.on_placed(event.data)}
