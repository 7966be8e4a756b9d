"""Every reaction of the security service to another service's events (`handlers(deps)` per module)."""
from __future__ import annotations

from . import person_activity, petitions


def _in_turn(first, then):
    def handle(event) -> None:
        first(event)
        then(event)
    return handle


def _merged(*maps: dict) -> dict:
    """One handler per event type: where several modules react to one type, each reacts in turn (each is
    idempotent, so a redelivery after one of them failed repeats nothing)."""
    out: dict = {}
    for handlers_ in maps:
        for event_type, handle in handlers_.items():
            out[event_type] = _in_turn(out[event_type], handle) if event_type in out else handle
    return out


def handlers(deps) -> dict:
    return _merged(petitions.handlers(deps), person_activity.handlers(deps))
