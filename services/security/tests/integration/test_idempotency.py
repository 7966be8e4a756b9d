"""A retried request (same Idempotency-Key, its first answer lost) creates and applies nothing twice
(issue #16, class 6): incidents and their lifecycle, patrol routes, shifts, runs and check-ins,
migrants, people under correction and their visits, mediations."""
from __future__ import annotations

import pytest

from liandong.testing import STORES

from .test_corrections import CORRECTIONS, person
from .test_incidents import GAS
from .test_mediation import PARTIES
from .test_migrants import migrant
from .test_patrols import CREW


def twice(svc, url, body, key, role="community_police", **kw):
    """The same request sent twice, as the gateway forwards a retry whose first answer it never saw."""
    h = {**svc.headers(role, **kw), "Idempotency-Key": key}
    first = svc.client.post(f"/api/v1/security{url}", json=body, headers=h)
    assert first.status_code in (200, 201), first.get_json()
    again = svc.client.post(f"/api/v1/security{url}", json=body, headers=h)
    assert again.status_code == first.status_code, (first.get_json(), again.get_json())
    assert "_idem" not in again.get_data(as_text=True)
    return first.get_json(), again.get_json()


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_retried_security_requests_apply_once(svc):

    i1, i2 = twice(svc, "/incidents", GAS, "report-1", role="resident", user_id="res-9")
    assert i1["id"] == i2["id"]
    iid = i1["id"]
    twice(svc, f"/incidents/{iid}/dispatch", {"assignee": "刘警官"}, "dispatch-1")
    twice(svc, f"/incidents/{iid}/on-scene", {}, "scene-1")
    twice(svc, f"/incidents/{iid}/resolve", {"resolution": "关闭总阀"}, "resolve-1")
    twice(svc, f"/incidents/{iid}/close", {}, "close-1")
    assert svc.get(f"/incidents/{iid}").get_json()["status"] == "closed"
    mine = svc.get("/incidents", role="resident", user_id="res-9").get_json()["items"]
    assert [i["id"] for i in mine] == [iid]

    r1, r2 = twice(svc, "/patrol-routes", {"org_unit_id": "jiayuan", "name": "夜巡", "checkpoints": [
        {"name": "东门"}, {"name": "车棚"}]}, "route-1", role="grid_worker")
    assert r1 == r2
    s1, s2 = twice(svc, "/patrol-shifts", {"route_id": r1["id"], "starts_at": "2026-03-05T12:00:00Z",
                                           "ends_at": "2026-03-05T14:00:00Z", "roster": CREW}, "shift-1",
                   role="grid_worker")
    assert s1["id"] == s2["id"]
    run1, run2 = twice(svc, "/patrol-runs", {"shift_id": s1["id"]}, "run-1", role="grid_worker")
    assert run1 == run2  # the run its first attempt started, not "this shift has a patrol run already"
    c1, c2 = twice(svc, f"/patrol-runs/{run1['id']}/checkins", {"checkpoint_id": "cp-1"}, "check-1",
                   role="grid_worker")
    assert len(svc.get(f"/patrol-runs/{run1['id']}").get_json()["checkins"]) == 1

    m1, m2 = twice(svc, "/migrants", migrant(seq=41), "migrant-1")
    assert m1["id"] == m2["id"]  # not "registered already in this community"

    p1, p2 = twice(svc, "/corrections/people", person(), "enrol-1", **CORRECTIONS)
    assert p1["id"] == p2["id"]
    twice(svc, f"/corrections/people/{p1['id']}/visits", {"note": "走访,情况稳定"}, "visit-1", **CORRECTIONS)
    people = svc.get(f"/corrections/people/{p1['id']}", **CORRECTIONS).get_json()
    assert len(people["visits"]) == 1

    d1, d2 = twice(svc, "/disputes", {"org_unit_id": "jiayuan", "type": "neighbour", "summary": "楼上漏水",
                                      "parties": PARTIES, "mediator_name": "何胜美"}, "dispute-1",
                   role="community_worker")
    assert d1["id"] == d2["id"]
    twice(svc, f"/disputes/{d1['id']}/sessions", {"note": "第一次调解"}, "session-1", role="community_worker")
    twice(svc, f"/disputes/{d1['id']}/outcome", {"outcome": "agreement"}, "outcome-1", role="community_worker")
    dispute = svc.get(f"/disputes/{d1['id']}", role="community_worker").get_json()
    assert len(dispute["sessions"]) == 1 and dispute["outcome"] == "agreement"
