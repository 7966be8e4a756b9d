"""Routes of pairings, visits and the statistics: parse, call the use case, present."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.listing import PeriodQuery
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..service_layer import Welfare
from . import schemas as s
from .views import clean, pairing_list_view, visit_list_view, visit_view


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("welfare_visits", __name__, url_prefix="/api/v1/welfare")
    visits = welfare.visits
    routes = Records(bp, ["visits"], clean)
    read = dict(permission="welfare:read")

    Records(bp, ["visits"], pairing_list_view, per_caller=True).listing(
        "/pairings", "list_pairings", "Pairings (结对帮扶) in the caller's scope, newest first by the day they started; "
        "whom they help masked, the plan hidden, without personal_data:read", visits.pairings,
        query=s.PairingQuerySchema, response=s.PairingSchema, **read)
    Records(bp, ["visits"], visit_list_view, per_caller=True).listing(
        "/visits", "list_visits", "Visits (走访 / 慰问) in the caller's scope, newest first; whom masked, the notes "
        "hidden, without personal_data:read", visits.visits, query=s.VisitQuerySchema, response=s.VisitSchema, **read)

    routes.create("/pairings", "pair", "Pair a cadre or volunteer with a household, with a support plan (结对帮扶)",
                  visits.pair, body=s.PairingInSchema, permission="welfare:visit")

    routes.step("/pairings/<pairing_id>/end", "end_pairing", "End a pairing (the household no longer needs it, the "
                "helper left…): the figures of helpers and households paired go down", visits.end,
                body=s.PairingEndSchema, takes=None, response=None, permission="welfare:visit")

    @bp.get("/pairings/<pairing_id>")
    @api("A pairing with its visits; masked as in the lists without personal_data:read", query=s.NoQuery,
         permission="welfare:read", tags=["visits"])
    def get_pairing(pairing_id):
        load_query(s.NoQuery)
        p = current_principal()
        pairing, its_visits = visits.pairing(p, pairing_id)
        # one record shows no more than the list it is opened from: a grid worker sees the household masked in both
        return {**pairing_list_view(p, pairing), "visits": [visit_list_view(p, v) for v in its_visits]}

    @bp.post("/visits")
    @api("Record a home, condolence or pairing visit (走访 / 慰问)", body=s.VisitInSchema, status=201,
         permission="welfare:visit", tags=["visits"])
    def visit():
        return visit_view(visits.record(current_principal(), load_json(s.VisitInSchema))), 201

    @bp.get("/visits/counts")
    @api("Visits per worker under an org unit from..to (\"走访1216次\")", query=PeriodQuery, permission="welfare:read",
         tags=["visits"])
    def visit_counts():
        return visits.counts(current_principal(), load_query(PeriodQuery))

    @bp.get("/statistics")
    @api("Households and people covered per programme, money, goods, fund and visits for an org unit from..to",
         query=PeriodQuery, permission="welfare:read", tags=["statistics"])
    def statistics():
        return welfare.statistics.figures(current_principal(), load_query(PeriodQuery))

    return bp
