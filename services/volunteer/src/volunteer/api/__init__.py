"""The volunteer API under /api/v1/volunteer: one blueprint per use-case group (parse → call → present)."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.web import load_json

PREFIX = "/api/v1/volunteer"
TAGS = ["volunteer"]


def created(use_case, schema):
    """A create: the body parsed with `schema`, the use case called for the caller, 201 with the record."""
    return use_case(current_principal(), load_json(schema)), 201


from . import activities, configuration, love_bank, reports, teams, volunteers  # noqa: E402  (they read PREFIX)


def blueprints(svc) -> list[Blueprint]:
    return [m.blueprint(svc) for m in (volunteers, teams, activities, love_bank, configuration, reports)]
