"""Open311 GeoReport v2 requests as clients send them: the filing's fields, the list's filters, the
attribute answers and W3C date-times, checked before anything reaches a use case."""
from __future__ import annotations

from datetime import datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from liandong.clock import to_iso
from liandong.errors import DomainError

from ..domain import rules


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


def parse_w3c(name: str, value: str | None) -> str | None:
    """A W3C date-time (or a date) as the stored UTC string; without an offset it is Beijing time."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:  # a date or a time without offset: Beijing time, as the answers are
            moment = moment.replace(tzinfo=rules.LOCAL)
        return to_iso(moment)
    except (ValueError, OverflowError):  # not a date, or one that leaves the calendar in UTC
        raise DomainError(f"{name} is not a W3C date-time") from None


def attributes_given(raw: dict, form_lists: dict[str, list] | None) -> dict[str, list]:
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
