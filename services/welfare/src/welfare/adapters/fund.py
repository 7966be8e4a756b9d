"""Charity-fund accounts (爱心基金) per org unit, and the grants asked of them: their named queries and indexes."""
from __future__ import annotations

from liandong import idempotency, outbox
from liandong.errors import ConcurrencyConflict, Conflict, NotFound
from liandong.listing import Page, page_of
from liandong.repository import retry_on_conflict
from liandong.storage.base import DuplicateKeyError

from .ledgers import HAS_UNRECORDED, UNRECORDED, FundLedger, _Balances
from liandong.storage.filters import all_of, between, one_of, within
from .repositories import FUND_GRANT


class FundRepository(_Balances):
    """Charity-fund accounts (爱心基金) per org unit, and the grants asked of them."""

    collection_name = "funds"

    def __init__(self, deps, ledger: FundLedger, attempts: int = 50):
        super().__init__(deps, ledger)
        self.grants = deps.db.collection("fund_grants")
        self.attempts = attempts

    def prepare(self) -> None:
        super().prepare()
        self.grants.create_index([("org_path", 1), ("requested_at", 1)], name="org_time")
        self.grants.create_index([("status", 1), ("requested_at", 1)], name="status_time")
        self.grants.create_index([("recipient_key", 1)], name="recipient")
        idempotency.prepare(self.grants)
        for doc in self.grants.find({"recipient_key": {"$exists": False}}):  # asked for before the key was kept
            recipient = FUND_GRANT.decrypt(doc, self.deps.cipher)["recipient"]
            self.grants.update_one({"_id": doc["_id"]}, {"$set": {"recipient_key": self.recipient_key(recipient)}})

    def recipient_key(self, recipient: str) -> str:
        """A blind index of the recipient's name as written: their grants found again without the name."""
        return self.deps.cipher.blind_index(" ".join(recipient.split()), "welfare.fund.recipient")

    def grants_page(self, scope: list[str], q: dict) -> Page:
        """Fund grants below the org paths `scope`, newest first: in some states, of one recipient."""
        recipient = q.get("recipient")
        return page_of(self.grants, all_of(within(scope), one_of("status", q.get("status")),
                                             {"recipient_key": self.recipient_key(recipient)} if recipient else {},
                                             between("requested_at", q.get("from_"), q.get("to"))),
                       page=q["page"], page_size=q["page_size"], sort=[("requested_at", -1), ("_id", 1)],
                       load=self._plain_grant)

    def account(self, fund_id: str) -> dict | None:
        return self.find(fund_id)

    def open(self, fund_id: str, org_unit_id: str, org_path: str) -> None:
        try:
            self.collection.insert_one({"_id": fund_id, "org_unit_id": org_unit_id, "org_path": org_path,
                                        "balance_fen": 0, "total_in_fen": 0, "total_out_fen": 0, "applied": [],
                                        UNRECORDED: [], HAS_UNRECORDED: False, outbox.VERSION: 1,
                                        outbox.OUTBOX: [], outbox.PENDING: False})
        except DuplicateKeyError:
            pass  # open already

    def move(self, fund_id: str, entry: dict) -> tuple[dict, bool]:
        """Apply the entry's `amount_fen` (negative: pay out) once; returns (the entry with the balance
        after it, applied now). Of two racing payouts only one wins each round; the loser re-reads the
        balance before it tries again, so the balance never goes negative."""
        def attempt():
            doc = self.collection.find_one({"_id": fund_id})
            if doc is None:
                raise NotFound(f"no charity fund {fund_id!r}")
            delta = entry["amount_fen"]
            if entry["_id"] in (doc.get("applied") or doc.get("paid") or []):  # applied before: as parked then
                parked = next((e for e in doc.get(UNRECORDED) or [] if e["_id"] == entry["_id"]), None)
                return (self._unparked(parked) if parked else {**entry, "balance_after_fen": doc["balance_fen"]}), False
            after = doc["balance_fen"] + delta
            if after < 0:
                raise Conflict(f"the fund holds {doc['balance_fen']} fen, {-delta} fen asked for",
                               {"amount_fen": [f"at most {doc['balance_fen']}"]})
            applied = {**entry, "balance_after_fen": after}
            total = "total_in_fen" if delta > 0 else "total_out_fen"
            update = self._apply({"$set": {"balance_fen": after, total: doc[total] + abs(delta)}}, applied,
                                 self._parked(applied))
            if not self.collection.update_one({"_id": fund_id, outbox.VERSION: doc[outbox.VERSION]},
                                              update).matched_count:
                raise ConcurrencyConflict(f"charity fund {fund_id} changed meanwhile")
            return applied, True

        try:
            return retry_on_conflict(attempt, self.attempts)
        except ConcurrencyConflict:
            raise Conflict("the fund is too busy; try again") from None

    def add_grant(self, grant: dict) -> dict:
        """Store a requested fund grant (with its recipient's blind key); a retry (its id derived from its key)
        gets the stored one."""
        try:
            self.grants.insert_one({**FUND_GRANT.encrypt(grant, self.deps.cipher),
                                    "recipient_key": self.recipient_key(grant["recipient"])})
        except DuplicateKeyError:
            return self.grant(grant["_id"])
        return grant

    def grant(self, grant_id: str) -> dict | None:
        return self._plain_grant(self.grants.find_one({"_id": grant_id}))

    def _plain_grant(self, doc: dict | None) -> dict | None:
        """A fund grant as read: decrypted, without bookkeeping nor the blind key of its recipient."""
        doc = outbox.strip(FUND_GRANT.decrypt(doc, self.deps.cipher))
        return {k: v for k, v in doc.items() if k != "recipient_key"} if doc else doc

    def decide_grant(self, grant_id: str, from_status: tuple[str, ...], changes: dict) -> bool:
        """Move a fund grant on from one of `from_status` (its note is personal: stored encrypted), once per
        Idempotency-Key; False if it is in another state (`idempotency.applied_before` tells a retry)."""
        flt = {"_id": grant_id, "status": {"$in": list(from_status)}}
        update = {"$set": FUND_GRANT.encrypt(changes, self.deps.cipher)}
        return bool(self.grants.update_one(idempotency.guard(self.grants.name, grant_id, flt, update),
                                           update).matched_count)

    def claim_grant(self, grant_id: str) -> bool:
        """Mark a grant being paid, so a rejection racing the payment cannot win after the money has gone."""
        return bool(self.grants.update_one({"_id": grant_id, "status": {"$in": ["requested", "paying"]}},
                                           {"$set": {"status": "paying"}}).matched_count)

    def unclaim_grant(self, grant_id: str) -> None:
        self.grants.update_one({"_id": grant_id, "status": "paying"}, {"$set": {"status": "requested"}})

    def grant_decided_by_this_request(self, grant_id: str) -> bool:
        return idempotency.applied_before(self.grants, grant_id)
