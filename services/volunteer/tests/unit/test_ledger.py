"""Ledger rules without I/O: transfers are positive, between two accounts, and always balance."""
import pytest

from liandong.errors import InvalidTransition, ValidationFailed

from volunteer.domain import ledger
from volunteer.domain.redemption import CoinsReserved, Redemption


def transfer(coins=10, frm="issuer:jiayuan", to="vol:a", kind="attendance", reason="服务"):
    return ledger.Transfer("e-1", frm, to, coins, kind, reason, "/x/", "2026-03-01T00:00:00.000000Z", {})


def test_a_transfer_moves_a_positive_amount_between_two_accounts_with_a_reason():
    assert sum(n for _, n in transfer().legs()) == 0
    for bad in (dict(coins=0), dict(coins=-5), dict(to="issuer:jiayuan"), dict(reason=" "), dict(kind="gift")):
        with pytest.raises(ValidationFailed):
            transfer(**bad)


def test_balances_follow_from_the_entries_and_sum_to_zero():
    entries = [{"from_account": "issuer:j", "to_account": "vol:a", "coins": 30},
               {"from_account": "vol:a", "to_account": "vol:b", "coins": 10},
               {"from_account": "vol:a", "to_account": "supermarket:j", "coins": 5}]
    balances = ledger.balances_from(entries)
    assert balances == {"issuer:j": -30, "vol:a": 15, "vol:b": 10, "supermarket:j": 5}
    assert sum(balances.values()) == 0
    assert ledger.may_go_negative("issuer:j") and not ledger.may_go_negative("vol:a")


def test_redemption_settles_once():
    r = Redemption.reserved(40, id="r", volunteer_id="v", coins=10, org_unit_id="j", org_path="/x/", requested_at="t")
    assert isinstance(r.events[0], CoinsReserved)
    r.redeem()
    with pytest.raises(InvalidTransition):
        r.release()
    refused = Redemption.refused("insufficient_balance", id="r2", volunteer_id="v", coins=10, org_unit_id="j",
                                 org_path="/x/", requested_at="t")
    with pytest.raises(InvalidTransition):
        refused.release()
