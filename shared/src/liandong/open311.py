"""Open311 GeoReport v2 on the wire: the format by the path's extension, the standard's XML element names
and its error shape — one rendering for the service that speaks it (petition) and for the gateway, whose
own refusals on `/open311/` (a bad path, too many requests, a service unavailable) a 311 client must read
the same way as the service's."""
from __future__ import annotations

import json
from xml.etree import ElementTree

FORMATS = ("json", "xml")
# a list's items are named after the list (XML has no arrays)
ROOTS = {"services": "service", "service_requests": "request", "errors": "error"}
ITEMS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json"


def format_of(path: str) -> str:
    """json or xml, by the last segment's extension (json when there is none or another)."""
    last = path.rsplit("/", 1)[-1]
    ext = last.rsplit(".", 1)[-1] if "." in last else "json"
    return ext if ext in FORMATS else "json"


def _element(parent: ElementTree.Element, tag: str, value) -> None:
    el = ElementTree.SubElement(parent, tag)
    if isinstance(value, dict):
        for k, v in value.items():
            _element(el, k, v)
    elif isinstance(value, list):
        for v in value:
            _element(el, ITEMS.get(tag, "item"), v)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    elif value is not None:
        el.text = str(value)


def render(root: str, data, fmt: str) -> tuple[bytes, str]:
    """(body, content type): `data` as JSON, or as XML under `root` (`services`, `service_requests`, ...)."""
    if fmt != "xml":
        return json.dumps(data, ensure_ascii=False).encode("utf-8"), JSON_TYPE
    top = ElementTree.Element(root)
    if isinstance(data, list):
        for item in data:
            _element(top, ROOTS.get(root, "item"), item)
    else:
        for k, v in data.items():
            _element(top, k, v)
    return (b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(top, encoding="utf-8",
                                                                              xml_declaration=False), XML_TYPE)


def error(code: int, description: str, fmt: str) -> tuple[bytes, str]:
    """`[{"code": 400, "description": "..."}]` or `<errors><error><code/><description/></error></errors>`."""
    return render("errors", [{"code": code, "description": description}], fmt)


def reshape_platform_error(response, path: str):
    """A platform error body (`{"error": {"code", "message"}}`) on an Open311 path, in Open311's shape and
    format instead; anything else (the service's own answers) is left as it is."""
    if response.status_code < 400 or not (response.mimetype or "").endswith("json"):
        return response
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return response
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return response
    data, ctype = error(response.status_code, str(body["error"].get("message") or ""), format_of(path))
    response.set_data(data)
    response.headers["Content-Type"] = ctype
    return response
