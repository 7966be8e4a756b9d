"""Idempotency-Key when the gateway does not see the outcome (issue #16, class 6).

A read timeout (or a connection reset after the service stored the record) leaves the gateway not
knowing whether the service acted. It keeps the key as `unknown`: the same request retried is
forwarded, and the owning service, which recorded the key in the record's own write, answers it as
the first time; another request under that key is still refused. The gateway's own POSTs (users,
org units) keep the key in their records the same way, for a gateway that died before it could
remember the answer.
"""
import threading
import time

import pytest

from liandong.testing import wait_for

from gateway.bootstrap import GatewayOptions, create_app
from petition.bootstrap import create_app as petition_app, create_service, create_worker as petition_worker


def slow_first_answer(app, delay: float):
    """The real petition app, whose first POST answers only after `delay` (the gateway gives up first)."""
    calls = {"n": 0}
    lock = threading.Lock()

    def wsgi(environ, start_response):
        with lock:
            posted = environ["REQUEST_METHOD"] == "POST"
            calls["n"] += posted
            first = posted and calls["n"] == 1
        out = list(app(environ, start_response))  # stored by now
        if first:
            time.sleep(delay)
        return out

    return wsgi, calls


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_a_read_timeout_then_a_retry_stores_one_petition(make_svc, serve, workers, store):
    svc = make_svc(store=store)
    ps = svc.settings.for_service("petition")
    workers(svc.worker)
    workers(petition_worker(ps))
    petitions = petition_app(ps)
    wsgi, calls = slow_first_answer(petitions, delay=2.0)
    serve(wsgi, port=svc.settings.ports["petition"])
    gateway = create_app(svc.settings, options=GatewayOptions(read_timeout=0.8)).test_client()
    h = svc.headers("jiayuan_worker")
    wait_for(lambda: gateway.get("/api/v1/petition/org-units/jiayuan", headers=h).status_code == 200, 30,
             message="petition knows the tree")
    body = {"org_unit_id": "jiayuan", "category": "environment_noise", "channel": "letter",
            "content": "超时重试测试 idem-gw", "petitioners": [{"name": "刘女士"}]}
    keyed = {**h, "Idempotency-Key": "gw-timeout-1"}

    lost = gateway.post("/api/v1/petition/petitions", headers=keyed, json=body)
    assert lost.status_code == 503, lost.get_json()  # the gateway gave up; the service stored it
    # another request under the key is refused, the outcome unknown or not
    other = gateway.post("/api/v1/petition/petitions", headers=keyed, json={**body, "content": "别的内容"})
    assert other.status_code == 422
    retried = gateway.post("/api/v1/petition/petitions", headers=keyed, json=body)
    assert retried.status_code == 201, retried.get_json()
    replayed = gateway.post("/api/v1/petition/petitions", headers=keyed, json=body)
    assert replayed.get_json()["id"] == retried.get_json()["id"] and replayed.headers["Idempotent-Replayed"] == "true"
    stored = [doc for doc in create_service(ps).repo.collection.find({}) if doc["content"] == "超时重试测试 idem-gw"]
    assert [doc["_id"] for doc in stored] == [retried.get_json()["id"]]
    assert calls["n"] == 2  # the retry reached the service; the refused one and the replay did not


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_the_gateways_own_creates_keep_the_key_for_a_gateway_that_died_before_remembering(make_svc, store):
    svc = make_svc(store=store)
    admin = {**svc.headers("district_admin"), "Idempotency-Key": "own-1"}
    keys = svc.app.extensions["liandong_platform"].db.collection("idempotency_keys")

    unit = {"id": "beishan", "name": "北山街道", "level": "subdistrict", "parent_id": "chuanying"}
    made = svc.client.post("/api/v1/org/units", headers=admin, json=unit)
    assert made.status_code == 201
    keys.delete_many({})  # the gateway died between the write and remembering its answer
    again = svc.client.post("/api/v1/org/units", headers=admin, json=unit)
    assert again.status_code == 201 and again.get_json() == made.get_json()  # not 409 "exists already"

    user = {"username": "new_worker_1", "name": "新社工", "password": "Liandong-test-2026",
            "grants": [{"role": "community_worker", "org_unit": "jiayuan"}]}
    admin["Idempotency-Key"] = "own-2"
    created = svc.client.post("/api/v1/users", headers=admin, json=user)
    assert created.status_code == 201, created.get_json()
    keys.delete_many({})
    recreated = svc.client.post("/api/v1/users", headers=admin, json=user)
    assert recreated.status_code == 201 and recreated.get_json()["id"] == created.get_json()["id"]
    # without the key, the same username is taken
    plain = {"Authorization": admin["Authorization"]}
    assert svc.client.post("/api/v1/users", headers=plain, json=user).status_code == 409
