"""Charity-supermarket stock and charity-fund accounts (the fund's in `fund.py`), and their append-only ledgers.

A ledger entry (a goods movement, a fund entry) is a record written with its event in the same write
(`Ledger.record`, on `liandong.outbox`): the one way an entry's event leaves. The balance it moves
(an item's stock, a fund's balance) is a single guarded write that never goes negative: a stock
decrement is one `update_one` whose filter demands enough, a fund payout a version-guarded
read-modify-write. That write applies an entry once (its id is kept on the balance) and parks the
entry on the balance as `unrecorded` in the same write; the entry is then recorded and unparked. A
crash in between leaves it parked, and `record_unrecorded` (the worker's sweep) records it later, so
no entry and no event is lost, and none is written twice (an entry's id is its record's `_id`).
"""
from __future__ import annotations

from liandong import idempotency, outbox
from liandong.errors import Conflict, NotFound
from liandong.listing import Page, page_of
from liandong.storage.base import DuplicateKeyError

from liandong.storage.filters import all_of, between, one_of, within
from .repositories import FUND_ENTRY

KEEP_APPLIED = 5000  # entry ids a balance remembers: far more than the retries of one entry can span
UNRECORDED = "unrecorded"
HAS_UNRECORDED = "has_unrecorded"


class Ledger:
    """An append-only ledger: one entry = one record with its event, written once per entry id."""

    collection_name = ""
    personal = None

    def __init__(self, deps):
        self.deps = deps
        self.collection = deps.db.collection(self.collection_name)

    def event(self, entry: dict) -> tuple[str, str, dict]:
        """(contract name, subject, data) of an entry's event."""
        raise NotImplementedError

    def prepare(self) -> None:
        outbox.prepare(self.collection)
        self.collection.create_index([("org_path", 1), ("at", 1)], name="org_time")

    def plain(self, doc: dict | None) -> dict | None:
        doc = outbox.strip(doc)
        return self.personal.decrypt(doc, self.deps.cipher) if self.personal and doc else doc

    def get(self, entry_id: str) -> dict | None:
        return self.plain(self.collection.find_one({"_id": entry_id}))

    def record(self, entry: dict) -> dict:
        """The entry as recorded: written now with its event, or as an earlier write (a retried request,
        the sweep) recorded it."""
        name, subject, data = self.event(entry)
        envelope = self.deps.events.new(name, subject, data, entry["org_path"])
        stored = self.personal.encrypt(entry, self.deps.cipher) if self.personal else dict(entry)
        try:
            return self.plain(outbox.insert_with_events(self.collection, stored, [envelope]))
        except DuplicateKeyError:
            return self.get(entry["_id"]) or entry

    def in_period(self, org_path: str, since: str | None, until: str | None) -> list[dict]:
        return [self.plain(d) for d in self.collection.find(all_of(within([org_path]), between("at", since, until)))]


class GoodsLedger(Ledger):
    """Goods in and out of a community's stock (物资台账): donations, hand-outs, redemptions."""

    collection_name = "goods_movements"

    def prepare(self) -> None:
        super().prepare()
        self.collection.create_index([("recipient", 1)], name="recipient")

    def event(self, m: dict):
        data = {"movement_id": m["_id"], "org_unit_id": m["org_unit_id"], "item_id": m["item_id"], "name": m["name"],
                "quantity": m["quantity"], "unit": m["unit"], "value_fen": m["value_fen"]}
        if m["kind"] == "donation":
            return "welfare.goods.donated", m["item_id"], {**data, "donor": m["donor"]}
        if m["kind"] == "opening":
            return "welfare.goods.opening_stock_recorded", m["item_id"], {**data, "received_on": m["received_on"]}
        return "welfare.goods.handed_out", m["item_id"], {
            **data, "recipient": m["recipient"], "first_for_household_in_year": bool(m.get("first_for_household_in_year"))}

    def page(self, scope: list[str], recipient=(), kind=(), since: str | None = None, until: str | None = None,
             page: int = 1, page_size: int = 20) -> Page:
        return page_of(self.collection, all_of(within(scope), one_of("recipient", recipient), one_of("kind", kind),
                                                 between("at", since, until)),
                       page=page, page_size=page_size, sort=[("at", 1), ("_id", 1)], load=self.plain)


class FundLedger(Ledger):
    """A charity fund's entries (爱心基金台账): donations in, grants out; their sum is the balance."""

    collection_name = "fund_entries"
    personal = FUND_ENTRY  # the party: a donor's or a recipient's name

    def prepare(self) -> None:
        super().prepare()
        self.collection.create_index([("fund_id", 1), ("at", 1)], name="fund_time")

    def event(self, e: dict):
        data = {"entry_id": e["_id"], "fund_id": e["fund_id"], "org_unit_id": e["org_unit_id"],
                "amount_fen": abs(e["amount_fen"]), "balance_after_fen": e["balance_after_fen"]}
        if e["kind"] == "donation":
            return "welfare.fund.donation_received", e["fund_id"], {**data, "donor": e["party"],
                                                                    "donor_kind": e["donor_kind"]}
        # not the recipient (personal): the ledger keeps it
        return "welfare.fund.grant_paid", e["fund_id"], {
            **data, "first_for_person_in_year": bool(e.get("first_for_person_in_year"))}

    def page(self, fund_id: str, since: str | None = None, until: str | None = None, page: int = 1,
             page_size: int = 20) -> Page:
        return page_of(self.collection, all_of({"fund_id": fund_id}, between("at", since, until)),
                       page=page, page_size=page_size, sort=[("at", 1), ("_id", 1)], load=self.plain)

    def sum_of(self, fund_id: str) -> int:
        return sum(e["amount_fen"] for e in self.collection.find({"fund_id": fund_id}))


class _Balances:
    """Balance documents that park the entries they applied until their ledger has recorded them."""

    collection_name = ""

    def __init__(self, deps, ledger: Ledger):
        self.deps = deps
        self.ledger = ledger
        self.collection = deps.db.collection(self.collection_name)

    def prepare(self) -> None:
        outbox.prepare(self.collection)  # balances written before #17 carried their events here
        self.collection.create_index([("org_path", 1)], name="org")
        self.collection.create_index([(HAS_UNRECORDED, 1)], name="unrecorded")

    def _parked(self, entry: dict) -> dict:
        return self.ledger.personal.encrypt(entry, self.deps.cipher) if self.ledger.personal else entry

    def _unparked(self, doc: dict) -> dict:
        return self.ledger.personal.decrypt(doc, self.deps.cipher) if self.ledger.personal else doc

    @staticmethod
    def _apply(update: dict, entry: dict | None, parked: dict | None) -> dict:
        """`update` also remembering the entry as applied and parking it (same write)."""
        if entry is not None:
            update.setdefault("$push", {}).update({
                "applied": {"$each": [entry["_id"]], "$slice": -KEEP_APPLIED}, UNRECORDED: parked})
            update.setdefault("$set", {})[HAS_UNRECORDED] = True
        update.setdefault("$inc", {})[outbox.VERSION] = 1
        return update

    def record(self, doc_id: str, entry: dict) -> dict:
        """Record an applied entry in the ledger (with its event), then unpark it; the entry as recorded."""
        recorded = self.ledger.record(entry)
        # the parked item itself, as stored: the storage port's $pull removes equal items (FerretDB ignores a
        # condition such as {"_id": ...}, and the entries stayed parked there, recorded again by every sweep)
        doc = self.collection.find_one({"_id": doc_id}) or {}
        for parked in doc.get(UNRECORDED) or []:
            if parked.get("_id") == entry["_id"]:
                self.collection.update_one({"_id": doc_id}, {"$pull": {UNRECORDED: parked}})
        self.collection.update_one({"_id": doc_id, UNRECORDED: {"$size": 0}}, {"$set": {HAS_UNRECORDED: False}})
        return recorded

    def record_unrecorded(self, limit: int = 500) -> int:
        """Record the entries a crash left parked (the worker's sweep); how many."""
        n = 0
        for doc in self.collection.find({HAS_UNRECORDED: True}, limit=limit):
            for parked in list(doc.get(UNRECORDED) or []):
                self.record(doc["_id"], self._unparked(parked))
                n += 1
            self.collection.update_one({"_id": doc["_id"], UNRECORDED: {"$size": 0}},
                                       {"$set": {HAS_UNRECORDED: False}})
        return n

    def find(self, doc_id: str) -> dict | None:
        return outbox.strip(self.collection.find_one({"_id": doc_id}))

    def applied(self, doc_id: str, entry_id: str) -> bool:
        return self.collection.count_documents({"_id": doc_id, "applied": {"$all": [entry_id]}}) > 0


class StockRepository(_Balances):
    """Stock per community and item (库存): available `quantity`, `held` for open redemptions."""

    collection_name = "stock"

    def __init__(self, deps, ledger: GoodsLedger):
        super().__init__(deps, ledger)
        self.stocktakes = deps.db.collection("stocktakes")

    def prepare(self) -> None:
        super().prepare()
        self.stocktakes.create_index([("org_path", 1), ("at", 1)], name="org_time")
        self.collection.create_index([("org_unit_id", 1), ("name", 1)], name="unit_name")  # an item by its name
        idempotency.prepare(self.stocktakes)

    def get(self, stock_id: str) -> dict:
        doc = self.find(stock_id)
        if doc is None:
            raise NotFound(f"no stock item {stock_id!r}")
        return doc

    def of_community(self, org_unit_id: str, item_ids: list[str]) -> dict[str, dict]:
        """The named items of one community's stock, by id (items of other communities are left out)."""
        return {d["_id"]: d for d in self.collection.find({"_id": {"$in": item_ids}, "org_unit_id": org_unit_id})}

    def offers(self, paths: list[str], page: int, page_size: int) -> Page:
        """What the supermarkets below `paths` offer for love coins (the residents' door): priced, on the shelf."""
        return page_of(self.collection, all_of(within(paths), {"coin_price": {"$gt": 0}, "quantity": {"$gt": 0}}),
                       page=page, page_size=page_size, sort=[("org_path", 1), ("name", 1)], load=outbox.strip)

    def page(self, scope: list[str], low_only: bool, page: int, page_size: int) -> Page:
        """Items below the org units, by id; `low_only`: those at or below their low-stock level.
        (A low-stock item is a comparison of two fields of one record: worked out here, not by the store.)"""
        items = [outbox.strip(d) for d in self.collection.find(within(scope), sort=[("_id", 1)])]
        if low_only:
            items = [d for d in items if d["quantity"] <= (d.get("low_stock_at") or 0)]
        return Page.of_all(items, page, page_size)

    def with_holds(self, limit: int = 500) -> list[dict]:
        """Items with goods set aside for redemptions."""
        return self.collection.find({"held": {"$gt": 0}}, limit=limit)

    def holding(self, holder: str) -> set[str]:
        """The items that hold goods for this redemption."""
        return {d["_id"] for d in self.collection.find({"holds": {"$all": [holder]}})}

    def named(self, org_unit_id: str, name: str) -> dict | None:
        """A community's item of this name (the first made, should an office have given two the same name)."""
        found = self.collection.find({"org_unit_id": org_unit_id, "name": name}, sort=[("_id", 1)], limit=1)
        return outbox.strip(found[0]) if found else None

    def receive(self, stock_id: str, item: dict, movement: dict, counter: str = "donated_total") -> bool:
        """Goods in (creates the item on its first receipt), once per movement; `counter` adds up how they came
        (`donated_total`, `opening_total`)."""
        fields = {k: item[k] for k in ("name", "unit", "unit_value_fen", "coin_price", "low_stock_at") if k in item}
        insert = {"org_path": item["org_path"], "org_unit_id": item["org_unit_id"], "sku": item["sku"],
                  "held": 0, "issued_total": 0, "holds": [], outbox.OUTBOX: [], outbox.PENDING: False}
        insert = {k: v for k, v in insert.items() if k not in fields}
        update = self._apply({"$inc": {"quantity": movement["quantity"], counter: movement["quantity"]},
                              "$set": fields, "$setOnInsert": insert}, movement, movement)
        try:
            self.collection.update_one({"_id": stock_id, "applied": {"$ne": movement["_id"]}}, update, upsert=True)
        except DuplicateKeyError:  # the upsert met the item that applied this movement already
            if not self.applied(stock_id, movement["_id"]):
                raise
            return False
        return True

    def take(self, stock_id: str, movement: dict) -> bool:
        """Goods out to a household once per movement; refused (409, nothing changed) when the stock is short."""
        n = movement["quantity"]
        result = self.collection.update_one(
            {"_id": stock_id, "quantity": {"$gte": n}, "applied": {"$ne": movement["_id"]}},
            self._apply({"$inc": {"quantity": -n, "issued_total": n}}, movement, movement))
        if result.matched_count:
            return True
        if self.applied(stock_id, movement["_id"]):
            return False  # a retried hand-out: taken already, not twice
        have = self.get(stock_id)["quantity"]
        raise Conflict(f"only {have} in stock, {n} asked for", {"quantity": [f"at most {have}"]})

    def hold(self, stock_id: str, quantity: int, holder: str) -> bool:
        """Set goods aside for a redemption (idempotent per holder); False if the stock is short."""
        result = self.collection.update_one(
            {"_id": stock_id, "quantity": {"$gte": quantity}, "holds": {"$ne": holder}},
            self._apply({"$inc": {"quantity": -quantity, "held": quantity}, "$push": {"holds": holder}}, None, None))
        if result.matched_count:
            return True
        return self.collection.count_documents({"_id": stock_id, "holds": {"$all": [holder]}}) == 1

    def issue_held(self, stock_id: str, quantity: int, holder: str, movement: dict) -> bool:
        """Held goods leave the stock (once per holder)."""
        result = self.collection.update_one(
            {"_id": stock_id, "holds": {"$all": [holder]}},
            self._apply({"$inc": {"held": -quantity, "issued_total": quantity}, "$pull": {"holds": holder}},
                        movement, movement))
        return bool(result.matched_count)

    def release(self, stock_id: str, quantity: int, holder: str) -> bool:
        """Held goods go back to the shelf (once per holder)."""
        result = self.collection.update_one(
            {"_id": stock_id, "holds": {"$all": [holder]}},
            self._apply({"$inc": {"held": -quantity, "quantity": quantity}, "$pull": {"holds": holder}}, None, None))
        return bool(result.matched_count)

    def set_counted(self, stock_id: str, expected: int, counted: int) -> bool:
        """A stock-take's correction, only if nothing moved since it was counted."""
        result = self.collection.update_one({"_id": stock_id, "quantity": expected},
                                            self._apply({"$set": {"quantity": counted}}, None, None))
        return bool(result.matched_count)

    def add_stocktake(self, record: dict) -> dict:
        """Store a stock-take; a retry (same Idempotency-Key) gets the one its first attempt stored."""
        return outbox.strip(idempotency.insert(self.stocktakes, record))
