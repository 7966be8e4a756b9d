"""The love bank through the HTTP API: credits, adjustments, time banking, overdrafts and races."""

from liandong.testing import at_once, wait_for


def _fund(svc, volunteer_id, coins, reason="初始爱心币"):
    return svc.post("/coins/adjustments", {"volunteer_id": volunteer_id, "coins": coins, "reason": reason},
                    expect=201).get_json()


def test_adjustments_are_entries_with_a_reason_and_never_overdraw(svc):
    a = svc.register()["id"]
    e = _fund(svc, a, 50)
    assert e["from_account"] == "issuer:jiayuan" and e["to_account"] == f"vol:{a}" and e["status"] == "posted"
    svc.post("/coins/adjustments", {"volunteer_id": a, "coins": 10}, expect=422)  # a reason is required
    svc.post("/coins/adjustments", {"volunteer_id": a, "coins": 0, "reason": "x"}, expect=422)
    r = svc.post("/coins/adjustments", {"volunteer_id": a, "coins": -60, "reason": "误记"}, expect=409).get_json()
    assert r["error"]["code"] == "insufficient_coins"
    svc.post("/coins/adjustments", {"volunteer_id": a, "coins": -20, "reason": "误记"}, expect=201)
    assert svc.balance(a)["available"] == 30 and [x["balance"] for x in svc.statement(a)] == [50, 30]
    # the same request id never posts twice
    body = {"volunteer_id": a, "coins": 5, "reason": "补记", "request_id": "req-1"}
    svc.post("/coins/adjustments", body, expect=201)
    svc.post("/coins/adjustments", body, expect=201)
    assert svc.balance(a)["available"] == 35


def test_time_bank_moves_coins_between_members(svc):
    helper = svc.register()["id"]
    resident = svc.resident("user-zhao")
    me = svc.post("/volunteers", {"name": "赵大爷", "kind": "resident", "org_unit_id": "jiayuan", "consent": True},
                  headers=resident, expect=201).get_json()["id"]
    _fund(svc, me, 20)
    svc.post("/coins/time-bank", {"to_volunteer_id": helper, "coins": 15, "reason": "陪同就医"}, headers=resident,
             expect=201)
    svc.post("/coins/time-bank", {"to_volunteer_id": helper, "coins": 15, "reason": "陪同就医"}, headers=resident,
             expect=409)
    svc.post("/coins/time-bank", {"from_volunteer_id": helper, "to_volunteer_id": me, "coins": 1, "reason": "x"},
             headers=resident, expect=404)
    assert svc.get("/volunteers/me", headers=resident)["totals"]["available"] == 5
    assert svc.balance(helper)["available"] == 15
    assert svc.get(f"/volunteers/{me}/statement", headers=resident)["items"][-1]["amount"] == -15
    svc.get(f"/volunteers/{helper}/statement", headers=resident, expect=404)


def test_racing_redemptions_cannot_both_spend_the_same_coins(svc):
    payer, x, y = (svc.register()["id"] for _ in range(3))
    _fund(svc, payer, 100)

    def spend(to):
        r = svc.client.application.test_client().post(
            "/api/v1/volunteer/coins/time-bank", headers=svc.staff(),
            json={"from_volunteer_id": payer, "to_volunteer_id": to, "coins": 30, "reason": "帮忙"})
        return r.status_code

    assert sorted(at_once(spend, *(x if i % 2 else y for i in range(8)))) == [201] * 3 + [409] * 5
    assert svc.balance(payer)["available"] == 10
    assert svc.balance(x)["available"] + svc.balance(y)["available"] == 90
    wait_for(svc.settled, 20, message="worker settled")
    check = svc.get("/coins/check", headers=svc.district())
    assert check["consistent"] is True and check["sum_of_balances"] == 0


def test_attendance_credits_at_the_rate_of_the_activity_type_and_the_ledger_balances(svc):
    svc.client.put("/api/v1/volunteer/rates/legal_aid", json={"coins_per_hour": 20},
                   headers=svc.district())
    a, b = svc.register()["id"], svc.register()["id"]
    legal = svc.activity(type="legal_aid")
    care = svc.activity(type="elderly_care")
    assert legal["coins_per_hour"] == 20 and care["coins_per_hour"] == 10
    for act, v, out in ((legal, a, "2026-03-05T02:30:00Z"), (care, a, "2026-03-05T03:00:00Z"),
                        (care, b, "2026-03-05T01:45:00Z")):
        svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": v}, expect=201)
        svc.post(f"/activities/{act['id']}/attendance", {"volunteer_id": v, "checked_in_at": "2026-03-05T01:00:00Z",
                                                         "checked_out_at": out}, expect=201)
    # a: 90 min at 20/h = 30, 120 min at 10/h = 20; b: 45 min at 10/h = 7 (whole coins, rounded down)
    wait_for(lambda: svc.balance(a)["available"] == 50 and svc.balance(b)["available"] == 7, 20,
             message="coins credited from attendance")
    wait_for(svc.settled, 20, message="worker settled")
    stats = svc.get("/stats", org_unit="jiayuan")
    assert stats["coins_credited"] == 57 and stats["participant_times"] == 3 and stats["minutes"] == 255
    assert svc.get("/coins/check", headers=svc.district())["consistent"] is True
