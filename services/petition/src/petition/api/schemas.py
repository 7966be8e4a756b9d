"""Request and response schemas of the petition API (validation and the OpenAPI document)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from liandong.fields import IdNumber, Mobile, OrgUnitId, Rate, Text
from liandong.listing import ListQuery, PeriodQuery, TimeBound

from ..domain import model, rules


class PetitionerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    id_number = IdNumber(load_default=None, allow_none=True)
    mobile = Mobile(load_default=None, allow_none=True)
    address = Text(max_length=200, load_default="")
    representative = fields.Boolean(load_default=False)  # 代表: named to speak for a group petition


class AttachmentSchema(Schema):
    ref = fields.String(required=True, validate=validate.Length(min=1, max=500))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    content_type = fields.String(load_default="", validate=validate.Length(max=100))


class RegisterSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    category = fields.String(required=True, validate=validate.Length(min=1, max=64))
    channel = fields.String(required=True, validate=validate.OneOf(tuple(rules.CHANNELS)))
    title = Text(max_length=200, load_default="")
    content = Text(max_length=5000, min_length=1, required=True)
    petitioner = fields.Nested(PetitionerSchema, load_default=None, allow_none=True)
    petitioners = fields.List(fields.Nested(PetitionerSchema), load_default=list, validate=validate.Length(max=200))
    representatives = fields.List(fields.Nested(PetitionerSchema), load_default=list,
                                  validate=validate.Length(max=50),
                                  metadata={"description": "named representatives of a group petition (代表)"})
    headcount = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=100000),
                               metadata={"description": "how many people came or signed (人次); "
                                                        "five or more make a group petition"})
    is_group = fields.Boolean(load_default=False, metadata={"description": "a group petition (群体性上访)"})
    anonymous = fields.Boolean(load_default=False)
    says_higher_level = fields.Boolean(load_default=False)  # 扬言越级上访
    attachments = fields.List(fields.Nested(AttachmentSchema), load_default=list, validate=validate.Length(max=50))


class Day(fields.Date):
    """A local date (YYYY-MM-DD); a full ISO date-time is accepted and read on the Beijing calendar."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and "T" in value:
            from datetime import datetime

            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise ValidationError("a date YYYY-MM-DD or an ISO date-time") from None
            return rules.local_date(moment) if moment.tzinfo else moment.date()
        return super()._deserialize(value, attr, data, **kwargs)


class AssignSchema(Schema):
    """五明确: unit, person, deadline, task, requirement; all five are required."""

    unit_kind = fields.String(required=True, validate=validate.OneOf(model.UNIT_KINDS))
    unit_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    person = fields.String(required=True, validate=validate.Length(min=1, max=50))
    deadline = Day(required=True)
    task = Text(max_length=1000, min_length=1, required=True)
    requirement = Text(max_length=1000, min_length=1, required=True)


class StartSchema(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(tuple(model.HANDLING_MODES)))
    note = Text(max_length=2000, load_default="")


class AnswerSchema(Schema):
    text = Text(max_length=5000, min_length=1, required=True)


class CloseSchema(Schema):
    satisfaction = fields.String(required=True, validate=validate.OneOf(tuple(model.SATISFACTION)))
    note = Text(max_length=2000, load_default="")


class ReasonSchema(Schema):
    reason = Text(max_length=2000, min_length=1, required=True)


class NoteSchema(Schema):
    note = Text(max_length=2000, load_default="")


class SuperviseSchema(Schema):
    note = Text(max_length=2000, min_length=1, required=True)
    new_deadline = Day(load_default=None, allow_none=True)


class MediationSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(("agreement", "failed", "referred_to_court")))
    note = Text(max_length=2000, load_default="")


class LinkSchema(Schema):
    petition_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class _CommaList(fields.Field):
    def __init__(self, choices=None, **kw):
        super().__init__(**kw)
        self.choices = choices

    def _deserialize(self, value, attr, data, **kwargs):
        items = [v.strip() for v in str(value).split(",") if v.strip()]
        if self.choices is not None:
            bad = [v for v in items if v not in self.choices]
            if bad:
                raise ValidationError(f"unknown value(s) {', '.join(bad)}; one of {', '.join(self.choices)}")
        return items


class PetitionListQuery(ListQuery):
    """GET /petitions: the list's own filters beside org_unit, page, page_size, from, to (registered)."""

    status = _CommaList(choices=model.STATES, load_default=None)
    public_status = _CommaList(choices=("受理", "办理中", "办结"), load_default=None)
    category = _CommaList(load_default=None)
    channel = _CommaList(choices=tuple(rules.CHANNELS), load_default=None)
    level = _CommaList(choices=rules.LEVELS, load_default=None)
    overdue = fields.Boolean(load_default=None)
    risk = fields.Boolean(load_default=None)
    group = fields.Boolean(load_default=None)
    matter_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    deadline_before = fields.Date(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100),
                      metadata={"description": "Chinese full text"})
    id_number = IdNumber(load_default=None, metadata={"description": "needs personal_data:read"})


class StatsQuery(PeriodQuery):
    """GET /stats: the figures of one org unit's subtree (and of each unit below it), registered from..to."""

    org_unit = OrgUnitId(required=True, metadata={"description": "figures for this org unit's subtree"})


class RosterQuery(ListQuery):
    """GET /roster: the reception days of one sub-district in a period (at most 366 days). A roster is kept
    per sub-district, so `org_unit` names one (a unit of another level is a 422 naming org_unit); the
    parameter's old name `subdistrict` is unknown now, and refused."""

    org_unit = OrgUnitId(required=True, metadata={"description": "the sub-district whose roster is asked",
                                                  "example": "huangqi"})
    from_ = TimeBound(data_key="from", required=True)
    to = TimeBound(end_of_day=True, required=True)


class DutySchema(Schema):
    leader_name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    title = fields.String(load_default="", validate=validate.Length(max=100))


class CategorySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    group = fields.String(load_default="other", validate=validate.Length(min=1, max=50))
    deadline_days = fields.Dict(keys=fields.String(validate=validate.OneOf(rules.LEVELS)),
                                values=fields.Integer(validate=validate.Range(min=1, max=365)), required=True)

    @validates_schema
    def _all_levels(self, data, **kw):
        missing = [lv for lv in rules.LEVELS if lv not in data.get("deadline_days", {})]
        if missing:
            raise ValidationError({"deadline_days": [f"give working days for {', '.join(missing)}"]})


class DepartmentSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))


class HolidaysSchema(Schema):
    holidays = fields.List(fields.Date(), required=True, validate=validate.Length(max=400))


class PetitionSchema(Schema):
    """A case as staff see it (residents see id, status, content and answer only)."""

    id = fields.String()
    state = fields.String()
    status = fields.String(metadata={"description": "public status: 受理 / 办理中 / 办结"})
    org_unit_id = fields.String()
    level = fields.String()
    category = fields.String()
    channel = fields.String()
    content = fields.String()
    headcount = fields.Integer()
    is_group = fields.Boolean()
    deadline = fields.String()
    overdue = fields.Boolean()
    risk_flags = fields.List(fields.String())
    assignment = fields.Dict()
    answer = fields.Dict()
    satisfaction = fields.String()


class RegisteredSchema(PetitionSchema):
    possible_duplicates = fields.List(fields.Dict())


class StatsSchema(Schema):
    batches = fields.Integer(metadata={"description": "批次"})
    person_times = fields.Integer(metadata={"description": "人次"})
    group_petitions = fields.Integer(metadata={"description": "群体性上访 批次"})
    group_person_times = fields.Integer(metadata={"description": "群体性上访 人次"})
    resolved_at_this_level = fields.Integer()
    on_time_rate = Rate()
    mediation_success_rate = Rate()
    satisfaction_rate = Rate()


class TimelineSchema(Schema):
    petition_id = fields.String()
    entries = fields.List(fields.Dict())



class DuplicatesSchema(Schema):
    petition_id = fields.String()
    possible_duplicates = fields.List(fields.Dict())


class DutyDaySchema(Schema):
    day = fields.String()
    leader_name = fields.String()
    title = fields.String()
