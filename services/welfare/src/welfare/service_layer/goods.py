"""The charity supermarket (爱心超市): donated goods in, hand-outs to households, stock, stock-takes."""
from __future__ import annotations

from liandong import idempotency
from liandong.auth import Principal
from liandong.errors import Conflict, ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page

from ..domain.supermarket import sku_of, stocktake_lines
from .common import UseCases, day_start, found, year_of


class Goods(UseCases):
    def donate(self, p: Principal, body: dict) -> dict:
        org_path = self.unit_path(p, "welfare:goods", body["org_unit_id"])
        stock_id = f"{body['org_unit_id']}:{body['sku']}"
        existing = self.stores.stock.find(stock_id)
        unit_value = body.get("unit_value_fen", existing.get("unit_value_fen") if existing else None)
        if unit_value is None:
            raise ValidationFailed("the first donation of an item sets its in-kind value",
                                   {"unit_value_fen": ["required for a new item"]})
        movement = {"_id": idempotency.derived_id("movement") or new_id(), "kind": "donation",
                    "donor": body["donor"], "donor_kind": body.get("donor_kind", "resident"),
                    "at": self.clock.now_iso()}
        return self._stock_in(p, org_path, stock_id, body, existing, unit_value, movement)[0]

    def receive_opening_stock(self, p: Principal, body: dict) -> tuple[dict, bool]:
        """爱心超市期初库存: goods on a community's shelf before the platform, from the office's stock list
        ({org_unit_id, name, unit, quantity, unit_value_fen, received_on}). They enter the stock as donated goods
        do (the item is made on its first receipt, found by its name after), but the ledger records them as
        opening stock (kind `opening`, event `welfare.goods.opening_stock_recorded`), so no report counts them
        as donations received. One entry per community, item and 入库日期: the same list again changes nothing
        (answers (entry, False)); the same entry with other figures is refused (a stock-take corrects stock)."""
        org_path = self.unit_path(p, "welfare:goods", body["org_unit_id"])
        existing = self.stores.stock.named(body["org_unit_id"], body["name"])
        sku = existing["sku"] if existing else sku_of(body["name"])
        stock_id = f"{body['org_unit_id']}:{sku}"
        if existing and existing["unit"] != body["unit"]:
            raise ValidationFailed("物品的单位与库存中的不同", {
                "unit": [f"「{body['name']}」在库存中的单位是「{existing['unit']}」,不是「{body['unit']}」"]})
        movement = {"_id": f"opening:{stock_id}:{body['received_on']}", "kind": "opening", "donor": None,
                    "received_on": body["received_on"], "at": day_start(body["received_on"]),
                    "recorded_at": self.clock.now_iso()}
        recorded = self.stores.movements.get(movement["_id"])
        if recorded is not None:
            if (recorded["quantity"], recorded["value_fen"]) != (body["quantity"],
                                                                  body["quantity"] * body["unit_value_fen"]):
                raise Conflict("该期初库存已导入,数量或价值与本行不同", {"quantity": [
                    f"「{body['name']}」{body['received_on']} 的期初库存已导入({recorded['quantity']}{recorded['unit']},"
                    f"价值 {recorded['value_fen'] / 100:.2f} 元),与本行不同:库存请用盘点更正"]})
            return recorded, False
        return self._stock_in(p, org_path, stock_id, {**body, "sku": sku}, existing, body["unit_value_fen"],
                              movement, counter="opening_total")

    def _stock_in(self, p: Principal, org_path: str, stock_id: str, body: dict, existing: dict | None,
                  unit_value: int, movement: dict, counter: str = "donated_total") -> tuple[dict, bool]:
        """Goods into a community's stock (the item made on its first receipt) with their ledger entry, once per
        entry: (the entry as recorded, whether the stock moved now)."""
        item = {"org_path": org_path, "org_unit_id": body["org_unit_id"], "sku": body["sku"], "name": body["name"],
                "unit": body["unit"], "unit_value_fen": unit_value}
        for key in ("coin_price", "low_stock_at"):
            if key in body:
                item[key] = body[key]
            elif not existing:
                item[key] = 0
        movement = {**movement, "org_path": org_path, "org_unit_id": body["org_unit_id"], "item_id": stock_id,
                    "name": body["name"], "unit": body["unit"], "quantity": body["quantity"],
                    "value_fen": unit_value * body["quantity"], "recipient": None, "by": p.user_id}
        moved = self.stores.stock.receive(stock_id, item, movement, counter)  # once per entry: a retry adds nothing
        return self.stores.stock.record(stock_id, movement), moved

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
        # the household's first hand-out of the year from this supermarket: a year's sum is the households helped
        firsts = self.stores.firsts_in_year
        marker = f"supermarket:{year_of(movement['at'])}:{stock['org_unit_id']}:{movement['recipient']}"
        movement["first_for_household_in_year"] = firsts.first(marker, movement["_id"])
        try:
            self.stores.stock.take(stock["_id"], movement)  # 409 when short; once per movement
        except Conflict:
            firsts.release(marker, movement["_id"])  # nothing handed out: the next one may be the year's first
            raise
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
