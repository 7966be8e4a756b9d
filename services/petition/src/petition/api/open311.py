"""Open311 GeoReport v2 mapped onto petitions, so a standard 311 client works unchanged.

Service types are the petition categories (each with a service definition of attributes); a service
request is a petition filed online. Every endpoint answers JSON or XML by its extension, with the
standard's element names. Reading is public and shows only requests filed through Open311, without
the petitioner's particulars; filing needs an `api_key` issued by a district admin (the app's org
unit bounds where its requests land). `jurisdiction_id` is the district's id. Errors use the
standard's shape: `[{"code": 400, "description": "..."}]`, `<errors><error><code/><description/>`.
"""
from __future__ import annotations

from flask import Blueprint, Response, g, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from liandong import idempotency
from liandong import open311 as wire
from liandong.clock import from_iso
from liandong.errors import DomainError
from liandong.ids import new_id
from liandong.openapi import api

from ..domain import open311 as o311
from ..domain import rules
from ..service_layer import UseCases
from ..service_layer.open311_keys import Open311Keys
from .open311_parsing import Open311QuerySchema, Open311RequestSchema, attributes_given, parse_w3c
from .schemas import PetitionerSchema

OPEN311_ERROR = {"type": "array", "items": {"type": "object", "required": ["code", "description"], "properties": {
    "code": {"type": "integer"}, "description": {"type": "string"}}}}
# every Open311 route answers JSON or XML by its `{fmt}` extension (documented so in OpenAPI)
WIRE = {"path_enums": {"fmt": list(wire.FORMATS)}, "also": ("text/xml",)}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+08:00"


def _fmt() -> str:
    fmt = (request.view_args or {}).get("fmt")
    return fmt if fmt in wire.FORMATS else wire.format_of(request.path)


def _answer(root: str, data, status: int = 200):
    """The answer in the format the path's extension asks for; `root` is the XML document element."""
    body, ctype = wire.render(root, data, _fmt())
    return Response(body, status=status, content_type=ctype)


def _error(code: int, description: str):
    return _answer("errors", [{"code": code, "description": description}], code)


def _w3c(iso: str | None) -> str | None:
    """W3C date-time in local (Beijing) time, as GeoReport examples write it."""
    if not iso:
        return None
    return from_iso(iso).astimezone(rules.LOCAL).isoformat(timespec="seconds")


def blueprint(uses: UseCases, keys: Open311Keys) -> Blueprint:
    o = uses.open311
    bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

    @bp.errorhandler(DomainError)
    def _domain(exc: DomainError):
        detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in (exc.fields or {}).items())
        return _error(exc.status, exc.message + (f" ({detail})" if detail else ""))

    @bp.errorhandler(ValidationError)
    def _invalid(exc: ValidationError):
        msgs = exc.messages if isinstance(exc.messages, dict) else {"request": exc.messages}
        return _error(400, "; ".join(f"{k}: {v}" for k, v in msgs.items()))

    @bp.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return _error(exc.code or 500, exc.description or exc.name)

    @bp.before_request
    def _format_and_jurisdiction():
        fmt = (request.view_args or {}).get("fmt")
        if fmt is not None and fmt not in wire.FORMATS:
            return _error(404, "the format is json or xml (the path's extension)")
        wanted = request.values.get("jurisdiction_id")
        if wanted is None and request.is_json:
            body = request.get_json(silent=True)
            wanted = body.get("jurisdiction_id") if isinstance(body, dict) else None
        if wanted is not None and not isinstance(wanted, str):  # a list or an object in a JSON body
            return _error(400, "jurisdiction_id: Not a valid string.")
        if wanted not in (None, "") and wanted not in o.jurisdictions():
            return _error(404, "jurisdiction_id is not served here; see discovery")
        return None

    def categories() -> dict:
        return o.categories()

    def services_list() -> list[dict]:
        return [{"service_code": code, "service_name": c["name"], "description": c["name"], "metadata": True,
                 "type": "realtime", "keywords": code.replace("_", ","), "group": c.get("group", "")}
                for code, c in sorted(categories().items())]

    def as_request(doc: dict, names: dict) -> dict:
        meta = doc.get("open311") or {}
        closed = doc["state"] in o311.CLOSED_STATES
        notes = doc["public_status"]
        if doc.get("answer"):
            notes = f"{notes}: {doc['answer']['text']}"
        assignment = (doc.get("assignments") or [None])[-1]
        return {"service_request_id": doc["_id"], "status": "closed" if closed else "open", "status_notes": notes,
                "service_name": names.get(doc["category"], doc["category"]), "service_code": doc["category"],
                "description": doc["content"],
                "agency_responsible": assignment["unit"]["name"] if assignment else None,
                "service_notice": None, "requested_datetime": _w3c(doc["registered_at"]),
                "updated_datetime": _w3c(doc.get("updated_at")), "expected_datetime": _w3c(doc.get("due_at")),
                "address": meta.get("address_string") or None, "address_id": doc["org_unit_id"], "zipcode": None,
                "lat": meta.get("lat"), "long": meta.get("long"), "media_url": meta.get("media_url")}

    @bp.get("/discovery.<fmt>")
    @api("Open311: discovery (endpoints, formats, where keys come from)", tags=["open311"],
         error_schema=OPEN311_ERROR, **WIRE, public=True)
    def discovery(fmt: str):
        # the gateway's address, where clients reach us: never this service's own (internal) one
        base = uses.cases.deps.settings.url_of("gateway").rstrip("/") + "/open311/v2/"
        return _answer("discovery", {
            "changeset": CHANGESET, "contact": "区信访局 (district petition office)",
            "key_service": "an api_key is issued by a district admin (POST /api/v1/petition/open311/keys)",
            "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET,
                           "type": "production", "formats": ["text/xml", "application/json"]}]})

    @bp.get("/services.<fmt>")
    @api("Open311: the service types (petition categories)", tags=["open311"], error_schema=OPEN311_ERROR, **WIRE,
         public=True)
    def services(fmt: str):
        return _answer("services", services_list())

    @bp.get("/services/<code>.<fmt>")
    @api("Open311: one service's definition: its attributes (variable, code, datatype, required, values)",
         tags=["open311"], error_schema=OPEN311_ERROR, **WIRE, public=True)
    def service_definition(code: str, fmt: str):
        cats = categories()
        if code not in cats:
            return _error(404, f"no service {code[:100]!r}")
        return _answer("service_definition", o311.definition(code, cats[code]))

    @bp.post("/requests.<fmt>")
    @api("Open311: file a service request (a petition filed online); needs an api_key (form field or query), "
         "attribute[code] answers checked against the service definition", tags=["open311"],
         error_schema=OPEN311_ERROR, **WIRE, public=True, status=201)
    def create_request(fmt: str):
        if request.is_json:
            raw, form_lists = request.get_json(silent=True), None
            if not isinstance(raw, dict):
                return _error(400, "the body must be form fields or a JSON object")
        else:
            raw = request.form.to_dict()
            form_lists = {k: request.form.getlist(k) for k in request.form if k.startswith("attribute[")}
        key = raw.get("api_key", request.args.get("api_key"))
        app, key_doc = keys.authenticate(key if isinstance(key, str) else None)
        filer = g.get("principal") or app  # a resident signed in through the app files as themself
        _scope_idempotency(filer)
        form = Open311RequestSchema().load(raw)
        code = form["service_code"]
        cats = categories()
        if code not in cats:
            return _error(400, f"service_code {code!r} is not a known service; see services.{fmt}")
        answers, problems = o311.check_attributes(o311.definition(code, cats[code]),
                                                  attributes_given(raw, form_lists))
        if problems:
            raise DomainError("the attributes do not fit the service definition", problems)
        address = form["address_string"] or ""
        org_unit_id = o.place(key_doc, form["address_id"] or "")
        name = f"{form['last_name'] or ''}{form['first_name'] or ''}".strip() or \
            (filer.name if filer is not app else "") or "网上居民"
        petitioner = {"name": name[:50], "address": address}
        if form["phone"]:
            petitioner["mobile"] = form["phone"]
        petitioner = PetitionerSchema().load(petitioner)
        data = {"org_unit_id": org_unit_id, "category": code, "channel": "online", "content": form["description"],
                "title": "", "petitioners": [petitioner], "headcount": None, "anonymous": False,
                "says_higher_level": False, "attachments": []}
        if form["media_url"]:
            data["attachments"] = [{"ref": form["media_url"], "name": "", "content_type": ""}]
        token = "t-" + new_id()
        meta = {"lat": form["lat"], "long": form["long"], "address_string": address or None,
                "media_url": form["media_url"], "device_id": form["device_id"], "account_id": form["account_id"],
                "email": form["email"], "attributes": answers, "token": token, "app": key_doc["app"],
                "api_key_id": key_doc["_id"]}
        petition = o.file(data, filer, meta)
        token = (petition.open311 or {}).get("token") or token  # a retry answers the first attempt's token
        return _answer("service_requests", [{"service_request_id": petition.id, "token": token,
                                             "service_notice": f"已受理,将在{petition.deadline}前答复",
                                             "account_id": form["account_id"]}], 201)

    @bp.get("/tokens/<token>.<fmt>")
    @api("Open311: the service request a token stands for", tags=["open311"], error_schema=OPEN311_ERROR, **WIRE,
         public=True)
    def token_status(token: str, fmt: str):
        return _answer("service_requests", [{"service_request_id": o.token(token), "token": token}])

    @bp.get("/requests.<fmt>")
    @api("Open311: service requests filed through Open311 (newest first, at most 1000)", tags=["open311"],
         error_schema=OPEN311_ERROR, **WIRE, public=True)
    def list_requests(fmt: str):
        args = Open311QuerySchema().load(request.args.to_dict())
        items = Open311QuerySchema.items
        names = {s["service_code"]: s["service_name"] for s in services_list()}
        wanted = set(items(args["status"]))
        if not wanted <= {"open", "closed"}:
            return _error(400, "status is open or closed")
        closed = None if len(wanted) != 1 else wanted == {"closed"}
        docs = o.requests(items(args["service_request_id"]), items(args["service_code"]), closed,
                          parse_w3c("start_date", args.get("start_date")), parse_w3c("end_date", args.get("end_date")))
        return _answer("service_requests", [as_request(d, names) for d in docs])

    @bp.get("/requests/<request_id>.<fmt>")
    @api("Open311: one service request", tags=["open311"], error_schema=OPEN311_ERROR, **WIRE, public=True)
    def get_request(request_id: str, fmt: str):
        names = {s["service_code"]: s["service_name"] for s in services_list()}
        return _answer("service_requests", [as_request(o.request(request_id), names)])

    return bp


def _scope_idempotency(filer) -> None:
    """An Idempotency-Key on an api_key filing is scoped by the app (or the signed-in resident), not by the
    client's address: taken again now that the key has named the caller."""
    client_key = request.headers.get(idempotency.HEADER)
    token = g.pop("idempotency_token", None)
    if client_key is None or token is None:
        return
    idempotency.end(token)
    g.idempotency_token = idempotency.begin(idempotency.scoped(client_key, filer.user_id))
