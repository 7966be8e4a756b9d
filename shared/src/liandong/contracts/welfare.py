"""Events the welfare service publishes (民政). Each is registered with its schema and an example."""
from marshmallow import Schema, fields, validate  # noqa: F401

from . import CONTRACTS, EXAMPLE_PERSON_KEY as _KEY, person_key_field  # noqa: F401

# -- the love-coin redemption saga with the volunteer service (welfare's side).
# welfare: redemption.requested -> volunteer: coins.reserved | coins.reservation_refused
# -> welfare: redemption.goods_handed_out (confirm) | redemption.cancelled (compensate)
# -> volunteer: coins.redeemed | coins.released


class RedemptionItem(Schema):
    item_id = fields.String(required=True)
    name = fields.String(required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))
    coins = fields.Integer(required=True, validate=validate.Range(min=0))  # coins for this line


_REDEMPTION = {"redemption_id": "r-1", "volunteer_id": "vol-1", "org_unit_id": "jiayuan", "coins": 30,
               "items": [{"item_id": "rice-5kg", "name": "大米5公斤", "quantity": 1, "coins": 30}]}


@CONTRACTS.contract("welfare.redemption.requested", 1, example=_REDEMPTION)
class RedemptionRequested(Schema):
    """A volunteer asked to pay for charity-supermarket goods with love coins: reserve them, please."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))
    items = fields.List(fields.Nested(RedemptionItem), required=True, validate=validate.Length(min=1))
    # The org paths where the staff member who asked holds welfare:goods: the volunteer service reserves
    # only for a volunteer inside them (it owns where volunteers live). Absent from earlier producers:
    # then the redemption's own org path (the envelope's orgpath) is the scope.
    initiator_scopes = fields.List(fields.String(validate=validate.Regexp(r"^/([^/]+/)+$")), load_default=None,
                                   allow_none=True)
    # A resident who redeems for themselves at the residents' door (#22): the volunteer service spends only
    # the coins of the volunteer that is this login's own. Absent when staff redeem at the counter.
    resident_user_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class _RedemptionSettlement(Schema):
    """What both ends of the saga name: which redemption, whose coins, how many."""

    redemption_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    coins = fields.Integer(required=True, validate=validate.Range(min=1))


@CONTRACTS.contract("welfare.redemption.goods_handed_out", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30})
class RedemptionGoodsHandedOut(_RedemptionSettlement):
    """The goods were handed out against reserved coins: the coins are spent (confirm)."""


@CONTRACTS.contract("welfare.redemption.cancelled", 1,
                    example={"redemption_id": "r-1", "volunteer_id": "vol-1", "coins": 30, "reason": "out_of_stock"})
class RedemptionCancelled(_RedemptionSettlement):
    """The redemption will not happen: any coins reserved for it are to be released (compensate)."""

    reason = fields.String(required=True, validate=validate.OneOf(
        ("out_of_stock", "coins_refused", "cancelled_by_staff", "timed_out")))


# -- applications and grants (低保, 重残金, 临时救助 ... as configured programmes)


class _ApplicationFact(Schema):
    """Which application, for which programme, in which org unit: every application event names these."""

    application_id = fields.String(required=True)
    programme = fields.String(required=True)
    org_unit_id = fields.String(required=True)


class _GrantFact(Schema):
    """Which grant, of which programme, in which org unit: every later grant event names these."""

    grant_id = fields.String(required=True)
    programme = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    # the household's applicant (申请人, else its first member) by the platform's pseudonym (#19), so that
    # the one file per household (一户一档, in the security service) finds the grant from the applicant
    person_key = person_key_field()


@CONTRACTS.contract("welfare.application.submitted", 1,
                    example={"application_id": "a-1", "programme": "dibao_urban", "org_unit_id": "jiayuan",
                             "household_size": 3, "channel": "window", "person_key": _KEY})
class ApplicationSubmitted(_ApplicationFact):
    """A household applied for a programme (at the community window or on a home visit)."""

    household_size = fields.Integer(required=True, validate=validate.Range(min=1))
    channel = fields.String(required=True, validate=validate.OneOf(("window", "visit", "online")))
    person_key = person_key_field()  # the applicant's (#19)


@CONTRACTS.contract("welfare.application.approved", 1,
                    example={"application_id": "a-1", "programme": "dibao_urban", "org_unit_id": "jiayuan",
                             "grant_id": "g-1", "monthly_amount_fen": 108000})
class ApplicationApproved(_ApplicationFact):
    """The sub-district approved an application after the community review and notice period."""

    grant_id = fields.String(required=True)
    monthly_amount_fen = fields.Integer(required=True, validate=validate.Range(min=0))


@CONTRACTS.contract("welfare.application.rejected", 1,
                    example={"application_id": "a-1", "programme": "dibao_urban", "org_unit_id": "jiayuan",
                             "stage": "community_review", "reason": "人均收入高于低保标准"})
class ApplicationRejected(_ApplicationFact):
    """An application was turned down, at the stage named, with the reason given."""

    stage = fields.String(required=True)
    reason = fields.String(required=True)


_GRANT = {"grant_id": "g-1", "application_id": "a-1", "programme": "dibao_urban", "org_unit_id": "jiayuan",
          "household_size": 3, "monthly_amount_fen": 108000, "person_key": _KEY, "start_period": "2026-03"}


@CONTRACTS.contract("welfare.grant.started", 1, example=_GRANT)
class GrantStarted(_GrantFact):
    """A household starts receiving a programme's benefit."""

    application_id = fields.String(required=True)
    household_size = fields.Integer(required=True, validate=validate.Range(min=1))
    monthly_amount_fen = fields.Integer(required=True, validate=validate.Range(min=0))
    # optional (#17): welfare's name of the programme, so that a reader names a programme it has never
    # heard of without asking welfare (the gateway's reports); absent in earlier events
    programme_name = fields.String(validate=validate.Length(min=1, max=100))
    # optional (#19): the first month the grant pays (YYYY-MM; absent in earlier events: the month of the event's
    # time), and `imported` when it ran before the platform and came from the office's roster (救助对象花名册):
    # an opening figure, not a new case of this period
    start_period = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    imported = fields.Boolean(load_default=False)


@CONTRACTS.contract("welfare.grant.suspended", 1,
                    example={"grant_id": "g-1", "programme": "dibao_urban", "org_unit_id": "jiayuan",
                             "reason": "re-review: per-member income above the line", "person_key": _KEY})
class GrantSuspended(_GrantFact):
    """A periodic re-review (动态管理) found the household no longer qualifies: payments stop."""

    reason = fields.String(required=True)


@CONTRACTS.contract("welfare.grant.ended", 1,
                    example={"grant_id": "g-1", "programme": "dibao_urban", "org_unit_id": "jiayuan",
                             "reason": "household moved away", "person_key": _KEY})
class GrantEnded(_GrantFact):
    """A grant ended for good (no longer qualifies, moved away, died, one-off paid)."""

    reason = fields.String(required=True)


@CONTRACTS.contract("welfare.payment.disbursed", 1,
                    example={"payment_id": "g-1:2026-03", "grant_id": "g-1", "programme": "dibao_urban",
                             "org_unit_id": "jiayuan", "period": "2026-03", "amount_fen": 108000,
                             "person_key": _KEY})
class PaymentDisbursed(_GrantFact):
    """One month's (or a one-off) payment of a grant; amounts in integer fen."""

    payment_id = fields.String(required=True)
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"))
    amount_fen = fields.Integer(required=True, validate=validate.Range(min=0))
    programme_name = fields.String(validate=validate.Length(min=1, max=100))  # optional (#17), as grant.started


# -- charity supermarket (爱心超市) and charity fund (爱心基金)


class _StockMovement(Schema):
    """Goods moving in or out of a community's stock: what, how much, worth how much."""

    movement_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    item_id = fields.String(required=True)
    name = fields.String(required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))
    unit = fields.String(required=True)
    value_fen = fields.Integer(required=True, validate=validate.Range(min=0))


class _FundEntry(Schema):
    """A line of a charity fund's ledger: the amount moved and the balance it left."""

    entry_id = fields.String(required=True)
    fund_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    amount_fen = fields.Integer(required=True, validate=validate.Range(min=1))
    balance_after_fen = fields.Integer(required=True, validate=validate.Range(min=0))


# the examples' goods: one item of one community's stock, donated and then handed out
_MIANBEI = {"org_unit_id": "jiayuan", "item_id": "jiayuan:mianbei", "name": "棉被", "unit": "床"}


@CONTRACTS.contract("welfare.goods.donated", 1, example={
    **_MIANBEI, "movement_id": "m-1", "quantity": 20, "donor": "吉林银行船营支行", "value_fen": 240000})
class GoodsDonated(_StockMovement):
    """Donated goods came into a community's charity-supermarket stock."""

    donor = fields.String(required=True)


@CONTRACTS.contract("welfare.goods.opening_stock_recorded", 1, example={
    **_MIANBEI, "movement_id": "m-0", "quantity": 35, "value_fen": 420000, "received_on": "2026-10-31"})
class GoodsOpeningStockRecorded(_StockMovement):
    """Goods on a community's shelf before the platform (爱心超市期初库存), taken from the office's stock list:
    stock to start from, not a donation received (reports do not count it as one)."""

    received_on = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$"))


@CONTRACTS.contract("welfare.goods.handed_out", 1, example={
    **_MIANBEI, "movement_id": "m-2", "quantity": 1, "recipient": "household:h-1", "value_fen": 12000,
    "first_for_household_in_year": True})
class GoodsHandedOut(_StockMovement):
    """Goods left the stock to an eligible household (or against love coins: recipient volunteer:...)."""

    recipient = fields.String(required=True)
    # the household's first hand-out of the calendar year (China time) from this community's supermarket (#21), so
    # a year's sum is the households helped ("爱心超市为66户困难家庭发放物资"); False for a redemption (a volunteer)
    first_for_household_in_year = fields.Boolean(load_default=False)


@CONTRACTS.contract("welfare.fund.donation_received", 1,
                    example={"entry_id": "e-1", "fund_id": "fund:huangqi", "org_unit_id": "huangqi",
                             "donor": "船营区供电公司", "donor_kind": "co_building_unit", "amount_fen": 500000,
                             "balance_after_fen": 6000000})
class FundDonationReceived(_FundEntry):
    """Money came into a charity fund (from residents or co-building units 共建单位)."""

    donor = fields.String(required=True)
    donor_kind = fields.String(required=True, validate=validate.OneOf(("resident", "co_building_unit", "other")))


@CONTRACTS.contract("welfare.fund.grant_paid", 1,
                    example={"entry_id": "fg-1", "fund_id": "fund:huangqi", "org_unit_id": "huangqi",
                             "amount_fen": 100000, "balance_after_fen": 5900000,
                             "first_for_person_in_year": True})
class FundGrantPaid(_FundEntry):
    """An approved grant was paid out of a charity fund."""

    # to whom: personal, kept (encrypted) in the welfare service; sent by earlier versions, no longer
    recipient = fields.String(load_default=None, allow_none=True)
    # the recipient's first grant of the calendar year (China time) from this fund (#21), so a year's sum is the
    # people helped ("爱心基金帮助65名困难居民"); the recipient is told apart by a blind index, never named
    first_for_person_in_year = fields.Boolean(load_default=False)


@CONTRACTS.contract("welfare.visit.recorded", 1,
                    example={"visit_id": "v-1", "org_unit_id": "jiayuan", "kind": "condolence",
                             "visitor_id": "u-1", "visited_at": "2026-01-20T02:00:00.000000Z",
                             "money_fen": 50000, "goods": "米一袋, 油一桶"})
class VisitRecorded(Schema):
    """A home, condolence or pairing visit (走访 / 慰问 / 结对帮扶) was logged."""

    visit_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("home", "condolence", "pairing")))
    visitor_id = fields.String(required=True)
    # whom: personal, kept (encrypted) in the welfare service; sent by earlier versions, no longer
    visited = fields.String(load_default=None, allow_none=True)
    visited_at = fields.String(required=True)
    money_fen = fields.Integer(required=True, validate=validate.Range(min=0))
    goods = fields.String(required=True)


@CONTRACTS.contract("welfare.grant.resumed", 1,
                    example={"grant_id": "g-1", "programme": "dibao_urban", "org_unit_id": "jiayuan",
                             "monthly_amount_fen": 108000, "person_key": _KEY})
class GrantResumed(_GrantFact):
    """A suspended grant qualifies again at a re-review: payments resume."""

    monthly_amount_fen = fields.Integer(required=True, validate=validate.Range(min=0))


# -- employment and social insurance (就业 / 社保, #20): the 保障员's records. A person is named by `person_key`
# only (no name, ID number, phone or household number on the wire).

_DAY = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$")


class _JobSeekerFact(Schema):
    """Which registration (失业登记), in which org unit, of whom (person_key)."""

    jobseeker_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    person_key = person_key_field()


_JOBSEEKER = {"jobseeker_id": "js-1", "org_unit_id": "jiayuan", "person_key": _KEY}


@CONTRACTS.contract("welfare.jobseeker.registered", 1,
                    example={**_JOBSEEKER, "category": "laid_off", "registered_on": "2026-03-02"})
class JobSeekerRegistered(_JobSeekerFact):
    """A resident was registered as laid off (下岗) or unemployed (失业): one more in the register."""

    category = fields.String(required=True, validate=validate.OneOf(("laid_off", "unemployed")))
    registered_on = fields.String(required=True, validate=_DAY)


@CONTRACTS.contract("welfare.jobseeker.placed", 1,
                    example={**_JOBSEEKER, "kind": "flexible", "on_site": True, "placed_on": "2026-05-20"})
class JobSeekerPlaced(_JobSeekerFact):
    """A registered person was placed in work (就业安置), at a job fair when `on_site` (现场安置): the
    registration ends."""

    kind = fields.String(required=True, validate=validate.OneOf(
        ("enterprise", "public_welfare_post", "flexible", "self_employed")))
    on_site = fields.Boolean(required=True)
    placed_on = fields.String(required=True, validate=_DAY)


@CONTRACTS.contract("welfare.jobseeker.ended", 1,
                    example={**_JOBSEEKER, "reason": "moved_away", "ended_on": "2026-06-01"})
class JobSeekerEnded(_JobSeekerFact):
    """A registration ended otherwise than by a placement (moved away, retired…)."""

    reason = fields.String(required=True)
    ended_on = fields.String(required=True, validate=_DAY)


@CONTRACTS.contract("welfare.reemployment_certificate.issued", 1,
                    example={**_JOBSEEKER, "certificate_id": "rc-1", "issued_on": "2026-03-10"})
class ReemploymentCertificateIssued(_JobSeekerFact):
    """A re-employment certificate (再就业优惠证) was issued to a registered person (once per person)."""

    certificate_id = fields.String(required=True)
    issued_on = fields.String(required=True, validate=_DAY)


@CONTRACTS.contract("welfare.zero_employment_household.identified", 1,
                    example={"household_id": "zh-1", "org_unit_id": "jiayuan", "identified_on": "2026-03-05",
                             "working_age_members": 2})
class ZeroEmploymentHouseholdIdentified(Schema):
    """A household whose working-age members all lack work (零就业家庭) is on the list, followed until one works."""

    household_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    identified_on = fields.String(required=True, validate=_DAY)
    working_age_members = fields.Integer(required=True, validate=validate.Range(min=1))


@CONTRACTS.contract("welfare.zero_employment_household.cleared", 1,
                    example={"household_id": "zh-1", "org_unit_id": "jiayuan", "cleared_on": "2026-05-20",
                             "jobseeker_id": "js-1", "person_key": _KEY, "days_open": 76})
class ZeroEmploymentHouseholdCleared(Schema):
    """A member of a zero-employment household was placed: it leaves the list (动态清零)."""

    household_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    cleared_on = fields.String(required=True, validate=_DAY)
    jobseeker_id = fields.String(required=True)  # the placed member's registration
    person_key = person_key_field()  # the placed member
    days_open = fields.Integer(required=True, validate=validate.Range(min=0))


@CONTRACTS.contract("welfare.medical_insurance.enrolled", 1,
                    example={"enrolment_id": "mi-1", "org_unit_id": "jiayuan", "person_key": _KEY, "year": 2026,
                             "category": "adult", "enrolled_on": "2026-03-02"})
class MedicalInsuranceEnrolled(Schema):
    """A resident was enrolled in the urban residents' medical insurance (城镇居民医保) for a year (once per
    person and year)."""

    enrolment_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    person_key = person_key_field()
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    category = fields.String(required=True)
    enrolled_on = fields.String(required=True, validate=_DAY)

# -- the person registers (退管 / 老龄, 残联, 优抚; #20): a resident entered into a register, changed, ended; a
# service delivered to them. No names, ID numbers, categories or grades (sensitive, PIPL): the person is their
# `person_key`, the register's stock is counted from registered / ended.


class _RegisterEntryFact(Schema):
    entry_id = fields.String(required=True)
    register = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$"))
    org_unit_id = fields.String(required=True)
    person_key = person_key_field()


@CONTRACTS.contract("welfare.register_entry.registered", 1, example={
    "entry_id": "e-1", "register": "retiree", "org_unit_id": "jiayuan", "person_key": _KEY,
    "registered_on": "2026-03-02"})
class RegisterEntryRegistered(_RegisterEntryFact):
    """A resident was entered into a register (在册 from `registered_on`, which may be before the entry was
    written: a register kept on paper until then)."""

    registered_on = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$"))


@CONTRACTS.contract("welfare.register_entry.updated", 1, example={
    "entry_id": "e-1", "register": "disabled", "org_unit_id": "jiayuan", "person_key": _KEY,
    "changed": ["details.grade", "person.phone"]})
class RegisterEntryUpdated(_RegisterEntryFact):
    """An entry's person or details changed: which fields, never their values."""

    changed = fields.List(fields.String(validate=validate.Length(max=100)), required=True)


@CONTRACTS.contract("welfare.register_entry.ended", 1, example={
    "entry_id": "e-1", "register": "elderly", "org_unit_id": "jiayuan", "person_key": _KEY,
    "ended_on": "2026-09-30", "reason": "died"})
class RegisterEntryEnded(_RegisterEntryFact):
    """An entry left its register (died, moved away…): the register's stock goes down from `ended_on`."""

    ended_on = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$"))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=50))


@CONTRACTS.contract("welfare.register_service.delivered", 1, example={
    "service_id": "s-1", "entry_id": "e-1", "register": "disabled", "kind": "rehabilitation",
    "org_unit_id": "jiayuan", "person_key": _KEY, "delivered_at": "2026-04-01T02:00:00.000000Z",
    "worker_id": "u-1", "money_fen": 0, "first_for_person_in_year": True, "first_for_household_in_year": True})
class RegisterServiceDelivered(Schema):
    """A service (看望住院, 走访, 康复服务, 安置 …) was delivered to a person of a register. `first_for_…_in_year`:
    the person's / their household's first service of this kind in that calendar year (China time), so the sum
    over a year is the distinct people / households served (a month's sum counts only those first served then)."""

    service_id = fields.String(required=True)
    entry_id = fields.String(required=True)
    register = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$"))
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64))
    org_unit_id = fields.String(required=True)
    person_key = person_key_field()
    delivered_at = fields.String(required=True)
    worker_id = fields.String(required=True)
    money_fen = fields.Integer(required=True, validate=validate.Range(min=0))
    first_for_person_in_year = fields.Boolean(required=True)
    first_for_household_in_year = fields.Boolean(required=True)


# -- pairings (结对帮扶, #21): a cadre, volunteer or party member helps a household in hardship


class _PairingFact(Schema):
    pairing_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    helper_kind = fields.String(required=True, validate=validate.OneOf(("cadre", "volunteer", "party_member")))


@CONTRACTS.contract("welfare.pairing.started", 1, example={
    "pairing_id": "pr-1", "org_unit_id": "jiayuan", "helper_kind": "cadre", "started_on": "2026-03-01",
    "first_for_helper": True, "first_for_household": True})
class PairingStarted(_PairingFact):
    """A helper was paired with a household (结对帮扶). `first_for_helper` / `first_for_household`: the helper's /
    household's first pairing active in the org unit, so the sums are distinct helpers and households paired
    ("108名干部与127户困难家庭结对"); neither the helper nor the household is named."""

    started_on = fields.String(required=True, validate=_DAY)
    first_for_helper = fields.Boolean(required=True)
    first_for_household = fields.Boolean(required=True)


@CONTRACTS.contract("welfare.pairing.ended", 1, example={
    "pairing_id": "pr-1", "org_unit_id": "jiayuan", "helper_kind": "cadre", "ended_on": "2026-11-30",
    "reason": "no_longer_needed", "last_for_helper": True, "last_for_household": True})
class PairingEnded(_PairingFact):
    """A pairing ended (the household no longer needs it, the helper left…). `last_for_…`: it was the helper's /
    household's last active pairing in the org unit, so the stocks go down by the people and households no longer
    paired."""

    ended_on = fields.String(required=True, validate=_DAY)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=50))
    last_for_helper = fields.Boolean(required=True)
    last_for_household = fields.Boolean(required=True)
