"""The one OpenAPI document, the docs page, the personal-data audit and masking, CORS and headers."""
from petition.bootstrap import create_app as petition_app


def test_one_openapi_document_merges_the_gateway_and_the_running_services(svc, serve):
    serve(petition_app(svc.settings.for_service("petition")), port=svc.settings.ports["petition"])
    doc = svc.client.get("/api/openapi.json").get_json()  # public: no token
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    assert "post" in paths["/api/v1/auth/login"] and "security" not in paths["/api/v1/auth/login"]["post"]
    assert "post" in paths["/api/v1/org/units/{unit_id}/move"] and "get" in paths["/api/v1/audit"]
    assert set(doc["info"]["x-services-unavailable"]) == {"welfare", "volunteer", "security"}
    # generated from the schemas the routes validate with
    login = doc["components"]["schemas"]["Login"]
    assert set(login["required"]) == {"username", "password"}
    assert "NewUser" in doc["components"]["schemas"] and "Token" in doc["components"]["schemas"]
    page = svc.client.get("/api/docs")
    assert page.status_code == 200 and b"/api/docs/viewer.js" in page.data and b"https://" not in page.data
    assert svc.client.get("/api/docs/viewer.js").status_code == 200


def test_personal_data_through_the_gateway_is_audited_and_masked_for_roles_without_it(svc, serve, fake_upstream):
    app, _ = fake_upstream("welfare")
    upstream = serve(app)
    svc.route_to("welfare", upstream.url)
    grid = svc.client.get("/api/v1/welfare/people", headers=svc.headers("jiayuan_grid")).get_json()["items"][0]
    assert grid["id_number"] == "110101********8515" and grid["mobile"] == "139****5678"
    worker = svc.client.get("/api/v1/welfare/people", headers=svc.headers("jiayuan_worker")).get_json()["items"][0]
    assert worker["id_number"] == "110101199003078515"  # 民政员 holds personal_data:read
    svc.client.post("/api/v1/welfare/people", headers=svc.headers("jiayuan_worker"), json={"mobile": "13912345678"})
    admin = svc.headers("district_admin")
    entries = svc.client.get("/api/v1/audit?service=welfare", headers=admin).get_json()["items"]
    # changes are the gateway's to record; reads are recorded by the service that answered them (a stand-in
    # here: test_audit.py has the real services), so the gateway adds none of its own
    assert [(e["action"], e["method"], e["path"]) for e in entries] == [("change", "POST", "/api/v1/welfare/people")]
    assert svc.client.get("/api/v1/audit", headers=svc.headers("huangqi_officer")).status_code == 403
    assert svc.client.get("/api/v1/audit?page_size=0", headers=admin).status_code == 422


def test_cors_only_for_configured_origins_and_security_headers(make_svc):
    svc = make_svc(cors_origins=("https://app.liandong.example",))
    ok = svc.client.get("/healthz", headers={"Origin": "https://app.liandong.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.liandong.example"
    pre = svc.client.options("/api/v1/org/tree", headers={"Origin": "https://app.liandong.example",
                                                       "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 200 and "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    evil = svc.client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in evil.headers
    for header in ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Strict-Transport-Security"):
        assert header in ok.headers


def test_public_endpoints_are_rate_limited_per_ip(make_svc):
    from gateway.bootstrap import GatewayOptions

    svc = make_svc(options=GatewayOptions(public_requests=3))
    svc.at_a_minutes_start()
    codes = [svc.client.get("/api/docs").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other_ip = svc.client.get("/api/docs", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_ip.status_code == 200


def test_the_gateways_own_refusals_on_open311_paths_are_in_open311s_shape_and_format(make_svc):
    """A 311 client reads the gateway's refusals (petition unavailable, too many requests, a bad path) like the
    service's: `[{"code", "description"}]`, or `<errors><error>` on a `.xml` path; other paths keep the platform's."""
    import xml.etree.ElementTree as ET

    from gateway.bootstrap import GatewayOptions

    svc = make_svc(options=GatewayOptions(public_requests=2))
    svc.at_a_minutes_start()
    ip = {"REMOTE_ADDR": "10.0.0.31"}
    down = svc.client.get("/open311/v2/services.json", environ_base=ip)  # no petition service behind this gateway
    assert down.status_code == 503 and down.get_json() == [{"code": 503, "description": down.get_json()[0][
        "description"]}] and down.get_json()[0]["description"]
    bad = svc.client.get("/open311/v2/%2e%2e/requests.xml", environ_base=ip)
    assert bad.status_code == 400 and bad.mimetype == "text/xml"
    root = ET.fromstring(bad.get_data())
    assert root.tag == "errors" and root.findtext("error/code") == "400" and root.findtext("error/description")
    for _ in range(3):
        limited = svc.client.get("/open311/v2/services.xml", environ_base=ip)
    assert limited.status_code == 429
    assert ET.fromstring(limited.get_data()).findtext("error/code") == "429"
    other = svc.client.get("/api/docs", environ_base=ip)
    assert other.status_code == 429 and other.get_json()["error"]["code"]
