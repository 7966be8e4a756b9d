"""Routes of the love bank (爱心银行): adjustments, the time bank, the ledger check."""
from __future__ import annotations

from flask import Blueprint

from liandong.routes import Records

from ..service_layer.access import MANAGE, SELF
from . import PREFIX, TAGS, schemas as s


def blueprint(svc) -> Blueprint:
    bp = Blueprint("love_bank", __name__, url_prefix=PREFIX)
    uc = svc.love_bank
    routes = Records(bp, TAGS)

    routes.create("/coins/adjustments", "adjust",
                  "Adjust a balance by an entry with a reason (positive credits, negative debits)", uc.adjust,
                  body=s.AdjustmentSchema, response=s.EntrySchema, permission=MANAGE)

    routes.create("/coins/time-bank", "time_bank", "Pay another volunteer in love coins for their help (时间银行)",
                  uc.time_bank, body=s.TimeBankSchema, response=s.EntrySchema, permission=f"{MANAGE} or {SELF}")

    routes.read("/coins/check", "ledger_check", "Do the stored balances equal the sum of the ledger?", uc.check,
                response=s.LedgerCheckSchema, permission=MANAGE)

    return bp
