"""Request and response schemas of the volunteer API (validation and the OpenAPI document)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from liandong.fields import IdNumber, IsoDate, IsoTime, Mobile, OrgUnitId, Text
from liandong.listing import ListQuery, PeriodQuery

from ..domain.model import VOLUNTEER_KINDS, VOLUNTEER_STATUSES

_KEY = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="lower-case letters, digits and _")


class RegisterVolunteerSchema(Schema):
    name = Text(max_length=50, min_length=1, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(VOLUNTEER_KINDS))
    org_unit_id = OrgUnitId(required=True)
    mobile = Mobile(load_default=None, allow_none=True)
    skills = fields.List(fields.String(validate=validate.Length(min=1, max=40)), load_default=list,
                         validate=validate.Length(max=30))
    availability = Text(max_length=200, load_default="")
    unit_name = Text(max_length=100, load_default=None, allow_none=True)
    consent = fields.Boolean(required=True)
    user_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    # optional (#19): links the volunteer's hours to their household's file (一户一档); given once, here
    id_number = IdNumber(load_default=None, allow_none=True)


class ProfileSchema(Schema):
    mobile = Mobile(allow_none=True)
    skills = fields.List(fields.String(validate=validate.Length(min=1, max=40)), validate=validate.Length(max=30))
    availability = Text(max_length=200)
    unit_name = Text(max_length=100, allow_none=True)


class VolunteerSchema(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    org_unit_id = fields.String()
    org_path = fields.String()
    mobile = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True, metadata={"description": "masked unless personal_data:read or "
                                                                        "the volunteer themselves"})
    skills = fields.List(fields.String())
    availability = fields.String()
    unit_name = fields.String(allow_none=True)
    user_id = fields.String(allow_none=True)
    status = fields.String()
    consent_at = IsoTime()
    registered_at = IsoTime()
    totals = fields.Dict()


class StatusSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(VOLUNTEER_STATUSES))


class TypeSchema(Schema):
    type = fields.String(required=True, validate=_KEY)
    name = Text(max_length=50, min_length=1, required=True)


class RateSchema(Schema):
    coins_per_hour = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))


class TeamSchema(Schema):
    name = Text(max_length=60, min_length=1, required=True)
    type = fields.String(required=True, validate=_KEY)
    org_unit_id = OrgUnitId(required=True)
    leader_id = fields.String(load_default=None, allow_none=True)
    member_ids = fields.List(fields.String(), load_default=list, validate=validate.Length(max=500))
    formed_on = IsoDate(load_default=None)  # 组建: today when not given


class TeamDissolveSchema(Schema):
    dissolved_on = IsoDate(load_default=None)  # 解散: today when not given


class TeamOutSchema(Schema):
    id = fields.String()
    name = fields.String()
    type = fields.String()
    org_unit_id = fields.String()
    org_path = fields.String()
    leader_id = fields.String(allow_none=True)
    member_ids = fields.List(fields.String())
    formed_on = IsoDate(allow_none=True)
    status = fields.String()
    dissolved_on = IsoDate(allow_none=True)


class MemberSchema(Schema):
    volunteer_id = fields.String(required=True)


class ActivitySchema(Schema):
    title = Text(max_length=100, min_length=1, required=True)
    type = fields.String(required=True, validate=_KEY)
    org_unit_id = OrgUnitId(required=True)
    place = Text(max_length=100, min_length=1, required=True)
    starts_at = IsoTime(required=True)
    ends_at = IsoTime(required=True)
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))
    skills_wanted = fields.List(fields.String(validate=validate.Length(min=1, max=40)), load_default=list)
    team_id = fields.String(load_default=None, allow_none=True)
    publish = fields.Boolean(load_default=False)


class ActivityOutSchema(Schema):
    id = fields.String()
    title = fields.String()
    type = fields.String()
    org_unit_id = fields.String()
    org_path = fields.String()
    place = fields.String()
    starts_at = IsoTime()
    ends_at = IsoTime()
    capacity = fields.Integer()
    taken = fields.Integer()
    waitlist = fields.List(fields.String())
    status = fields.String()
    coins_per_hour = fields.Integer()
    checkin_code = fields.String(metadata={"description": "only shown to staff who manage the activity"})
    signups = fields.List(fields.Dict())
    attendance = fields.Dict()


class SignUpSchema(Schema):
    volunteer_id = fields.String(load_default=None, allow_none=True,
                                 metadata={"description": "staff name the volunteer; a resident signs up themselves"})


class SubstituteSchema(Schema):
    substitute_id = fields.String(required=True)


class CheckSchema(Schema):
    volunteer_id = fields.String(load_default=None, allow_none=True)
    code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    at = IsoTime(load_default=None, allow_none=True)


class AttendanceSchema(Schema):
    volunteer_id = fields.String(required=True)
    checked_in_at = IsoTime(required=True)
    checked_out_at = IsoTime(required=True)


class CorrectionSchema(Schema):
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=24 * 60))
    reason = Text(max_length=500, min_length=1, required=True)


class AdjustmentSchema(Schema):
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, strict=True, validate=validate.Range(min=-100000, max=100000))
    reason = Text(max_length=500, min_length=1, required=True)
    request_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))

    @validates_schema
    def _nonzero(self, data, **kwargs):
        if data.get("coins") == 0:
            raise ValidationError("an adjustment moves at least one coin", "coins")


class TimeBankSchema(Schema):
    from_volunteer_id = fields.String(load_default=None, allow_none=True)
    to_volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100000))
    reason = Text(max_length=500, min_length=1, required=True)
    request_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class _Entry(Schema):
    """What every ledger entry shows, as posted or as a line of a statement."""

    entry_id = fields.String()
    time = fields.String()
    kind = fields.String()
    reason = fields.String()


class EntrySchema(_Entry):
    from_account = fields.String()
    to_account = fields.String()
    coins = fields.Integer()
    status = fields.String()


class StatementLineSchema(_Entry):
    amount = fields.Integer(metadata={"description": "positive in, negative out"})
    balance = fields.Integer(metadata={"description": "the balance after this entry"})
    counterparty = fields.String()
    refs = fields.Dict()


class ReminderSchema(Schema):
    activity_id = fields.String()
    volunteer_id = fields.String()
    title = fields.String()
    place = fields.String()
    starts_at = IsoTime()
    at = fields.String()


class StatsSchema(Schema):
    org_path = fields.String()
    from_ = fields.String(data_key="from", allow_none=True)
    to = fields.String(allow_none=True)
    volunteers = fields.Integer()
    teams = fields.Integer()
    activities = fields.Integer()
    participant_times = fields.Integer(metadata={"description": "人次"})
    minutes = fields.Integer()
    hours = fields.Float(metadata={"description": "service in the period (without hours carried forward)"})
    coins_credited = fields.Integer(metadata={"description": "issued in the period (without opening balances)"})
    opening_hours = fields.Float(metadata={"description": "hours carried forward from the offices' books "
                                                         "(期初结转) in the period"})
    coins_opening = fields.Integer(metadata={"description": "coin balances carried forward in the period"})
    coins_redeemed = fields.Integer()
    volunteers_by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())


class RecognitionSchema(Schema):
    org_path = fields.String()
    from_ = fields.String(data_key="from", allow_none=True)
    to = fields.String(allow_none=True)
    volunteers = fields.List(fields.Dict())
    teams = fields.List(fields.Dict())


class LedgerCheckSchema(Schema):
    consistent = fields.Boolean()
    accounts = fields.Integer()
    entries = fields.Integer()
    sum_of_balances = fields.Integer()
    mismatches = fields.List(fields.Dict())
    negative = fields.List(fields.String(), metadata={"description": "accounts below zero that may not be"})
    pending_entries = fields.Integer()


class RecognitionQuery(PeriodQuery):
    """Figures, not a list: `top` names how many volunteers the ranking shows (the teams are all shown)."""

    top = fields.Integer(load_default=20, validate=validate.Range(min=1, max=500),
                         metadata={"description": "how many volunteers the ranking names"})


def _codes(description: str) -> fields.String:
    return fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                         metadata={"description": description + "; several comma-separated"})


class VolunteerListQuery(ListQuery):
    """`from`/`to` bound the registration time."""

    status = _codes("active, paused or left")
    kind = _codes("resident, party_member or cobuilding_member")
    skill = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    team_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100),
                            metadata={"description": "only this team's members"})


class ActivityListQuery(ListQuery):
    """`from`/`to` bound the start of the activity."""

    status = _codes("draft, published, cancelled or completed")
    type = _codes("the activity type")


class TypeListQuery(ListQuery):
    """A type has no time of its own, and holds in every unit (set at the district): `org_unit` only asks
    for the types as a unit in the caller's scope sees them."""

    class Meta(ListQuery.Meta):
        exclude = ("from_", "to")


class TypeOut(Schema):
    type = fields.String()
    builtin = fields.Boolean()
    name = fields.String()
    coins_per_hour = fields.Integer()


class TeamListQuery(ListQuery):
    """A team has no time of its own: no `from`/`to`."""

    class Meta(ListQuery.Meta):
        exclude = ("from_", "to")

    type = _codes("the team type")
