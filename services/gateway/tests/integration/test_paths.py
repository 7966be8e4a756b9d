"""No route forwards a path that is, or decodes (once or many times) to, a dot segment or an encoded slash:
the service behind decodes once more and would resolve `..` past the prefix the gateway checked."""
import pytest
import requests
from flask import Flask, request

from liandong.testing import auth_headers

from petition.bootstrap import create_app as petition_app

SNEAKY = ["%252e%252e", "%2e%2e", "%25252e%25252e", ".%252e", "%252e", "a%252fb", "a%2fb", "a%255cb", "..%5c"]


def recording_upstream(service: str) -> tuple[Flask, list]:
    app = Flask(f"fake-{service}")
    seen: list = []

    @app.route("/<path:rest>", methods=["GET", "POST"])
    def anything(rest):
        seen.append(request.environ.get("RAW_URI") or request.path)
        return {"items": [], "total": 0}

    return app, seen


@pytest.fixture
def edge(svc, serve):
    fake, seen = recording_upstream("petition")
    serve(fake, port=svc.settings.ports["petition"])
    base = serve(svc.app).url
    return svc, base, seen


@pytest.mark.parametrize("segment", SNEAKY)
def test_every_forwarding_route_refuses_encoded_dot_segments_and_slashes(edge, segment):
    svc, base, seen = edge
    admin = svc.headers("district_admin")
    routes = [
        ("GET", f"/api/v1/petition/{segment}/{segment}/api/v1/welfare/people", admin),   # the proxy
        ("GET", f"/api/v1/exports/petition/{segment}/{segment}/x?format=csv", admin),    # exports
        ("GET", f"/open311/v2/{segment}/{segment}/requests.json", {}),                   # Open311 forwarding
        ("POST", f"/open311/v2/{segment}/requests.json", {}),
    ]
    for method, path, headers in routes:
        resp = requests.request(method, base + path, headers=headers, json={} if method == "POST" else None,
                                timeout=10)
        assert resp.status_code == 400, (path, resp.status_code, resp.text)
        if path.startswith("/open311/"):  # in Open311's error shape, as a 311 client reads it
            assert resp.json()[0]["code"] == 400 and "path" in resp.json()[0]["description"], resp.text
        else:
            assert resp.json()["error"]["code"] == "bad_path"
    assert seen == []  # nothing reached the service


def test_plain_paths_still_reach_the_service(edge):
    svc, base, seen = edge
    admin = svc.headers("district_admin")
    assert requests.get(base + "/api/v1/petition/petitions?q=a.b", headers=admin, timeout=10).status_code == 200
    assert requests.get(base + "/api/v1/exports/petition/petitions?format=csv", headers=admin,
                        timeout=10).status_code == 200
    assert requests.get(base + "/open311/v2/requests.json", timeout=10).status_code == 200
    assert len(seen) >= 3


@pytest.mark.parametrize("segment", SNEAKY)
def test_a_service_called_directly_refuses_them_too(make_settings, serve, segment):
    settings = make_settings(service="petition")
    base = serve(petition_app(settings)).url
    resp = requests.get(f"{base}/api/v1/petition/{segment}/org-units/x", headers=auth_headers(settings), timeout=10)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "bad_path"
