"""Every reaction of the security service to another service's events (`handlers(deps)` per module)."""
from __future__ import annotations

from . import petitions


def handlers(deps) -> dict:
    return {**petitions.handlers(deps)}
