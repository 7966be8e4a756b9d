"""Request and response schemas of the security API (the OpenAPI document is generated from them)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from liandong.fields import IdNumber, IsoDate, IsoTime, Mobile, OrgUnitId, Text
from liandong.listing import ListQuery, NoQuery, PeriodQuery  # noqa: F401 (the routes' query schemas, in one place)

from ..domain import corrections, disputes, incidents, migrants, patrols


class Codes(fields.String):
    """A list filter: one code or several comma-separated (`status=reported,dispatched`), each one of `choices`."""

    def __init__(self, choices, **kwargs):
        self.choices = tuple(choices)
        kwargs.setdefault("metadata", {"description": "one or more of " + ", ".join(self.choices) + ", comma-separated"})
        super().__init__(load_default=None, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        values = [v.strip() for v in super()._deserialize(value, attr, data, **kwargs).split(",") if v.strip()]
        if not values or any(v not in self.choices for v in values):
            raise ValidationError("one or more of " + ", ".join(self.choices) + ", comma-separated")
        return values


# -- incidents

class IncidentQuery(ListQuery):
    status = Codes(incidents.STATUSES)
    type = Codes(incidents.TYPES)
    severity = Codes(incidents.SEVERITIES)
    emergency = fields.Boolean(load_default=None, metadata={"description": "true: only public-safety emergencies"})


class IncidentIn(Schema):
    org_unit_id = OrgUnitId(required=True)
    type = fields.String(required=True, validate=validate.OneOf(incidents.TYPES))
    severity = fields.String(required=True, validate=validate.OneOf(incidents.SEVERITIES))
    description = Text(max_length=2000, min_length=1, required=True)
    building = Text(max_length=100, load_default=None, allow_none=True)
    address = Text(max_length=200, load_default=None, allow_none=True)
    injured = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100000))
    affected = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1000000))
    reported_by_kind = fields.String(load_default=None, validate=validate.OneOf(incidents.REPORTERS))
    patrol_run_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class IncidentDispatchIn(Schema):
    assignee = Text(max_length=100, min_length=1, required=True)


class IncidentResolveIn(Schema):
    resolution = Text(max_length=2000, min_length=1, required=True)


class IncidentOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    type = fields.String()
    severity = fields.String()
    emergency = fields.Boolean()
    verified = fields.Boolean()
    status = fields.String()
    reported_at = IsoTime()
    dispatched_at = IsoTime(allow_none=True)
    on_scene_at = IsoTime(allow_none=True)
    resolved_at = IsoTime(allow_none=True)
    closed_at = IsoTime(allow_none=True)
    response_minutes = fields.Float(allow_none=True)


# -- patrols

class PatrolShiftQuery(ListQuery):
    status = Codes(("planned", "covered", "missed"))


class PatrolRunQuery(ListQuery):
    status = Codes(patrols.RUN_STATES)


class PatrolCheckpointIn(Schema):
    name = Text(max_length=100, min_length=1, required=True)
    location = Text(max_length=200, load_default=None, allow_none=True)


class PatrolRouteIn(Schema):
    org_unit_id = OrgUnitId(required=True)
    name = Text(max_length=100, min_length=1, required=True)
    checkpoints = fields.List(fields.Nested(PatrolCheckpointIn), required=True,
                              validate=validate.Length(min=1, max=100))


class PatrolParticipantIn(Schema):
    person_name = Text(max_length=50, min_length=1, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(patrols.PARTICIPANT_KINDS))
    volunteer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))


class PatrolShiftIn(Schema):
    route_id = fields.String(required=True)
    starts_at = IsoTime(required=True)
    ends_at = IsoTime(required=True)
    roster = fields.List(fields.Nested(PatrolParticipantIn), required=True, validate=validate.Length(min=1, max=50))

    @validates_schema
    def _order(self, data, **kwargs):
        if data["ends_at"] <= data["starts_at"]:
            raise ValidationError("must be after starts_at", "ends_at")


class PatrolRunIn(Schema):
    route_id = fields.String(load_default=None)
    shift_id = fields.String(load_default=None)
    participants = fields.List(fields.Nested(PatrolParticipantIn), load_default=None, validate=validate.Length(max=50))
    started_at = IsoTime(load_default=None)

    @validates_schema
    def _what(self, data, **kwargs):
        if not data.get("route_id") and not data.get("shift_id"):
            raise ValidationError("give a route_id or a shift_id", "route_id")


class PatrolFindingIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(patrols.FINDING_KINDS))
    description = Text(max_length=1000, min_length=1, required=True)


class PatrolCheckinIn(Schema):
    checkpoint_id = fields.String(required=True)
    at = IsoTime(load_default=None)
    note = Text(max_length=1000, load_default=None, allow_none=True)
    finding = fields.Nested(PatrolFindingIn, load_default=None, allow_none=True)


class PatrolCompleteIn(Schema):
    ended_at = IsoTime(load_default=None)


class PatrolRouteOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    name = fields.String()
    checkpoints = fields.List(fields.Dict())
    created_at = IsoTime()


class PatrolShiftOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    route_id = fields.String()
    starts_at = IsoTime()
    ends_at = IsoTime()
    roster = fields.List(fields.Dict())
    run_id = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "planned, covered (a run was started for it) or missed"})


class PatrolRunOut(Schema):
    id = fields.String()
    route_id = fields.String()
    status = fields.String()
    started_at = IsoTime()
    ended_at = IsoTime(allow_none=True)
    participants = fields.List(fields.Dict())
    checkins = fields.List(fields.Dict())
    findings = fields.List(fields.Dict())
    missed_checkpoints = fields.List(fields.Dict())


# -- floating population

class MigrantQuery(ListQuery):
    status = Codes(migrants.STATUSES)


class ExpiringPermitsQuery(ListQuery):
    within_days = fields.Integer(load_default=migrants.EXPIRY_NOTICE_DAYS, validate=validate.Range(min=0, max=366))


class VerificationDueQuery(ListQuery):
    days = fields.Integer(load_default=migrants.VERIFY_EVERY_DAYS, validate=validate.Range(min=1, max=3660))


class MigrantIn(Schema):
    org_unit_id = OrgUnitId(required=True)
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    origin = Text(max_length=100, min_length=1, required=True)
    address = Text(max_length=200, min_length=1, required=True)
    building = Text(max_length=100, load_default=None, allow_none=True)
    landlord_name = Text(max_length=50, load_default=None, allow_none=True)
    landlord_mobile = Mobile(load_default=None, allow_none=True)
    permit_number = Text(max_length=50, load_default=None, allow_none=True)
    permit_expires_on = IsoDate(load_default=None, allow_none=True)


class VerifyMigrantIn(Schema):
    result = fields.String(required=True, validate=validate.OneOf(("present", "moved_out")))
    note = Text(max_length=1000, load_default=None, allow_none=True)


class ResidencePermitIn(Schema):
    permit_number = Text(max_length=50, min_length=1, required=True)
    permit_expires_on = IsoDate(required=True)


class MigrantOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    community_id = fields.String()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked unless the caller holds personal_data:read"})
    origin = fields.String()
    permit_number = fields.String(allow_none=True)
    permit_expires_on = IsoDate(allow_none=True)
    days_to_expiry = fields.Integer(allow_none=True)
    status = fields.String()


# -- corrections

class SupervisedPersonQuery(ListQuery):
    overdue = fields.Boolean(load_default=None, metadata={"description": "true: visits overdue; false: none overdue"})


class SupervisedPersonIn(Schema):
    org_unit_id = OrgUnitId(required=True)
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    category = fields.String(required=True, validate=validate.OneOf(corrections.CATEGORIES))
    visit_interval_days = fields.Integer(required=True, validate=validate.Range(min=1, max=366))
    responsible_worker_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    responsible_worker_name = Text(max_length=50, min_length=1, required=True)
    supervision_starts_on = IsoDate(load_default=None, allow_none=True)
    supervision_ends_on = IsoDate(load_default=None, allow_none=True)


class CorrectionsVisitIn(Schema):
    visited_at = IsoTime(load_default=None)
    note = Text(max_length=2000, min_length=1, required=True)


class SupervisedPersonOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    name = fields.String()
    category = fields.String()
    supervision_starts_on = IsoDate(allow_none=True)
    supervision_ends_on = IsoDate(allow_none=True)
    next_visit_due = fields.String()
    overdue = fields.Boolean()
    visits = fields.List(fields.Dict())


# -- disputes

class DisputeQuery(ListQuery):
    status = Codes(disputes.STATUSES)
    outcome = Codes(disputes.OUTCOMES)
    type = Codes(disputes.TYPES)
    petition_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))


class DisputePartyIn(Schema):
    name = Text(max_length=50, min_length=1, required=True)
    role = Text(max_length=50, load_default=None, allow_none=True)


class DisputeIn(Schema):
    org_unit_id = OrgUnitId(required=True)
    type = fields.String(required=True, validate=validate.OneOf(disputes.TYPES))
    summary = Text(max_length=2000, min_length=1, required=True)
    parties = fields.List(fields.Nested(DisputePartyIn), required=True, validate=validate.Length(min=2, max=20))
    mediator_name = Text(max_length=50, min_length=1, required=True)
    petition_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))


class MediationSessionIn(Schema):
    held_at = IsoTime(load_default=None)
    note = Text(max_length=2000, min_length=1, required=True)


class MediationOutcomeIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(disputes.OUTCOMES))
    note = Text(max_length=2000, load_default=None, allow_none=True)


class MediationFollowUpIn(Schema):
    note = Text(max_length=2000, min_length=1, required=True)
    agreement_holding = fields.Boolean(required=True)


class DisputeOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    type = fields.String()
    status = fields.String()
    outcome = fields.String(allow_none=True)
    petition_id = fields.String(allow_none=True)
    sessions = fields.List(fields.Dict())
    follow_ups = fields.List(fields.Dict())


# -- statistics and audit

class ScanQuery(NoQuery):
    org_unit = OrgUnitId(load_default=None, metadata={"description": "scan only this org unit's subtree"})


class AuditQuery(ListQuery):
    action = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    record_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    user_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    allowed = fields.Boolean(load_default=None)


class SecurityStatsOut(Schema):
    """Counts are integers; rates (`success_rate`, `checkpoint_coverage_rate`, `verification_coverage_rate`)
    fractions 0..1 from summed cases, null without cases."""

    org_unit_id = fields.String()
    name = fields.String()
    period = fields.Dict()
    incidents = fields.Dict()
    patrols = fields.Dict()
    migrants = fields.Dict()
    mediation = fields.Dict()
    by_unit = fields.List(fields.Dict())


class SecurityAuditOut(Schema):
    id = fields.String()
    user_id = fields.String()
    roles = fields.List(fields.String())
    org_units = fields.List(fields.String())
    action = fields.String()
    record_id = fields.String(allow_none=True)
    allowed = fields.Boolean()
    at = fields.String()
    correlation_id = fields.String(allow_none=True)
