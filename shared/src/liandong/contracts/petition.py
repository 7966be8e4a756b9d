"""Events the petition service publishes (信访). Each is registered with its schema and an example."""
from marshmallow import Schema, fields, validate

from . import CONTRACTS, EXAMPLE_PERSON_KEY

# No petitioner's name, ID number or mobile goes on the wire: consumers get the case, not the person
# (and, since #19, the petitioners' pseudonyms: `person_keys` on petition.registered).

_LEVELS = ("community", "subdistrict", "district")
_CHANNELS = ("visit", "letter", "mailbox", "hotline", "online", "grid_round")
_FLAGS = ("group_petition", "repeat_petitioner", "higher_level_threat")


class _Case(Schema):
    petition_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    category = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(_LEVELS))


@CONTRACTS.contract("petition.registered", 1, example={
    "petition_id": "p-1", "org_unit_id": "jiayuan", "category": "environment_noise", "level": "community",
    "channel": "visit", "headcount": 40, "is_group": True, "anonymous": False,
    "risk_flags": ["group_petition", "higher_level_threat"], "deadline": "2026-03-13",
    "registered_at": "2026-03-02T01:30:00.000000Z", "person_keys": [EXAMPLE_PERSON_KEY]})
class PetitionRegistered(_Case):
    """A petition was registered (受理); `headcount` is its person-times (人次)."""

    channel = fields.String(required=True, validate=validate.OneOf(_CHANNELS))
    headcount = fields.Integer(required=True, validate=validate.Range(min=1))
    is_group = fields.Boolean(required=True)
    anonymous = fields.Boolean(required=True)
    risk_flags = fields.List(fields.String(validate=validate.OneOf(_FLAGS)), required=True)
    deadline = fields.String(required=True)
    registered_at = fields.String(required=True)
    # the named petitioners by the platform's pseudonym of a resident (`liandong.personal.person_key`,
    # docs/events.md#person_key), distinct and sorted, one per petitioner with an ID number: a petition
    # may have several (a group's representatives), so it is a list. Optional (#19): None in earlier
    # events (not a callable default: the reports keep the quick road); empty for an anonymous letter or
    # petitioners without ID numbers.
    person_keys = fields.List(fields.String(), load_default=None, allow_none=True)


@CONTRACTS.contract("petition.assigned", 1, example={
    "petition_id": "p-1", "org_unit_id": "jiayuan", "category": "environment_noise", "level": "community",
    "unit_kind": "department", "unit_id": "environment", "unit_name": "环保", "person": "王科长",
    "deadline": "2026-03-13", "task": "核查电机厂噪音", "requirement": "书面答复群众",
    "assigned_at": "2026-03-02T02:00:00.000000Z"})
class PetitionAssigned(_Case):
    """A case was handed to a responsible unit and person with the five particulars (五明确)."""

    unit_kind = fields.String(required=True, validate=validate.OneOf(("community", "subdistrict", "department")))
    unit_id = fields.String(required=True)
    unit_name = fields.String(required=True)
    person = fields.String(required=True)
    deadline = fields.String(required=True)
    task = fields.String(required=True)
    requirement = fields.String(required=True)
    assigned_at = fields.String(required=True)


@CONTRACTS.contract("petition.answered", 1, example={
    "petition_id": "p-1", "org_unit_id": "jiayuan", "category": "environment_noise", "level": "community",
    "on_time": True, "answered_at": "2026-03-10T08:00:00.000000Z"})
class PetitionAnswered(_Case):
    """The petitioner was given a written reply (书面答复)."""

    on_time = fields.Boolean(required=True)
    answered_at = fields.String(required=True)


@CONTRACTS.contract("petition.closed", 1, example={
    "petition_id": "p-1", "org_unit_id": "jiayuan", "category": "environment_noise", "level": "community",
    "satisfaction": "satisfied", "headcount": 40, "is_group": True, "resolved_at_level": True,
    "closed_at": "2026-03-11T08:00:00.000000Z"})
class PetitionClosed(_Case):
    """A case was closed (办结) with the petitioner's satisfaction."""

    satisfaction = fields.String(required=True, validate=validate.OneOf(("satisfied", "basically", "not")))
    headcount = fields.Integer(required=True, validate=validate.Range(min=1))
    is_group = fields.Boolean(required=True)
    resolved_at_level = fields.Boolean(required=True)
    closed_at = fields.String(required=True)


@CONTRACTS.contract("petition.overdue", 1, example={
    "petition_id": "p-1", "org_unit_id": "jiayuan", "category": "environment_noise", "level": "community",
    "deadline": "2026-03-13", "supervisor_level": "subdistrict", "detected_at": "2026-03-14T00:00:05.000000Z"})
class PetitionOverdue(_Case):
    """A case passed its deadline unanswered (限时办结制); it goes to the supervisor (督办)."""

    deadline = fields.String(required=True)
    supervisor_level = fields.String(required=True, validate=validate.OneOf(_LEVELS))
    detected_at = fields.String(required=True)


@CONTRACTS.contract("petition.escalated", 1, example={
    "petition_id": "p-1", "org_unit_id": "jiayuan", "category": "environment_noise", "level": "subdistrict",
    "kind": "escalation", "from_level": "community", "to_level": "subdistrict", "reason": "社区无法协调",
    "escalated_at": "2026-03-05T08:00:00.000000Z"})
class PetitionEscalated(_Case):
    """A case went to the level above (`escalation`) or to a supervisor after an overdue (`supervision`, 督办)."""

    kind = fields.String(required=True, validate=validate.OneOf(("escalation", "supervision")))
    from_level = fields.String(required=True, validate=validate.OneOf(_LEVELS))
    to_level = fields.String(required=True, validate=validate.OneOf(_LEVELS))
    reason = fields.String(required=True)
    escalated_at = fields.String(required=True)


@CONTRACTS.contract("petition.risk_flagged", 1, example={
    "petition_id": "p-1", "org_unit_id": "jiayuan", "category": "environment_noise", "level": "community",
    "flags": ["group_petition", "higher_level_threat"], "headcount": 40,
    "flagged_at": "2026-03-02T01:30:00.000000Z"})
class PetitionRiskFlagged(_Case):
    """Early warning (预警): a group petition, a repeat petitioner or a threat to go over the office's head."""

    flags = fields.List(fields.String(validate=validate.OneOf(_FLAGS)), required=True,
                        validate=validate.Length(min=1))
    headcount = fields.Integer(required=True, validate=validate.Range(min=1))
    flagged_at = fields.String(required=True)
