"""A standard GeoReport v2 client against the running platform (the gateway, as `make run` serves it).

The client side uses only the standard library's HTTP client and XML parser, as a third-party 311 app
would: form-encoded posts, the format by the path's extension, the spec's element names and error
shape. Nothing of the project is imported here; the platform is started by the e2e fixtures, on both
backend pairs (`embedded`, `kafka-mongo`).
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

DEMO_KEY = "liandong-demo-open311"  # documented: 家园社区's resident app, in demo mode
PASSWORD = "Liandong-demo-2026"


class Client:
    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, form: list | dict | None = None, headers: dict | None = None,
             json_body: dict | None = None):
        data, hdrs = None, dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form, doseq=True).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            data = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read()

    def json(self, method: str, path: str, form=None, expect: int = 200, **kw):
        status, ctype, body = self.call(method, path, form, **kw)
        assert status == expect, (path, status, body[:500])
        assert ctype.startswith("application/json"), ctype
        return json.loads(body)

    def xml(self, method: str, path: str, form=None, expect: int = 200, **kw) -> ET.Element:
        status, ctype, body = self.call(method, path, form, **kw)
        assert status == expect, (path, status, body[:500])
        assert "xml" in ctype, ctype
        return ET.fromstring(body)


def _xml_error(root: ET.Element, code: int) -> str:
    assert root.tag == "errors", ET.tostring(root)
    error = root.find("error")
    assert error is not None and error.findtext("code") == str(code), ET.tostring(root)
    return error.findtext("description") or ""


def _json_error(body, code: int) -> str:
    assert isinstance(body, list) and body[0]["code"] == code and body[0]["description"], body
    return body[0]["description"]


def _filing(key: str, description: str, **extra) -> list:
    # what a 311 app sends: form fields, attribute[code] for the definition's questions (repeated: multivalue)
    return [("api_key", key), ("jurisdiction_id", "chuanying"), ("service_code", "environment_noise"),
            ("description", description), ("lat", "43.84"), ("long", "126.53"),
            ("address_string", "家园社区1号楼"), ("first_name", "女士"), ("last_name", "刘"),
            ("phone", "13904321234"), ("media_url", "https://img.example.org/noise.jpg"),
            ("attribute[frequency]", "recurring"), ("attribute[when]", "night"), ("attribute[when]", "weekend"),
            *extra.items()]


def _ready(base: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=3) as r:
                if r.status == 200:
                    # the petition service knows the org tree once a definition and a key's unit resolve
                    with urllib.request.urlopen(base + "/open311/v2/services.json?jurisdiction_id=chuanying",
                                                timeout=3) as s:
                        if s.status == 200:
                            return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise AssertionError("the platform did not become ready")


@pytest.mark.e2e
def test_a_standard_311_client_discovers_files_and_follows_a_request_in_json_and_xml(platform):
    settings = platform.start()
    base = f"http://127.0.0.1:{settings.ports['gateway']}"
    _ready(base)
    c = Client(base)
    v2 = "/open311/v2"

    # discovery: where the endpoint is, in which formats
    disc = c.json("GET", v2 + "/discovery.json")
    endpoint = disc["endpoints"][0]
    assert endpoint["url"] == base + "/open311/v2/"  # where clients reach it, not the service's own port
    assert "GeoReport_v2" in endpoint["specification"]
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = c.xml("GET", v2 + "/discovery.xml")
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format") is not None

    # services, and a service's definition with its attributes
    services = c.json("GET", v2 + "/services.json?jurisdiction_id=chuanying")
    assert "environment_noise" in {s["service_code"] for s in services}
    root = c.xml("GET", v2 + "/services.xml")
    assert root.tag == "services"
    noise = [s for s in root.findall("service") if s.findtext("service_code") == "environment_noise"][0]
    assert noise.findtext("service_name") == "环境噪音" and noise.findtext("metadata") == "true"
    definition = c.json("GET", v2 + "/services/environment_noise.json")
    attrs = {a["code"]: a for a in definition["attributes"]}
    assert attrs["frequency"]["required"] is True and attrs["frequency"]["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attrs["when"]["values"]} >= {"night", "weekend"}
    assert set(attrs["frequency"]) >= {"variable", "code", "datatype", "required", "datatype_description",
                                       "order", "description", "values"}
    root = c.xml("GET", v2 + "/services/environment_noise.xml")
    assert root.tag == "service_definition" and root.findtext("service_code") == "environment_noise"
    freq = [a for a in root.findall("attributes/attribute") if a.findtext("code") == "frequency"][0]
    assert freq.findtext("required") == "true"
    assert "recurring" in [v.findtext("key") for v in freq.findall("values/value")]

    # file with the app's api_key, form-encoded, in JSON and in XML
    created = c.json("POST", v2 + "/requests.json", _filing(DEMO_KEY, "夜间施工噪音扰民 (json)"), expect=201)
    rid, token = created[0]["service_request_id"], created[0]["token"]
    assert rid and token and created[0]["service_notice"]
    root = c.xml("POST", v2 + "/requests.xml", _filing(DEMO_KEY, "夜间施工噪音扰民 (xml)"), expect=201)
    assert root.tag == "service_requests"
    rid_xml, token_xml = root.findtext("request/service_request_id"), root.findtext("request/token")
    assert rid_xml and token_xml and rid_xml != rid

    # the token leads to the request, in both formats
    assert c.json("GET", f"{v2}/tokens/{token}.json") == [{"service_request_id": rid, "token": token}]
    root = c.xml("GET", f"{v2}/tokens/{token_xml}.xml")
    assert root.findtext("request/service_request_id") == rid_xml

    # the request: status, media_url kept, no petitioner particulars
    req = c.json("GET", f"{v2}/requests/{rid}.json?jurisdiction_id=chuanying")[0]
    assert req["status"] == "open" and req["service_code"] == "environment_noise"
    assert req["media_url"] == "https://img.example.org/noise.jpg" and req["lat"] == 43.84
    assert "刘" not in json.dumps(req, ensure_ascii=False) and "13904321234" not in json.dumps(req)
    root = c.xml("GET", f"{v2}/requests/{rid_xml}.xml")
    request = root.find("request")
    assert root.tag == "service_requests" and request.findtext("service_request_id") == rid_xml
    assert request.findtext("media_url") == "https://img.example.org/noise.jpg"
    assert request.findtext("status") == "open" and request.findtext("requested_datetime").endswith("+08:00")
    assert "刘" not in ET.tostring(root, encoding="unicode")
    root = c.xml("GET", f"{v2}/requests.xml?service_request_id={rid},{rid_xml}")
    assert {r.findtext("service_request_id") for r in root.findall("request")} == {rid, rid_xml}

    # the spec's errors: no key, a made-up key, another jurisdiction, answers that do not fit the definition
    status, _, body = c.call("POST", v2 + "/requests.json", _filing("", "无钥匙"))
    assert status == 401 and "api_key" in _json_error(json.loads(body), 401)
    root = c.xml("POST", v2 + "/requests.xml", [(k, v) for k, v in _filing("", "无钥匙") if k != "api_key"],
                 expect=401)
    assert "api_key" in _xml_error(root, 401)
    made_up = c.json("POST", v2 + "/requests.json", _filing("ld311_made-up-key", "伪造"), expect=403)
    assert _json_error(made_up, 403) == "api_key is not valid"
    assert _xml_error(c.xml("POST", v2 + "/requests.xml", _filing("nope", "伪造"), expect=403), 403)
    assert "jurisdiction_id" in _xml_error(c.xml("GET", v2 + "/services.xml?jurisdiction_id=other.gov",
                                                 expect=404), 404)
    other = [(k, "other.gov" if k == "jurisdiction_id" else v) for k, v in _filing(DEMO_KEY, "别处")]
    assert "jurisdiction_id" in _json_error(c.json("POST", v2 + "/requests.json", other, expect=404), 404)
    bad_value = [(k, "sometimes" if k == "attribute[frequency]" else v) for k, v in _filing(DEMO_KEY, "x")]
    assert "attribute[frequency]" in _json_error(c.json("POST", v2 + "/requests.json", bad_value,
                                                        expect=400), 400)
    missing = [(k, v) for k, v in _filing(DEMO_KEY, "x") if k != "attribute[frequency]"]
    assert "attribute[frequency]" in _xml_error(c.xml("POST", v2 + "/requests.xml", missing, expect=400), 400)
    unknown = _filing(DEMO_KEY, "x", **{"attribute[colour]": "red"})
    assert "attribute[colour]" in _json_error(c.json("POST", v2 + "/requests.json", unknown, expect=400), 400)
    bad_media = [(k, "javascript:alert(1)" if k == "media_url" else v) for k, v in _filing(DEMO_KEY, "x")]
    assert "media_url" in _json_error(c.json("POST", v2 + "/requests.json", bad_media, expect=400), 400)
    assert _xml_error(c.xml("GET", f"{v2}/tokens/t-nope.xml", expect=404), 404)
    assert _json_error(c.json("GET", f"{v2}/requests/nope.json", expect=404), 404)

    # a district admin issues a key for another community's app, then revokes it
    login = c.json("POST", "/api/v1/auth/login", json_body={"username": "district_admin", "password": PASSWORD})
    admin = {"Authorization": f"Bearer {login['access_token']}"}
    issued = c.json("POST", "/api/v1/petition/open311/keys", headers=admin, expect=201,
                    json_body={"app": "黄泥岭社区App", "org_unit_id": "huangniling"})
    key = issued["api_key"]
    filed = c.json("POST", v2 + "/requests.json", _filing(key, "黄泥岭的噪音"), expect=201)[0]
    assert c.json("GET", f"{v2}/requests/{filed['service_request_id']}.json")[0]["address_id"] == "huangniling"
    outside = _filing(key, "家园的噪音", address_id="jiayuan-b1")
    assert _json_error(c.json("POST", v2 + "/requests.json", outside, expect=403), 403)
    listed = c.json("GET", "/api/v1/petition/open311/keys", headers=admin)["items"]
    assert key not in json.dumps(listed) and issued["id"] in {k["id"] for k in listed}
    c.json("POST", f"/api/v1/petition/open311/keys/{issued['id']}/revoke", headers=admin)
    revoked = c.json("POST", v2 + "/requests.json", _filing(key, "吊销后"), expect=403)
    assert revoked == made_up  # a revoked key tells no more than a made-up one
    status, _, _ = c.call("POST", "/api/v1/petition/open311/keys", json_body={"app": "x", "org_unit_id": "jiayuan"})
    assert status == 401
