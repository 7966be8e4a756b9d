"""The charity fund (爱心基金): donations in, grants asked for and paid out, the ledger that balances."""
from __future__ import annotations

from liandong import idempotency
from liandong.auth import Principal, out_of_scope
from liandong.errors import Conflict, InvalidTransition
from liandong.ids import new_id
from liandong.listing import Page

from ..domain.money import fen_to_yuan
from .common import UseCases, year_of


def fund_id_of(org_unit_id: str) -> str:
    return f"fund:{org_unit_id}"


class Fund(UseCases):
    def donate(self, p: Principal, body: dict) -> dict:
        org_path = self.unit_path(p, "welfare:fund", body["org_unit_id"])
        fund_id = fund_id_of(body["org_unit_id"])
        self.stores.fund.open(fund_id, body["org_unit_id"], org_path)
        entry = {"_id": idempotency.derived_id("fund_entry") or new_id(),  # the fund takes an entry once
                 "fund_id": fund_id, "org_path": org_path, "org_unit_id": body["org_unit_id"], "kind": "donation",
                 "amount_fen": body["amount_fen"], "party": body["donor"], "donor_kind": body["donor_kind"],
                 "at": self.clock.now_iso(), "by": p.user_id}
        applied, _ = self.stores.fund.move(fund_id, entry)
        return self.stores.fund.record(fund_id, applied)  # a retry: the entry as its first attempt recorded it

    def request_grant(self, p: Principal, body: dict) -> dict:
        org_path = self.org.path_of(body["org_unit_id"])
        if not (p.can("welfare:review", org_path) or p.can("welfare:fund", org_path)):
            p.require("welfare:fund", org_path)
        return self.stores.fund.add_grant({  # a retry (its id derived from its key): the request first stored
            "_id": idempotency.derived_id("fund_grant") or new_id(), "fund_id": fund_id_of(body["org_unit_id"]),
            "org_path": org_path, "org_unit_id": body["org_unit_id"], "recipient": body["recipient"],
            "reason": body["reason"], "amount_fen": body["amount_fen"], "status": "requested",
            "requested_by": p.user_id, "requested_at": self.clock.now_iso(), "decided_by": None, "decided_at": None})

    def decide_grant(self, p: Principal, grant_id: str, approve: bool, note: str = "") -> dict:
        fund = self.stores.fund
        grant = fund.grant(grant_id)
        if grant is None:
            raise out_of_scope("fund grant", grant_id)
        p.authorize("welfare:fund", grant["org_path"], read="welfare:read", what="fund grant", record_id=grant_id)
        if fund.grant_decided_by_this_request(grant_id):  # a retry: decided already, as asked
            return grant
        now = self.clock.now_iso()
        decided = {"decided_by": p.user_id, "decided_at": now, "note": note}
        if not approve:
            if not fund.decide_grant(grant_id, ("requested",), {"status": "rejected", **decided}):
                raise InvalidTransition(f"the fund grant is {grant['status']}: only a requested one can be rejected")
            return fund.grant(grant_id)
        # claimed first, so a rejection racing this approval cannot win after the money has gone;
        # "paying" left by a crash is finished by approving again (the fund pays an entry only once)
        if not fund.claim_grant(grant_id):
            raise InvalidTransition(f"the fund grant is {grant['status']} already")
        marker = self._year_marker(grant, now)
        entry = {"_id": grant_id, "fund_id": grant["fund_id"], "org_path": grant["org_path"],
                 "org_unit_id": grant["org_unit_id"], "kind": "grant", "amount_fen": -grant["amount_fen"],
                 "party": grant["recipient"], "at": now, "by": p.user_id,
                 "first_for_person_in_year": self.stores.firsts_in_year.first(marker, grant_id)}
        try:
            if fund.account(grant["fund_id"]) is None:
                raise Conflict("the fund holds nothing yet", {"amount_fen": ["at most 0"]})
            applied, _ = fund.move(grant["fund_id"], entry)
        except Conflict:
            fund.unclaim_grant(grant_id)
            self.stores.firsts_in_year.release(marker, grant_id)
            raise
        fund.record(grant["fund_id"], applied)
        fund.decide_grant(grant_id, ("paying",), {"status": "paid", **decided})
        return fund.grant(grant_id)

    def _year_marker(self, grant: dict, paid_at: str) -> str:
        """The mark of the recipient's first grant of the year from the fund ("帮助65名困难居民"): the recipient
        told apart by a blind index of the name the request gave (never stored in the clear, never sent)."""
        who = self.stores.fund.recipient_key(grant["recipient"])
        return f"fund:{year_of(paid_at)}:{grant['fund_id']}:{who}"

    def grants(self, p: Principal, q: dict) -> Page:
        """Fund grants asked for in the caller's sight (or the `org_unit` asked), newest first: the open ones
        (`status=requested,paying`) are what waits for a decision."""
        return self.stores.fund.grants_page(self.scope(p, "welfare:read", q.get("org_unit")), q)

    def _fund_of(self, p: Principal, org_unit_id: str) -> str:
        unit = self.org.get(org_unit_id)
        if unit is None or unit.get("retired"):
            raise out_of_scope("charity fund", org_unit_id)
        p.authorize("welfare:read", unit["path"], read="welfare:read", what="charity fund", record_id=org_unit_id)
        return fund_id_of(org_unit_id)

    def account(self, p: Principal, org_unit_id: str) -> dict:
        """A fund's balance and totals, and the sum of its ledger (which equals the balance)."""
        fund_id = self._fund_of(p, org_unit_id)
        account = self.stores.fund.account(fund_id) or {"balance_fen": 0, "total_in_fen": 0, "total_out_fen": 0}
        return {"fund_id": fund_id, "org_unit_id": org_unit_id, "balance_fen": account["balance_fen"],
                "balance_yuan": fen_to_yuan(account["balance_fen"]), "total_in_fen": account["total_in_fen"],
                "total_out_fen": account["total_out_fen"], "ledger_sum_fen": self.stores.fund_entries.sum_of(fund_id)}

    def entries(self, p: Principal, org_unit_id: str, q: dict) -> Page:
        """A fund's ledger, oldest first."""
        return self.stores.fund_entries.page(self._fund_of(p, org_unit_id), q.get("from_"), q.get("to"), q["page"],
                                             q["page_size"])

    def record_unrecorded(self) -> int:
        """Entries a crash left unrecorded (the balance moved, the ledger row and its event not yet written)."""
        return self.stores.fund.record_unrecorded()
