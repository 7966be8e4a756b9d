"""Every reaction of the security service to another service's events (`handlers(...)` per module)."""
from __future__ import annotations

from ..config import SecuritySettings
from ..service_layer.key_groups import KeyGroups
from . import person_activity, petitions, welfare


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


def handlers(deps, key_groups: KeyGroups, settings: SecuritySettings) -> dict:
    return _merged(petitions.handlers(deps), person_activity.handlers(deps),
                   welfare.handlers(key_groups, settings.programme_tags))
