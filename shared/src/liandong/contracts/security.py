"""Events the security service publishes (平安建设). Each is registered with its schema and an example."""
from marshmallow import Schema, fields, validate  # noqa: F401

from . import CONTRACTS  # noqa: F401

# -- consumed by other services: keep these stable (additive changes only; a breaking change is .v2)


class PatrolParticipant(Schema):
    person_name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    kind = fields.String(required=True, validate=validate.OneOf(("police", "security_volunteer", "lane_guard", "staff")))
    volunteer_id = fields.String(load_default=None, allow_none=True)  # set when the person is a registered volunteer
    minutes = fields.Integer(required=True, validate=validate.Range(min=0, max=24 * 60))


@CONTRACTS.contract("security.patrol.completed", 1, example={
    "patrol_run_id": "run-1", "route_id": "route-1", "org_unit_id": "jiayuan",
    "started_at": "2026-03-01T20:00:00.000000Z", "ended_at": "2026-03-01T21:30:00.000000Z",
    "checkpoints_total": 6, "checkpoints_checked": 6, "findings": 1,
    "participants": [{"person_name": "张建国", "kind": "lane_guard", "volunteer_id": "vol-1", "minutes": 90},
                     {"person_name": "刘警官", "kind": "police", "volunteer_id": None, "minutes": 90}]})
class PatrolCompleted(Schema):
    """A patrol run ended; volunteers among its participants are credited hours by the volunteer service."""

    patrol_run_id = fields.String(required=True)
    route_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    started_at = fields.String(required=True)
    ended_at = fields.String(required=True)
    checkpoints_total = fields.Integer(required=True, validate=validate.Range(min=0))
    checkpoints_checked = fields.Integer(required=True, validate=validate.Range(min=0))
    findings = fields.Integer(load_default=0, validate=validate.Range(min=0))
    participants = fields.List(fields.Nested(PatrolParticipant), required=True)


@CONTRACTS.contract("security.dispute.mediated", 1, example={
    "dispute_id": "d-1", "org_unit_id": "jiayuan", "type": "neighbour", "outcome": "agreement",
    "sessions": 2, "petition_id": "p-1", "mediated_at": "2026-03-02T10:00:00.000000Z"})
class DisputeMediated(Schema):
    """A mediation (人民调解) reached its outcome; `petition_id` links it to the petition it came from."""

    dispute_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(("neighbour", "family", "property", "labour", "other")))
    outcome = fields.String(required=True, validate=validate.OneOf(("agreement", "failed", "referred_to_court")))
    sessions = fields.Integer(required=True, validate=validate.Range(min=0))
    petition_id = fields.String(load_default=None, allow_none=True)
    mediated_at = fields.String(required=True)


# -- the rest of the security service's facts (平安社区). No names or ID numbers go on the wire.

INCIDENT_TYPES = ("theft", "fraud", "fire", "gas_leak", "flood", "power_outage", "public_disturbance", "hazard",
                  "other")
SEVERITIES = ("low", "medium", "high", "critical")
_DATE = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="a date YYYY-MM-DD")


class _IncidentFact(Schema):
    """What every incident event says of the incident: where, what kind, how grave, whether an emergency."""

    incident_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(INCIDENT_TYPES))
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    emergency = fields.Boolean(required=True)


class _MigrantFact(Schema):
    """Which registration, in which org unit and community: every floating-population event names these."""

    migrant_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    community_id = fields.String(required=True)


@CONTRACTS.contract("security.incident.reported", 1, example={
    "incident_id": "inc-1", "org_unit_id": "jiayuan-b1", "type": "gas_leak", "severity": "high",
    "emergency": True, "building": "1号楼", "injured": 0, "affected": 12, "reported_by_kind": "resident",
    "reported_at": "2026-03-01T08:00:00.000000Z"})
class IncidentReported(_IncidentFact):
    """An incident was reported; `emergency` marks public-safety emergencies (天然气泄漏, 暴雨, 停电)."""

    building = fields.String(load_default=None, allow_none=True)
    injured = fields.Integer(required=True, validate=validate.Range(min=0))
    affected = fields.Integer(required=True, validate=validate.Range(min=0))
    reported_by_kind = fields.String(required=True, validate=validate.OneOf(("resident", "patrol", "staff")))
    reported_at = fields.String(required=True)


@CONTRACTS.contract("security.incident.resolved", 1, example={
    "incident_id": "inc-1", "org_unit_id": "jiayuan-b1", "type": "gas_leak", "severity": "high",
    "emergency": True, "reported_at": "2026-03-01T08:00:00.000000Z", "resolved_at": "2026-03-01T09:10:00.000000Z",
    "response_minutes": 12.0, "verified": True})
class IncidentResolved(_IncidentFact):
    """An incident was resolved; `response_minutes` runs from the report to the first responder on scene."""

    reported_at = fields.String(required=True)
    resolved_at = fields.String(required=True)
    response_minutes = fields.Float(load_default=None, allow_none=True)
    verified = fields.Boolean(required=True)


@CONTRACTS.contract("security.migrant.registered", 1, example={
    "migrant_id": "m-1", "org_unit_id": "jiayuan-b1", "community_id": "jiayuan", "origin": "吉林省舒兰市",
    "permit_expires_on": "2026-09-30", "registered_at": "2026-03-01T08:00:00.000000Z"})
class MigrantRegistered(_MigrantFact):
    """A non-local resident (流动人口) was registered in a community."""

    origin = fields.String(required=True)
    permit_expires_on = fields.String(load_default=None, allow_none=True, validate=_DATE)
    registered_at = fields.String(required=True)


@CONTRACTS.contract("security.migrant.permit_expiring", 1, example={
    "migrant_id": "m-1", "org_unit_id": "jiayuan-b1", "community_id": "jiayuan",
    "permit_expires_on": "2026-03-08", "days_left": 7})
class PermitExpiring(_MigrantFact):
    """A residence permit (临时居住证) expires within seven days (announced once per expiry date)."""

    permit_number = fields.String(load_default=None, allow_none=True)  # sent by earlier versions; personal, no longer
    permit_expires_on = fields.String(required=True, validate=_DATE)
    days_left = fields.Integer(required=True)


@CONTRACTS.contract("security.migrant.moved_out", 1, example={
    "migrant_id": "m-1", "org_unit_id": "jiayuan-b1", "community_id": "jiayuan",
    "moved_out_at": "2026-10-08T02:00:00.000000Z", "permit_lapsed": False})
class MigrantMovedOut(_MigrantFact):
    """A check (核查) found the person moved out: the registration ended (the floating population goes down)."""

    moved_out_at = fields.String(required=True)
    permit_lapsed = fields.Boolean(required=True)  # it was counted among the lapsed permits until now


@CONTRACTS.contract("security.migrant.permit_lapsed", 1, example={
    "migrant_id": "m-1", "org_unit_id": "jiayuan-b1", "community_id": "jiayuan", "expired_on": "2026-09-30"})
class PermitLapsed(_MigrantFact):
    """A residence permit passed its expiry date unrenewed; the person stays registered until a check finds
    them gone (recorded once per registration until renewed)."""

    expired_on = fields.String(required=True, validate=_DATE)


@CONTRACTS.contract("security.migrant.permit_renewed", 1, example={
    "migrant_id": "m-1", "org_unit_id": "jiayuan-b1", "community_id": "jiayuan",
    "permit_expires_on": "2027-09-30", "was_lapsed": True})
class PermitRenewed(_MigrantFact):
    """A renewed residence permit was recorded (a lapsed one is no longer counted as lapsed)."""

    permit_expires_on = fields.String(required=True, validate=_DATE)
    was_lapsed = fields.Boolean(required=True)


@CONTRACTS.contract("security.corrections.visit_overdue", 1, example={
    "person_id": "c-1", "org_unit_id": "jiayuan", "category": "community_correction",
    "responsible_worker_id": "u-7", "due_at": "2026-03-01T08:00:00.000000Z", "days_overdue": 3})
class CorrectionsVisitOverdue(Schema):
    """A visit to a person under supervision (矫正对象 / 安置帮教) is overdue; the responsible worker is named by id."""

    person_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(("community_correction", "released_support")))
    responsible_worker_id = fields.String(required=True)
    due_at = fields.String(required=True)
    days_overdue = fields.Integer(required=True, validate=validate.Range(min=0))


# -- the real-population register (实有人口) and grid visits (网格员走访): a person only by the platform's
#    person key (liandong.personal.person_key), never by name or ID number; no address on the wire

KEY_GROUPS = ("elderly_alone", "disabled", "dibao", "correction")
_TAGS = fields.List(fields.String(validate=validate.OneOf(KEY_GROUPS)), required=True)


class _HouseholdFact(Schema):
    """Which household, filed under which org unit and community: every register event names these."""

    household_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    community_id = fields.String(required=True)


_HOUSEHOLD = {"household_id": "hh-1", "org_unit_id": "jiayuan-b1", "community_id": "jiayuan"}


@CONTRACTS.contract("security.household.registered", 1, example={
    **_HOUSEHOLD, "household_number": "220204-0031", "tags": [], "residents": 0,
    "registered_at": "2026-03-01T08:00:00.000000Z"})
class HouseholdRegistered(_HouseholdFact):
    """A household (户) was entered in the register; its residents follow as `security.resident.added`."""

    household_number = fields.String(load_default=None, allow_none=True)
    tags = _TAGS
    residents = fields.Integer(required=True, validate=validate.Range(min=0))
    registered_at = fields.String(required=True)


@CONTRACTS.contract("security.household.changed", 1, example={
    **_HOUSEHOLD, "household_number": "220204-0031", "tags": ["elderly_alone"], "residents": 1,
    "registered_at": "2026-03-01T08:00:00.000000Z"})
class HouseholdChanged(HouseholdRegistered):
    """A household was re-filed under another org unit or household number, or its address was corrected."""


@CONTRACTS.contract("security.household.left", 1, example={**_HOUSEHOLD, "left_at": "2026-09-01T08:00:00.000000Z"})
class HouseholdLeft(_HouseholdFact):
    """A household left (搬离); its residents' `security.resident.moved_out` precede this."""

    left_at = fields.String(required=True)


_RESIDENT = {**_HOUSEHOLD, "resident_id": "r-1", "relationship": "head",
             "person_key": "d1fef1bf6c5b2d786e329249c33603179af1cc62f84368f617049452120492d1",
             "residence": "registered",
             "tags": ["elderly_alone"], "moved_out_at": None}
RELATIONSHIPS = ("head", "spouse", "child", "parent", "sibling", "grandparent", "grandchild", "other")


class _ResidentFact(_HouseholdFact):
    """A resident as the register counts them (实有人口): residence status and key groups, by person key."""

    resident_id = fields.String(required=True)
    person_key = fields.String(required=True)
    relationship = fields.String(required=True, validate=validate.OneOf(RELATIONSHIPS))
    residence = fields.String(required=True, validate=validate.OneOf(("registered", "floating", "separated")))
    tags = _TAGS
    moved_out_at = fields.String(load_default=None, allow_none=True)


@CONTRACTS.contract("security.resident.added", 1, example=_RESIDENT)
class ResidentAdded(_ResidentFact):
    """A person joined a household in the register (the stock of 实有人口 goes up by one)."""


@CONTRACTS.contract("security.resident.changed", 1, example={**_RESIDENT, "residence": "separated"})
class ResidentChanged(_ResidentFact):
    """A resident's relationship, residence status or key groups changed (`tags` as they are now)."""

    # set when the residence status changed (#21): the figures by status move from it to `residence`
    previous_residence = fields.String(load_default=None, allow_none=True,
                                       validate=validate.OneOf(("registered", "floating", "separated")))


@CONTRACTS.contract("security.resident.moved_out", 1, example={
    **_RESIDENT, "moved_out_at": "2026-09-01T08:00:00.000000Z"})
class ResidentMovedOut(_ResidentFact):
    """A person left the household (迁出, or the household left): the stock goes down by one."""


@CONTRACTS.contract("security.household.visited", 1, example={
    **_HOUSEHOLD, "visit_id": "v-1", "kind": "key_group", "visited_at": "2026-03-02T09:00:00.000000Z",
    "visitor_id": "u-12", "follow_up_needed": False, "tags": ["elderly_alone"]})
class HouseholdVisited(_HouseholdFact):
    """A grid worker visited a household (走访 / 六必访); what was found stays in the register."""

    visit_id = fields.String(required=True)
    kind = fields.String(required=True)
    visited_at = fields.String(required=True)
    visitor_id = fields.String(required=True)
    follow_up_needed = fields.Boolean(required=True)
    tags = _TAGS
