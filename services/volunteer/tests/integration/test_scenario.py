"""家园社区's year through the HTTP API: 89 volunteers, 5 teams, 26 activities, and the love bank adds up.

"招募了89名爱心志愿者,组建了5支志愿服务队 … 共开展了26次活动,积累爱心币7000余枚"
"""
from datetime import datetime, timedelta, timezone

from liandong.clock import to_iso
from liandong.testing import wait_for

TEAMS = [("护巷志愿队", "patrol", 15), ("敬老志愿队", "elderly_care", 10), ("义诊志愿队", "health_clinic", 12),
         ("法律援助志愿队", "legal_aid", 20), ("扫雪保洁志愿队", "snow_cleaning", 8)]
KINDS = ("resident", "party_member", "cobuilding_member")
CAPACITY = 12


def test_a_year_of_volunteering_adds_up(svc):
    for _, type_key, rate in TEAMS:
        assert svc.client.put(f"/api/v1/volunteer/rates/{type_key}", json={"coins_per_hour": rate},
                              headers=svc.district()).status_code == 200
    volunteers = []
    for i in range(89):
        kind = KINDS[i % 3]
        extra = {"unit_name": "船营区税务局"} if kind == "cobuilding_member" else {}
        volunteers.append(svc.register(name=f"志愿者{i:02d}", kind=kind, skills=["巡逻"] if i % 5 == 0 else [],
                                       **extra)["id"])
    teams = []
    for t, (name, type_key, _) in enumerate(TEAMS):
        members = volunteers[t::5]
        teams.append(svc.post("/teams", {"name": name, "type": type_key, "org_unit_id": "jiayuan",
                                         "leader_id": members[0], "member_ids": members}, expect=201).get_json())
    assert sorted(len(t["member_ids"]) for t in teams) == [17, 18, 18, 18, 18]

    expected = {v: {"minutes": 0, "coins": 0, "activities": 0} for v in volunteers}
    start = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)
    waitlisted = 0
    for j in range(26):
        team, (_, type_key, rate) = teams[j % 5], TEAMS[j % 5]
        begins = start + timedelta(days=12 * j)
        act = svc.activity(capacity=CAPACITY, type=type_key, team_id=team["id"], starts_at=to_iso(begins),
                           ends_at=to_iso(begins + timedelta(hours=4)))
        for v in team["member_ids"]:
            status = svc.post(f"/activities/{act['id']}/signups", {"volunteer_id": v}, expect=201).get_json()["status"]
            waitlisted += status == "waitlisted"
        holders = team["member_ids"][:CAPACITY]
        for k, v in enumerate(holders):
            minutes = 60 + 30 * ((k + j) % 4)
            svc.post(f"/activities/{act['id']}/attendance", {
                "volunteer_id": v, "checked_in_at": to_iso(begins),
                "checked_out_at": to_iso(begins + timedelta(minutes=minutes))}, expect=201)
            expected[v]["minutes"] += minutes
            expected[v]["coins"] += minutes * rate // 60
            expected[v]["activities"] += 1
        svc.post(f"/activities/{act['id']}/complete", expect=200)
    assert waitlisted == 26 * 18 - 26 * CAPACITY - 5  # the 17-member team has one fewer waiting

    def differences() -> dict:
        totals = {v: svc.get(f"/volunteers/{v}")["totals"] for v in volunteers}
        return {v: (got["minutes"], got["available"], got["activities"]) for v, got in totals.items()
                if (got["minutes"], got["available"], got["activities"]) != (
                    expected[v]["minutes"], expected[v]["coins"], expected[v]["activities"])}

    # settled (nothing left in an outbox or half-posted) can hold while a published attendance waits to be
    # consumed: the totals themselves are waited for, then must stay what the attendances imply
    total_coins = sum(e["coins"] for e in expected.values())
    assert 7000 <= total_coins < 8000  # 积累爱心币7000余枚
    try:
        wait_for(lambda: svc.settled() and not differences(), 60, message="every attendance credited")
    except AssertionError:
        raise AssertionError(f"totals unlike the attendances: {differences()}") from None
    wait_for(svc.settled, 20, message="the worker idle")
    assert not differences()

    stats = svc.get("/stats", org_unit="jiayuan", **{"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"})
    assert (stats["volunteers"], stats["teams"], stats["activities"], stats["participant_times"]) == (89, 5, 26, 312)
    assert stats["coins_credited"] == total_coins
    assert stats["minutes"] == sum(e["minutes"] for e in expected.values())
    assert stats["volunteers_by_kind"] == {"resident": 30, "party_member": 30, "cobuilding_member": 29}
    # the sub-district sees the same: the community's totals roll up
    officer = svc.staff(role="subdistrict_officer", org_unit="huangqi", org_path="/chuanying/huangqi/")
    assert svc.get("/stats", headers=officer)["coins_credited"] == total_coins
    check = svc.get("/coins/check", headers=svc.district())
    assert check["consistent"] is True and check["sum_of_balances"] == 0
    issuer = svc.stores.ledger.account("issuer:jiayuan")
    assert -issuer["available"] == total_coins

    ranking = svc.get("/recognition", org_unit="jiayuan", top=100)
    top = ranking["volunteers"]
    assert len(top) == 5 * CAPACITY and top[0]["rank"] == 1
    assert [p["minutes"] for p in top] == sorted((p["minutes"] for p in top), reverse=True)
    assert sum(t["coins"] for t in ranking["teams"]) == total_coins
    assert sum(t["activities"] for t in ranking["teams"]) == 312
