"""Routing to the services: identity and correlation id pass through, a stopped service answers 503 fast."""
import threading
import time

import requests

from liandong.testing import auth_headers, wait_for

from gateway.bootstrap import GatewayOptions, create_app
from petition.bootstrap import create_app as petition_app, create_worker as petition_worker


def test_routes_reach_the_service_and_a_stopped_service_answers_503_quickly(svc, serve, workers):
    ps = svc.settings.for_service("petition")
    workers(svc.worker)
    workers(petition_worker(ps))
    serve(petition_app(ps), port=svc.settings.ports["petition"])
    h = svc.headers("jiayuan_worker")
    ok = wait_for(lambda: (r := svc.client.get("/api/v1/petition/org-units/jiayuan",
                                             headers={**h, "X-Correlation-ID": "trace-7"})).status_code == 200 and r,
                  20, message="the petition service answers through the gateway")
    assert ok.get_json()["path"] == "/chuanying/huangqi/jiayuan/"
    assert ok.headers["X-Correlation-ID"] == "trace-7"
    # welfare is not running: its routes fail fast and clearly, petition keeps answering
    for _ in range(5):
        started = time.monotonic()
        down = svc.client.get("/api/v1/welfare/org-units/jiayuan", headers=h)
        assert time.monotonic() - started < 2.0
        assert down.status_code == 503
        assert down.get_json()["error"]["code"] == "service_unavailable"
        assert down.get_json()["error"]["service"] == "welfare"
    assert svc.app.extensions["gateway"]["proxy"].breakers["welfare"].state == "open"
    assert svc.client.get("/api/v1/petition/org-units/jiayuan", headers=h).status_code == 200
    # calling the service's own port without a valid token is refused
    direct = f"http://127.0.0.1:{svc.settings.ports['petition']}/api/v1/petition/org-units/jiayuan"
    assert requests.get(direct, timeout=3).status_code == 401
    forged = auth_headers(svc.settings.with_overrides(secret_key="forged-key"))
    assert requests.get(direct, headers=forged, timeout=3).status_code == 401
    assert requests.get(direct, headers=h, timeout=3).status_code == 200


def test_the_gateway_checks_the_token_and_the_service_permission_first(svc):
    assert svc.client.get("/api/v1/petition/org-units/jiayuan").status_code == 401
    assert svc.client.get("/api/v1/nowhere/x", headers=svc.headers("district_admin")).status_code == 404
    # a signed token without any grant holds no permission of any service: refused before forwarding
    from liandong.auth import Principal, TokenService

    bare = TokenService(svc.settings.secret_key).issue(Principal("u-bare", "无角色"))[0]
    refused = svc.client.get("/api/v1/welfare/org-units/jiayuan", headers={"Authorization": f"Bearer {bare}"})
    assert refused.status_code == 403
    resident = svc.headers("resident_zhang")
    assert svc.client.get("/api/v1/welfare/org-units/jiayuan", headers=resident).status_code == 503  # allowed; down
    assert svc.client.get("/api/v1/petition/org-units/jiayuan", headers={"Authorization": "Bearer nonsense-token"}).status_code == 401


def test_a_post_repeated_with_the_same_idempotency_key_creates_one_record(svc, serve, fake_upstream):
    app, created = fake_upstream("volunteer")
    upstream = serve(app)
    svc.route_to("volunteer", upstream.url)
    h = {**svc.headers("jiayuan_worker"), "Idempotency-Key": "req-0001"}
    body = {"title": "扶老助残服务", "org_unit_id": "jiayuan"}
    first = svc.client.post("/api/v1/volunteer/activities", headers=h, json=body)
    again = svc.client.post("/api/v1/volunteer/activities", headers=h, json=body)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json() == {"id": "r1", "n": 1}
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(created) == 1
    assert created[0]["headers"]["Idempotency-Key"] == "req-0001"
    assert created[0]["headers"]["Authorization"] == h["Authorization"]
    other = svc.client.post("/api/v1/volunteer/activities", headers=h, json={**body, "title": "不同的活动"})
    assert other.status_code == 422
    # another user's same key is their own
    h2 = {**svc.headers("huangqi_officer"), "Idempotency-Key": "req-0001"}
    assert svc.client.post("/api/v1/volunteer/activities", headers=h2, json=body).get_json()["n"] == 2
    # without a key, each POST is new
    plain = {"Authorization": h["Authorization"]}
    svc.client.post("/api/v1/volunteer/activities", headers=plain, json=body)
    assert len(created) == 3


def test_a_concurrent_duplicate_gets_409_while_the_first_is_in_flight(svc, serve, fake_upstream):
    release = threading.Event()
    app, created = fake_upstream("volunteer", slow=release)
    upstream = serve(app)
    gateway = create_app(svc.settings.with_overrides(service_urls={"volunteer": upstream.url}),
                         options=GatewayOptions())
    h = {**svc.headers("jiayuan_worker"), "Idempotency-Key": "slow-1"}
    results = {}

    def first():
        results["first"] = gateway.test_client().post("/api/v1/volunteer/activities", headers=h, json={"a": 1})

    t = threading.Thread(target=first)
    t.start()
    try:
        wait_for(lambda: _in_flight(gateway), 10, message="the first request is in flight")
        dup = gateway.test_client().post("/api/v1/volunteer/activities", headers=h, json={"a": 1})
        assert dup.status_code == 409
    finally:
        release.set()
        t.join(10)
    assert results["first"].status_code == 201 and len(created) == 1


def _in_flight(app) -> bool:
    platform_db = app.extensions["liandong_platform"].db
    return platform_db.collection("idempotency_keys").count_documents({"state": "in_flight"}) == 1


def test_a_failed_forward_lets_the_same_request_retry_and_no_other(svc):
    h = {**svc.headers("jiayuan_worker"), "Idempotency-Key": "retry-me"}
    assert svc.client.post("/api/v1/volunteer/activities", headers=h, json={"a": 1}).status_code == 503
    db = svc.app.extensions["liandong_platform"].db
    # the outcome is unknown (the service deduplicates by the key): the same request is forwarded again ...
    assert db.collection("idempotency_keys").count_documents({"state": "unknown"}) == 1
    assert svc.client.post("/api/v1/volunteer/activities", headers=h, json={"a": 1}).status_code == 503
    # ... another one under the same key is not
    assert svc.client.post("/api/v1/volunteer/activities", headers=h, json={"a": 2}).status_code == 422


def test_an_attachment_upload_gets_the_upload_read_timeout_and_its_reads_keep_the_proxys(svc, serve):
    """A phone's photo through the gateway: the service decodes, re-encodes and stores it before it answers (on a
    busy machine, or after a slow mobile link, longer than a form's answer): POST …/attachments waits with the
    upload's read timeout, as an import does; reading the files keeps the proxy's own (#22)."""
    import io

    from flask import Flask, request

    upstream = Flask("fake-petition")
    seen = {}

    @upstream.route("/api/v1/petition/petitions/p-1/attachments", methods=["GET", "POST"])
    def attachments():
        time.sleep(1.5)  # the photo re-encoded and stored / a slow list
        if request.method == "POST":
            seen["size"] = len(request.files["file"].read())
            return {"id": "a-1"}, 201
        return {"items": []}

    served = serve(upstream)
    app = create_app(svc.settings.with_overrides(service_urls={"petition": served.url}),
                     options=GatewayOptions(read_timeout=0.7, upload_read_timeout=10))
    client = app.test_client()
    worker = svc.headers("jiayuan_worker")
    sent = client.post("/api/v1/petition/petitions/p-1/attachments", headers=worker,
                       data={"file": (io.BytesIO(b"\xff\xd8\xff" + b"x" * 4096), "现场.jpg")},
                       content_type="multipart/form-data")
    assert sent.status_code == 201, sent.get_data()[:300]
    assert seen == {"size": 4099}
    assert client.get("/api/v1/petition/petitions/p-1/attachments", headers=worker).status_code == 503
