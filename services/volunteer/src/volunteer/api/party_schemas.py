"""Request and response schemas of the party registers (党建): branches, members, 党员报到, their audit trail."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from liandong.fields import IdNumber, IsoDate, IsoTime, Mobile, OrgUnitId, Text
from liandong.listing import ListQuery

from ..domain.party import END_REASONS, MEMBER_KINDS


def _codes(description: str) -> fields.String:
    return fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                         metadata={"description": f"{description} (several comma-separated)"})


class PartyBranchSchema(Schema):
    name = Text(max_length=60, min_length=1, required=True)
    org_unit_id = OrgUnitId(required=True)
    secretary = Text(max_length=50, min_length=1, required=True, metadata={"description": "支部书记's name"})
    founded_on = IsoDate(required=True)


class PartyBranchChangesSchema(Schema):
    name = Text(max_length=60, min_length=1)
    secretary = Text(max_length=50, min_length=1)


class PartyDissolveSchema(Schema):
    dissolved_on = IsoDate(required=True)


class PartyBranchOut(Schema):
    id = fields.String()
    name = fields.String()
    org_unit_id = fields.String()
    org_path = fields.String()
    secretary = fields.String(metadata={"description": "masked (surname only) unless personal_data:read"})
    founded_on = IsoDate()
    status = fields.String(metadata={"description": "active or dissolved"})
    dissolved_on = IsoDate(allow_none=True)


class PartyBranchListQuery(ListQuery):
    """`from`/`to` bound the founding day."""

    status = _codes("active or dissolved")


class PartyMemberSchema(Schema):
    branch_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    mobile = Mobile(load_default=None, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(MEMBER_KINDS),
                         metadata={"description": "full 正式党员 or probationary 预备党员"})
    joined_on = IsoDate(required=True, metadata={"description": "入党日期"})
    floating = fields.Boolean(load_default=False, metadata={"description": "流动党员"})
    hardship = fields.Boolean(load_default=False, metadata={"description": "困难党员"})


class PartyMemberChangesSchema(Schema):
    mobile = Mobile(allow_none=True)
    kind = fields.String(validate=validate.OneOf(MEMBER_KINDS))
    floating = fields.Boolean()
    hardship = fields.Boolean()


class PartyNoticeSchema(Schema):
    signed_on = IsoDate(required=True, metadata={"description": "the day the 《党员告知书》 was signed"})


class PartyEndSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(END_REASONS),
                           metadata={"description": "transferred_out 组织关系转出 or deceased 去世"})
    ended_on = IsoDate(required=True)


class PartyMemberOut(Schema):
    id = fields.String()
    branch_id = fields.String()
    org_unit_id = fields.String()
    org_path = fields.String()
    name = fields.String(metadata={"description": "masked unless personal_data:read"})
    id_number = fields.String(metadata={"description": "masked unless personal_data:read"})
    mobile = fields.String(allow_none=True, metadata={"description": "masked unless personal_data:read"})
    kind = fields.String()
    joined_on = IsoDate()
    registered_at = IsoTime()
    floating = fields.Boolean()
    hardship = fields.Boolean()
    notice_signed_on = IsoDate(allow_none=True)
    status = fields.String(metadata={"description": "active, transferred_out or deceased"})
    ended_on = IsoDate(allow_none=True)


class PartyMemberListQuery(ListQuery):
    """`from`/`to` bound the joining day."""

    status = _codes("active, transferred_out or deceased")
    kind = _codes("full or probationary")
    branch_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    floating = fields.Boolean(load_default=None, metadata={"description": "流动党员 only (true) or not (false)"})
    hardship = fields.Boolean(load_default=None, metadata={"description": "困难党员 only (true) or not (false)"})


class PartyReportSchema(Schema):
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


class PartyReportOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    org_path = fields.String()
    name = fields.String(metadata={"description": "masked unless personal_data:read"})
    id_number = fields.String(metadata={"description": "masked unless personal_data:read"})
    mobile = fields.String(allow_none=True, metadata={"description": "masked unless personal_data:read"})
    workplace = fields.String()
    reported_on = IsoDate()
    volunteer_id = fields.String()
    linked = fields.Boolean(metadata={"description": "a volunteer of the community already: linked, not "
                                                     "registered again"})
    recorded_at = IsoTime()
    hours_this_year = fields.Float(metadata={"description": "hours served this year after reporting"})


class PartyReportListQuery(ListQuery):
    """`from`/`to` bound the day reported."""


class PartyAuditListQuery(ListQuery):
    """`from`/`to` bound the time of the access."""

    action = _codes("party.member.read, party.member.list, party.report, …")
    user_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    allowed = fields.Boolean(load_default=None)


class PartyAuditOut(Schema):
    user_id = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    action = fields.String()
    record_id = fields.String(allow_none=True)
    allowed = fields.Boolean()
    unmasked = fields.Boolean()
    org_path = fields.String()
    at = IsoTime()
