"""Charity-supermarket stock and charity-fund accounts: guarded single-document updates with their events.

Stock and fund balances never go negative: every decrement is one `update_one` whose filter demands
enough (stock) or the version read (fund), and the event it causes goes into the same document's
outbox in that same write. Movement and fund ledgers are written after it and repaired from those
events by the worker, so a crash in between loses no record.
"""
from __future__ import annotations

from liandong import idempotency, outbox
from liandong.consumer import insert_once
from liandong.errors import Conflict, NotFound
from liandong.storage.base import DuplicateKeyError

from .repositories import FUND_ENTRY, FUND_GRANT

_OUT = outbox.OUTBOX
_PENDING = outbox.PENDING
_V = outbox.VERSION


def _with_event(update: dict, envelope) -> dict:
    update.setdefault("$inc", {})[_V] = 1
    if envelope is not None:
        update.setdefault("$set", {})[_PENDING] = True
        update.setdefault("$push", {})[_OUT] = {"$each": [envelope.to_dict()]}
    return update


class StockStore:
    """Stock per community and item (库存): available `quantity`, `held` for open redemptions."""

    def __init__(self, db):
        self.items = db.collection("stock")
        self.movements = db.collection("goods_movements")
        self.stocktakes = db.collection("stocktakes")

    def prepare(self) -> None:
        outbox.prepare(self.items)
        self.items.create_index([("org_path", 1)], name="org")
        self.movements.create_index([("org_path", 1), ("at", 1)], name="org_time")
        self.movements.create_index([("recipient", 1)], name="recipient")
        self.stocktakes.create_index([("org_path", 1), ("at", 1)], name="org_time")
        idempotency.prepare(self.stocktakes)

    def get(self, stock_id: str) -> dict:
        doc = self.items.find_one({"_id": stock_id})
        if doc is None:
            raise NotFound(f"no stock item {stock_id!r}")
        return outbox.strip(doc)

    def receive(self, stock_id: str, item: dict, quantity: int, envelope) -> None:
        """Donated goods in: creates the item on its first donation."""
        fields = {k: item[k] for k in ("name", "unit", "unit_value_fen", "coin_price", "low_stock_at") if k in item}
        insert = {"org_path": item["org_path"], "org_unit_id": item["org_unit_id"], "sku": item["sku"],
                  "held": 0, "issued_total": 0, "holds": []}
        insert = {k: v for k, v in insert.items() if k not in fields}
        update = _with_event({"$inc": {"quantity": quantity, "donated_total": quantity},
                              "$set": fields, "$setOnInsert": insert}, envelope)
        # once per Idempotency-Key: a retried donation meets its key on the item and adds nothing
        guarded = idempotency.guard(self.items.name, stock_id, {"_id": stock_id}, update)
        try:
            result = self.items.update_one(guarded, update, upsert=True)
        except DuplicateKeyError:  # the upsert met the item that carries the key
            if not idempotency.applied_before(self.items, stock_id):
                raise
            return
        if not (result.matched_count or result.upserted_id is not None) \
                and not idempotency.applied_before(self.items, stock_id):
            raise Conflict(f"stock item {stock_id} changed while receiving; try again")

    def take(self, stock_id: str, quantity: int, envelope) -> None:
        """Goods out to a household; refused (409, nothing changed) when the stock is short."""
        update = _with_event({"$inc": {"quantity": -quantity, "issued_total": quantity}}, envelope)
        guarded = idempotency.guard(self.items.name, stock_id, {"_id": stock_id, "quantity": {"$gte": quantity}},
                                    update)
        result = self.items.update_one(guarded, update)
        if result.matched_count == 0:
            if idempotency.applied_before(self.items, stock_id):
                return  # a retried hand-out: taken already, not twice
            have = self.get(stock_id)["quantity"]
            raise Conflict(f"only {have} in stock, {quantity} asked for", {"quantity": [f"at most {have}"]})

    def hold(self, stock_id: str, quantity: int, holder: str) -> bool:
        """Set goods aside for a redemption (idempotent per holder); False if the stock is short."""
        result = self.items.update_one({"_id": stock_id, "quantity": {"$gte": quantity}, "holds": {"$ne": holder}},
                                       {"$inc": {"quantity": -quantity, "held": quantity, _V: 1},
                                        "$push": {"holds": holder}})
        if result.matched_count:
            return True
        return self.items.count_documents({"_id": stock_id, "holds": {"$all": [holder]}}) == 1

    def issue_held(self, stock_id: str, quantity: int, holder: str, envelope) -> bool:
        """Held goods leave the stock (once per holder)."""
        result = self.items.update_one({"_id": stock_id, "holds": {"$all": [holder]}},
                                       _with_event({"$inc": {"held": -quantity, "issued_total": quantity},
                                                    "$pull": {"holds": holder}}, envelope))
        return bool(result.matched_count)

    def release(self, stock_id: str, quantity: int, holder: str) -> bool:
        """Held goods go back to the shelf (once per holder)."""
        result = self.items.update_one({"_id": stock_id, "holds": {"$all": [holder]}},
                                       {"$inc": {"held": -quantity, "quantity": quantity, _V: 1},
                                        "$pull": {"holds": holder}})
        return bool(result.matched_count)

    def set_counted(self, stock_id: str, expected: int, counted: int) -> bool:
        """A stock-take's correction, only if nothing moved since it was counted."""
        result = self.items.update_one({"_id": stock_id, "quantity": expected},
                                       {"$set": {"quantity": counted}, "$inc": {_V: 1}})
        return bool(result.matched_count)

    def record_movement(self, movement: dict) -> bool:
        return insert_once(self.movements, movement)


class FundStore:
    """Charity-fund accounts (爱心基金) per org unit, with a ledger that balances."""

    def __init__(self, db, cipher, attempts: int = 50):
        self.cipher = cipher
        self.accounts = db.collection("funds")
        self.entries = db.collection("fund_entries")
        self.grants = db.collection("fund_grants")
        self.attempts = attempts

    def prepare(self) -> None:
        outbox.prepare(self.accounts)
        self.accounts.create_index([("org_path", 1)], name="org")
        self.entries.create_index([("org_path", 1), ("at", 1)], name="org_time")
        self.entries.create_index([("fund_id", 1), ("at", 1)], name="fund_time")
        self.grants.create_index([("org_path", 1), ("requested_at", 1)], name="org_time")

    def account(self, fund_id: str) -> dict | None:
        return outbox.strip(self.accounts.find_one({"_id": fund_id}))

    def open(self, fund_id: str, org_unit_id: str, org_path: str) -> None:
        insert_once(self.accounts, {"_id": fund_id, "org_unit_id": org_unit_id, "org_path": org_path,
                                    "balance_fen": 0, "total_in_fen": 0, "total_out_fen": 0, "paid": [],
                                    _V: 1, _OUT: [], _PENDING: False})

    def move(self, fund_id: str, entry_id: str, delta_fen: int, make_event) -> tuple[int, bool]:
        """Add `delta_fen` (negative: pay out) once per entry; returns (balance after, applied now).

        Version-guarded read-modify-write: of two racing payouts only one wins each round, and the
        loser re-reads the balance before it tries again, so the balance can never go negative.
        """
        for _ in range(self.attempts):
            doc = self.accounts.find_one({"_id": fund_id})
            if doc is None:
                raise NotFound(f"no charity fund {fund_id!r}")
            if entry_id in doc.get("paid", []):
                return doc["balance_fen"], False
            after = doc["balance_fen"] + delta_fen
            if after < 0:
                raise Conflict(f"the fund holds {doc['balance_fen']} fen, {-delta_fen} fen asked for",
                               {"amount_fen": [f"at most {doc['balance_fen']}"]})
            total = "total_in_fen" if delta_fen > 0 else "total_out_fen"
            update = {"$set": {"balance_fen": after, total: doc[total] + abs(delta_fen), _V: doc[_V] + 1,
                               _PENDING: True},
                      "$push": {"paid": {"$each": [entry_id], "$slice": -5000},
                                _OUT: {"$each": [make_event(after).to_dict()]}}}
            if self.accounts.update_one({"_id": fund_id, _V: doc[_V]}, update).matched_count:
                return after, True
        raise Conflict("the fund is too busy; try again")

    def record_entry(self, entry: dict) -> bool:
        return insert_once(self.entries, FUND_ENTRY.encrypt(entry, self.cipher))

    def entries_of(self, filter: dict, sort=None) -> list[dict]:
        return [FUND_ENTRY.decrypt(e, self.cipher) for e in self.entries.find(filter, sort=sort)]

    def add_grant(self, grant: dict) -> bool:
        """Store a requested fund grant; False if a retry's id (derived from its key) found it stored."""
        return insert_once(self.grants, FUND_GRANT.encrypt(grant, self.cipher))

    def grant(self, grant_id: str) -> dict | None:
        return outbox.strip(FUND_GRANT.decrypt(self.grants.find_one({"_id": grant_id}), self.cipher))

    def set_grant(self, filter: dict, changes: dict):
        """A guarded change of a fund grant (its note is personal: stored encrypted), applied once per
        Idempotency-Key (`idempotency.applied_before` tells a retry from a refusal)."""
        update = {"$set": FUND_GRANT.encrypt(changes, self.cipher)}
        return self.grants.update_one(idempotency.guard(self.grants.name, filter["_id"], filter, update), update)
