"""Request and response schemas of the party registers (党建): branches, members, 党员报到, their audit trail."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from liandong.fields import IdNumber, IsoDate, IsoTime, Mobile, OrgUnitId, Text
from liandong.listing import ListQuery

from ..domain.party import END_REASONS, MEMBER_KINDS


def _codes(description: str) -> fields.String:
    return fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                         metadata={"description": f"{description} (several comma-separated)"})


class BranchSchema(Schema):
    name = Text(max_length=60, min_length=1, required=True)
    org_unit_id = OrgUnitId(required=True)
    secretary = Text(max_length=50, min_length=1, required=True, metadata={"description": "支部书记's name"})
    founded_on = IsoDate(required=True)


class BranchChangesSchema(Schema):
    name = Text(max_length=60, min_length=1)
    secretary = Text(max_length=50, min_length=1)


class DissolveSchema(Schema):
    dissolved_on = IsoDate(required=True)


class BranchOut(Schema):
    id = fields.String()
    name = fields.String()
    org_unit_id = fields.String()
    org_path = fields.String()
    secretary = fields.String(metadata={"description": "masked (surname only) unless personal_data:read"})
    founded_on = fields.String()
    status = fields.String(metadata={"description": "active or dissolved"})
    dissolved_on = fields.String(allow_none=True)


class BranchListQuery(ListQuery):
    """`from`/`to` bound the founding day."""

    status = _codes("active or dissolved")


class MemberSchema(Schema):
    branch_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    mobile = Mobile(load_default=None, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(MEMBER_KINDS),
                         metadata={"description": "full 正式党员 or probationary 预备党员"})
    joined_on = IsoDate(required=True, metadata={"description": "入党日期"})
    floating = fields.Boolean(load_default=False, metadata={"description": "流动党员"})
    hardship = fields.Boolean(load_default=False, metadata={"description": "困难党员"})


class MemberChangesSchema(Schema):
    mobile = Mobile(allow_none=True)
    kind = fields.String(validate=validate.OneOf(MEMBER_KINDS))
    floating = fields.Boolean()
    hardship = fields.Boolean()


class NoticeSchema(Schema):
    signed_on = IsoDate(required=True, metadata={"description": "the day the 《党员告知书》 was signed"})


class EndSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(END_REASONS),
                           metadata={"description": "transferred_out 组织关系转出 or deceased 去世"})
    ended_on = IsoDate(required=True)


class MemberOut(Schema):
    id = fields.String()
    branch_id = fields.String()
    org_unit_id = fields.String()
    org_path = fields.String()
    name = fields.String(metadata={"description": "masked unless personal_data:read"})
    id_number = fields.String(metadata={"description": "masked unless personal_data:read"})
    mobile = fields.String(allow_none=True, metadata={"description": "masked unless personal_data:read"})
    kind = fields.String()
    joined_on = fields.String()
    registered_at = IsoTime()
    floating = fields.Boolean()
    hardship = fields.Boolean()
    notice_signed_on = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "active, transferred_out or deceased"})
    ended_on = fields.String(allow_none=True)


class MemberListQuery(ListQuery):
    """`from`/`to` bound the joining day."""

    status = _codes("active, transferred_out or deceased")
    kind = _codes("full or probationary")
    branch_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    floating = fields.Boolean(load_default=None, metadata={"description": "流动党员 only (true) or not (false)"})
    hardship = fields.Boolean(load_default=None, metadata={"description": "困难党员 only (true) or not (false)"})


class ReportSchema(Schema):
    org_unit_id = OrgUnitId(required=True, metadata={"description": "the community the member lives in"})
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    mobile = Mobile(load_default=None, allow_none=True)
    workplace = Text(max_length=100, min_length=1, required=True,
                     metadata={"description": "工作单位党组织: where the membership is kept"})
    reported_on = IsoDate(required=True)
    skills = fields.List(fields.String(validate=validate.Length(min=1, max=40)), load_default=list,
                         validate=validate.Length(max=30))
    consent = fields.Boolean(required=True, validate=validate.Equal(True, error="consent is required"),
                             metadata={"description": "to be registered as the community's volunteer"})


class ReportOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    org_path = fields.String()
    name = fields.String(metadata={"description": "masked unless personal_data:read"})
    id_number = fields.String(metadata={"description": "masked unless personal_data:read"})
    mobile = fields.String(allow_none=True, metadata={"description": "masked unless personal_data:read"})
    workplace = fields.String()
    reported_on = fields.String()
    volunteer_id = fields.String()
    linked = fields.Boolean(metadata={"description": "a volunteer of the community already: linked, not "
                                                     "registered again"})
    recorded_at = IsoTime()
    hours_this_year = fields.Float(metadata={"description": "hours served this year after reporting"})


class ReportListQuery(ListQuery):
    """`from`/`to` bound the day reported."""


class AuditListQuery(ListQuery):
    """`from`/`to` bound the time of the access."""

    action = _codes("party.member.read, party.member.list, party.report, …")
    user_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    allowed = fields.Boolean(load_default=None)


class AuditOut(Schema):
    user_id = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    action = fields.String()
    record_id = fields.String(allow_none=True)
    allowed = fields.Boolean()
    unmasked = fields.Boolean()
    org_path = fields.String()
    at = IsoTime()
