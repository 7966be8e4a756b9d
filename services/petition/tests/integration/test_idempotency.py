"""A retried request (same Idempotency-Key, its first answer lost) creates and applies nothing twice.

The petition service keeps the key in the petition's own write (issue #16, class 6): these tests
send the very same request twice to the service, as the gateway does when it never saw the first
answer (a connection reset, a read timeout), on both storage adapters.
"""
import time

import pytest

from liandong.testing import wait_for

from ..conftest import API


def body(svc, content="楼下饭店油烟和噪音扰民"):
    return {"org_unit_id": "jiayuan", "category": "environment_noise", "channel": "letter", "content": content,
            "petitioners": [{"name": "刘女士", "id_number": svc.id_number(), "mobile": "13904321234"}]}


@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "kafka")])
def test_a_registration_retried_with_its_key_stores_one_petition_and_answers_as_the_first_time(make_svc, store, bus):
    svc = make_svc(store=store, bus=bus)
    worker = svc.staff(user_id="worker-1")
    request = body(svc, content="重复提交测试 idem-1")
    first = svc.client.post(f"{API}/petitions", json=request, headers={**worker, "Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.get_json()
    again = svc.client.post(f"{API}/petitions", json=request, headers={**worker, "Idempotency-Key": "k-1"})
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["registered_at"] == first.get_json()["registered_at"]
    assert again.get_json()["possible_duplicates"] == []  # not a duplicate of itself
    petitions = svc.repo.collection
    assert petitions.count_documents({"content": "重复提交测试 idem-1"}) == 1
    assert "_idem" not in again.get_data(as_text=True)  # the keys stay inside the service

    # the same key from another user is another request: it cannot reach the first user's petition
    other = svc.client.post(f"{API}/petitions", json=request,
                            headers={**svc.staff(user_id="worker-2"), "Idempotency-Key": "k-1"})
    assert other.status_code == 201 and other.get_json()["id"] != first.get_json()["id"]
    # without a key every request is its own
    plain = svc.client.post(f"{API}/petitions", json=request, headers=worker)
    assert plain.status_code == 201 and plain.get_json()["id"] != first.get_json()["id"]
    assert petitions.count_documents({"content": "重复提交测试 idem-1"}) == 3

    registered = "liandong.petition.registered.v1"
    wait_for(lambda: len(svc.events({registered})) == 3, 30, message="three registrations on the bus")
    time.sleep(0.5)
    assert sorted(e.subject for e in svc.events({registered})) == sorted(
        [first.get_json()["id"], other.get_json()["id"], plain.get_json()["id"]])


@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "kafka")])
def test_a_transition_retried_with_its_key_is_applied_once_and_answers_the_case_as_it_stands(make_svc, store, bus):
    svc = make_svc(store=store, bus=bus)
    pid = svc.file(org_unit="jiayuan")["id"]
    staff = svc.staff(user_id="handler-1")

    def act(action, payload, key):
        return svc.client.post(f"{API}/petitions/{pid}/{action}", json=payload,
                               headers={**staff, "Idempotency-Key": key})

    assigned = act("assign", svc.assignment(), "a-1")
    assert assigned.status_code == 200, assigned.get_json()
    assert act("assign", svc.assignment(), "a-1").get_json()["state"] == "assigned"
    act("start", {"mode": "mediation"}, "s-1")
    answered = act("answer", {"text": "已协调"}, "an-1")
    assert answered.status_code == 200
    again = act("answer", {"text": "已协调"}, "an-1")  # without the key this is a 409: answered already
    assert again.status_code == 200 and again.get_json()["state"] == "answered", again.get_json()
    act("close", {"satisfaction": "satisfied"}, "c-1")
    reopened = act("reopen", {"reason": "居民反映问题复发"}, "r-1")
    assert reopened.status_code == 200 and reopened.get_json()["state"] != "closed"
    # the close retried after the reopen must not close the case again
    late = act("close", {"satisfaction": "satisfied"}, "c-1")
    assert late.status_code == 200 and late.get_json()["state"] == reopened.get_json()["state"]
    timeline = svc.get(f"/petitions/{pid}/timeline")["entries"]
    assert [e["action"] for e in timeline] == ["register", "assign", "start", "answer", "close", "reopen"]

    # a link retried: linked once, the same answer
    other = svc.file(org_unit="jiayuan")["id"]
    linked = svc.client.post(f"{API}/petitions/{pid}/link", json={"petition_id": other},
                             headers={**staff, "Idempotency-Key": "l-1"})
    assert linked.status_code == 200, linked.get_json()
    relinked = svc.client.post(f"{API}/petitions/{pid}/link", json={"petition_id": other},
                               headers={**staff, "Idempotency-Key": "l-1"})
    assert relinked.status_code == 200 and relinked.get_json()["linked_ids"] == linked.get_json()["linked_ids"]


def test_a_bad_key_is_a_clear_422(svc):
    r = svc.client.post(f"{API}/petitions", json=body(svc), headers={**svc.staff(), "Idempotency-Key": "x" * 201})
    assert r.status_code == 422 and "Idempotency-Key" in r.get_json()["error"]["fields"]
    assert svc.repo.collection.count_documents({}) == 0


def test_open311_requests_retried_with_their_key_are_filed_once(svc):
    resident = svc.resident("resident-9")
    form = {"service_code": "environment_noise", "description": "夜间施工噪音 idem-311", "address_id": "jiayuan-b1",
            "address_string": "家园社区1号楼", "api_key": "liandong-demo-open311", "attribute[frequency]": "once"}
    first = svc.client.post("/open311/v2/requests.json", data=form, headers={**resident, "Idempotency-Key": "o-1"})
    again = svc.client.post("/open311/v2/requests.json", data=form, headers={**resident, "Idempotency-Key": "o-1"})
    assert first.status_code == again.status_code, (first.get_json(), again.get_json())
    assert first.status_code == 201, first.get_json()
    assert first.get_json() == again.get_json()
    assert len([d for d in svc.repo.collection.find({}) if "idem-311" in d["content"]]) == 1
    # the app alone (no resident signed in): the key is scoped by the app, a retry files nothing new
    form["description"] = "夜间施工噪音 idem-311-app"
    first = svc.client.post("/open311/v2/requests.json", data=form, headers={"Idempotency-Key": "o-2"})
    again = svc.client.post("/open311/v2/requests.json", data=form, headers={"Idempotency-Key": "o-2"})
    assert first.status_code == again.status_code == 201, (first.get_json(), again.get_json())
    assert first.get_json() == again.get_json()
    assert len([d for d in svc.repo.collection.find({}) if "idem-311-app" in d["content"]]) == 1
