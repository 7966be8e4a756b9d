"""`<service>.personal_data.accessed`: a service answered a read with personal fields (ID or phone numbers,
addresses, incomes, corrections). Every domain service emits it for every such read, whoever called (through
the gateway or inside the cluster); the gateway's worker keeps them in the one audit trail. The event names
who read, which fields and where: never the data itself."""
from marshmallow import Schema, fields, validate

from . import CONTRACTS

from ..registry import AUDITED_SERVICES  # noqa: E402


class PersonalDataAccessed(Schema):
    """Who read personal data of this service, when, through which route, and which fields the answer held."""

    user_id = fields.String(required=True)
    name = fields.String(load_default="")
    roles = fields.List(fields.String(), required=True)
    org_path = fields.String(required=True)  # the reader's own org path: each office audits its own people
    # "remove": an attachment (a file of personal data) taken off its record (#22, docs/attachments.md)
    action = fields.String(load_default="read", validate=validate.OneOf(("read", "remove")))
    method = fields.String(required=True)
    path = fields.String(required=True, validate=validate.Length(max=2000))
    status = fields.Integer(required=True)
    at = fields.String(required=True)
    # last: from here on `fields` in this class body is this field, not marshmallow's module
    fields = fields.List(fields.String(), required=True)


for _service in AUDITED_SERVICES:
    CONTRACTS.contract(f"{_service}.personal_data.accessed", 1, example={
        "user_id": "u-1", "name": "家园社区民政员", "roles": ["community_worker"],
        "org_path": "/chuanying/huangqi/jiayuan/", "action": "read", "method": "GET",
        "path": f"/api/v1/{_service}/records/r-1", "status": 200, "fields": ["id_number", "mobile"],
        "at": "2026-03-01T08:00:00.000000Z"}, stream="audit")(PersonalDataAccessed)
