"""The charity supermarket (爱心超市): redemptions paid with love coins, and stock-take rules."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from liandong.errors import InvalidTransition, ValidationFailed
from liandong.domain import DomainEvent


class RedemptionRequested(DomainEvent):
    pass


class RedemptionHandedOut(DomainEvent):
    pass


class RedemptionCancelled(DomainEvent):
    reason: str


@dataclass
class Redemption:
    """A volunteer pays for goods with love coins (爱心币): a saga with the volunteer service.

    holding (stock being held) -> awaiting_coins (held; coins asked for) -> handed_out | cancelled.
    """

    id: str
    org_path: str
    org_unit_id: str
    volunteer_id: str
    lines: list  # [{item_id, name, quantity, coins}]
    created_at: str
    created_by: str
    status: str = "holding"
    coins_reservation: dict | None = None
    cancel_reason: str | None = None
    finished_at: str | None = None
    # where the staff member who asked holds welfare:goods: the volunteer service reserves coins only
    # for a volunteer inside (welfare cannot know where a volunteer lives; the volunteer service does)
    initiator_scopes: list | None = None
    # a resident who redeems at the residents' door (#22): the volunteer service spends only their own coins
    resident_user_id: str | None = None
    version: int = 0
    events: list = field(default_factory=list)

    @property
    def coins(self) -> int:
        return sum(line["coins"] for line in self.lines)

    @staticmethod
    def merge_lines(lines: list[dict]) -> list[dict]:
        """One line per item, so each item's stock is held once per redemption."""
        merged: dict[str, dict] = {}
        for line in lines:
            if line["item_id"] in merged:
                merged[line["item_id"]]["quantity"] += line["quantity"]
            else:
                merged[line["item_id"]] = {"item_id": line["item_id"], "quantity": line["quantity"]}
        return list(merged.values())

    def request_coins(self) -> None:
        if self.status != "holding":
            raise InvalidTransition(f"a redemption that is {self.status} does not ask for coins")
        if self.coins < 1:
            raise ValidationFailed("a love-coin redemption costs at least one coin", {"items": ["no coin price"]})
        self.status = "awaiting_coins"
        self.events.append(RedemptionRequested())

    def hand_out(self, reservation: dict, at: str) -> bool:
        """Coins are reserved: the held goods are issued. False if that happened already."""
        if self.status == "handed_out":
            return False
        if self.status != "awaiting_coins":
            raise InvalidTransition(f"cannot hand out a redemption that is {self.status}")
        self.status, self.coins_reservation, self.finished_at = "handed_out", reservation, at
        self.events.append(RedemptionHandedOut())
        return True

    def cancel(self, reason: str, at: str) -> bool:
        """The goods go back to stock and any coins reserved are to be released. False if cancelled already."""
        if self.status == "cancelled":
            return False
        if self.status not in ("holding", "awaiting_coins"):
            raise InvalidTransition(f"cannot cancel a redemption that is {self.status}")
        asked = self.status == "awaiting_coins"
        self.status, self.cancel_reason, self.finished_at = "cancelled", reason, at
        if asked:  # only a request the volunteer service saw needs a compensation
            self.events.append(RedemptionCancelled(reason))
        return True


def stocktake_lines(expected: dict[str, int], counted: list[dict]) -> list[dict]:
    """盘点: each counted line with its expected quantity and difference; a difference needs a reason."""
    out, errors = [], {}
    for i, line in enumerate(counted):
        item = line["item_id"]
        if item not in expected:
            errors[f"lines.{i}.item_id"] = [f"no stock item {item!r} in this community"]
            continue
        diff = line["counted"] - expected[item]
        if diff and not (line.get("reason") or "").strip():
            errors[f"lines.{i}.reason"] = [f"a difference of {diff} needs a reason (损耗, 过期, 记错 ...)"]
        out.append({"item_id": item, "expected": expected[item], "counted": line["counted"], "difference": diff,
                    "reason": line.get("reason") or ""})
    if errors:
        raise ValidationFailed("the stock-take has problems", errors)
    return out


def sku_of(name: str) -> str:
    """The stock code of an item an office names only in words (大米5公斤): the same name, the same code."""
    return "n-" + hashlib.sha256(name.encode()).hexdigest()[:16]
