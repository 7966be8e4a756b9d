"""A crash between a decision and its follow-up write is repaired by the worker from the outbox events."""
from __future__ import annotations

from liandong.testing import wait_for

from welfare.service import household_from
from welfare_testkit import apply


def test_grant_is_started_from_the_approved_event_if_the_request_died(env):
    app_id = apply(env, seq=800)["id"]
    w = env.welfare
    app = w.applications.get(app_id)
    app.community_review(True, "w1", w.clock.now(), 0)
    w.applications.save(app)
    eligibility = w.catalogue.check(w.programme("dibao_urban"), household_from(app.household), app.org_path, 2026)
    app.approve(f"g-{app_id}", eligibility, "s1", w.clock.now_iso())
    w.applications.save(app)  # ... and the process stopped before starting the grant
    grant = wait_for(lambda: w.grants.collection.find_one({"_id": f"g-{app_id}"}), 30, message="grant repaired")
    assert grant["status"] == "active" and grant["monthly_amount_fen"] == 136000


def test_movement_and_fund_ledgers_are_repaired_from_events(env):
    w = env.welfare
    path = "/chuanying/huangqi/jiayuan/"
    ev = w.platform.new_event("welfare.goods.donated", "jiayuan:mi", {
        "movement_id": "m-lost", "org_unit_id": "jiayuan", "item_id": "jiayuan:mi", "name": "大米", "quantity": 4,
        "unit": "袋", "donor": "居民", "value_fen": 14000}, path)
    w.stock.receive("jiayuan:mi", {"org_path": path, "org_unit_id": "jiayuan", "sku": "mi", "name": "大米",
                                   "unit": "袋", "unit_value_fen": 3500}, 4, ev)  # the movement row never written
    moved = wait_for(lambda: w.stock.movements.find_one({"_id": "m-lost"}), 30, message="movement repaired")
    assert moved["quantity"] == 4 and moved["org_path"] == path and moved["kind"] == "donation"
    w.fund.open("fund:jiayuan", "jiayuan", path)
    w.fund.move("fund:jiayuan", "e-lost", 5000, lambda after: w.platform.new_event(
        "welfare.fund.donation_received", "fund:jiayuan", {
            "entry_id": "e-lost", "fund_id": "fund:jiayuan", "org_unit_id": "jiayuan", "donor": "居民",
            "donor_kind": "resident", "amount_fen": 5000, "balance_after_fen": after}, path))
    entry = wait_for(lambda: w.fund.entries.find_one({"_id": "e-lost"}), 30, message="fund entry repaired")
    assert entry["amount_fen"] == 5000 and entry["balance_after_fen"] == 5000
    ledger = env.get("/fund/jiayuan").get_json()
    assert ledger["ledger_sum_fen"] == ledger["balance_fen"] == 5000
