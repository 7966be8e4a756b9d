"""The service's vocabularies (codes and their labels): what the gateway's reports, exports and the console name codes by."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields

from liandong.listing import NoQuery
from liandong.openapi import api
from liandong.web import load_query

from ..domain.vocabulary import vocabularies


class _Named(Schema):
    code = fields.String()
    name = fields.String()


class _Rule(Schema):
    rule = fields.String()
    every_days = fields.Integer()


class ConfigOut(Schema):
    incident_types = fields.List(fields.Nested(_Named))
    severities = fields.List(fields.Nested(_Named))
    incident_states = fields.List(fields.Nested(_Named))
    reporters = fields.List(fields.Nested(_Named))
    dispute_types = fields.List(fields.Nested(_Named))
    outcomes = fields.List(fields.Nested(_Named))
    key_groups = fields.List(fields.Nested(_Named))
    relationships = fields.List(fields.Nested(_Named))
    residences = fields.List(fields.Nested(_Named))
    household_states = fields.List(fields.Nested(_Named))
    visit_kinds = fields.List(fields.Nested(_Named))
    visit_rules = fields.List(fields.Nested(_Rule), metadata={"description": "the 六必访 rules in force: days "
                                                                                "between visits per key group, "
                                                                                "and for every household"})


def blueprint(visit_rules: dict) -> Blueprint:
    bp = Blueprint("configuration", __name__)

    @bp.get("/config")
    @api("The service's codes with their labels (incident types, severities, states, dispute types, outcomes, "
         "key groups, relationships, residence statuses, visit kinds) and the 六必访 rules in force; "
         "any signed-in caller: they are the platform's taxonomy, not records", query=NoQuery, response=ConfigOut,
         tags=["configuration"])
    def config():
        load_query(NoQuery)
        return {**vocabularies(), "visit_rules": [{"rule": r, "every_days": d} for r, d in visit_rules.items()]}

    return bp
