"""Disbursements (发放): paying active grants once per month, the payment ledger, and its totals."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import Conflict, ValidationFailed
from liandong.listing import Page
from liandong.repository import change

from ..domain.money import fen_to_yuan
from ..domain.reports import payment_totals
from .common import UseCases, current_period, month_of


class Disbursements(UseCases):
    def disburse(self, p: Principal, body: dict) -> dict:
        org_path = self.unit_path(p, "welfare:disburse", body["org_unit_id"])
        period = body["period"]
        # this month, or a month missed before (each grant pays only from its first month); never ahead
        this_month = current_period(self.clock.now())
        if period > this_month:
            raise ValidationFailed("a month not begun yet is not paid", {"period": [f"at most the current month {this_month}"]})
        paid, skipped, total = 0, 0, 0
        for grant in self.stores.grants.active_under(org_path, body.get("programme")):
            if not grant.payable(period):
                continue
            key = period if grant.schedule == "monthly" else "once"
            payment = self.stores.payments.of_grant(grant, period, key, self.clock.now_iso(), p.user_id)
            try:
                self.stores.payments.add(payment)
            except Conflict:
                skipped += 1  # paid already: a second run for the same month pays nobody twice
                continue
            paid += 1
            total += payment.amount_fen
            if grant.schedule == "once":
                self._end_quietly(grant.id, "one-off payment made")
        return {"period": period, "org_unit_id": body["org_unit_id"], "payments": paid, "already_paid": skipped,
                "total_fen": total, "total_yuan": fen_to_yuan(total)}

    def _end_quietly(self, grant_id: str, reason: str) -> None:
        def end(grant):
            if grant.status != "ended":
                grant.end(reason)
        change(self.stores.grants, grant_id, end, attempts=5)

    def payments(self, p: Principal, q: dict, read_grant) -> Page:
        """The payment ledger below `org_unit` (or all the caller sees); `grant_id`: one grant's, the grant
        checked as `GET /grants/<id>` checks it (`read_grant`: out of sight is 404)."""
        scope = self.scope(p, "welfare:read", q.get("org_unit"))
        grant_id = read_grant(p, q["grant_id"]).id if q.get("grant_id") else None
        return self.stores.payments.page(scope, grant_id, q.get("from_"), q.get("to"), q["page"], q["page_size"])

    def totals(self, p: Principal, q: dict) -> dict:
        """Money paid below an org unit for the months from..to, by programme, child unit and month."""
        org_unit_id, org_path = self.figures_root(p, "welfare:read", q.get("org_unit"))
        first, last = month_of(q.get("from_")), month_of(q.get("to"))
        payments = self.stores.payments.in_periods(org_path, first, last, q.get("programme"))
        return {"org_unit_id": org_unit_id, "from": q.get("from_"), "to": q.get("to"),
                "months": {"first": first, "last": last}, **payment_totals(payments, org_path)}
