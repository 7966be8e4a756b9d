"""Activities through the HTTP API: sign-up, the waitlist and its promotion, substitutes, attendance."""
from liandong.testing import wait_for


def test_full_activity_waitlists_and_a_cancellation_promotes(svc):
    a, b, c = (svc.register()["id"] for _ in range(3))
    act = svc.activity(capacity=2)
    for v in (a, b):
        signed = svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": v}, expect=201).get_json()
        assert signed["status"] == "signed_up"
    waiting = svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": c}, expect=201).get_json()
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1
    svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": c}, expect=409)  # not twice
    svc.post(f"/activities/{act['id']}/signups", {}, expect=422)  # staff name the volunteer
    svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": "nobody"}, expect=404)

    cancelled = svc.post(f"/activities/{act['id']}/signups/{a}/cancel", expect=200).get_json()
    assert cancelled["promoted"] == c and cancelled["waitlist"] == []
    got = svc.get(f"/activities/{act['id']}")
    assert got["taken"] == 2
    assert {s["volunteer_id"]: s["status"] for s in got["signups"]} == {a: "cancelled", b: "signed_up", c: "signed_up"}


def test_resident_signs_up_checks_in_with_the_code_and_hands_a_place_on(svc):
    me = svc.register(user_id=None, name="王秀英")
    resident = svc.resident("user-wang")
    # a resident registers themselves: the record is linked to their login
    mine = svc.post("/volunteers", {"name": "李明", "kind": "party_member", "org_unit_id": "jiayuan",
                                    "consent": True, "mobile": "13912345678"}, headers=resident, expect=201).get_json()
    assert mine["user_id"] == "user-wang"
    act = svc.activity(capacity=1)
    code = act["checkin_code"]
    r = svc.post(f"/activities/{act['id']}/signups", {}, headers=resident, expect=201).get_json()
    assert r["volunteer_id"] == mine["id"] and r["status"] == "signed_up"
    # residents never act for someone else
    svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": me["id"]}, headers=resident, expect=403)
    assert "checkin_code" not in svc.get(f"/activities/{act['id']}", headers=resident)
    assert act["id"] in [x["id"] for x in svc.get("/activities", headers=resident)["items"]]
    svc.post(f"/activities/{act['id']}/check-in", {"code": "000000" if code != "000000" else "111111"},
             headers=resident, expect=422)
    svc.post(f"/activities/{act['id']}/check-in", {"code": code}, headers=resident, expect=200)
    svc.advance(2 * 3600)
    resident = svc.resident("user-wang")  # two hours on, the first access token has expired
    out = svc.post(f"/activities/{act['id']}/check-out", {"code": code, "at": "2030-01-01T00:00:00Z"},
                   headers=resident, expect=200).get_json()
    assert out["minutes"] == 120 and out["coins"] == 20  # a resident cannot choose the time
    wait_for(lambda: svc.get("/volunteers/me", headers=resident)["totals"]["available"] == 20, 20,
             message="coins for the checked-out hours")

    # another activity: the resident cannot come and hands the place to a substitute
    act2 = svc.activity(capacity=1)
    svc.post(f"/activities/{act2['id']}/signups", {}, headers=resident, expect=201)
    svc.post(f"/activities/{act2['id']}/signups/{mine['id']}/substitute", {"substitute_id": me["id"]},
             headers=resident, expect=200)
    got = svc.get(f"/activities/{act2['id']}")
    assert [s["volunteer_id"] for s in got["signups"] if s["status"] == "signed_up"] == [me["id"]]
    svc.client.patch(f"/api/v1/volunteer/volunteers/{mine['id']}", json={"skills": ["急救", "理发"]},
                     headers=resident)
    own = svc.get("/volunteers/me", headers=resident)
    assert own["skills"] == ["急救", "理发"]
    assert svc.client.patch(f"/api/v1/volunteer/volunteers/{me['id']}", json={"skills": []},
                            headers=resident).status_code == 404
    assert own["id"] == mine["id"] and own["mobile"] == "13912345678"
    listed = svc.get("/volunteers", org_unit="jiayuan")["items"]
    # masked for staff without personal_data:read
    assert {v["id"]: v["mobile"] for v in listed}[mine["id"]] == "139****5678"


def test_attendance_hours_corrections_and_no_shows(svc):
    a, b = svc.register()["id"], svc.register()["id"]
    act = svc.activity(capacity=5, type="health_clinic")
    for v in (a, b):
        svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": v}, expect=201)
    svc.post(f"/activities/{act['id']}/attendance", {"volunteer_id": a, "checked_in_at": "2026-03-05T01:00:00Z",
                                                     "checked_out_at": "2026-03-05T03:30:00Z"}, expect=201)
    svc.post(f"/activities/{act['id']}/attendance", {"volunteer_id": a, "checked_in_at": "2026-03-05T01:00:00Z",
                                                     "checked_out_at": "2026-03-05T03:30:00Z"}, expect=409)
    done = svc.post(f"/activities/{act['id']}/complete", expect=200).get_json()
    assert done["no_shows"] == [b] and done["attendance"][b]["no_show"] is True
    wait_for(lambda: svc.balance(a)["available"] == 25, 20, message="150 minutes at 10/h credited")
    fixed = svc.post(f"/activities/{act['id']}/attendance/{a}/correction",
                     {"minutes": 120, "reason": "提前离开"}, expect=200).get_json()
    assert fixed["minutes"] == 120 and fixed["corrections"][0]["from_minutes"] == 150
    svc.post(f"/activities/{act['id']}/attendance/{a}/correction", {"minutes": 60}, expect=422)
    # the ledger moves the payer, then the payee, then marks the entry posted (which the statement lists)
    wait_for(lambda: svc.balance(a)["available"] == 20 and svc.settled(), 20, message="correction takes 5 coins back")
    assert [e["amount"] for e in svc.statement(a)] == [25, -5]
    totals = svc.get(f"/volunteers/{a}")["totals"]
    assert totals["minutes"] == 120 and totals["activities"] == 1
    wait_for(svc.settled, 20, message="worker settled")
    assert svc.get("/coins/check", headers=svc.district())["consistent"] is True


def test_reminders_before_an_activity(svc):
    a = svc.register()["id"]
    now = svc.platform.clock.now()
    from datetime import timedelta
    from liandong.clock import to_iso

    soon = svc.activity(starts_at=to_iso(now + timedelta(hours=3)), ends_at=to_iso(now + timedelta(hours=5)))
    later = svc.activity(starts_at=to_iso(now + timedelta(days=3)), ends_at=to_iso(now + timedelta(days=3, hours=2)))
    for act in (soon, later):
        svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": a}, expect=201)
    svc.service.activities.send_reminders()
    svc.service.activities.send_reminders()  # once only
    items = svc.get(f"/volunteers/{a}/reminders")["items"]
    assert [r["activity_id"] for r in items] == [soon["id"]]


def test_access_and_validation(svc):
    bad = svc.post("/volunteers", {"name": "x", "kind": "resident", "org_unit_id": "jiayuan", "consent": False},
                   expect=422).get_json()
    assert "consent" in bad["error"]["fields"]
    svc.post("/volunteers", {"name": "x", "kind": "alien", "org_unit_id": "jiayuan", "consent": True}, expect=422)
    svc.post("/activities", {"title": "t", "type": "elderly_care", "org_unit_id": "jiayuan", "place": "p",
                             "starts_at": "2026-03-05T04:00:00Z", "ends_at": "2026-03-05T01:00:00Z",
                             "capacity": 3}, expect=422)
    svc.post("/activities", {"title": "t", "type": "no_such_type", "org_unit_id": "jiayuan", "place": "p",
                             "starts_at": "2026-03-05T01:00:00Z", "ends_at": "2026-03-05T04:00:00Z",
                             "capacity": 3}, expect=422)
    other = svc.staff(org_unit="huangniling", org_path="/chuanying/xihu/huangniling/")
    svc.post("/volunteers", {"name": "x", "kind": "resident", "org_unit_id": "jiayuan", "consent": True},
             headers=other, expect=403)
    v = svc.register()
    svc.get(f"/volunteers/{v['id']}", headers=other, expect=404)
    assert svc.get("/volunteers", headers=other)["items"] == []
    svc.post("/types", {"type": "mediation", "name": "调解队"}, headers=svc.district(), expect=201)
    team = svc.post("/teams", {"name": "调解志愿队", "type": "mediation", "org_unit_id": "jiayuan",
                               "leader_id": v["id"]}, expect=201).get_json()
    assert team["member_ids"] == [v["id"]]
    assert svc.client.delete(f"/api/v1/volunteer/teams/{team['id']}/members/{v['id']}",
                             headers=svc.staff()).status_code == 409
