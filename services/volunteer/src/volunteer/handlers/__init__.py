"""Every reaction of the volunteer service to events (each idempotent: a redelivery changes nothing)."""
from __future__ import annotations

from . import attendance, patrols, redemptions


def handlers(stores) -> dict:
    """{event type: handler} of every module here, for the worker."""
    return {**attendance.handlers(stores), **patrols.handlers(stores), **redemptions.handlers(stores)}
