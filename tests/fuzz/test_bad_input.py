"""Bad input by hand (issue #10): what the fuzzer might not think of is refused with a 4xx, never a 500.

Wrong content types, malformed JSON, huge strings, unicode edge cases (lone surrogates, NUL, right-to-left
marks), MongoDB operator injection (`{"$gt": ""}`) in query parameters and JSON bodies, and path
traversal in ids, on the services and on the gateway (whose proxy must not be steered to another path).
The body-size limit (413) on every domain service is checked by liandong.testing.check_service_edges.
"""
from __future__ import annotations

import json
import threading

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from liandong.testing import auth_headers, free_port

TRAVERSALS = ["../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..\\..\\etc\\passwd",
              "%252e%252e%252fetc", "....//....//etc/passwd", "%00", "/etc/passwd"]
INJECTIONS = ['{"$gt": ""}', '{"$ne": null}', '{"$regex": ".*"}', "[$gt]=", "'; DROP TABLE x; --"]


def service_app(service: str, settings):
    module = __import__(f"{service}.bootstrap", fromlist=["create_app", "create_worker"])
    module.create_worker(settings)  # indexes (not started)
    return module.create_app(settings)


def gateway_app(settings):
    from gateway.bootstrap import GatewayOptions, create_app, create_worker

    create_worker(settings)  # the demo district and accounts
    return create_app(settings, options=GatewayOptions(login_attempts=10**6, public_requests=10**6))


def assert_refused(resp, allowed=(400, 404, 405, 413, 415, 422)):
    assert resp.status_code in allowed, (resp.status_code, resp.get_data(as_text=True)[:300])
    body = resp.get_json(silent=True)
    assert body is not None, "errors are JSON"


CREATE = {"petition": "/api/v1/petition/petitions", "welfare": "/api/v1/welfare/applications",
          "volunteer": "/api/v1/volunteer/volunteers", "security": "/api/v1/security/incidents"}
READ_ONE = {"petition": "/api/v1/petition/petitions/{}", "welfare": "/api/v1/welfare/applications/{}",
            "volunteer": "/api/v1/volunteer/volunteers/{}", "security": "/api/v1/security/incidents/{}"}
LIST = {"petition": ("/api/v1/petition/petitions", "org_unit_id"),
        "welfare": ("/api/v1/welfare/applications", "org_unit"),
        "volunteer": ("/api/v1/volunteer/volunteers", "org_unit_id"),
        "security": ("/api/v1/security/incidents", "org_unit_id")}


@pytest.mark.parametrize("service", list(CREATE))
def test_content_type_json_syntax_unicode_and_huge_strings_are_refused_not_500(service, make_settings):
    settings = make_settings(service=service)
    client = service_app(service, settings).test_client()
    h = auth_headers(settings)
    url = CREATE[service]
    # wrong content type, malformed JSON, not an object
    assert_refused(client.post(url, data="org_unit_id=jiayuan", content_type="application/x-www-form-urlencoded",
                               headers=h), (400, 415))
    assert_refused(client.post(url, data=b"<xml/>", content_type="text/xml", headers=h), (400, 415))
    for broken in (b'{"org_unit_id": "jiayuan",', b"{'a': 1}", b"\xff\xfe{", b"NaN", b'{"a": 1}}', b""):
        assert_refused(client.post(url, data=broken, content_type="application/json", headers=h), (400,))
    assert_refused(client.post(url, data=b"[1, 2]", content_type="application/json", headers=h), (400, 422))
    assert_refused(client.post(url, data=b'"x"', content_type="application/json", headers=h), (400, 422))
    deep = b"[" * 5000 + b"]" * 5000
    assert_refused(client.post(url, data=deep, content_type="application/json", headers=h), (400, 422))
    # unicode edge cases and huge strings in every string field we can think of
    for odd in ("\ud800", "\udfff", "a\u0000b", "\u202e\u2066evil\u2069", "\ufeff", "\U0010ffff", "x" * 900_000,
                "😀" * 10_000):
        body = json.dumps({"org_unit_id": odd, "name": odd, "content": odd, "description": odd,
                           "category": odd, "type": odd}, ensure_ascii=True)
        resp = client.post(url, data=body, content_type="application/json", headers=h)
        assert_refused(resp, (400, 413, 422))
    # the same in a path id and a query parameter
    for odd in ("%ED%A0%80", "a%00b", "%E2%80%AE", "x" * 5000):
        assert_refused(client.get(READ_ONE[service].format(odd), headers=h), (400, 404, 422))
        assert_refused(client.get(f"{LIST[service][0]}?{LIST[service][1]}={odd}", headers=h), (400, 404, 422))


@pytest.mark.parametrize("service", list(CREATE))
def test_operator_injection_and_path_traversal_find_nothing(service, make_settings):
    settings = make_settings(service=service)
    client = service_app(service, settings).test_client()
    h = auth_headers(settings)
    path, param = LIST[service]
    for inj in INJECTIONS:
        resp = client.get(path, query_string={param: inj}, headers=h)
        assert_refused(resp, (400, 404, 422))
        resp = client.get(f"{path}?{param}[$gt]=&{param}[$ne]=x", headers=h)
        assert resp.status_code in (200, 400, 404, 422), resp.status_code
        if resp.status_code == 200:  # an unknown parameter ignored: it must not widen what is returned
            assert resp.get_json() == client.get(path, headers=h).get_json()
    for field in ("org_unit_id", "name", "category", "id_number"):
        body = {"org_unit_id": "jiayuan", field: {"$gt": ""}}
        assert_refused(client.post(CREATE[service], json=body, headers=h), (400, 422))
    for bad in TRAVERSALS:
        resp = client.get(READ_ONE[service].format(bad), headers=h)
        assert_refused(resp, (400, 404, 405))
        assert "root:" not in resp.get_data(as_text=True)


def test_gateway_login_and_filters_refuse_operator_injection(make_settings):
    settings = make_settings(service="gateway")
    client = gateway_app(settings).test_client()
    for body in ({"username": {"$gt": ""}, "password": {"$gt": ""}},
                 {"username": "district_admin", "password": {"$ne": None}},
                 {"username": {"$regex": "admin"}, "password": "x"},
                 {"username": ["district_admin"], "password": ["x"]}):
        resp = client.post("/api/v1/auth/login", json=body)
        assert_refused(resp, (400, 401, 422))
        assert "access_token" not in (resp.get_json() or {})
    assert_refused(client.post("/api/v1/auth/login", data="username=district_admin&password=x",
                               content_type="application/x-www-form-urlencoded"), (400, 415))
    admin = auth_headers(settings)
    for inj in INJECTIONS:
        assert_refused(client.get("/api/v1/users", query_string={"org_unit": inj}, headers=admin), (400, 404, 422))
    for bad in TRAVERSALS:
        assert_refused(client.get(f"/api/v1/org/units/{bad}", headers=admin), (400, 404, 405))
        assert_refused(client.get(f"/api/v1/users/{bad}", headers=admin), (400, 404, 405))
    too_big = client.post("/api/v1/auth/login", data=b"x" * (settings.max_content_length + 1),
                          content_type="application/json")
    assert too_big.status_code == 413 and too_big.get_json()["error"]


def test_gateway_proxy_cannot_be_steered_out_of_the_service_prefix(make_settings):
    """Traversal in a proxied path never reaches the upstream outside /api/v1/<service>/."""
    seen: list[str] = []
    upstream = Flask("recorder")

    @upstream.route("/", defaults={"rest": ""}, methods=["GET", "POST"])
    @upstream.route("/<path:rest>", methods=["GET", "POST"])
    def record(rest):
        seen.append(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path)
        return {"ok": True}

    port = free_port()
    server = make_server("127.0.0.1", port, upstream, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        ports = {s: free_port() for s in ("gateway", "welfare", "volunteer", "security")} | {"petition": port}
        settings = make_settings(service="gateway", ports=ports)
        client = gateway_app(settings).test_client()
        admin = auth_headers(settings)
        assert client.get("/api/v1/petition/petitions", headers=admin).status_code == 200
        assert seen == ["/api/v1/petition/petitions"]
        for bad in TRAVERSALS + ["../welfare/applications", "..%2f..%2freadyz", "%2e%2e/%2e%2e/metrics"]:
            seen.clear()
            resp = client.get(f"/api/v1/petition/petitions/{bad}", headers=admin)
            assert resp.status_code in (200, 400, 404), (bad, resp.status_code)
            for path in seen:
                assert path.startswith("/api/v1/petition/"), (bad, path)
                assert "/../" not in path and not path.endswith("/.."), (bad, path)
    finally:
        server.shutdown()
        server.server_close()
