"""Love-coin redemptions (爱心币兑换): welfare's side of the saga with the volunteer service.

The redemption's state decides (one version-guarded write: of a hand-out and a cancellation racing,
one wins); the stock then follows it, idempotently per redemption. `settle` is also run by the sweep,
so a crash between the two steps leaves no goods held for a finished redemption.
"""
from __future__ import annotations

import logging

from liandong.auth import Principal
from liandong.errors import ConcurrencyConflict, Conflict, InvalidTransition, NotFound, ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page

from ..domain.supermarket import Redemption
from .common import UseCases, found

log = logging.getLogger(__name__)


class Redemptions(UseCases):
    def request(self, p: Principal, body: dict) -> Redemption:
        org_path = self.unit_path(p, "welfare:goods", body["org_unit_id"])
        return self.ask(p, body, org_path, p.scopes("welfare:goods"))

    def ask(self, p: Principal, body: dict, org_path: str, scopes: list[str],
            resident_user_id: str | None = None) -> Redemption:
        """Hold the goods and ask for the coins: for a volunteer inside `scopes`, and when a resident asks
        (`resident_user_id`, the residents' door) only for the volunteer that is that resident's own."""
        wanted = Redemption.merge_lines(body["items"])
        docs = self.stores.stock.of_community(body["org_unit_id"], [w["item_id"] for w in wanted])
        lines = []
        for w in wanted:
            doc = docs.get(w["item_id"])
            if doc is None:
                raise ValidationFailed("unknown item", {"items": [f"no item {w['item_id']!r} in this community"]})
            if not doc.get("coin_price"):
                raise ValidationFailed("not for love coins", {"items": [f"{doc['name']} has no coin price"]})
            lines.append({"item_id": w["item_id"], "name": doc["name"], "quantity": w["quantity"],
                          "coins": doc["coin_price"] * w["quantity"]})
        earlier = self.stores.redemptions.stored_by_this_request()
        if earlier is not None:  # a retry (same Idempotency-Key): the redemption its first attempt asked for
            return earlier
        redemption = Redemption(new_id(), org_path, body["org_unit_id"], body["volunteer_id"], lines,
                                self.clock.now_iso(), p.user_id, initiator_scopes=scopes,
                                resident_user_id=resident_user_id)
        # stored first (holding), so a crash while holding leaves a record the sweep cancels and releases
        self.stores.redemptions.add(redemption)
        return self._hold_and_ask(redemption)

    def _hold_and_ask(self, redemption: Redemption) -> Redemption:
        for line in redemption.lines:
            if not self.stores.stock.hold(line["item_id"], line["quantity"], redemption.id):
                self._cancel(redemption, "out_of_stock")
                raise Conflict(f"not enough {line['name']} in stock for this redemption",
                               {"items": [f"{line['item_id']}: short"]})
        redemption.request_coins()
        return self.stores.redemptions.save(redemption)

    def search(self, p: Principal, q: dict) -> Page:
        """Redemptions in the caller's sight (or the `org_unit` asked), newest first."""
        return self.stores.redemptions.page(self.scope(p, "welfare:read", q.get("org_unit")), q)

    def get(self, p: Principal, redemption_id: str, permission: str = "welfare:read") -> Redemption:
        redemption = found(self.stores.redemptions, "redemption", redemption_id)
        p.authorize(permission, redemption.org_path, read="welfare:read", what="redemption", record_id=redemption_id)
        return redemption

    def cancel(self, p: Principal, redemption_id: str) -> Redemption:
        redemption = self.get(p, redemption_id, "welfare:goods")
        if redemption.status not in ("holding", "awaiting_coins"):
            raise InvalidTransition(f"cannot cancel a redemption that is {redemption.status}")
        return self._cancel(redemption, "cancelled_by_staff")

    def settle(self, redemption: Redemption) -> None:
        stock = self.stores.stock
        for line in redemption.lines:
            if redemption.status == "handed_out":
                movement = self._movement(redemption, line)
                if stock.issue_held(line["item_id"], line["quantity"], redemption.id, movement):
                    stock.record(line["item_id"], movement)
            elif redemption.status == "cancelled":
                stock.release(line["item_id"], line["quantity"], redemption.id)

    def _movement(self, redemption: Redemption, line: dict) -> dict:
        item = self.stores.stock.get(line["item_id"])
        return {"_id": f"{redemption.id}:{line['item_id']}", "kind": "redemption", "org_path": redemption.org_path,
                "org_unit_id": redemption.org_unit_id, "item_id": line["item_id"], "name": line["name"],
                "unit": item["unit"], "quantity": line["quantity"], "value_fen": item["unit_value_fen"] * line["quantity"],
                "donor": None, "recipient": f"volunteer:{redemption.volunteer_id}", "coins": line["coins"],
                "redemption_id": redemption.id, "at": self.clock.now_iso(), "by": "love-coin redemption"}

    def _of_event(self, event) -> Redemption | None:
        try:
            return self.stores.redemptions.get(event.data["redemption_id"])
        except NotFound:
            log.warning("coins event %s for an unknown redemption %s", event.id, event.data["redemption_id"])
            return None

    def coins_reserved(self, event) -> None:
        """Coins are set aside: the redemption is handed out and its held goods issued (idempotent)."""
        redemption = self._of_event(event)
        if redemption is None:
            return
        if redemption.status != "awaiting_coins":
            self.settle(redemption)  # handed out already, or cancelled (our cancellation releases the coins)
            return
        if self.stores.stock.holding(redemption.id) != {line["item_id"] for line in redemption.lines}:
            self._cancel(redemption, "out_of_stock")  # the goods are gone: the coins go back
            return
        redemption.hand_out({"event_id": event.id, "balance_after": event.data["balance_after"]}, self.clock.now_iso())
        self.stores.redemptions.save(redemption)
        self.settle(redemption)

    def coins_refused(self, event) -> None:
        """Compensate: the redemption is cancelled and the held goods go back on the shelf."""
        redemption = self._of_event(event)
        if redemption is None:
            return
        if redemption.status in ("holding", "awaiting_coins"):
            self._cancel(redemption, "coins_refused")
        else:
            self.settle(redemption)

    def _cancel(self, redemption: Redemption, reason: str) -> Redemption:
        redemption.cancel(reason, self.clock.now_iso())
        self.stores.redemptions.save(redemption)
        self.settle(redemption)
        return redemption

    def sweep(self, older_than_iso: str) -> int:
        """Cancel redemptions whose coins never came (timed_out); settle holds of finished ones."""
        n = 0
        for r in self.stores.redemptions.open_since_before(older_than_iso):
            try:
                self._cancel(r, "timed_out")
                n += 1
            except ConcurrencyConflict:
                continue  # the coins arrived meanwhile
        for item in self.stores.stock.with_holds():
            for holder in item.get("holds", []):
                try:
                    redemption = self.stores.redemptions.get(holder)
                except NotFound:
                    continue
                if redemption.status in ("handed_out", "cancelled"):
                    self.settle(redemption)
        return n
