"""Event reactions of the welfare service: the love-coin saga, and ledgers repaired from its own events."""
from __future__ import annotations

from datetime import timedelta

from liandong.clock import to_iso
from liandong.consumer import insert_once

from ..service import Welfare


def handlers(welfare: Welfare) -> dict:
    def coins_reserved(event):
        welfare.on_coins_reserved(event)

    def coins_refused(event):
        welfare.on_coins_refused(event)

    def application_approved(event):
        # the grant is started by the approving request; this covers a crash right after approval
        found = welfare.applications.find({"_id": event.data["application_id"]})
        if found and found[0].status == "approved":
            app = found[0]
            welfare.start_grant(app)

    def goods_moved(event):
        d = event.data
        if welfare.stock.items.count_documents({"_id": d["item_id"]}) == 0:
            return  # not an item of this service's store: nothing to repair
        donated = event.type.startswith("liandong.welfare.goods.donated")
        insert_once(welfare.stock.movements, {
            "_id": d["movement_id"], "kind": "donation" if donated else (
                "redemption" if d["recipient"].startswith("volunteer:") else "handout"),
            "org_path": event.orgpath, "org_unit_id": d["org_unit_id"], "item_id": d["item_id"], "name": d["name"],
            "unit": d["unit"], "quantity": d["quantity"], "value_fen": d["value_fen"],
            "donor": d.get("donor"), "recipient": d.get("recipient"), "at": event.time, "by": "recovered from event"})

    def fund_moved(event):
        d = event.data
        if welfare.fund.accounts.count_documents({"_id": d["fund_id"]}) == 0:
            return
        paid_out = event.type.startswith("liandong.welfare.fund.grant_paid")
        # the recipient is not on the wire (personal): it is the stored grant's (earlier versions sent it)
        if paid_out and not d.get("recipient"):
            d = {**d, "recipient": (welfare.fund.grant(d["entry_id"]) or {}).get("recipient")}
        welfare.fund.record_entry({
            "_id": d["entry_id"], "fund_id": d["fund_id"], "org_path": event.orgpath,
            "kind": "grant" if paid_out else "donation",
            "amount_fen": -d["amount_fen"] if paid_out else d["amount_fen"],
            "balance_after_fen": d["balance_after_fen"], "party": d.get("recipient") or d.get("donor"),
            "at": event.time, "by": "recovered from event"})

    return {
        "liandong.volunteer.coins.reserved.v1": coins_reserved,
        "liandong.volunteer.coins.reservation_refused.v1": coins_refused,
        "liandong.welfare.application.approved.v1": application_approved,
        "liandong.welfare.goods.donated.v1": goods_moved,
        "liandong.welfare.goods.handed_out.v1": goods_moved,
        "liandong.welfare.fund.donation_received.v1": fund_moved,
        "liandong.welfare.fund.grant_paid.v1": fund_moved,
    }


def redemption_sweeper(welfare: Welfare, timeout_seconds: float):
    """A periodic job: redemptions whose coins never came within the timeout are cancelled."""

    def sweep_redemptions():
        return welfare.sweep_redemptions(to_iso(welfare.clock.now() - timedelta(seconds=timeout_seconds)))

    return sweep_redemptions
