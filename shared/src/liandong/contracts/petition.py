"""Events the petition service publishes (信访). Each is registered with its schema and an example."""
from marshmallow import Schema, fields, validate

from . import CONTRACTS, EXAMPLE_PERSON_KEY, person_key_field

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


# -- the one-stop service hall (一站式服务大厅, #20): its matters (办件) and window services (窗口服务). The
# resident is named only by `person_key`; no name, ID number or phone, and no free text (a return's reason
# may name people: it stays in the service).
class _HallMatter(Schema):
    matter_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    item = fields.String(required=True)  # the catalogue's code (GET /api/v1/petition/hall/items)
    office = fields.String(required=True)  # the office responsible (民政, 社保, 残联…), a code of the catalogue
    on_behalf = fields.Boolean(required=True)  # 全程代办


@CONTRACTS.contract("petition.hall_matter.accepted", 1, example={
    "matter_id": "m-1", "org_unit_id": "jiayuan", "item": "age_allowance", "office": "laoling", "on_behalf": True,
    "time_limit_days": 10, "due_date": "2026-03-16", "accepted_at": "2026-03-02T01:30:00.000000Z",
    "person_key": EXAMPLE_PERSON_KEY})
class HallMatterAccepted(_HallMatter):
    """The hall accepted a resident's matter (受理) with every material on the item's list; its time limit
    (承诺时限, working days) runs from that day to `due_date` (a local date)."""

    time_limit_days = fields.Integer(required=True, validate=validate.Range(min=1))
    due_date = fields.String(required=True)
    accepted_at = fields.String(required=True)
    person_key = person_key_field()


@CONTRACTS.contract("petition.hall_matter.completed", 1, example={
    "matter_id": "m-1", "org_unit_id": "jiayuan", "item": "age_allowance", "office": "laoling", "on_behalf": True,
    "due_date": "2026-03-16", "on_time": True, "completed_at": "2026-03-12T07:00:00.000000Z"})
class HallMatterCompleted(_HallMatter):
    """A matter was completed (办结); `on_time` when by the end of its due date."""

    due_date = fields.String(required=True)
    on_time = fields.Boolean(required=True)
    completed_at = fields.String(required=True)


@CONTRACTS.contract("petition.hall_matter.returned", 1, example={
    "matter_id": "m-1", "org_unit_id": "jiayuan", "item": "dibao_apply", "office": "minzheng", "on_behalf": False,
    "had_been_accepted": True, "returned_at": "2026-03-05T02:00:00.000000Z"})
class HallMatterReturned(_HallMatter):
    """A matter was returned to the resident (退件) with a reason (kept in the service); `had_been_accepted`:
    false when it was still waiting for its materials (补齐材料) and so never counted as accepted."""

    had_been_accepted = fields.Boolean(required=True)
    returned_at = fields.String(required=True)


@CONTRACTS.contract("petition.hall_matter.overdue", 1, example={
    "matter_id": "m-1", "org_unit_id": "jiayuan", "item": "age_allowance", "office": "laoling", "on_behalf": True,
    "due_date": "2026-03-16", "detected_at": "2026-03-17T00:00:05.000000Z"})
class HallMatterOverdue(_HallMatter):
    """A matter passed its due date unfinished (超期); published once per matter."""

    due_date = fields.String(required=True)
    detected_at = fields.String(required=True)


@CONTRACTS.contract("petition.window_service.logged", 1, example={
    "service_id": "w-1", "org_unit_id": "jiayuan", "office": "tuiguan", "kind": "policy_explanation",
    "worker": "u-tuiguan-1", "served_at": "2026-03-02T02:10:00.000000Z"})
class WindowServiceLogged(Schema):
    """A window contact that is not a matter (窗口服务: 咨询, 政策解答, 代填表格, 开具证明…), by the worker
    (their user id) for the office it concerned."""

    service_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    office = fields.String(required=True)
    kind = fields.String(required=True)
    worker = fields.String(required=True)
    served_at = fields.String(required=True)
