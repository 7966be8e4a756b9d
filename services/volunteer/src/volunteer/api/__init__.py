"""The volunteer API under /api/v1/volunteer: one blueprint per use-case group (parse → call → present)."""
from __future__ import annotations

from flask import Blueprint

PREFIX = "/api/v1/volunteer"
TAGS = ["volunteer"]


# they read PREFIX
from . import activities, configuration, imports, love_bank, party, reports, teams, volunteers  # noqa: E402


def blueprints(svc) -> list[Blueprint]:
    return [m.blueprint(svc) for m in (volunteers, teams, activities, love_bank, configuration, reports,
                                      imports, party)]
