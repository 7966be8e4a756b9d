"""Routes of the figures: statistics and recognition of an org unit for a period."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.listing import PeriodQuery
from liandong.openapi import api
from liandong.web import load_query

from ..service_layer.access import READ
from . import PREFIX, TAGS, schemas as s


def blueprint(svc) -> Blueprint:
    bp = Blueprint("reports", __name__, url_prefix=PREFIX)
    uc = svc.reports

    @bp.get("/stats")
    @api("Statistics of an org unit for a period: volunteers, teams, activities, 人次, hours, coins",
         query=PeriodQuery, response=s.StatsSchema, tags=TAGS, permission=READ)
    def stats():
        return uc.stats(current_principal(), load_query(PeriodQuery))

    @bp.get("/recognition")
    @api("Per-volunteer and per-team totals for a period, ranked", query=s.RecognitionQuery,
         response=s.RecognitionSchema, tags=TAGS, permission=READ)
    def recognition():
        return uc.recognition(current_principal(), load_query(s.RecognitionQuery))

    return bp
