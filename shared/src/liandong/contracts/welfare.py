"""Events the welfare service publishes (民政). Each is registered with its schema and an example."""
from marshmallow import Schema, fields, validate  # noqa: F401

from . import CONTRACTS  # noqa: F401

# -- the love-coin redemption saga with the volunteer service (welfare's side).
# welfare: redemption.requested -> volunteer: coins.reserved | coins.reservation_refused
# -> welfare: redemption.goods_handed_out (confirm) | redemption.cancelled (compensate)
# -> volunteer: coins.redeemed | coins.released


class RedemptionItem(Schema):
    item_id = fields.String(required=True)
    name = fields.String(required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))
    coins = fields.Integer(required=True, validate=validate.Range(min=0))  # coins for this line


_REDEMPTION = {"redemption_id": "r-1", "volunteer_id": "vol-1", "org_unit_id": "jiayuan", "coins": 30,
               "items": [{"item_id": "rice-5kg", "name": "大米5公斤", "quantity": 1, "coins": 30}]}


@CONTRACTS.contract("welfare.redemption.requested", 1, example=_REDEMPTION)
class RedemptionRequested(Schema):
    """A volunteer asked to pay for charity-supermarket goods with love coins: reserve them, please."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
    items = fields.List(fields.Nested(RedemptionItem), required=True, validate=validate.Length(min=1))


@CONTRACTS.contract("welfare.redemption.goods_handed_out", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30})
class RedemptionGoodsHandedOut(Schema):
    """The goods were handed out against reserved coins: the coins are spent (confirm)."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))


@CONTRACTS.contract("welfare.redemption.cancelled", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30, "reason": "out_of_stock"})
class RedemptionCancelled(Schema):
    """The redemption will not happen: any coins reserved for it are to be released (compensate)."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.OneOf(
        ("out_of_stock", "coins_refused", "cancelled_by_staff", "timed_out")))
