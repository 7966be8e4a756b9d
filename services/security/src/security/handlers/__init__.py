"""Every reaction of the security service to another service's events (`handlers(...)` per module)."""
from __future__ import annotations

from ..config import SecuritySettings
from ..service_layer.key_groups import KeyGroups
from . import petitions, welfare


def handlers(deps, key_groups: KeyGroups, settings: SecuritySettings) -> dict:
    return {**petitions.handlers(deps), **welfare.handlers(key_groups, settings.programme_tags)}
