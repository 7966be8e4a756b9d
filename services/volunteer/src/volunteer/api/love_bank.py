"""Routes of the love bank (爱心银行): adjustments, the time bank, the ledger check."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.listing import NoQuery
from liandong.openapi import api
from liandong.web import load_query

from ..service_layer.access import MANAGE, SELF
from . import PREFIX, TAGS, created, schemas as s


def blueprint(svc) -> Blueprint:
    bp = Blueprint("love_bank", __name__, url_prefix=PREFIX)
    uc = svc.love_bank

    @bp.post("/coins/adjustments")
    @api("Adjust a balance by an entry with a reason (positive credits, negative debits)",
         body=s.AdjustmentSchema, response=s.EntrySchema, status=201, tags=TAGS, permission=MANAGE)
    def adjust():
        return created(uc.adjust, s.AdjustmentSchema)

    @bp.post("/coins/time-bank")
    @api("Pay another volunteer in love coins for their help (时间银行)", body=s.TimeBankSchema,
         response=s.EntrySchema, status=201, tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def time_bank():
        return created(uc.time_bank, s.TimeBankSchema)

    @bp.get("/coins/check")
    @api("Do the stored balances equal the sum of the ledger?", query=NoQuery, response=s.LedgerCheckSchema,
         tags=TAGS, permission=MANAGE)
    def ledger_check():
        load_query(NoQuery)
        return uc.check(current_principal())

    return bp
