"""Volunteer service teams (志愿服务队, #21): formed on a day and dissolved on another, each announced, so the
teams' stock the reports count ("组建了5支志愿服务队") goes up and down."""
from __future__ import annotations

import pytest

from liandong.testing import STORES, wait_for

pytestmark = pytest.mark.parametrize("svc", STORES, indirect=True)  # every test here on both backends


def test_a_team_is_formed_and_dissolved_with_its_events(svc):
    formed = svc.post("/teams", {"name": "夕阳红老年志愿服务队", "type": "elderly_care", "org_unit_id": "jiayuan",
                                 "formed_on": "2026-01-05"}, expect=201).get_json()
    today = svc.post("/teams", {"name": "治安联防队", "type": "elderly_care", "org_unit_id": "jiayuan"},
                     expect=201).get_json()
    assert formed["status"] == "active" and formed["formed_on"] == "2026-01-05" and today["formed_on"]
    assert svc.post("/teams", {"name": "明日队", "type": "elderly_care", "org_unit_id": "jiayuan",
                               "formed_on": "2999-01-01"}).status_code == 422
    early = svc.post(f"/teams/{formed['id']}/dissolve", {"dissolved_on": "2025-12-31"})
    assert early.status_code == 422 and "dissolved_on" in early.get_json()["error"]["fields"]
    gone = svc.post(f"/teams/{formed['id']}/dissolve", {"dissolved_on": "2026-02-01"}, expect=200).get_json()
    assert gone["status"] == "dissolved" and gone["dissolved_on"] == "2026-02-01"
    assert svc.post(f"/teams/{formed['id']}/dissolve", {}).status_code == 409  # once
    vid = svc.register()["id"]
    assert svc.post(f"/teams/{formed['id']}/members", {"volunteer_id": vid}).status_code == 409  # no more changes
    names = {"liandong.volunteer.team.formed.v1", "liandong.volunteer.team.dissolved.v1"}
    events = wait_for(lambda: (found := svc.events(names)) and len(found) == 3 and found, 20, message="team events")
    by = {(e.type.split(".")[3], e.data["team_id"]): e.data for e in events}
    assert set(by) == {("formed", formed["id"]), ("formed", today["id"]), ("dissolved", formed["id"])}
    assert by[("formed", formed["id"])] == {"team_id": formed["id"], "org_unit_id": "jiayuan", "type": "elderly_care",
                                             "formed_on": "2026-01-05"}
    assert by[("dissolved", formed["id"])]["dissolved_on"] == "2026-02-01"
    assert "夕阳红" not in str(events)  # the stock needs no name
