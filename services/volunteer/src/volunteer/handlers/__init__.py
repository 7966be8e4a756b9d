"""Every reaction of the volunteer service to events (each idempotent: a redelivery changes nothing)."""
from __future__ import annotations

from . import attendance, party, patrols, redemptions


def handlers(stores) -> dict:
    """{event type: handler} of every module here, for the worker; two modules reacting to one event type (our
    own attendance: the read model and coins, and the party's hours) are run one after the other."""
    out: dict = {}
    for module in (attendance, patrols, redemptions, party):
        for event_type, handle in module.handlers(stores).items():
            out[event_type] = _both(out[event_type], handle) if event_type in out else handle
    return out


def _both(first, second):
    def handle(event) -> None:
        first(event)
        second(event)
    return handle
