"""Open311 GeoReport v2 (services and requests, JSON) mapped onto petitions.

Service types are the petition categories; a service request is a petition filed online. Reading
is public and shows only requests filed through Open311, without the petitioner's particulars;
filing needs a bearer token with petition:file. Errors use the standard's shape:
`[{"code": 400, "description": "..."}]`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, jsonify, request
from marshmallow import ValidationError
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
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise DomainError(f"{name} is not a W3C date-time") from None
    from liandong.clock import to_iso

    return to_iso(moment)


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
        form = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        if not isinstance(form, dict):
            return _error(400, "the body must be form fields or a JSON object")
        codes = {s["service_code"] for s in services_list()}
        code = (form.get("service_code") or "").strip()
        if not code:
            return _error(400, "service_code is required")
        if code not in codes:
            return _error(400, f"service_code {code!r} is not a known service; see services.json")
        lat, lon = form.get("lat"), form.get("long")
        address, address_id = (form.get("address_string") or "").strip(), (form.get("address_id") or "").strip()
        if not ((lat not in (None, "") and lon not in (None, "")) or address or address_id):
            return _error(400, "a location is required: lat and long, address_string or address_id")
        try:
            lat = float(lat) if lat not in (None, "") else None
            lon = float(lon) if lon not in (None, "") else None
        except (TypeError, ValueError):
            return _error(400, "lat and long must be numbers")
        description = (form.get("description") or "").strip()
        if not description:
            return _error(400, "description is required")
        org_unit_id = _org_unit_for(service, principal, address_id, (form.get("jurisdiction_id") or "").strip())
        name = (f"{form.get('last_name') or ''}{form.get('first_name') or ''}".strip()
                or principal.name or "网上居民")
        petitioner = {"name": name[:50], "address": address[:200]}
        if form.get("phone"):
            petitioner["mobile"] = str(form["phone"])
        from ..api.schemas import PetitionerSchema

        petitioner = PetitionerSchema().load(petitioner)
        data = {"org_unit_id": org_unit_id, "category": code, "channel": "online", "content": description[:5000],
                "title": "", "petitioners": [petitioner], "headcount": None, "anonymous": False,
                "says_higher_level": False, "attachments": []}
        if form.get("media_url"):
            data["attachments"] = [{"ref": str(form["media_url"])[:500], "name": "", "content_type": ""}]
        meta = {"lat": lat, "long": lon, "address_string": address or None, "media_url": form.get("media_url"),
                "device_id": form.get("device_id"), "account_id": form.get("account_id"), "email": form.get("email")}
        petition, _ = service.register(data, principal, source="open311", open311=meta)
        return jsonify([{"service_request_id": petition.id,
                         "service_notice": f"已受理,将在{petition.deadline}前答复",
                         "account_id": form.get("account_id")}]), 201

    @bp.get("/requests.json")
    @api("Open311: service requests filed through Open311 (newest first, at most 1000)", tags=["open311"],
         error_schema=OPEN311_ERROR, public=True)
    def list_requests():
        args = request.args
        names = {s["service_code"]: s["service_name"] for s in services_list()}
        query: dict = {"source": "open311"}
        if args.get("service_request_id"):
            query["_id"] = {"$in": [i.strip() for i in args["service_request_id"].split(",") if i.strip()]}
        else:
            if args.get("service_code"):
                query["category"] = {"$in": [c.strip() for c in args["service_code"].split(",") if c.strip()]}
            if args.get("status"):
                wanted = {v.strip() for v in args["status"].split(",")}
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
