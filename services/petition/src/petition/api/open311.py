"""Open311 GeoReport v2 mapped onto petitions, so a standard 311 client works unchanged.

Service types are the petition categories (each with a service definition of attributes); a service
request is a petition filed online. Every endpoint answers JSON or XML by its extension, with the
standard's element names. Reading is public and shows only requests filed through Open311, without
the petitioner's particulars; filing needs an `api_key` issued by a district admin (the app's org
unit bounds where its requests land). `jurisdiction_id` is the district's id. Errors use the
standard's shape: `[{"code": 400, "description": "..."}]`, `<errors><error><code/><description/>`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, g, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema
from werkzeug.exceptions import HTTPException

from liandong import idempotency
from liandong import open311 as wire
from liandong.auth import current_principal
from liandong.clock import from_iso
from liandong.errors import DomainError, NotFound
from liandong.openapi import api

from ..domain import open311 as o311
from ..domain import rules
from ..service_layer.open311_keys import Open311Keys
from ..service_layer.open311_keys import present as present_key
from ..service_layer.petitions import PetitionService

CLOSED_STATES = ("answered", "closed")
MAX_RESULTS = 1000
OPEN311_ERROR = {"type": "array", "items": {"type": "object", "required": ["code", "description"], "properties": {
    "code": {"type": "integer"}, "description": {"type": "string"}}}}


def _text(max_len: int, **kw) -> fields.String:
    return fields.String(validate=validate.Length(max=max_len), load_default=None, allow_none=True, **kw)


class Open311RequestSchema(Schema):
    """A GeoReport v2 service request as filed (form fields or JSON): every field typed and bounded, so a
    list, an object or `lat: "nan"` is a 400 in Open311's error shape, never a 500 or a stored NaN."""

    class Meta:
        unknown = EXCLUDE  # api_key and attribute[...] are read apart (open311_keys, domain.open311)

    service_code = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    lat = fields.Float(allow_nan=False, validate=validate.Range(-90, 90), load_default=None, allow_none=True)
    long = fields.Float(allow_nan=False, validate=validate.Range(-180, 180), load_default=None, allow_none=True)
    address_string = _text(200)
    address_id = _text(100)
    jurisdiction_id = _text(100)
    first_name = _text(50)
    last_name = _text(50)
    phone = _text(30)
    email = _text(254)
    device_id = _text(200)
    account_id = _text(200)
    media_url = fields.String(validate=[validate.Length(max=500), validate.URL(schemes={"http", "https"})],
                              load_default=None, allow_none=True)  # shown to every reader: a web link only

    @pre_load
    def _blank_is_absent(self, data, **_kw):
        # form posts send empty fields; strings are trimmed (a non-string stays and is refused by its field)
        if not isinstance(data, dict):
            raise ValidationError("the body must be form fields or a JSON object", "request")
        out = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                if value == "":
                    continue
            out[key] = value
        return out

    @validates_schema
    def _located(self, data, **_kw):
        if (data.get("lat") is None) != (data.get("long") is None):
            raise ValidationError("lat and long come together", "lat")
        if data.get("lat") is None and not data.get("address_string") and not data.get("address_id"):
            raise ValidationError("a location is required: lat and long, address_string or address_id", "location")


class Open311QuerySchema(Schema):
    """GET requests.json: the standard's filters, checked like the filing's fields."""

    class Meta:
        unknown = EXCLUDE  # jurisdiction_id, api_key and the like

    service_request_id = fields.String(load_default=None, validate=validate.Length(max=2000))
    service_code = fields.String(load_default=None, validate=validate.Length(max=2000))
    status = fields.String(load_default=None, validate=validate.Length(max=20))
    start_date = fields.String(load_default=None, validate=validate.Length(max=40))
    end_date = fields.String(load_default=None, validate=validate.Length(max=40))

    @staticmethod
    def items(value: str | None) -> list[str]:
        return [v.strip() for v in (value or "").split(",") if v.strip()][:100]


# every Open311 route answers JSON or XML by its `{fmt}` extension (documented so in OpenAPI)
WIRE = {"path_enums": {"fmt": list(wire.FORMATS)}, "also": ("text/xml",)}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+08:00"


class ApiKeyIssueSchema(Schema):
    app = fields.String(required=True, validate=validate.Length(min=1, max=100))
    org_unit_id = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ApiKeySchema(Schema):
    id = fields.String()
    app = fields.String()
    org_unit_id = fields.String()
    issued_at = fields.String()
    issued_by = fields.String(allow_none=True)
    revoked_at = fields.String(allow_none=True)
    revoked_by = fields.String(allow_none=True)
    active = fields.Boolean()


class ApiKeyIssuedSchema(ApiKeySchema):
    api_key = fields.String(metadata={"description": "the key in clear: shown in this answer only"})


def _fmt() -> str:
    fmt = (request.view_args or {}).get("fmt")
    return fmt if fmt in wire.FORMATS else wire.format_of(request.path)


def _answer(root: str, data, status: int = 200):
    """The answer in the format the path's extension asks for; `root` is the XML document element."""
    body, ctype = wire.render(root, data, _fmt())
    return Response(body, status=status, content_type=ctype)


def _error(code: int, description: str):
    return _answer("errors", [{"code": code, "description": description}], code)


def _jurisdictions(service: PetitionService) -> set[str]:
    """The jurisdiction_id values we serve: the district (the org tree's root)."""
    return {u["_id"] for u in service.platform.org.units.find({"parent_id": None}) if not u.get("retired")}


def _w3c(iso: str | None) -> str | None:
    """W3C date-time in local (Beijing) time, as GeoReport examples write it."""
    if not iso:
        return None
    return from_iso(iso).astimezone(rules.LOCAL).isoformat(timespec="seconds")


def _parse_w3c(name: str, value: str | None) -> str | None:
    if not value:
        return None
    from liandong.clock import to_iso

    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:  # a date or a time without offset: Beijing time, as the answers are
            moment = moment.replace(tzinfo=rules.LOCAL)
        return to_iso(moment)
    except (ValueError, OverflowError):  # not a date, or one that leaves the calendar in UTC
        raise DomainError(f"{name} is not a W3C date-time") from None


def _attributes_given(raw: dict, form_lists: dict[str, list] | None) -> dict[str, list]:
    """`attribute[code]=v` (form, repeated or `attribute[code][]` for a multivaluelist), or in JSON either those
    keys or `"attribute": {"code": v or [v, ...]}`: code -> the values given."""
    given: dict[str, list] = {}

    def add(code: str, value) -> None:
        values = value if isinstance(value, list) else [value]
        given.setdefault(code, []).extend(values)

    source = form_lists if form_lists is not None else {k: v for k, v in raw.items()}
    for key, value in source.items():
        if key.startswith("attribute[") and key.endswith("]"):
            add(key[len("attribute["):-1].removesuffix("]["), value)  # attribute[code] or attribute[code][]
    nested = raw.get("attribute") if form_lists is None else None
    if isinstance(nested, dict):
        for code, value in nested.items():
            add(str(code), value)
    elif nested is not None:
        raise DomainError("attribute must be an object of code: value",
                          {"attribute": ["must be an object of code: value"]})
    return given


def blueprint(service: PetitionService, keys: Open311Keys) -> Blueprint:
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
        if wanted not in (None, "") and wanted not in _jurisdictions(service):
            return _error(404, "jurisdiction_id is not served here; see discovery")
        return None

    def categories() -> dict:
        return service.config.load()["categories"]

    def services_list() -> list[dict]:
        return [{"service_code": code, "service_name": c["name"], "description": c["name"], "metadata": True,
                 "type": "realtime", "keywords": code.replace("_", ","), "group": c.get("group", "")}
                for code, c in sorted(categories().items())]

    def as_request(doc: dict, names: dict) -> dict:
        o = doc.get("open311") or {}
        closed = doc["state"] in CLOSED_STATES
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
                "address": o.get("address_string") or None, "address_id": doc["org_unit_id"], "zipcode": None,
                "lat": o.get("lat"), "long": o.get("long"), "media_url": o.get("media_url")}

    @bp.get("/discovery.<fmt>")
    @api("Open311: discovery (endpoints, formats, where keys come from)", tags=["open311"],
         error_schema=OPEN311_ERROR, **WIRE, public=True)
    def discovery(fmt: str):
        # the gateway's address, where clients reach us: never this service's own (internal) one
        base = service.platform.settings.url_of("gateway").rstrip("/") + "/open311/v2/"
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
                                                  _attributes_given(raw, form_lists))
        if problems:
            raise DomainError("the attributes do not fit the service definition", problems)
        address = form["address_string"] or ""
        org_unit_id = _place(service, key_doc, form["address_id"] or "")
        name = f"{form['last_name'] or ''}{form['first_name'] or ''}".strip() or \
            (filer.name if filer is not app else "") or "网上居民"
        petitioner = {"name": name[:50], "address": address}
        if form["phone"]:
            petitioner["mobile"] = form["phone"]
        from ..api.schemas import PetitionerSchema

        petitioner = PetitionerSchema().load(petitioner)
        data = {"org_unit_id": org_unit_id, "category": code, "channel": "online", "content": form["description"],
                "title": "", "petitioners": [petitioner], "headcount": None, "anonymous": False,
                "says_higher_level": False, "attachments": []}
        if form["media_url"]:
            data["attachments"] = [{"ref": form["media_url"], "name": "", "content_type": ""}]
        token = _token_for(service)
        meta = {"lat": form["lat"], "long": form["long"], "address_string": address or None,
                "media_url": form["media_url"], "device_id": form["device_id"], "account_id": form["account_id"],
                "email": form["email"], "attributes": answers, "token": token, "app": key_doc["app"],
                "api_key_id": key_doc["_id"]}
        petition, _ = service.register(data, filer, source="open311", open311=meta)
        token = (petition.open311 or {}).get("token") or token  # a retry answers the first attempt's token
        return _answer("service_requests", [{"service_request_id": petition.id, "token": token,
                                             "service_notice": f"已受理,将在{petition.deadline}前答复",
                                             "account_id": form["account_id"]}], 201)

    @bp.get("/tokens/<token>.<fmt>")
    @api("Open311: the service request a token stands for", tags=["open311"], error_schema=OPEN311_ERROR, **WIRE,
         public=True)
    def token_status(token: str, fmt: str):
        found = service.repo.collection.find({"open311.token": token[:100], "source": "open311"}, limit=1,
                                             projection={"_id": 1})
        if not found:
            raise NotFound(f"no token {token[:100]!r}")
        return _answer("service_requests", [{"service_request_id": found[0]["_id"], "token": token}])

    @bp.get("/requests.<fmt>")
    @api("Open311: service requests filed through Open311 (newest first, at most 1000)", tags=["open311"],
         error_schema=OPEN311_ERROR, **WIRE, public=True)
    def list_requests(fmt: str):
        args = Open311QuerySchema().load(request.args.to_dict())
        items = Open311QuerySchema.items
        names = {s["service_code"]: s["service_name"] for s in services_list()}
        query: dict = {"source": "open311"}
        if items(args["service_request_id"]):
            query["_id"] = {"$in": items(args["service_request_id"])}
        else:
            if items(args["service_code"]):
                query["category"] = {"$in": items(args["service_code"])}
            if args.get("status"):
                wanted = set(items(args["status"]))
                if not wanted <= {"open", "closed"}:
                    return _error(400, "status is open or closed")
                if wanted == {"open"}:
                    query["state"] = {"$nin": list(CLOSED_STATES)}
                elif wanted == {"closed"}:
                    query["state"] = {"$in": list(CLOSED_STATES)}
            end = _parse_w3c("end_date", args.get("end_date"))
            start = _parse_w3c("start_date", args.get("start_date"))
            if start is None and end is None:
                start = (service.clock.now() - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            period = {}
            if start:
                period["$gte"] = start
            if end:
                period["$lte"] = end
            if period:
                query["registered_at"] = period
        docs = service.repo.collection.find(query, sort=[("registered_at", -1)], limit=MAX_RESULTS)
        return _answer("service_requests", [as_request(d, names) for d in docs])

    @bp.get("/requests/<request_id>.<fmt>")
    @api("Open311: one service request", tags=["open311"], error_schema=OPEN311_ERROR, **WIRE, public=True)
    def get_request(request_id: str, fmt: str):
        doc = service.repo.collection.find_one({"_id": request_id, "source": "open311"})
        if doc is None:
            raise NotFound(f"no service request {request_id[:100]!r}")
        names = {s["service_code"]: s["service_name"] for s in services_list()}
        return _answer("service_requests", [as_request(doc, names)])

    return bp


def keys_blueprint(keys: Open311Keys) -> Blueprint:
    """Issuing and revoking Open311 api keys: a district admin's (users:admin at the district)."""
    from liandong.web import load_json

    bp = Blueprint("open311_keys", __name__, url_prefix="/api/v1/petition/open311/keys")

    @bp.post("")
    @api("Issue an Open311 api_key for an app, tied to an org unit (the key is shown in this answer only)",
         body=ApiKeyIssueSchema, response=ApiKeyIssuedSchema, status=201, tags=["open311"],
         permission="users:admin")
    def issue():
        data = load_json(ApiKeyIssueSchema)
        doc, key = keys.issue(current_principal(), data["app"], data["org_unit_id"])
        return {**doc, "api_key": key}, 201

    @bp.get("")
    @api("The Open311 api keys (never the keys themselves)", response=ApiKeySchema, many=True, tags=["open311"],
         permission="users:admin")
    def list_keys():
        return {"items": keys.list(current_principal())}

    @bp.post("/<key_id>/revoke")
    @api("Revoke an Open311 api_key: its app can no longer file", response=ApiKeySchema, tags=["open311"],
         permission="users:admin")
    def revoke(key_id: str):
        return keys.revoke(current_principal(), key_id)

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


def _token_for(service: PetitionService) -> str:
    from liandong.ids import new_id

    return "t-" + new_id()


def _place(service: PetitionService, key_doc: dict, address_id: str) -> str:
    """Where to record it: address_id when it names an org unit inside the key's subtree, else the key's own
    unit. A unit outside the subtree is refused without saying where it is."""
    if address_id:
        unit = service.platform.org.get(address_id)
        if unit is not None and not unit.get("retired"):
            if not unit["path"].startswith(key_doc["org_path"]):
                from liandong.errors import Forbidden

                raise Forbidden("address_id is outside the area this api_key files for")
            return address_id
    return key_doc["org_unit_id"]
