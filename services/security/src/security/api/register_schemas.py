"""Request and response schemas of the household register (实有人口) and grid visits."""
from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from liandong.fields import IdNumber, IsoTime, Mobile, OrgUnitId, Text
from liandong.listing import ListQuery

from ..domain import households as h
from ..domain import visits
from .schemas import Codes

_PART = dict(max_length=20, load_default=None, allow_none=True)


class HouseholdQuery(ListQuery):
    status = Codes(h.STATUSES, metadata={"description": "active (default) or left, comma-separated"})
    tag = Codes(h.KEY_GROUPS, metadata={"description": "a key group of its members: any of "
                                                       + ", ".join(h.KEY_GROUPS) + ", comma-separated"})
    residence = Codes(h.RESIDENCES, metadata={"description": "a present member of this status: any of "
                                                             + ", ".join(h.RESIDENCES) + ", comma-separated"})
    q = Text(max_length=50, min_length=1, load_default=None,
             metadata={"description": "a household number (户号), or an ID number (needs personal_data:read)"})

    @post_load
    def _id_number(self, data, **kwargs):
        q = (data.get("q") or "").strip().upper()
        data["q_is_id_number"] = len(q) == 18 and q[:17].isdigit()
        if data["q_is_id_number"]:
            data["q"] = q
        return data


class VisitQueueQuery(ListQuery):
    within_days = fields.Integer(load_default=visits.DUE_SOON_DAYS, validate=validate.Range(min=0, max=366),
                                 metadata={"description": "also what falls due within these days (default 7)"})
    tag = Codes(h.KEY_GROUPS)


class HouseholdIn(Schema):
    org_unit_id = OrgUnitId(required=True, metadata={"description": "the community, or a grid or building in it"})
    building = Text(**_PART, metadata={"description": "楼栋"})
    unit = Text(**_PART, metadata={"description": "单元"})
    room = Text(**_PART, metadata={"description": "室"})
    household_number = Text(max_length=30, load_default=None, allow_none=True, metadata={"description": "户号"})


class ResidentIn(Schema):
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    relationship = fields.String(required=True, validate=validate.OneOf(h.RELATIONSHIPS),
                                 metadata={"description": "to the head of the household (GET /config: relationships)"})
    residence = fields.String(required=True, validate=validate.OneOf(h.RESIDENCES),
                              metadata={"description": "registered (户籍), floating (流动), separated (人户分离)"})
    mobile = Mobile(load_default=None, allow_none=True)
    hand_tags = fields.List(fields.String(validate=validate.OneOf(h.HAND_SET)), load_default=list,
                            validate=validate.Length(max=len(h.HAND_SET)),
                            metadata={"description": "key groups from the office's own ledger: disabled, dibao"})


class VisitIn(Schema):
    visited_at = IsoTime(load_default=None)
    kind = fields.String(load_default="routine", validate=validate.OneOf(visits.KINDS))
    findings = Text(max_length=2000, min_length=1, required=True)
    follow_up_needed = fields.Boolean(load_default=False)


class ResidentOut(Schema):
    id = fields.String()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked unless the caller holds personal_data:read"})
    mobile = fields.String(allow_none=True, metadata={"description": "masked unless personal_data:read"})
    birth_date = fields.String(allow_none=True, metadata={"description": "only with personal_data:read"})
    age = fields.Integer()
    relationship = fields.String()
    residence = fields.String()
    tags = fields.List(fields.String())
    hand_tags = fields.List(fields.String())
    given_tags = fields.List(fields.String(), metadata={"description": "set by the services that know them"})
    added_at = IsoTime()
    updated_at = IsoTime()
    moved_out_at = IsoTime(allow_none=True)


class HouseholdOut(Schema):
    id = fields.String()
    outcome = fields.String(metadata={"description": "on a registration: created, updated or unchanged"})
    org_unit_id = fields.String()
    community_id = fields.String()
    building = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    room = fields.String(allow_none=True, metadata={"description": "masked unless personal_data:read"})
    household_number = fields.String(allow_none=True)
    status = fields.String()
    registered_at = IsoTime()
    left_at = IsoTime(allow_none=True)
    members = fields.List(fields.Nested(ResidentOut))
    former_members = fields.List(fields.Nested(ResidentOut))
    tags = fields.List(fields.String())
    visits = fields.Integer(metadata={"description": "how many visits are logged"})
    last_visited_at = IsoTime(allow_none=True)
    visit_rule = fields.String(allow_none=True)
    visit_due_at = IsoTime(allow_none=True)


class ResidentFileOut(ResidentOut):
    activity = fields.Dict(metadata={"description": "from the other services' events, by the person key: grants "
                                                    "(with payments), payments summed, petitions, volunteer hours, "
                                                    "welfare's registers (#20: which, since when; no category or "
                                                    "grade)"})


class HouseholdFileOut(HouseholdOut):
    """一户一档: the household unmasked, each member with their activity across the services, and the visits."""

    members = fields.List(fields.Nested(ResidentFileOut))
    former_members = fields.List(fields.Nested(ResidentFileOut))
    summary = fields.Dict(metadata={"description": "members, grants_active, payments_total_fen, petitions, "
                                                   "volunteer_hours"})
    visit_log = fields.List(fields.Dict(), metadata={"description": "the grid visits, newest first (50 at most)"})


class VisitOut(Schema):
    id = fields.String()
    household_id = fields.String()
    visited_at = IsoTime()
    kind = fields.String()
    findings = fields.String(allow_none=True, metadata={"description": "for grid workers and personal_data:read"})
    follow_up_needed = fields.Boolean()
    by = fields.String()
    by_name = fields.String()


class VisitDueOut(Schema):
    household_id = fields.String()
    org_unit_id = fields.String()
    household_number = fields.String(allow_none=True)
    building = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    residents = fields.Integer()
    rule = fields.String(metadata={"description": "the strictest 六必访 rule of its tags (or household)"})
    every_days = fields.Integer()
    last_visited_at = IsoTime(allow_none=True)
    due_at = IsoTime()
    days_overdue = fields.Integer(metadata={"description": "negative: due in that many days"})
