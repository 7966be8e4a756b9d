"""The love bank through the HTTP API: credits, adjustments, time banking, overdrafts and races."""
import threading

from liandong.testing import wait_for


def _fund(vol, volunteer_id, coins, reason="初始爱心币"):
    return vol.post("/coins/adjustments", {"volunteer_id": volunteer_id, "coins": coins, "reason": reason},
                    expect=201).get_json()


def test_adjustments_are_entries_with_a_reason_and_never_overdraw(vol):
    a = vol.register()["id"]
    e = _fund(vol, a, 50)
    assert e["from_account"] == "issuer:jiayuan" and e["to_account"] == f"vol:{a}" and e["status"] == "posted"
    vol.post("/coins/adjustments", {"volunteer_id": a, "coins": 10}, expect=422)  # a reason is required
    vol.post("/coins/adjustments", {"volunteer_id": a, "coins": 0, "reason": "x"}, expect=422)
    r = vol.post("/coins/adjustments", {"volunteer_id": a, "coins": -60, "reason": "误记"}, expect=409).get_json()
    assert r["error"]["code"] == "insufficient_coins"
    vol.post("/coins/adjustments", {"volunteer_id": a, "coins": -20, "reason": "误记"}, expect=201)
    stmt = vol.balance(a)
    assert stmt["available"] == 30 and [x["balance"] for x in stmt["entries"]] == [50, 30]
    # the same request id never posts twice
    body = {"volunteer_id": a, "coins": 5, "reason": "补记", "request_id": "req-1"}
    vol.post("/coins/adjustments", body, expect=201)
    vol.post("/coins/adjustments", body, expect=201)
    assert vol.balance(a)["available"] == 35


def test_time_bank_moves_coins_between_members(vol):
    helper = vol.register()["id"]
    resident = vol.resident("user-zhao")
    me = vol.post("/volunteers", {"name": "赵大爷", "kind": "resident", "org_unit_id": "jiayuan", "consent": True},
                  headers=resident, expect=201).get_json()["id"]
    _fund(vol, me, 20)
    vol.post("/coins/time-bank", {"to_volunteer_id": helper, "coins": 15, "reason": "陪同就医"}, headers=resident,
             expect=201)
    vol.post("/coins/time-bank", {"to_volunteer_id": helper, "coins": 15, "reason": "陪同就医"}, headers=resident,
             expect=409)
    vol.post("/coins/time-bank", {"from_volunteer_id": helper, "to_volunteer_id": me, "coins": 1, "reason": "x"},
             headers=resident, expect=404)
    assert vol.get("/volunteers/me", headers=resident)["totals"]["available"] == 5
    assert vol.balance(helper)["available"] == 15
    assert vol.get(f"/volunteers/{me}/statement", headers=resident)["entries"][-1]["amount"] == -15
    vol.get(f"/volunteers/{helper}/statement", headers=resident, expect=404)


def test_racing_redemptions_cannot_both_spend_the_same_coins(vol):
    payer, x, y = (vol.register()["id"] for _ in range(3))
    _fund(vol, payer, 100)
    results = []
    barrier = threading.Barrier(8)

    def spend(to):
        client = vol.client.application.test_client()
        barrier.wait()
        r = client.post("/api/v1/volunteer/coins/time-bank", headers=vol.staff(),
                        json={"from_volunteer_id": payer, "to_volunteer_id": to, "coins": 30, "reason": "帮忙"})
        results.append(r.status_code)

    threads = [threading.Thread(target=spend, args=(x if i % 2 else y,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] * 3 + [409] * 5
    assert vol.balance(payer)["available"] == 10
    assert vol.balance(x)["available"] + vol.balance(y)["available"] == 90
    wait_for(vol.settled, 20, message="worker settled")
    check = vol.get("/coins/check", headers=vol.district())
    assert check["consistent"] is True and check["sum_of_balances"] == 0


def test_attendance_credits_at_the_rate_of_the_activity_type_and_the_ledger_balances(vol):
    vol.client.put("/api/v1/volunteer/rates/legal_aid", json={"coins_per_hour": 20},
                   headers=vol.district())
    a, b = vol.register()["id"], vol.register()["id"]
    legal = vol.activity(type="legal_aid")
    care = vol.activity(type="elderly_care")
    assert legal["coins_per_hour"] == 20 and care["coins_per_hour"] == 10
    for act, v, out in ((legal, a, "2026-03-05T02:30:00Z"), (care, a, "2026-03-05T03:00:00Z"),
                        (care, b, "2026-03-05T01:45:00Z")):
        vol.post(f"/activities/{act['id']}/signups", {"volunteer_id": v}, expect=201)
        vol.post(f"/activities/{act['id']}/attendance", {"volunteer_id": v, "checked_in_at": "2026-03-05T01:00:00Z",
                                                         "checked_out_at": out}, expect=201)
    # a: 90 min at 20/h = 30, 120 min at 10/h = 20; b: 45 min at 10/h = 7 (whole coins, rounded down)
    wait_for(lambda: vol.balance(a)["available"] == 50 and vol.balance(b)["available"] == 7, 20,
             message="coins credited from attendance")
    wait_for(vol.settled, 20, message="worker settled")
    stats = vol.get("/stats", org_unit_id="jiayuan")
    assert stats["coins_credited"] == 57 and stats["participant_times"] == 3 and stats["minutes"] == 255
    assert vol.get("/coins/check", headers=vol.district())["consistent"] is True
