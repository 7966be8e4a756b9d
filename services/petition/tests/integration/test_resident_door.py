"""The residents' door (居民端, #22) in the petition service: a resident files from their phone, follows their
own petition by its public status (受理 / 办理中 / 办结) and the written answer, and rates it when it is answered —
their own, and nothing else: another resident's petition is not there for them (404, an empty list), the
staff's internal record (petitioners, assignment, risk flags) is never shown to them, and the staff endpoints
refuse them."""
from __future__ import annotations

import pytest

from liandong.testing import unique


def resident(svc, user_id):
    return svc.headers("resident", "jiayuan", "/chuanying/huangqi/jiayuan/", user_id=user_id,
                       person_key=unique("pk"))


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_a_resident_follows_and_rates_only_their_own_petition(svc):
    wang, zhao = resident(svc, unique("wang")), resident(svc, unique("zhao"))
    filed = svc.file(org_unit="jiayuan", channel="online", headers=wang, content="小区路灯坏了一个月",
                     petitioners=[{"name": "王小明", "mobile": "13900000001"}])
    pid = filed["id"]
    assert filed["status"] == "受理" and "petitioners" not in filed and "possible_duplicates" in filed
    assert filed["possible_duplicates"] == []
    svc.file(org_unit="jiayuan", channel="online", headers=zhao, content="邻居家漏水")

    mine = svc.get("/petitions", headers=wang)
    assert [p["id"] for p in mine["items"]] == [pid] and mine["total"] == 1
    one = svc.get(f"/petitions/{pid}", headers=wang)
    assert one["status"] == "受理" and not {"petitioners", "assignment", "risk_flags", "state"} & set(one)

    # the neighbour: nothing of Wang's, in the same words as a petition that does not exist
    assert all(p["id"] != pid for p in svc.get("/petitions", headers=zhao)["items"])
    assert svc.call("GET", f"/petitions/{pid}", headers=zhao).status_code == 404
    assert svc.call("GET", "/petitions/no-such-petition", headers=zhao).status_code == 404
    assert svc.post(f"/petitions/{pid}/close", {"satisfaction": "not"}, headers=zhao).status_code == 404

    # the staff act; Wang sees the public status move and the answer
    svc.post(f"/petitions/{pid}/assign", svc.assignment(), expect=200)
    assert svc.get(f"/petitions/{pid}", headers=wang)["status"] == "办理中"
    svc.post(f"/petitions/{pid}/start", {"mode": "on_site_check"}, expect=200)
    assert svc.post(f"/petitions/{pid}/close", {"satisfaction": "satisfied"}, headers=wang).status_code == 409
    svc.post(f"/petitions/{pid}/answer", {"text": "路灯已于本周更换"}, expect=200)
    answered = svc.get(f"/petitions/{pid}", headers=wang)
    assert answered["status"] == "办结" and answered["answer"]["text"] == "路灯已于本周更换"

    rated = svc.post(f"/petitions/{pid}/close", {"satisfaction": "satisfied"}, headers=wang, expect=200).get_json()
    assert rated["satisfaction"] == "satisfied"
    assert svc.get(f"/petitions/{pid}")["state"] == "closed"  # as the staff see it

    # what only staff do, a resident may not
    assert svc.post(f"/petitions/{pid}/reopen", {"reason": "x"}, headers=zhao).status_code == 404
    for path in ("/stats?org_unit=jiayuan", f"/petitions/{pid}/timeline", f"/petitions/{pid}/duplicates"):
        assert svc.call("GET", path, headers=wang).status_code in (403, 404), path
    assert svc.call("GET", "/stats?org_unit=jiayuan", headers=wang).status_code == 403
    assert svc.post(f"/petitions/{pid}/assign", svc.assignment(), headers=wang).status_code == 403
