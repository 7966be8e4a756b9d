"""The same rules on a real MongoDB-protocol server (FerretDB): nothing depends on SQLite."""
from liandong.testing import at_once, unique, wait_for


def test_waitlist_attendance_and_ledger_on_mongo(make_svc):
    svc = make_svc(store="mongo")
    a, b = svc.register()["id"], svc.register()["id"]
    act = svc.activity(capacity=1)
    svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": a}, expect=201)
    second = svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": b}, expect=201).get_json()
    assert second["status"] == "waitlisted"
    assert svc.post(f"/activities/{act['id']}/signups/{a}/cancel", expect=200).get_json()["promoted"] == b
    svc.post(f"/activities/{act['id']}/attendance", {"volunteer_id": b, "checked_in_at": "2026-03-05T01:00:00Z",
                                                     "checked_out_at": "2026-03-05T04:00:00Z"}, expect=201)
    wait_for(lambda: svc.balance(b)["available"] == 30, 30, message="180 minutes at 10/h")

    payer = b

    def spend(_):
        r = svc.client.application.test_client().post(
            "/api/v1/volunteer/coins/time-bank", headers=svc.staff(),
            json={"from_volunteer_id": payer, "to_volunteer_id": a, "coins": 20, "reason": "帮忙买菜"})
        return r.status_code

    assert sorted(at_once(spend, *range(4))) == [201, 409, 409, 409]
    wait_for(svc.settled, 30, message="worker settled")
    assert svc.get("/coins/check", headers=svc.district())["consistent"] is True
    assert svc.get("/stats", org_unit="jiayuan")["participant_times"] == 1


def test_saga_and_patrol_on_mongo(make_svc):
    svc = make_svc(store="mongo")
    v = svc.register()["id"]
    run = unique("run")
    patrol = {"patrol_run_id": run, "route_id": "r", "org_unit_id": "jiayuan",
              "started_at": "2026-03-01T12:00:00.000000Z", "ended_at": "2026-03-01T14:00:00.000000Z",
              "checkpoints_total": 3, "checkpoints_checked": 3, "findings": 0,
              "participants": [{"person_name": "张建国", "kind": "lane_guard", "volunteer_id": v, "minutes": 120}]}
    svc.publish_event("security.patrol.completed", patrol, run)
    svc.publish_event("security.patrol.completed", patrol, run)
    wait_for(lambda: svc.balance(v)["available"] == 20, 30, message="patrol credited")
    rid = unique("r")
    svc.publish_event("welfare.redemption.requested", {
        "redemption_id": rid, "volunteer_id": v, "org_unit_id": "jiayuan", "coins": 15,
        "items": [{"item_id": "quilt", "name": "棉被", "quantity": 1, "coins": 15}]}, rid)
    wait_for(lambda: svc.balance(v)["reserved"] == 15, 30, message="reserved")
    svc.publish_event("welfare.redemption.goods_handed_out",
                      {"redemption_id": rid, "volunteer_id": v, "coins": 15}, rid)
    wait_for(lambda: svc.balance(v)["reserved"] == 0 and svc.balance(v)["available"] == 5, 30, message="redeemed")
    wait_for(svc.settled, 30, message="worker settled")
    assert svc.stores.ledger.account("supermarket:jiayuan")["available"] == 15
    assert svc.get("/coins/check", headers=svc.district())["consistent"] is True
