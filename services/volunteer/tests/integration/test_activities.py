"""Activities through the HTTP API: sign-up, the waitlist and its promotion, substitutes, attendance."""
from liandong.testing import wait_for


def test_full_activity_waitlists_and_a_cancellation_promotes(vol):
    a, b, c = (vol.register()["id"] for _ in range(3))
    act = vol.activity(capacity=2)
    for v in (a, b):
        signed = vol.post(f"/activities/{act['id']}/signups", {"volunteer_id": v}, expect=201).get_json()
        assert signed["status"] == "signed_up"
    waiting = vol.post(f"/activities/{act['id']}/signups", {"volunteer_id": c}, expect=201).get_json()
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1
    vol.post(f"/activities/{act['id']}/signups", {"volunteer_id": c}, expect=409)  # not twice
    vol.post(f"/activities/{act['id']}/signups", {}, expect=422)  # staff name the volunteer
    vol.post(f"/activities/{act['id']}/signups", {"volunteer_id": "nobody"}, expect=404)

    cancelled = vol.post(f"/activities/{act['id']}/signups/{a}/cancel", expect=200).get_json()
    assert cancelled["promoted"] == c and cancelled["waitlist"] == []
    got = vol.get(f"/activities/{act['id']}")
    assert got["taken"] == 2
    assert {s["volunteer_id"]: s["status"] for s in got["signups"]} == {a: "cancelled", b: "signed_up", c: "signed_up"}


def test_resident_signs_up_checks_in_with_the_code_and_hands_a_place_on(vol):
    me = vol.register(user_id=None, name="王秀英")
    resident = vol.resident("user-wang")
    # a resident registers themselves: the record is linked to their login
    mine = vol.post("/volunteers", {"name": "李明", "kind": "party_member", "org_unit_id": "jiayuan",
                                    "consent": True, "mobile": "13912345678"}, headers=resident, expect=201).get_json()
    assert mine["user_id"] == "user-wang"
    act = vol.activity(capacity=1)
    code = act["checkin_code"]
    r = vol.post(f"/activities/{act['id']}/signups", {}, headers=resident, expect=201).get_json()
    assert r["volunteer_id"] == mine["id"] and r["status"] == "signed_up"
    # residents never act for someone else
    vol.post(f"/activities/{act['id']}/signups", {"volunteer_id": me["id"]}, headers=resident, expect=403)
    assert "checkin_code" not in vol.get(f"/activities/{act['id']}", headers=resident)
    assert act["id"] in [x["id"] for x in vol.get("/activities", headers=resident)["items"]]
    vol.post(f"/activities/{act['id']}/check-in", {"code": "000000" if code != "000000" else "111111"},
             headers=resident, expect=422)
    vol.post(f"/activities/{act['id']}/check-in", {"code": code}, headers=resident, expect=200)
    vol.advance(2 * 3600)
    resident = vol.resident("user-wang")  # two hours on, the first access token has expired
    out = vol.post(f"/activities/{act['id']}/check-out", {"code": code, "at": "2030-01-01T00:00:00Z"},
                   headers=resident, expect=200).get_json()
    assert out["minutes"] == 120 and out["coins"] == 20  # a resident cannot choose the time
    wait_for(lambda: vol.get("/volunteers/me", headers=resident)["totals"]["available"] == 20, 20,
             message="coins for the checked-out hours")

    # another activity: the resident cannot come and hands the place to a substitute
    act2 = vol.activity(capacity=1)
    vol.post(f"/activities/{act2['id']}/signups", {}, headers=resident, expect=201)
    vol.post(f"/activities/{act2['id']}/signups/{mine['id']}/substitute", {"substitute_id": me["id"]},
             headers=resident, expect=200)
    got = vol.get(f"/activities/{act2['id']}")
    assert [s["volunteer_id"] for s in got["signups"] if s["status"] == "signed_up"] == [me["id"]]
    vol.client.patch(f"/api/v1/volunteer/volunteers/{mine['id']}", json={"skills": ["急救", "理发"]},
                     headers=resident)
    own = vol.get("/volunteers/me", headers=resident)
    assert own["skills"] == ["急救", "理发"]
    assert vol.client.patch(f"/api/v1/volunteer/volunteers/{me['id']}", json={"skills": []},
                            headers=resident).status_code == 404
    assert own["id"] == mine["id"] and own["mobile"] == "13912345678"
    listed = vol.get("/volunteers", org_unit_id="jiayuan")["items"]
    # masked for staff without personal_data:read
    assert {v["id"]: v["mobile"] for v in listed}[mine["id"]] == "139****5678"


def test_attendance_hours_corrections_and_no_shows(vol):
    a, b = vol.register()["id"], vol.register()["id"]
    act = vol.activity(capacity=5, type="health_clinic")
    for v in (a, b):
        vol.post(f"/activities/{act['id']}/signups", {"volunteer_id": v}, expect=201)
    vol.post(f"/activities/{act['id']}/attendance", {"volunteer_id": a, "checked_in_at": "2026-03-05T01:00:00Z",
                                                     "checked_out_at": "2026-03-05T03:30:00Z"}, expect=201)
    vol.post(f"/activities/{act['id']}/attendance", {"volunteer_id": a, "checked_in_at": "2026-03-05T01:00:00Z",
                                                     "checked_out_at": "2026-03-05T03:30:00Z"}, expect=409)
    done = vol.post(f"/activities/{act['id']}/complete", expect=200).get_json()
    assert done["no_shows"] == [b] and done["attendance"][b]["no_show"] is True
    wait_for(lambda: vol.balance(a)["available"] == 25, 20, message="150 minutes at 10/h credited")
    fixed = vol.post(f"/activities/{act['id']}/attendance/{a}/correction",
                     {"minutes": 120, "reason": "提前离开"}, expect=200).get_json()
    assert fixed["minutes"] == 120 and fixed["corrections"][0]["from_minutes"] == 150
    vol.post(f"/activities/{act['id']}/attendance/{a}/correction", {"minutes": 60}, expect=422)
    wait_for(lambda: vol.balance(a)["available"] == 20, 20, message="correction takes 5 coins back")
    stmt = vol.balance(a)
    assert [e["amount"] for e in stmt["entries"]] == [25, -5]
    totals = vol.get(f"/volunteers/{a}")["totals"]
    assert totals["minutes"] == 120 and totals["activities"] == 1
    wait_for(vol.settled, 20, message="worker settled")
    assert vol.get("/coins/check", headers=vol.district())["consistent"] is True


def test_reminders_before_an_activity(vol):
    a = vol.register()["id"]
    now = vol.service.clock.now()
    from datetime import timedelta
    from liandong.clock import to_iso

    soon = vol.activity(starts_at=to_iso(now + timedelta(hours=3)), ends_at=to_iso(now + timedelta(hours=5)))
    later = vol.activity(starts_at=to_iso(now + timedelta(days=3)), ends_at=to_iso(now + timedelta(days=3, hours=2)))
    for act in (soon, later):
        vol.post(f"/activities/{act['id']}/signups", {"volunteer_id": a}, expect=201)
    vol.service.send_reminders()
    vol.service.send_reminders()  # once only
    items = vol.get(f"/volunteers/{a}/reminders")["items"]
    assert [r["activity_id"] for r in items] == [soon["id"]]


def test_access_and_validation(vol):
    bad = vol.post("/volunteers", {"name": "x", "kind": "resident", "org_unit_id": "jiayuan", "consent": False},
                   expect=422).get_json()
    assert "consent" in bad["error"]["fields"]
    vol.post("/volunteers", {"name": "x", "kind": "alien", "org_unit_id": "jiayuan", "consent": True}, expect=422)
    vol.post("/activities", {"title": "t", "type": "elderly_care", "org_unit_id": "jiayuan", "place": "p",
                             "starts_at": "2026-03-05T04:00:00Z", "ends_at": "2026-03-05T01:00:00Z",
                             "capacity": 3}, expect=422)
    vol.post("/activities", {"title": "t", "type": "no_such_type", "org_unit_id": "jiayuan", "place": "p",
                             "starts_at": "2026-03-05T01:00:00Z", "ends_at": "2026-03-05T04:00:00Z",
                             "capacity": 3}, expect=422)
    other = vol.staff(org_unit="huangniling", org_path="/chuanying/xihu/huangniling/")
    vol.post("/volunteers", {"name": "x", "kind": "resident", "org_unit_id": "jiayuan", "consent": True},
             headers=other, expect=403)
    v = vol.register()
    vol.get(f"/volunteers/{v['id']}", headers=other, expect=404)
    assert vol.get("/volunteers", headers=other)["items"] == []
    vol.post("/types", {"type": "mediation", "name": "调解队"}, headers=vol.district(), expect=201)
    team = vol.post("/teams", {"name": "调解志愿队", "type": "mediation", "org_unit_id": "jiayuan",
                               "leader_id": v["id"]}, expect=201).get_json()
    assert team["member_ids"] == [v["id"]]
    assert vol.client.delete(f"/api/v1/volunteer/teams/{team['id']}/members/{v['id']}",
                             headers=vol.staff()).status_code == 409
