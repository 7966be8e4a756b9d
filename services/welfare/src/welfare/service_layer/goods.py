"""The charity supermarket (爱心超市): donated goods in, hand-outs to households, stock, stock-takes."""
from __future__ import annotations

from liandong import idempotency
from liandong.auth import Principal
from liandong.errors import Conflict, ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page

from ..domain.supermarket import stocktake_lines
from .common import UseCases, found


class Goods(UseCases):
    def donate(self, p: Principal, body: dict) -> dict:
        org_path = self.unit_path(p, "welfare:goods", body["org_unit_id"])
        stock_id = f"{body['org_unit_id']}:{body['sku']}"
        existing = self.stores.stock.find(stock_id)
        unit_value = body.get("unit_value_fen", existing.get("unit_value_fen") if existing else None)
        if unit_value is None:
            raise ValidationFailed("the first donation of an item sets its in-kind value",
                                   {"unit_value_fen": ["required for a new item"]})
        item = {"org_path": org_path, "org_unit_id": body["org_unit_id"], "sku": body["sku"], "name": body["name"],
                "unit": body["unit"], "unit_value_fen": unit_value}
        for key in ("coin_price", "low_stock_at"):
            if key in body:
                item[key] = body[key]
            elif not existing:
                item[key] = 0
        movement = {"_id": idempotency.derived_id("movement") or new_id(), "kind": "donation", "org_path": org_path,
                    "org_unit_id": body["org_unit_id"], "item_id": stock_id, "name": body["name"],
                    "unit": body["unit"], "quantity": body["quantity"], "value_fen": unit_value * body["quantity"],
                    "donor": body["donor"], "donor_kind": body.get("donor_kind", "resident"), "recipient": None,
                    "at": self.clock.now_iso(), "by": p.user_id}
        self.stores.stock.receive(stock_id, item, movement)  # once per movement: a retry adds nothing
        return self.stores.stock.record(stock_id, movement)

    def hand_out(self, p: Principal, body: dict) -> dict:
        p.require("welfare:goods")
        stock = found(self.stores.stock, "stock item", body["item_id"])
        p.authorize("welfare:goods", stock["org_path"], read="welfare:read", what="stock item",
                    record_id=body["item_id"])
        if body.get("grant_id"):
            # eligible households are those with a running grant in the same community subtree
            grant = found(self.stores.grants, "grant", body["grant_id"])
            p.authorize("welfare:goods", grant.org_path, read="welfare:read", what="grant", record_id=body["grant_id"])
            if not grant.org_path.startswith(stock["org_path"]):
                raise ValidationFailed("the grant is not of this supermarket's community",
                                       {"grant_id": ["a grant of the community whose stock this is"]})
            if grant.status != "active":
                raise Conflict(f"grant {grant.id} is {grant.status}: the household is not eligible now")
        movement = {"_id": idempotency.derived_id("movement") or new_id(), "kind": "handout",
                    "org_path": stock["org_path"], "org_unit_id": stock["org_unit_id"], "item_id": stock["_id"],
                    "name": stock["name"], "unit": stock["unit"], "quantity": body["quantity"],
                    "value_fen": stock["unit_value_fen"] * body["quantity"], "donor": None,
                    "recipient": f"household:{body['household_id']}", "recipient_name": body.get("recipient_name", ""),
                    "grant_id": body.get("grant_id"), "at": self.clock.now_iso(), "by": p.user_id}
        self.stores.stock.take(stock["_id"], movement)  # 409 when short; once per movement
        return self.stores.stock.record(stock["_id"], movement)

    def stock(self, p: Principal, q: dict, low_only: bool = False) -> Page:
        """Items with their in-kind value and low-stock flag; `low_only`: the alerts."""
        scope = self.scope(p, "welfare:read", q.get("org_unit"))
        return self.stores.stock.page(scope, low_only or bool(q.get("low_only")), q["page"], q["page_size"])

    def movements(self, p: Principal, q: dict) -> Page:
        return self.stores.movements.page(self.scope(p, "welfare:read", q.get("org_unit")),
                                          recipient=q.get("recipient"), kind=q.get("kind"), since=q.get("from_"),
                                          until=q.get("to"), page=q["page"], page_size=q["page_size"])

    def stocktake(self, p: Principal, body: dict) -> dict:
        org_path = self.unit_path(p, "welfare:goods", body["org_unit_id"])
        docs = self.stores.stock.of_community(body["org_unit_id"], [line["item_id"] for line in body["lines"]])
        lines = stocktake_lines({k: d["quantity"] for k, d in docs.items()}, body["lines"])
        applied = []
        for line in lines:
            if line["difference"] and not self.stores.stock.set_counted(line["item_id"], line["expected"],
                                                                        line["counted"]):
                raise Conflict(f"{line['item_id']} moved while it was being counted; count it again",
                               {"lines": [f"{line['item_id']} changed"]})
            line["value_fen"] = line["difference"] * docs[line["item_id"]]["unit_value_fen"]
            applied.append(line)
        # a retry (same Idempotency-Key): the stock-take its first attempt stored
        return self.stores.stock.add_stocktake({
            "_id": new_id(), "org_path": org_path, "org_unit_id": body["org_unit_id"], "at": self.clock.now_iso(),
            "by": p.user_id, "lines": applied, "difference_value_fen": sum(line["value_fen"] for line in applied)})

    def record_unrecorded(self) -> int:
        """Movements a crash left unrecorded (the stock moved, the ledger row and its event not yet written)."""
        return self.stores.stock.record_unrecorded()
