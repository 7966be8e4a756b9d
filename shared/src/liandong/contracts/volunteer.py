"""Events the volunteer service publishes (志愿服务). Each is registered with its schema and an example."""
from marshmallow import Schema, fields, validate  # noqa: F401

from . import CONTRACTS  # noqa: F401

# -- the love-coin redemption saga with the welfare service (volunteer's side).


@CONTRACTS.contract("volunteer.coins.reserved", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30, "balance_after": 70})
class CoinsReserved(Schema):
    """Coins were set aside for a redemption; they cannot be spent twice."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
    balance_after = fields.Integer(required=True, validate=validate.Range(min=0))


@CONTRACTS.contract("volunteer.coins.reservation_refused", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30,
                             "reason": "insufficient_balance"})
class CoinsReservationRefused(Schema):
    """Coins could not be reserved (not enough, unknown volunteer, volunteer not active)."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.OneOf(
        ("insufficient_balance", "unknown_volunteer", "inactive_volunteer")))


@CONTRACTS.contract("volunteer.coins.redeemed", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30, "org_unit_id": "jiayuan"})
class CoinsRedeemed(Schema):
    """Reserved coins were spent (moved to the charity supermarket's account)."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
    org_unit_id = fields.String(required=True)


@CONTRACTS.contract("volunteer.coins.released", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30})
class CoinsReleased(Schema):
    """Reserved coins went back to the volunteer's balance (the redemption was cancelled)."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
