"""A small year of party building (党建, #20) through the gateway, as the offices work it: 家园's 党建专干 registers
branches and members, members sign the 《党员告知书》, one transfers out, an empty branch is dissolved, two
in-service members report to the community (one new, one a volunteer already) and serve at an activity; 阳春
(another sub-district) does the same on a smaller scale. The registers stay behind the duty (403 without it,
audited; masked without personal_data:read); every party figure of the overview (community, sub-district,
district) and the sentence of 九、党建工作 in the annual report say exactly what was done. Both backend pairs."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
import requests
from docx import Document

from liandong.idnumbers import check_digit
from liandong.testing import wait_for

PASSWORD = "Liandong-demo-2026"
CHINA = timezone(timedelta(hours=8))


def id_number(serial: int) -> str:
    first = f"22020419800412{serial:03d}"
    return first + check_digit(first)


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def play_community(o, worker: str, unit: str, serial: int, *, branches: int, members: int, notices: int,
                   transfers: int, reports: list[tuple[bool, int]], day: str, starts: datetime) -> list[str]:
    """One community's year: branches (the last one founded empty and dissolved when `branches` > 1), members (the
    first `notices` sign, the last `transfers` transfer out), reports (`(already a volunteer, minutes served)`).
    Returns the volunteers who reported."""
    ids = [o.post(worker, "/volunteer/party/branches", {
        "name": f"{unit}第{i + 1}党支部", "org_unit_id": unit, "secretary": "王秀兰",
        "founded_on": "2014-07-01" if i == 0 else day}, 201)["id"] for i in range(branches + (branches > 1))]
    if branches > 1:
        o.post(worker, f"/volunteer/party/branches/{ids[-1]}/dissolve", {"dissolved_on": day}, 200)
    made = [o.post(worker, "/volunteer/party/members", {
        "branch_id": ids[i % branches], "name": f"党员{i}", "id_number": id_number(serial + i), "mobile": "13900001234",
        "kind": "full" if i else "probationary", "joined_on": "1998-07-01", "hardship": i == 1}, 201)["id"]
        for i in range(members)]
    for m in made[:notices]:
        o.post(worker, f"/volunteer/party/members/{m}/notice", {"signed_on": day}, 200)
    for m in made[members - transfers:]:
        o.post(worker, f"/volunteer/party/members/{m}/end", {"reason": "transferred_out", "ended_on": day}, 200)
    activity = o.post(worker, "/volunteer/activities", {
        "title": "党员志愿服务日", "type": "elderly_care", "org_unit_id": unit, "place": "社区服务站",
        "starts_at": iso(starts), "ends_at": iso(starts + timedelta(hours=4)), "capacity": 10, "publish": True}, 201)
    volunteers = []
    for n, (known, minutes) in enumerate(reports):
        person = id_number(serial + 50 + n)
        if known:  # a resident volunteer of the community already, registered with their ID number
            o.post(worker, "/volunteer/volunteers", {"name": f"在职党员{n}", "kind": "resident", "org_unit_id": unit,
                                                     "consent": True, "id_number": person}, 201)
        report = o.post(worker, "/volunteer/party/reports", {
            "org_unit_id": unit, "name": f"在职党员{n}", "id_number": person, "workplace": "市供电公司党委",
            "reported_on": day, "consent": True}, 201)
        assert report["linked"] is known
        volunteers.append(report["volunteer_id"])
        o.post(worker, f"/volunteer/activities/{activity['id']}/signups", {"volunteer_id": report["volunteer_id"]}, 201)
        o.post(worker, f"/volunteer/activities/{activity['id']}/attendance", {
            "volunteer_id": report["volunteer_id"], "checked_in_at": iso(starts),
            "checked_out_at": iso(starts + timedelta(minutes=minutes))}, 201)
    return volunteers


@pytest.mark.e2e
def test_a_year_of_party_building_reaches_the_overview_and_the_annual_report(platform, office, monkeypatch):
    monkeypatch.setenv("LIANDONG_DEMO_ACTIVITY", "0")  # only this year's actions in the figures
    settings = platform.start()
    o = office(f"http://127.0.0.1:{settings.ports['gateway']}")
    for user, unit in (("jiayuan_party_office", "jiayuan"), ("yangchun_party", "yangchun")):
        o.post("district_admin", "/users", {"username": user, "name": f"{unit}党建专干", "password": PASSWORD,
                                            "grants": [{"role": "community_worker", "org_unit": unit,
                                                        "duties": ["party_affairs"]}]}, 201)
    now = datetime.now(timezone.utc)
    starts = now - timedelta(hours=5)
    day = (now - timedelta(hours=6)).astimezone(CHINA).date().isoformat()  # reported before the service began
    year = int(day[:4])

    jiayuan = play_community(o, "jiayuan_party_office", "jiayuan", 100, branches=2, members=3, notices=2, transfers=1,
                             reports=[(False, 180), (True, 120)], day=day, starts=starts)
    play_community(o, "yangchun_party", "yangchun", 200, branches=1, members=1, notices=0, transfers=0,
                   reports=[(False, 60)], day=day, starts=starts)

    # the registers are the duty's: the community's 民政员 (volunteer:read and manage) is refused, and audited
    o.get("jiayuan_worker", "/volunteer/party/members", 403)
    refused = o.get("district_admin", "/volunteer/party/audit", allowed="false")["items"]
    assert any(e["action"] == "party.member.list" and e["user_id"] for e in refused)
    # masked for the 党建专干 (no personal_data:read), whole for the sub-district's officer
    assert all(m["name"].endswith("*") for m in o.get("jiayuan_party_office", "/volunteer/party/members")["items"])
    assert {m["name"] for m in o.get("huangqi_officer", "/volunteer/party/members", org_unit="jiayuan")["items"]} == {
        "党员0", "党员1", "党员2"}
    # reporting made each of them one volunteer of the community, whose hours count as every volunteer's
    assert o.get("jiayuan_party_office", "/volunteer/volunteers", kind="party_member")["total"] == 1
    hours = wait_for(lambda: (items := o.get("huangqi_officer", "/volunteer/party/reports", org_unit="jiayuan")["items"])
                     and sorted(i["hours_this_year"] for i in items) == [2.0, 3.0] and items, 60,
                     message="the reported members' hours")
    assert {i["volunteer_id"] for i in hours} == set(jiayuan)

    admin = o.headers("district_admin")
    period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    expected = {
        "jiayuan": {"members": 2, "branches": 2, "members_reported": 2, "reported_minutes": 300, "notices_signed": 2},
        "yangchun": {"members": 1, "branches": 1, "members_reported": 1, "reported_minutes": 60, "notices_signed": 0},
    }
    expected["huangqi"], expected["ceguan"] = expected["jiayuan"], expected["yangchun"]
    expected["chuanying"] = {k: expected["jiayuan"][k] + expected["yangchun"][k] for k in expected["jiayuan"]}

    def party_figures(unit: str) -> dict:
        r = requests.get(f"{o.base}/reports/overview", headers=admin, params={"org_unit": unit, **period}, timeout=20)
        assert r.status_code == 200, r.text
        return {k[len("volunteer.party_"):]: m["value"] for k, m in r.json()["metrics"].items()
                if k.startswith("volunteer.party_")}

    try:  # the read model follows the events: wait for it, then compare (pytest shows the difference)
        wait_for(lambda: {u: party_figures(u) for u in expected} == expected, 120, message="the party figures")
    except AssertionError:
        pass
    assert {u: party_figures(u) for u in expected} == expected

    def annual(unit: str) -> str:
        r = requests.get(f"{o.base}/reports/annual.docx", headers=admin, params={"org_unit": unit, "year": year},
                         timeout=60)
        assert r.status_code == 200, r.text[:300]
        return "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)

    text = annual("jiayuan")
    assert "九、党建工作" in text
    assert "社区党员总数2名,下设2个党支部;2名在职党员到社区报到,参与志愿服务5.0小时;签订《党员告知书》2份。" in text
    assert "辖区党员总数3名,下设3个党支部;3名在职党员到社区报到,参与志愿服务6.0小时;签订《党员告知书》2份。" in \
        annual("chuanying")
