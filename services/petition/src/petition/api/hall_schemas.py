"""Request and response schemas of the hall's API (validation and the OpenAPI document)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from liandong.fields import IdNumber, Mobile, OrgUnitId, Text
from liandong.listing import ListQuery, PeriodQuery

from ..domain import hall
from .schemas import _CommaList

CODE = validate.Length(min=1, max=64)


class HallResidentSchema(Schema):
    """The resident the matter is for (encrypted at rest; named on events only by `person_key`)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    id_number = IdNumber(required=True)
    mobile = Mobile(load_default=None, allow_none=True)


class HallMatterInSchema(Schema):
    org_unit_id = OrgUnitId(required=True, metadata={"description": "the hall's org unit (a community or sub-district)"})
    item = fields.String(required=True, validate=CODE, metadata={"description": "a code of GET /hall/items"})
    resident = fields.Nested(HallResidentSchema, required=True)
    materials = fields.List(Text(max_length=100, min_length=1), required=True, validate=validate.Length(max=50),
                            metadata={"description": "the materials received, named as in the item's list"})
    on_behalf = fields.Boolean(load_default=False, metadata={"description": "全程代办 (only where the item offers it)"})
    note = Text(max_length=1000, load_default="")


class HallMaterialsSchema(Schema):
    materials = fields.List(Text(max_length=100, min_length=1), required=True, validate=validate.Length(min=1, max=50))


class HallNoteSchema(Schema):
    note = Text(max_length=1000, load_default="")


class HallReturnSchema(Schema):
    reason = Text(max_length=1000, min_length=1, required=True)


class HallMatterSchema(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    item = fields.String()
    item_name = fields.String()
    office = fields.String()
    office_name = fields.String()
    resident = fields.Dict(metadata={"description": "name, id_number, mobile (masked without personal_data:read)"})
    on_behalf = fields.Boolean()
    state = fields.String(validate=validate.OneOf(hall.STATES))
    status = fields.String(metadata={"description": "补齐材料 / 受理 / 办理中 / 转办 / 办结 / 退件"})
    materials_required = fields.List(fields.String())
    materials_received = fields.List(fields.String())
    materials_missing = fields.List(fields.String(), metadata={"description": "一次性告知: all that is missing"})
    received_at = fields.DateTime()
    accepted_at = fields.DateTime(allow_none=True)
    time_limit_days = fields.Integer()
    due_date = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    completed_at = fields.DateTime(allow_none=True)
    on_time = fields.Boolean(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    return_reason = fields.String(allow_none=True)


class HallMatterListQuery(ListQuery):
    """GET /hall/matters: `from`/`to` received at the window."""

    status = _CommaList(choices=hall.STATES, load_default=None)
    item = _CommaList(load_default=None)
    office = _CommaList(load_default=None)
    on_behalf = fields.Boolean(load_default=None)
    overdue = fields.Boolean(load_default=None)


class HallItemQuery(ListQuery):
    """GET /hall/items: the catalogue holds in every unit of the district and has no time of its own."""

    office = _CommaList(load_default=None)

    class Meta(ListQuery.Meta):
        exclude = ("from_", "to")


class HallItemSchema(Schema):
    code = fields.String()
    name = fields.String()
    office = fields.String()
    office_name = fields.String()
    materials = fields.List(fields.String(), metadata={"description": "材料清单"})
    time_limit_days = fields.Integer(metadata={"description": "承诺时限, working days"})
    on_behalf = fields.Boolean(metadata={"description": "全程代办 offered"})


class WindowServiceInSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    office = fields.String(required=True, validate=CODE, metadata={"description": "an office of the catalogue"})
    kind = fields.String(required=True, validate=validate.OneOf(tuple(hall.WINDOW_KINDS)))
    note = Text(max_length=500, load_default="")


class WindowServiceSchema(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    office = fields.String()
    kind = fields.String()
    worker = fields.Dict()
    served_at = fields.DateTime()
    note = fields.String()


class WindowServiceListQuery(ListQuery):
    """GET /hall/window-services: `from`/`to` served."""

    office = _CommaList(load_default=None)
    kind = _CommaList(choices=tuple(hall.WINDOW_KINDS), load_default=None)
    worker = _CommaList(load_default=None, metadata={"description": "the workers' user ids"})


class HallStatsQuery(PeriodQuery):
    org_unit = OrgUnitId(required=True, metadata={"description": "the hall's org unit (its subtree)"})


class HallWorkerSchema(Schema):
    user_id = fields.String()
    name = fields.String()
    window_services = fields.Integer()
    matters_accepted = fields.Integer()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())


class HallStatsSchema(Schema):
    org_unit = fields.Dict()
    window_services = fields.Integer()
    matters_accepted = fields.Integer()
    workers = fields.List(fields.Nested(HallWorkerSchema))
