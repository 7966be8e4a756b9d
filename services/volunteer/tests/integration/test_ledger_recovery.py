"""A crash in the middle of a transfer leaves a pending entry that recovery finishes exactly once."""
from liandong import outbox

from volunteer.domain.ledger import Transfer


def test_recovery_finishes_half_done_transfers_once(svc):
    ledger = svc.stores.ledger
    a, b = svc.register()["id"], svc.register()["id"]
    svc.post("/coins/adjustments", {"volunteer_id": a, "coins": 40, "reason": "开户"}, expect=201)
    # crash 1: the entry was stored, nothing applied yet
    t1 = Transfer("tb:crash-1", f"vol:{a}", f"vol:{b}", 10, "time_bank", "帮忙", "/chuanying/huangqi/jiayuan/",
                  "2026-03-01T00:00:00.000000Z", {})
    outbox.insert_with_events(ledger.entries, {
        "_id": t1.id, "from_account": t1.from_account, "to_account": t1.to_account, "coins": 10, "kind": t1.kind,
        "reason": t1.reason, "org_path": t1.org_path, "time": t1.time, "refs": {}, "from_bucket": "available",
        "status": "pending"}, [])
    # crash 2: the payer was debited, the payee not yet credited
    t2 = Transfer("tb:crash-2", f"vol:{a}", f"vol:{b}", 5, "time_bank", "帮忙", t1.org_path, t1.time, {})
    outbox.insert_with_events(ledger.entries, {
        "_id": t2.id, "from_account": t2.from_account, "to_account": t2.to_account, "coins": 5, "kind": t2.kind,
        "reason": t2.reason, "org_path": t2.org_path, "time": t2.time, "refs": {}, "from_bucket": "available",
        "status": "pending"}, [])
    assert ledger._guarded_move(f"vol:{a}", t2.id, {"available": -5}, {"available": 5})

    ledger.recover()
    ledger.recover()  # twice changes nothing
    ledger.transfer(t1)  # nor does the request retried by the client
    assert ledger.balance(a)["available"] == 25 and ledger.balance(b)["available"] == 15
    check = ledger.check()
    assert check["consistent"] is True and check["pending_entries"] == 0
