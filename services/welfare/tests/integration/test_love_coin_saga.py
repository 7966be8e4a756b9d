"""Love coins at the charity supermarket: the redemption saga with a stand-in for the volunteer service.

The stand-in consumes welfare's events and answers with the volunteer service's contract events, as
the real one does; it is "down" whenever the test does not pump it.
"""
from __future__ import annotations

import pytest

from liandong.events.envelope import Envelope
from liandong.testing import unique, wait_for
from welfare.adapters.ledgers import HAS_UNRECORDED


class FakeVolunteerService:
    """Keeps coin balances and reservations; reacts to welfare.redemption.* like the volunteer service."""

    def __init__(self, platform, balances: dict):
        self.platform = platform
        self.bus = platform.bus
        self.bus.ensure_topics(["welfare.events", "volunteer.events"])
        self.consumer = self.bus.consumer(unique("fake-volunteer"), ["welfare.events"])
        self.balances = dict(balances)
        self.reserved: dict[str, int] = {}
        self.spent: dict[str, int] = {}
        self.sent: list[Envelope] = []

    def emit(self, name: str, data: dict) -> Envelope:
        ev = self.platform.new_event(name, data["redemption_id"], data, "/chuanying/huangqi/jiayuan/")
        self.resend(ev)
        self.sent.append(ev)
        return ev

    def resend(self, ev: Envelope) -> None:
        self.bus.publish("volunteer.events", ev.subject, ev.to_json())
        self.bus.flush()

    def pump(self) -> int:
        messages = self.consumer.poll(max_records=100, timeout=0.2)
        for msg in messages:
            ev = Envelope.from_json(msg.value)
            d = ev.data
            if d.get("volunteer_id") not in self.balances:
                continue  # on a shared broker the topic holds other runs' events too
            if ev.type == "liandong.welfare.redemption.requested.v1" and d["redemption_id"] not in self.reserved:
                vid, coins = d["volunteer_id"], d["coins"]
                base = {"redemption_id": d["redemption_id"], "volunteer_id": vid, "coins": coins}
                if self.balances.get(vid, 0) >= coins:
                    self.balances[vid] -= coins
                    self.reserved[d["redemption_id"]] = coins
                    self.emit("volunteer.coins.reserved", {**base, "balance_after": self.balances[vid]})
                else:
                    self.reserved[d["redemption_id"]] = 0
                    self.emit("volunteer.coins.reservation_refused", {**base, "reason": "insufficient_balance"})
            elif ev.type == "liandong.welfare.redemption.goods_handed_out.v1":
                self.spent[d["redemption_id"]] = self.reserved.pop(d["redemption_id"], 0) or self.spent.get(
                    d["redemption_id"], 0)
            elif ev.type == "liandong.welfare.redemption.cancelled.v1":
                self.balances[d["volunteer_id"]] += self.reserved.pop(d["redemption_id"], 0)
        self.consumer.commit(messages)
        return len(messages)


def stock_item(svc, item_id):
    return svc.welfare.stores.stock.get(item_id)


def setup_stock(svc, quantity=10):
    r = svc.post("/goods/donations", {"org_unit_id": "jiayuan", "sku": "rice-5kg", "name": "大米5公斤", "unit": "袋",
                                      "quantity": quantity, "donor": "共建单位 船营区粮库", "unit_value_fen": 3500,
                                      "coin_price": 30})
    assert r.status_code == 201, r.get_json()
    return "jiayuan:rice-5kg"


def redeem(svc, volunteer_id, item_id, quantity):
    return svc.post("/goods/redemptions", {"org_unit_id": "jiayuan", "volunteer_id": volunteer_id,
                                           "items": [{"item_id": item_id, "quantity": quantity}]})


def status(svc, rid):
    return svc.fetch(f"/goods/redemptions/{rid}").get_json()["status"]


def settle(svc, fake, rid, want):
    """Until the redemption is `want` and its stock followed: the handler saves the decision, then moves the
    stock, then records the movement in the goods ledger (a crash between them is settled by the sweep), so a
    reader can see the first without the others."""
    stores = svc.welfare.stores
    return wait_for(lambda: fake.pump() >= 0 and status(svc, rid) == want and not stores.stock.holding(rid)
                    and not stores.stock.collection.count_documents({HAS_UNRECORDED: True}), 30,
                    message=f"redemption {want}, stock and goods ledger settled")


def test_coins_reserved_hands_out_once_even_when_the_event_comes_twice(svc):
    item = setup_stock(svc)
    fake = FakeVolunteerService(svc.platform, {"vol-a": 100})
    r = redeem(svc, "vol-a", item, 2)
    assert r.status_code == 202 and r.get_json()["status"] == "awaiting_coins" and r.get_json()["coins"] == 60
    rid = r.get_json()["id"]
    assert stock_item(svc, item)["quantity"] == 8 and stock_item(svc, item)["held"] == 2
    settle(svc, fake, rid, "handed_out")
    reserved = next(e for e in fake.sent if e.type.endswith("coins.reserved.v1"))
    marker = redeem(svc, "vol-a", item, 1).get_json()["id"]  # its answer queues behind the duplicates
    wait_for(lambda: svc.welfare.stores.redemptions.collection.count_documents({"_outbox_pending": True}) == 0, 20,
             message="the marker request is published")
    fake.resend(reserved)  # redelivered as is
    fake.emit("volunteer.coins.reserved", dict(reserved.data))  # and a second, distinct duplicate
    settle(svc, fake, marker, "handed_out")  # one partition: the duplicates were consumed before it
    s = stock_item(svc, item)
    assert (s["quantity"], s["held"], s["issued_total"]) == (7, 0, 3)
    wait_for(lambda: fake.pump() >= 0 and marker in fake.spent, 30, message="coins spent")
    assert fake.balances["vol-a"] == 10 and fake.spent == {rid: 60, marker: 30} and not fake.reserved
    movements = svc.fetch("/goods/movements?org_unit=jiayuan&recipient=volunteer:vol-a").get_json()["items"]
    assert sorted((m["quantity"], m["value_fen"]) for m in movements) == [(1, 3500), (2, 7000)]


def test_refused_coins_put_the_goods_back(svc):
    item = setup_stock(svc)
    fake = FakeVolunteerService(svc.platform, {"vol-b": 10})
    rid = redeem(svc, "vol-b", item, 1).get_json()["id"]
    settle(svc, fake, rid, "cancelled")
    got = svc.fetch(f"/goods/redemptions/{rid}").get_json()
    assert got["cancel_reason"] == "coins_refused"
    s = stock_item(svc, item)
    assert (s["quantity"], s["held"], s["issued_total"]) == (10, 0, 0)
    assert fake.balances["vol-b"] == 10


def test_held_goods_cannot_be_handed_out_twice_and_short_stock_is_refused(svc):
    item = setup_stock(svc, quantity=3)
    rid = redeem(svc, "vol-c", item, 2).get_json()["id"]
    # the two held bags are not on the shelf: only one is left for households
    assert svc.post("/goods/handouts", {"item_id": item, "quantity": 2, "household_id": "h-9"}).status_code == 409
    short = redeem(svc, "vol-d", item, 2)
    assert short.status_code == 409
    s = stock_item(svc, item)
    assert (s["quantity"], s["held"]) == (1, 2)
    # staff cancel the first: goods go back and the volunteer service is told to release
    cancelled = svc.post(f"/goods/redemptions/{rid}/cancel").get_json()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "cancelled_by_staff"
    assert svc.post(f"/goods/redemptions/{rid}/cancel").status_code == 409
    s = stock_item(svc, item)
    assert (s["quantity"], s["held"]) == (3, 0)


@pytest.mark.parametrize("svc", ["sqlite", "mongo", "mongo/kafka"], indirect=True)
def test_outages_on_either_side_leave_coins_and_stock_consistent(svc):
    item = setup_stock(svc, quantity=10)
    rich, poor_vol = unique("vol-e"), unique("vol-f")
    fake = FakeVolunteerService(svc.platform, {rich: 100, poor_vol: 20})
    # the volunteer service is down: requests wait with their goods held
    ok = redeem(svc, rich, item, 3).get_json()["id"]
    poor = redeem(svc, poor_vol, item, 1).get_json()["id"]
    assert status(svc, ok) == status(svc, poor) == "awaiting_coins"
    assert (stock_item(svc, item)["quantity"], stock_item(svc, item)["held"]) == (6, 4)
    wait_for(lambda: svc.welfare.stores.redemptions.collection.count_documents({"_outbox_pending": True}) == 0, 20,
             message="requests published")
    # now welfare's worker goes down while the volunteer service comes back and answers
    svc.stop_worker()
    wait_for(lambda: fake.pump() == 0 and len(fake.sent) == 2, 30, message="the volunteer side answers")
    fake.resend(fake.sent[0])  # a redelivery while welfare is down
    assert status(svc, ok) == status(svc, poor) == "awaiting_coins"
    svc.start_worker()
    settle(svc, fake, ok, "handed_out")
    settle(svc, fake, poor, "cancelled")
    wait_for(lambda: fake.pump() >= 0 and ok in fake.spent and not fake.reserved, 30,
             message="coins spent and released")
    s = stock_item(svc, item)
    assert (s["quantity"], s["held"], s["issued_total"]) == (6 + 1, 0, 3)
    assert fake.balances == {rich: 10, poor_vol: 20} and fake.spent == {ok: 90} and not fake.reserved


def test_redemptions_whose_coins_never_come_time_out(svc):
    item = setup_stock(svc, quantity=4)
    fake = FakeVolunteerService(svc.platform, {"vol-g": 100})
    rid = redeem(svc, "vol-g", item, 2).get_json()["id"]
    assert svc.welfare.redemptions.sweep("2000-01-01T00:00:00.000000Z") == 0  # not old enough
    svc.clock.advance(days=2)
    from welfare.handlers import redemption_sweeper
    assert redemption_sweeper(svc.welfare, 24 * 3600)() == 1
    assert status(svc, rid) == "cancelled"
    assert (stock_item(svc, item)["quantity"], stock_item(svc, item)["held"]) == (4, 0)
    # the volunteer service, back late, reserves then learns of the cancellation and releases
    wait_for(lambda: fake.pump() >= 0 and len(fake.sent) == 1 and not fake.reserved, 30,
             message="coins released after the timeout")
    assert fake.balances["vol-g"] == 100
    assert status(svc, rid) == "cancelled"


def test_a_crash_between_decision_and_stock_is_settled_by_the_sweep(svc):
    item = setup_stock(svc, quantity=5)
    rid = redeem(svc, "vol-h", item, 2).get_json()["id"]
    # the hand-out was decided and stored, then the process died before the stock followed
    r = svc.welfare.stores.redemptions.get(rid)
    r.hand_out({"event_id": "e"}, "2026-03-02T01:00:00.000000Z")
    svc.welfare.stores.redemptions.save(r)
    assert stock_item(svc, item)["held"] == 2
    svc.welfare.redemptions.sweep("2000-01-01T00:00:00.000000Z")
    s = stock_item(svc, item)
    assert (s["quantity"], s["held"], s["issued_total"]) == (3, 0, 2)
    svc.welfare.redemptions.sweep("2000-01-01T00:00:00.000000Z")  # again: nothing more
    assert stock_item(svc, item)["issued_total"] == 2


def test_goods_gone_when_the_coins_arrive_cancel_with_out_of_stock(svc):
    item = setup_stock(svc, quantity=5)
    fake = FakeVolunteerService(svc.platform, {"vol-i": 100})
    rid = redeem(svc, "vol-i", item, 2).get_json()["id"]
    svc.welfare.stores.stock.release(item, 2, rid)  # the held goods went missing (a faulty correction)
    settle(svc, fake, rid, "cancelled")
    assert svc.fetch(f"/goods/redemptions/{rid}").get_json()["cancel_reason"] == "out_of_stock"
    wait_for(lambda: fake.pump() >= 0 and not fake.reserved, 30, message="coins released")
    assert fake.balances["vol-i"] == 100 and stock_item(svc, item)["issued_total"] == 0
