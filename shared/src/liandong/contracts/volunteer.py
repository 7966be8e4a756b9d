"""Events the volunteer service publishes (志愿服务). Each is registered with its schema and an example."""
from marshmallow import Schema, fields, validate  # noqa: F401

from . import CONTRACTS, EXAMPLE_PERSON_KEY, person_key_field  # noqa: F401

# -- facts about volunteers, activities, attendance and the love bank (爱心银行)

_KINDS = ("resident", "party_member", "cobuilding_member")


@CONTRACTS.contract("volunteer.registered", 1, example={
    "volunteer_id": "vol-1", "name": "张建国", "kind": "party_member", "org_unit_id": "jiayuan",
    "skills": ["first_aid"], "user_id": None, "registered_at": "2026-03-01T08:00:00.000000Z",
    "person_key": EXAMPLE_PERSON_KEY})
class VolunteerRegistered(Schema):
    """A resident, a party member reporting to the community (党员报到) or a co-building unit member signed up."""

    volunteer_id = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    kind = fields.String(required=True, validate=validate.OneOf(_KINDS))
    org_unit_id = fields.String(required=True)
    skills = fields.List(fields.String(), load_default=list)
    user_id = fields.String(load_default=None, allow_none=True)
    registered_at = fields.String(required=True)
    # the volunteer as a resident (#19), by the platform's pseudonym of their ID number if they gave one:
    # the one file per household (security) links this volunteer id, and so its hours, to a household
    person_key = person_key_field()


@CONTRACTS.contract("volunteer.left", 1, example={
    "volunteer_id": "vol-1", "org_unit_id": "jiayuan", "left_at": "2026-10-08T02:00:00.000000Z"})
class VolunteerLeft(Schema):
    """A volunteer left (退出): no longer among the registered volunteers (their hours and coins stay theirs)."""

    volunteer_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    left_at = fields.String(required=True)


@CONTRACTS.contract("volunteer.team.formed", 1, example={
    "team_id": "team-1", "org_unit_id": "jiayuan", "type": "elderly_care", "formed_on": "2026-03-01"})
class TeamFormed(Schema):
    """A volunteer service team (志愿服务队) was formed ("组建了5支志愿服务队"): the teams' stock up from `formed_on`
    (its name is the team's own, kept in the volunteer service)."""

    team_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    type = fields.String(required=True)
    formed_on = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$"))


@CONTRACTS.contract("volunteer.team.dissolved", 1, example={
    "team_id": "team-1", "org_unit_id": "jiayuan", "dissolved_on": "2026-11-30"})
class TeamDissolved(Schema):
    """A volunteer service team was dissolved (解散): the teams' stock down from `dissolved_on`."""

    team_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    dissolved_on = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$"))


@CONTRACTS.contract("volunteer.activity.published", 1, example={
    "activity_id": "act-1", "title": "重阳节敬老义诊", "type": "health_clinic", "org_unit_id": "jiayuan",
    "place": "家园社区服务站", "starts_at": "2026-03-05T01:00:00.000000Z", "ends_at": "2026-03-05T04:00:00.000000Z",
    "capacity": 10, "team_id": None})
class ActivityPublished(Schema):
    """An activity is open for sign-up."""

    activity_id = fields.String(required=True)
    title = fields.String(required=True)
    type = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    place = fields.String(required=True)
    starts_at = fields.String(required=True)
    ends_at = fields.String(required=True)
    capacity = fields.Integer(required=True, validate=validate.Range(min=1))
    team_id = fields.String(load_default=None, allow_none=True)


@CONTRACTS.contract("volunteer.activity.signed_up", 1, example={
    "activity_id": "act-1", "volunteer_id": "vol-1", "status": "signed_up", "org_unit_id": "jiayuan"})
class ActivitySignedUp(Schema):
    """A volunteer took a place (or a place on the waitlist, or a place promoted from it)."""

    activity_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("signed_up", "waitlisted", "promoted",
                                                                    "substitute")))
    org_unit_id = fields.String(required=True)


@CONTRACTS.contract("volunteer.attendance.recorded", 1, example={
    "attendance_id": "act-1:vol-1", "source": "activity", "activity_id": "act-1", "patrol_run_id": None,
    "volunteer_id": "vol-1", "activity_type": "health_clinic", "org_unit_id": "jiayuan",
    "started_at": "2026-03-05T01:00:00.000000Z", "minutes": 180, "delta_minutes": 180, "coins": 30,
    "delta_coins": 30, "correction_reason": None})
class AttendanceRecorded(Schema):
    """Hours of service were recorded (or corrected: the deltas say by how much) from attendance; source
    `opening`: the hours a volunteer served before rollout day, carried forward from the office's roster
    (期初结转, once per volunteer; no participation of its own)."""

    attendance_id = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(("activity", "patrol", "opening")))
    activity_id = fields.String(load_default=None, allow_none=True)
    patrol_run_id = fields.String(load_default=None, allow_none=True)
    volunteer_id = fields.String(required=True)
    activity_type = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    started_at = fields.String(required=True)
    minutes = fields.Integer(required=True, validate=validate.Range(min=0))
    delta_minutes = fields.Integer(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=0))
    delta_coins = fields.Integer(required=True)
    correction_reason = fields.String(load_default=None, allow_none=True)


@CONTRACTS.contract("volunteer.coins.credited", 1, example={
    "entry_id": "e-1", "volunteer_id": "vol-1", "coins": 30, "reason": "attendance",
    "activity_id": "act-1", "org_unit_id": "jiayuan"})
class CoinsCredited(Schema):
    """Love coins (爱心币) were issued to a volunteer (attendance, a patrol, or an adjustment), or (reason
    `opening`) their balance was carried forward from the office's own books (期初结转, once per volunteer)."""

    entry_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.OneOf(("attendance", "patrol", "adjustment", "opening")))
    activity_id = fields.String(load_default=None, allow_none=True)
    org_unit_id = fields.String(required=True)


# -- the love-coin redemption saga with the welfare service (volunteer's side).


@CONTRACTS.contract("volunteer.coins.reserved", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30, "balance_after": 70})
class CoinsReserved(Schema):
    """Coins were set aside for a redemption; they cannot be spent twice."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
    balance_after = fields.Integer(required=True, validate=validate.Range(min=0))


@CONTRACTS.contract("volunteer.coins.reservation_refused", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30,
                             "reason": "insufficient_balance"})
class CoinsReservationRefused(Schema):
    """Coins could not be reserved (not enough, unknown volunteer, volunteer not active)."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.OneOf(
        ("insufficient_balance", "unknown_volunteer", "inactive_volunteer")))


@CONTRACTS.contract("volunteer.coins.redeemed", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30, "org_unit_id": "jiayuan"})
class CoinsRedeemed(Schema):
    """Reserved coins were spent (moved to the charity supermarket's account)."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
    org_unit_id = fields.String(required=True)


@CONTRACTS.contract("volunteer.coins.released", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30})
class CoinsReleased(Schema):
    """Reserved coins went back to the volunteer's balance (the redemption was cancelled)."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))


# -- party building (党建, #20): branches, members, 《党员告知书》, in-service members reporting (党员报到).
# Party membership is sensitive (PIPL: political affiliation): no names, ID numbers or mobiles, and no branch
# secretary's name; a member or a reporting member is named by `person_key` only.

_PARTY_MEMBER_KINDS = ("full", "probationary")  # 正式党员, 预备党员
_DAY = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="a day YYYY-MM-DD")


@CONTRACTS.contract("volunteer.party.branch_founded", 1, example={
    "branch_id": "pb-1", "org_unit_id": "jiayuan", "name": "家园社区第一党支部", "founded_on": "2014-07-01"})
class PartyBranchFounded(Schema):
    """A party branch (党支部) was registered at an org unit (founded on `founded_on`): the branches' stock up."""

    branch_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    founded_on = fields.String(required=True, validate=_DAY)


@CONTRACTS.contract("volunteer.party.branch_dissolved", 1, example={
    "branch_id": "pb-1", "org_unit_id": "jiayuan", "dissolved_on": "2026-06-30"})
class PartyBranchDissolved(Schema):
    """A party branch was dissolved (撤销; it had no members left): the branches' stock down."""

    branch_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    dissolved_on = fields.String(required=True, validate=_DAY)


@CONTRACTS.contract("volunteer.party.member_registered", 1, example={
    "member_id": "pm-1", "branch_id": "pb-1", "org_unit_id": "jiayuan", "person_key": EXAMPLE_PERSON_KEY,
    "kind": "full", "joined_on": "1998-07-01", "registered_at": "2026-03-01T08:00:00.000000Z", "floating": False,
    "hardship": False})
class PartyMemberRegistered(Schema):
    """A party member (党员) was registered with a branch of the community: the members' stock up (on the day
    registered). `hardship`: a 困难党员; `floating`: a 流动党员."""

    member_id = fields.String(required=True)
    branch_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    person_key = person_key_field()
    kind = fields.String(required=True, validate=validate.OneOf(_PARTY_MEMBER_KINDS))
    joined_on = fields.String(required=True, validate=_DAY)
    registered_at = fields.String(required=True)
    floating = fields.Boolean(load_default=False)
    hardship = fields.Boolean(load_default=False)


@CONTRACTS.contract("volunteer.party.member_ended", 1, example={
    "member_id": "pm-1", "branch_id": "pb-1", "org_unit_id": "jiayuan", "person_key": EXAMPLE_PERSON_KEY,
    "reason": "transferred_out", "ended_on": "2026-09-01"})
class PartyMemberEnded(Schema):
    """A membership of the community ended: the member's organisation moved elsewhere (转出) or they died: the
    members' stock down."""

    member_id = fields.String(required=True)
    branch_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    person_key = person_key_field()
    reason = fields.String(required=True, validate=validate.OneOf(("transferred_out", "deceased")))
    ended_on = fields.String(required=True, validate=_DAY)


@CONTRACTS.contract("volunteer.party.notice_signed", 1, example={
    "member_id": "pm-1", "branch_id": "pb-1", "org_unit_id": "jiayuan", "person_key": EXAMPLE_PERSON_KEY,
    "signed_on": "2026-03-02"})
class PartyNoticeSigned(Schema):
    """A member signed the 《党员告知书》 (their duties and rights in the community), once."""

    member_id = fields.String(required=True)
    branch_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    person_key = person_key_field()
    signed_on = fields.String(required=True, validate=_DAY)


@CONTRACTS.contract("volunteer.party.member_reported", 1, example={
    "report_id": "pr-1", "volunteer_id": "vol-1", "org_unit_id": "jiayuan", "person_key": EXAMPLE_PERSON_KEY,
    "workplace": "市供电公司党委", "reported_on": "2026-03-05", "volunteer_linked": False})
class PartyMemberReported(Schema):
    """An in-service party member (在职党员, their membership kept by `workplace`'s organisation) reported to
    the community they live in (党员报到), once a year; they serve as the community's volunteer `volunteer_id`
    (registered then, or — `volunteer_linked` — a volunteer there already)."""

    report_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    person_key = person_key_field()
    workplace = fields.String(required=True, validate=validate.Length(min=1, max=100))
    reported_on = fields.String(required=True, validate=_DAY)
    volunteer_linked = fields.Boolean(required=True)


@CONTRACTS.contract("volunteer.party.service_recorded", 1, example={
    "report_id": "pr-1", "volunteer_id": "vol-1", "attendance_id": "act-1:vol-1", "org_unit_id": "jiayuan",
    "started_at": "2026-03-08T01:00:00.000000Z", "delta_minutes": 180})
class PartyServiceRecorded(Schema):
    """Hours a reported in-service member served (an activity's or a patrol's attendance, or its correction:
    `delta_minutes` may be negative) after reporting, counted for the community they reported to."""

    report_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    attendance_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    started_at = fields.String(required=True)
    delta_minutes = fields.Integer(required=True)
