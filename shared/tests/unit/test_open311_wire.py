"""Open311's wire shapes (liandong.open311): format by extension, the standard's XML names, its errors."""
import json
import xml.etree.ElementTree as ET

from flask import Response

from liandong import open311


def test_the_format_is_the_paths_extension():
    assert open311.format_of("/open311/v2/services.xml") == "xml"
    assert open311.format_of("/open311/v2/services.json") == "json"
    assert open311.format_of("/open311/v2/requests/1.x.xml") == "xml"
    assert open311.format_of("/open311/v2/a.b/requests") == "json"
    assert open311.format_of("/open311/v2/services.csv") == "json"


def test_xml_uses_the_standards_element_names():
    body, ctype = open311.render("service_definition", {"service_code": "x", "attributes": [
        {"code": "a", "required": True, "values": [{"key": "k", "name": "n"}]}]}, "xml")
    root = ET.fromstring(body)
    assert ctype.startswith("text/xml") and root.tag == "service_definition"
    assert root.findtext("attributes/attribute/required") == "true"
    assert root.findtext("attributes/attribute/values/value/key") == "k"
    root = ET.fromstring(open311.render("services", [{"service_code": "a"}, {"service_code": "b"}], "xml")[0])
    assert [s.findtext("service_code") for s in root.findall("service")] == ["a", "b"]
    body, _ = open311.error(404, "没有", "xml")
    assert ET.fromstring(body).findtext("error/description") == "没有"
    assert json.loads(open311.error(404, "没有", "json")[0]) == [{"code": 404, "description": "没有"}]


def test_only_a_platform_error_body_is_reshaped():
    platform = Response(json.dumps({"error": {"code": "bad_path", "message": "bad path"}}), 400,
                        mimetype="application/json")
    out = open311.reshape_platform_error(platform, "/open311/v2/requests.xml")
    assert ET.fromstring(out.get_data()).findtext("error/code") == "400" and out.mimetype == "text/xml"
    own = Response(json.dumps([{"code": 404, "description": "x"}]), 404, mimetype="application/json")
    assert open311.reshape_platform_error(own, "/open311/v2/requests.xml").get_json() == [
        {"code": 404, "description": "x"}]
    ok = Response(json.dumps({"error": "not one"}), 200, mimetype="application/json")
    assert open311.reshape_platform_error(ok, "/x.xml").get_json() == {"error": "not one"}
