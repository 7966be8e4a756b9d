"""A crash between a decision and its follow-up write is repaired by the worker: from the outbox events
(a grant), or from the entries a balance parked until its ledger recorded them (goods, fund)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from liandong.testing import STORES, wait_for

from welfare.adapters.ledgers import HAS_UNRECORDED
from welfare.config import WelfareSettings
from welfare.service_layer.common import household_from
from welfare_testkit import JIAYUAN


def test_grant_is_started_from_the_approved_event_if_the_request_died(svc):
    app_id = svc.apply(seq=800)["id"]
    w = svc.welfare
    applications, clock = w.stores.applications, w.deps.clock
    app = applications.get(app_id)
    app.community_review(True, "w1", clock.now(), 0)
    applications.save(app)
    eligibility = w.catalogue.check(w.catalogue.get("dibao_urban"), household_from(app.household), app.org_path, 2026)
    app.approve(f"g-{app_id}", eligibility, "s1", clock.now_iso())
    applications.save(app)  # ... and the process stopped before starting the grant
    grant = wait_for(lambda: w.stores.grants.collection.find_one({"_id": f"g-{app_id}"}), 30, message="grant repaired")
    assert grant["status"] == "active" and grant["monthly_amount_fen"] == 136000


def test_a_repaired_grant_starts_when_its_application_was_approved_not_when_it_is_repaired(svc):
    """The worker may start the grant a month later (or merely before the approving request does): the household is
    paid from the approval's month, and the figures date it there."""
    app_id = svc.apply(seq=801)["id"]
    w = svc.welfare
    applications, clock = w.stores.applications, w.deps.clock
    app = applications.get(app_id)
    approved = clock.now() - timedelta(days=45)
    app.community_review(True, "w1", approved - timedelta(hours=1), 0)
    eligibility = w.catalogue.check(w.catalogue.get("dibao_urban"), household_from(app.household), app.org_path,
                                    approved.year)
    app.approve(f"g-{app_id}", eligibility, "s1", approved.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    applications.save(app)  # ... and the request died; the worker repairs it today
    grant = wait_for(lambda: w.stores.grants.collection.find_one({"_id": f"g-{app_id}"}), 30, message="grant repaired")
    assert grant["started_at"].startswith(approved.strftime("%Y-%m-%dT%H:%M"))
    assert grant["start_period"] == approved.strftime("%Y-%m")


@pytest.mark.parametrize("store", STORES)
def test_movement_and_fund_entries_a_crash_left_unrecorded_are_recorded_with_their_events(make_svc, store):
    svc = make_svc(store=store, worker_kw={"welfare_settings": WelfareSettings(sweep_every_seconds=0.2)})
    stores = svc.welfare.stores
    now = svc.welfare.deps.clock.now_iso()
    movement = {"_id": "m-lost", "kind": "donation", "org_path": JIAYUAN, "org_unit_id": "jiayuan",
                "item_id": "jiayuan:mi", "name": "大米", "unit": "袋", "quantity": 4, "value_fen": 14000,
                "donor": "居民", "recipient": None, "at": now, "by": "w1"}
    # the stock moved, and the process stopped before the movement was recorded
    assert stores.stock.receive("jiayuan:mi", {"org_path": JIAYUAN, "org_unit_id": "jiayuan", "sku": "mi",
                                               "name": "大米", "unit": "袋", "unit_value_fen": 3500}, movement)
    stores.fund.open("fund:jiayuan", "jiayuan", JIAYUAN)
    stores.fund.move("fund:jiayuan", {"_id": "e-lost", "fund_id": "fund:jiayuan", "org_path": JIAYUAN,
                                      "org_unit_id": "jiayuan", "kind": "donation", "amount_fen": 5000,
                                      "party": "居民", "donor_kind": "resident", "at": now, "by": "w1"})
    moved = wait_for(lambda: stores.movements.get("m-lost"), 30, message="movement recorded")
    assert moved["quantity"] == 4 and moved["org_path"] == JIAYUAN and moved["kind"] == "donation"
    entry = wait_for(lambda: stores.fund_entries.get("e-lost"), 30, message="fund entry recorded")
    assert entry["amount_fen"] == 5000 and entry["balance_after_fen"] == 5000 and entry["party"] == "居民"
    fund = svc.fetch("/fund/jiayuan").get_json()
    assert fund["ledger_sum_fen"] == fund["balance_fen"] == 5000
    # and each went out with its event, once
    events = wait_for(lambda: (lambda evs: evs if len(evs) == 2 else None)(svc.events({
        "liandong.welfare.goods.donated.v1", "liandong.welfare.fund.donation_received.v1"})), 30,
        message="the ledgers' events")
    assert {e.data.get("movement_id") or e.data.get("entry_id") for e in events} == {"m-lost", "e-lost"}
    # nothing left parked: the worker's sweep records an entry, then unparks it (waited for, not read once)
    wait_for(lambda: not stores.stock.collection.count_documents({HAS_UNRECORDED: True})
             and not stores.fund.collection.count_documents({HAS_UNRECORDED: True}), 30, message="unparked")
    assert stores.stock.record_unrecorded() == stores.fund.record_unrecorded() == 0


def test_a_fund_entry_parked_by_a_crash_decrypts_as_its_declared_personal_store(make_svc):
    """`liandong.reencrypt` rewrites what `personal_stores` declares: a fund entry a crash left parked on its
    account must decrypt there (the same name bound in as the ledger's), or the key rotation stops on it."""
    import welfare.bootstrap

    svc = make_svc(worker_kw={"welfare_settings": WelfareSettings(sweep_every_seconds=3600)})  # stays parked
    stores = svc.welfare.stores
    stores.fund.open("fund:jiayuan", "jiayuan", JIAYUAN)
    stores.fund.move("fund:jiayuan", {"_id": "e-parked", "fund_id": "fund:jiayuan", "org_path": JIAYUAN,
                                      "org_unit_id": "jiayuan", "kind": "donation", "amount_fen": 5000,
                                      "party": "居民甲", "donor_kind": "resident", "by": "w1",
                                      "at": svc.welfare.deps.clock.now_iso()})
    doc = stores.fund.collection.find_one({"_id": "fund:jiayuan"})
    declared = [s for s in welfare.bootstrap.personal_stores(svc.platform)
                if s.collection.name == stores.fund.collection.name][-1]
    assert declared.personal.decrypt(doc, svc.platform.cipher)["unrecorded"][0]["party"] == "居民甲"
