"""Routes of the district's configuration: team and activity types, coin rates."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer.access import MANAGE, READ
from . import PREFIX, TAGS, schemas as s


def blueprint(svc) -> Blueprint:
    bp = Blueprint("configuration", __name__, url_prefix=PREFIX)
    uc = svc.configure

    @bp.get("/types")
    @api("Team and activity types (built-in and configured) with their coin rates; beside them the coins an hour "
         "of security's patrols earns (`patrol_coins_per_hour`) and the kinds of volunteer with their names (`kinds`)", query=s.TypeListQuery, response=s.TypeOut,
         many=True, tags=TAGS, permission=READ)
    def types():
        return uc.types(current_principal(), load_query(s.TypeListQuery)).body()

    @bp.post("/types")
    @api("Configure another team type (at the district: types hold for every community)", body=s.TypeSchema,
         status=201, tags=TAGS, permission=MANAGE)
    def add_type():
        p = current_principal()
        data = load_json(s.TypeSchema)
        return uc.add_type(p, data["type"], data["name"]), 201

    @bp.put("/rates/<type_key>")
    @api("Set the love coins credited per hour of an activity type (at the district)", body=s.RateSchema,
         tags=TAGS, permission=MANAGE)
    def set_rate(type_key: str):
        p = current_principal()
        return uc.set_rate(p, type_key, load_json(s.RateSchema)["coins_per_hour"])

    return bp
