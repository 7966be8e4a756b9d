"""Routes of the charity supermarket (stock, goods in and out, stock-takes) and love-coin redemptions."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..service_layer import Welfare
from . import schemas as s
from .views import clean, listed, redemption_view, stock_view


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("welfare_goods", __name__, url_prefix="/api/v1/welfare")
    goods, redemptions = welfare.goods, welfare.redemptions
    tags = ["charity supermarket"]
    routes = Records(bp, tags, clean)

    routes.create("/goods/donations", "donate_goods", "Donated goods received into a community's stock",
                  goods.donate, body=s.GoodsDonationSchema, response=s.MovementSchema, permission="welfare:goods")

    routes.create("/goods/handouts", "hand_out",
                  "Hand goods to a household (409 and nothing changed when the stock is short)", goods.hand_out,
                  body=s.HandoutSchema, response=s.MovementSchema, permission="welfare:goods")

    @bp.get("/goods/stock")
    @api("Stock per item in the caller's scope (or an org unit's subtree), with in-kind value and low-stock flags",
         query=s.StockQuerySchema, response=s.StockItemSchema, many=True, permission="welfare:read", tags=tags)
    def stock():
        return listed(goods.stock, s.StockQuerySchema, lambda p, item: stock_view(item))

    @bp.get("/goods/alerts")
    @api("Items at or below their low-stock level", query=s.AlertQuerySchema, response=s.StockItemSchema, many=True,
         permission="welfare:read", tags=tags)
    def alerts():
        return goods.stock(current_principal(), load_query(s.AlertQuerySchema), low_only=True).body(stock_view)

    @bp.get("/goods/movements")
    @api("Goods in and out (who gave, who received what), oldest first", query=s.MovementQuerySchema,
         response=s.MovementSchema, many=True, permission="welfare:read", tags=tags)
    def movements():
        return listed(goods.movements, s.MovementQuerySchema, lambda p, movement: clean(movement))

    @bp.post("/goods/stocktakes")
    @api("A stock-take (盘点): counted quantities replace the book ones; differences need a reason",
         body=s.StocktakeSchema, status=201, permission="welfare:goods", tags=tags)
    def stocktake():
        return goods.stocktake(current_principal(), load_json(s.StocktakeSchema)), 201

    @bp.post("/goods/redemptions")
    @api("A volunteer pays for goods with love coins: goods are held and the coins asked for (saga)",
         body=s.RedemptionInSchema, response=s.RedemptionSchema, status=202, permission="welfare:goods", tags=tags)
    def redeem():
        return redemption_view(redemptions.request(current_principal(), load_json(s.RedemptionInSchema))), 202

    @bp.get("/goods/redemptions")
    @api("Love-coin redemptions in the caller's scope, newest first", query=s.RedemptionQuerySchema,
         response=s.RedemptionSchema, many=True, permission="welfare:read", tags=tags)
    def redemptions_list():
        return listed(redemptions.search, s.RedemptionQuerySchema, lambda p, redemption: redemption_view(redemption))

    @bp.get("/goods/redemptions/<redemption_id>")
    @api("One love-coin redemption and its state", query=s.NoQuery, response=s.RedemptionSchema,
         permission="welfare:read", tags=tags)
    def get_redemption(redemption_id):
        load_query(s.NoQuery)
        return redemption_view(redemptions.get(current_principal(), redemption_id))

    @bp.post("/goods/redemptions/<redemption_id>/cancel")
    @api("Cancel a redemption still waiting for coins (the held goods go back)", response=s.RedemptionSchema,
         permission="welfare:goods", tags=tags)
    def cancel_redemption(redemption_id):
        return redemption_view(redemptions.cancel(current_principal(), redemption_id))

    return bp
