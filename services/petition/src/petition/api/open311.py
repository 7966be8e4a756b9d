"""Open311 GeoReport v2 (services and requests, JSON) mapped onto petitions.

Service types are the petition categories; a service request is a petition filed online. Reading
is public and shows only requests filed through Open311, without the petitioner's particulars;
filing needs a bearer token with petition:file. Errors use the standard's shape:
`[{"code": 400, "description": "..."}]`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, jsonify, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema
from werkzeug.exceptions import HTTPException

from liandong.auth import current_principal
from liandong.clock import from_iso
from liandong.errors import DomainError, NotFound
from liandong.openapi import api

from ..domain import rules
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
        unknown = EXCLUDE  # api_key, attribute[...] and other fields of the standard we do not use

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
    media_url = _text(500)

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


def _error(code: int, description: str):
    return jsonify([{"code": code, "description": description}]), code


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


def blueprint(service: PetitionService) -> Blueprint:
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

    def services_list() -> list[dict]:
        cats = service.config.load()["categories"]
        return [{"service_code": code, "service_name": c["name"], "description": c["name"], "metadata": False,
                 "type": "realtime", "keywords": code.replace("_", ","), "group": c.get("group", "")}
                for code, c in sorted(cats.items())]

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

    @bp.get("/services.json")
    @api("Open311: the service types (petition categories)", tags=["open311"], error_schema=OPEN311_ERROR,
         public=True)
    def services():
        return jsonify(services_list())

    @bp.get("/services/<code>.json")
    @api("Open311: one service's definition (no extra attributes)", tags=["open311"],
         error_schema=OPEN311_ERROR, public=True)
    def service_definition(code: str):
        if code not in {s["service_code"] for s in services_list()}:
            return _error(404, f"no service {code!r}")
        return jsonify({"service_code": code, "attributes": []})

    @bp.post("/requests.json")
    @api("Open311: file a service request (a petition filed online); needs a bearer token with petition:file",
         tags=["open311"], error_schema=OPEN311_ERROR, permission="petition:file", status=201)
    def create_request():
        principal = current_principal()
        raw = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        if not isinstance(raw, dict):
            return _error(400, "the body must be form fields or a JSON object")
        form = Open311RequestSchema().load(raw)
        code = form["service_code"]
        if code not in {s["service_code"] for s in services_list()}:
            return _error(400, f"service_code {code!r} is not a known service; see services.json")
        address = form["address_string"] or ""
        org_unit_id = _org_unit_for(service, principal, form["address_id"] or "", form["jurisdiction_id"] or "")
        name = f"{form['last_name'] or ''}{form['first_name'] or ''}".strip() or principal.name or "网上居民"
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
        meta = {"lat": form["lat"], "long": form["long"], "address_string": address or None,
                "media_url": form["media_url"], "device_id": form["device_id"], "account_id": form["account_id"],
                "email": form["email"]}
        petition, _ = service.register(data, principal, source="open311", open311=meta)
        return jsonify([{"service_request_id": petition.id,
                         "service_notice": f"已受理,将在{petition.deadline}前答复",
                         "account_id": form["account_id"]}]), 201

    @bp.get("/requests.json")
    @api("Open311: service requests filed through Open311 (newest first, at most 1000)", tags=["open311"],
         error_schema=OPEN311_ERROR, public=True)
    def list_requests():
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
        return jsonify([as_request(d, names) for d in docs])

    @bp.get("/requests/<request_id>.json")
    @api("Open311: one service request", tags=["open311"], error_schema=OPEN311_ERROR, public=True)
    def get_request(request_id: str):
        doc = service.repo.collection.find_one({"_id": request_id, "source": "open311"})
        if doc is None:
            raise NotFound(f"no service request {request_id!r}")
        names = {s["service_code"]: s["service_name"] for s in services_list()}
        return jsonify([as_request(doc, names)])

    return bp


def _org_unit_for(service: PetitionService, principal, address_id: str, jurisdiction_id: str) -> str:
    """Where to record it: address_id or jurisdiction_id when they name an org unit, else the filer's own unit."""
    for candidate in (address_id, jurisdiction_id):
        if candidate and service.platform.org.get(candidate) is not None:
            return candidate
    for grant in principal.grants:
        if "petition:file" in grant.permissions():
            return grant.org_unit
    from liandong.errors import Forbidden

    raise Forbidden("petition:file is not granted")
