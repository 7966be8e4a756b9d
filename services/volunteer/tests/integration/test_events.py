"""Events in and out: patrols credit hours once; the redemption saga with welfare; our own contracts."""
from liandong.events.envelope import Envelope
from liandong.testing import unique, wait_for


def _patrol(run_id, participants):
    return {"patrol_run_id": run_id, "route_id": "route-1", "org_unit_id": "jiayuan",
            "started_at": "2026-03-01T12:00:00.000000Z", "ended_at": "2026-03-01T13:30:00.000000Z",
            "checkpoints_total": 6, "checkpoints_checked": 6, "findings": 0, "participants": participants}


class Watcher:
    """Reads what the volunteer service published on its topic."""

    def __init__(self, svc):
        self.consumer = svc.platform.bus.consumer(unique("watch"), ["volunteer.events"])
        self.seen: list[Envelope] = []

    def of(self, name):
        for m in self.consumer.poll(max_records=500, timeout=0.2):
            self.seen.append(Envelope.from_json(m.value))
        return [e for e in self.seen if e.type == f"liandong.{name}.v1"]


def test_a_patrol_credits_volunteers_once_even_when_delivered_twice(svc):
    guard = svc.register(name="张建国")["id"]
    run = unique("run")
    data = _patrol(run, [{"person_name": "张建国", "kind": "lane_guard", "volunteer_id": guard, "minutes": 90},
                         {"person_name": "刘警官", "kind": "police", "volunteer_id": None, "minutes": 90},
                         {"person_name": "陌生人", "kind": "lane_guard", "volunteer_id": "nobody", "minutes": 60}])
    svc.publish_event("security.patrol.completed", data, run)
    svc.publish_event("security.patrol.completed", data, run)  # redelivered with another id
    env = svc.publish_event("security.patrol.completed", data, run)
    svc.platform.bus.publish("security.events", run, env.to_json())  # and the very same event twice
    svc.platform.bus.flush()
    wait_for(lambda: svc.balance(guard)["available"] == 15, 20, message="90 minutes at 10/h")
    watcher = Watcher(svc)
    wait_for(lambda: watcher.of("volunteer.coins.credited") and watcher.of("volunteer.attendance.recorded"), 20,
             message="credited and attendance events published")
    wait_for(svc.settled, 20, message="worker settled")
    assert svc.balance(guard)["available"] == 15 and len(svc.statement(guard)) == 1
    totals = svc.get(f"/volunteers/{guard}")["totals"]
    assert totals["minutes"] == 90 and totals["activities"] == 1
    credited = watcher.of("volunteer.coins.credited")
    assert [(e.data["volunteer_id"], e.data["coins"], e.data["reason"]) for e in credited] == [(guard, 15, "patrol")]


def test_redemption_saga_reserve_confirm_and_compensate(svc):
    v = svc.register()["id"]
    svc.post("/coins/adjustments", {"volunteer_id": v, "coins": 100, "reason": "开户"}, expect=201)
    watcher = Watcher(svc)

    def request(rid, coins):
        return svc.publish_event("welfare.redemption.requested", {
            "redemption_id": rid, "volunteer_id": v, "org_unit_id": "jiayuan", "coins": coins,
            "items": [{"item_id": "rice-5kg", "name": "大米5公斤", "quantity": 1, "coins": coins}]}, rid)

    r1, r2, r3 = unique("r"), unique("r"), unique("r")
    request(r1, 60)
    request(r1, 60)  # a duplicate never reserves twice
    request(r2, 60)  # racing for the same coins: refused
    wait_for(lambda: watcher.of("volunteer.coins.reserved") and watcher.of("volunteer.coins.reservation_refused"),
             20, message="reserved and refused")
    assert [e.data["redemption_id"] for e in watcher.of("volunteer.coins.reserved")] == [r1]
    refused = watcher.of("volunteer.coins.reservation_refused")
    assert [(e.data["redemption_id"], e.data["reason"]) for e in refused] == [(r2, "insufficient_balance")]
    assert svc.balance(v)["available"] == 40 and svc.balance(v)["reserved"] == 60

    done = {"redemption_id": r1, "volunteer_id": v, "coins": 60}
    svc.publish_event("welfare.redemption.goods_handed_out", done, r1)
    svc.publish_event("welfare.redemption.goods_handed_out", done, r1)
    svc.publish_event("welfare.redemption.cancelled", {**done, "reason": "cancelled_by_staff"}, r1)  # too late
    svc.publish_event("welfare.redemption.cancelled", {"redemption_id": r2, "volunteer_id": v, "coins": 60,
                                                       "reason": "coins_refused"}, r2)  # refused: nothing to release
    wait_for(lambda: watcher.of("volunteer.coins.redeemed"), 20, message="redeemed")
    assert svc.balance(v)["reserved"] == 0 and svc.balance(v)["available"] == 40

    request(r3, 30)
    wait_for(lambda: len(watcher.of("volunteer.coins.reserved")) == 2, 20, message="second reservation")
    cancel = {"redemption_id": r3, "volunteer_id": v, "coins": 30, "reason": "out_of_stock"}
    svc.publish_event("welfare.redemption.cancelled", cancel, r3)
    svc.publish_event("welfare.redemption.cancelled", cancel, r3)
    wait_for(lambda: watcher.of("volunteer.coins.released"), 20, message="released")
    wait_for(svc.settled, 20, message="worker settled")
    assert [e.data["redemption_id"] for e in watcher.of("volunteer.coins.released")] == [r3]
    assert len(watcher.of("volunteer.coins.redeemed")) == 1
    assert svc.balance(v) == {"available": 40, "reserved": 0, "total": 40}
    assert svc.get("/stats", org_unit="jiayuan")["coins_redeemed"] == 60
    check = svc.get("/coins/check", headers=svc.district())
    assert check["consistent"] is True


def test_unknown_and_paused_volunteers_are_refused(svc):
    v = svc.register()["id"]
    svc.post(f"/volunteers/{v}/status", {"status": "paused"}, expect=200)
    watcher = Watcher(svc)
    for rid, vid in ((unique("r"), v), (unique("r"), "nobody")):
        svc.publish_event("welfare.redemption.requested", {
            "redemption_id": rid, "volunteer_id": vid, "org_unit_id": "jiayuan", "coins": 5,
            "items": [{"item_id": "oil", "name": "油", "quantity": 1, "coins": 5}]}, rid)
    wait_for(lambda: len(watcher.of("volunteer.coins.reservation_refused")) == 2, 20, message="both refused")
    assert sorted(e.data["reason"] for e in watcher.of("volunteer.coins.reservation_refused")) == [
        "inactive_volunteer", "unknown_volunteer"]


def test_a_volunteer_who_leaves_is_announced_once_and_a_paused_one_not(svc):
    paused, leaving = svc.register()["id"], svc.register()["id"]
    watcher = Watcher(svc)
    svc.post(f"/volunteers/{paused}/status", {"status": "paused"}, expect=200)
    svc.post(f"/volunteers/{leaving}/status", {"status": "left"}, expect=200)
    svc.post(f"/volunteers/{leaving}/status", {"status": "left"}, expect=200)
    left = wait_for(lambda: watcher.of("volunteer.left"), 20, message="left announced")
    wait_for(svc.settled, 20, message="worker settled")
    assert [(e.data["volunteer_id"], e.data["org_unit_id"]) for e in watcher.of("volunteer.left")] == [
        (leaving, "jiayuan")] and left[0].data["left_at"]


def test_own_events_follow_the_contracts(svc):
    watcher = Watcher(svc)
    v = svc.register()["id"]
    act = svc.activity(capacity=1)
    svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": v}, expect=201)
    for name in ("volunteer.registered", "volunteer.activity.published", "volunteer.activity.signed_up"):
        wait_for(lambda: watcher.of(name), 20, message=name)
    assert watcher.of("volunteer.registered")[0].data["volunteer_id"] == v
    assert watcher.of("volunteer.activity.signed_up")[0].data == {
        "activity_id": act["id"], "volunteer_id": v, "status": "signed_up", "org_unit_id": "jiayuan"}


def test_coins_of_an_attendance_recorded_later_carry_the_attendance_s_day(svc):
    """An attendance recorded for a past day (the worker enters last week's sheet; the demo's history) credits its
    love coins on the day of the service, as its hours: the ledger entry and `volunteer.coins.credited` carry the
    attendance's start, so 积累爱心币 of that month — not of the day the worker caught up — counts them (#22)."""
    watcher = Watcher(svc)
    v = svc.register()["id"]
    act = svc.activity(starts_at="2025-10-11T01:00:00Z", ends_at="2025-10-11T04:00:00Z")  # 重阳, last year
    svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": v}, expect=201)
    svc.post(f"/activities/{act['id']}/attendance", {"volunteer_id": v, "checked_in_at": "2025-10-11T01:00:00Z",
                                                     "checked_out_at": "2025-10-11T03:00:00Z"}, expect=201)
    # the balance moves before the entry is marked posted (what the statement lists): settled is waited for too
    wait_for(lambda: svc.balance(v)["available"] == 20 and svc.settled(), 20, message="two hours at 10/h credited")
    wait_for(lambda: watcher.of("volunteer.coins.credited"), 20, message="credited published")
    [credited] = watcher.of("volunteer.coins.credited")
    assert credited.time.startswith("2025-10-11T01:00:00"), credited.time
    [entry] = svc.statement(v, **{"from": "2025-10-01", "to": "2025-10-31"})
    assert entry["amount"] == 20 and entry["time"].startswith("2025-10-11T01:00:00"), entry
