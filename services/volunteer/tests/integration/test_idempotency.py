"""A retried request (same Idempotency-Key, its first answer lost) creates and applies nothing twice
(issue #16, class 6): volunteers, teams, activities, sign-ups, check-ins, attendance and love coins."""
import pytest

from liandong.testing import unique, wait_for

from ..conftest import API, STORES


def twice(env, path, body, key, headers=None, expect=(200, 201)):
    """The same request sent twice, as the gateway forwards a retry whose first answer it never saw."""
    h = {**(headers or env.staff(user_id="organiser-1")), "Idempotency-Key": key}
    first = env.client.post(API + path, json=body, headers=h)
    assert first.status_code in expect, first.get_json()
    again = env.client.post(API + path, json=body, headers=h)
    assert again.status_code == first.status_code, (first.get_json(), again.get_json())
    assert "_idem" not in again.get_data(as_text=True)
    return first.get_json(), again.get_json()


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_retried_creates_and_changes_apply_once(svc):
    env, stores = svc, svc.stores

    # creates: the same record answered again
    name = unique("志愿者")
    v1, v2 = twice(env, "/volunteers", {"name": name, "kind": "resident", "org_unit_id": "jiayuan", "consent": True},
                   "reg-1")
    assert v1["id"] == v2["id"] and stores.volunteers.collection.count_documents({"name": name}) == 1
    resident = env.resident("resident-77")
    r1, r2 = twice(env, "/volunteers", {"name": unique("居民"), "kind": "resident", "org_unit_id": "jiayuan",
                                        "consent": True}, "reg-self", headers=resident)
    assert r1["id"] == r2["id"]  # not "registered already"
    t1, t2 = twice(env, "/teams", {"name": unique("服务队"), "type": "elderly_care", "org_unit_id": "jiayuan"},
                   "team-1")
    assert t1["id"] == t2["id"] and stores.teams.collection.count_documents({"name": t1["name"]}) == 1
    title = unique("敬老活动")
    a1, a2 = twice(env, "/activities", {"title": title, "type": "elderly_care", "org_unit_id": "jiayuan",
                                        "place": "家园社区服务站", "starts_at": "2026-03-05T01:00:00Z",
                                        "ends_at": "2026-03-05T04:00:00Z", "capacity": 1, "publish": True}, "act-1")
    assert a1["id"] == a2["id"] and stores.activities.collection.count_documents({"title": title}) == 1
    aid = a1["id"]

    # changes: applied once
    twice(env, f"/teams/{t1['id']}/members", {"volunteer_id": v1["id"]}, "member-1")
    assert stores.teams.get(t1["id"]).member_ids == [v1["id"]]
    s1, s2 = twice(env, f"/activities/{aid}/signups", {"volunteer_id": v1["id"]}, "signup-1")
    assert s1["status"] == "signed_up" and s2.get("status", "signed_up") == "signed_up"
    other = env.register()
    waitlisted, _ = twice(env, f"/activities/{aid}/signups", {"volunteer_id": other["id"]}, "signup-2")
    assert waitlisted["status"] == "waitlisted"
    activity = stores.activities.get(aid)
    assert activity.taken == 1 and activity.waitlist == [other["id"]]  # not waitlisted twice
    twice(env, f"/activities/{aid}/signups/{v1['id']}/cancel", {}, "cancel-1")
    activity = stores.activities.get(aid)
    # the retried cancel did not cancel the promoted volunteer's place too
    assert activity.taken == 1 and activity.waitlist == []
    twice(env, f"/activities/{aid}/attendance", {"volunteer_id": other["id"], "checked_in_at": "2026-03-05T01:00:00Z",
                                                 "checked_out_at": "2026-03-05T03:00:00Z"}, "att-1")
    assert stores.activities.get(aid).attendance[other["id"]].minutes == 120

    # love coins: one entry, one credit
    before = env.balance(v1["id"])["available"]
    e1, e2 = twice(env, "/coins/adjustments", {"volunteer_id": v1["id"], "coins": 7, "reason": "补记"}, "adj-1")
    assert e1["entry_id"] == e2["entry_id"]
    e1, e2 = twice(env, "/coins/time-bank", {"from_volunteer_id": v1["id"], "to_volunteer_id": other["id"],
                                             "coins": 3, "reason": "帮忙买菜"}, "tb-1")
    assert e1["entry_id"] == e2["entry_id"]
    wait_for(env.settled, 30, message="ledger settled")
    assert env.balance(v1["id"])["available"] == before + 7 - 3
