"""marshmallow schemas of the welfare API: what routes take in (validated) and give back (documented)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from liandong.fields import Fen, IdNumber, IsoDate, IsoTime, OrgUnitId, Text
from liandong.listing import ListQuery, NoQuery, PeriodQuery

PERIOD = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="a month as YYYY-MM")
RELATIONS = ("applicant", "spouse", "child", "parent", "sibling", "grandchild", "grandparent", "other")
EMPLOYMENT = ("employed", "unemployed", "retired", "student", "unable_to_work", "child")


class Several(fields.String):
    """A filter's values, comma-separated (`status=submitted,in_notice`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return [v.strip() for v in super()._deserialize(value, attr, data, **kwargs).split(",") if v.strip()]


# -- what the GETs take (docs/api-style.md): lists a ListQuery, figures a PeriodQuery, the rest NoQuery


class _CaseQuery(ListQuery):
    status = Several(metadata={"description": "the states asked for, comma-separated"})
    programme = Several(metadata={"description": "programme codes, comma-separated"})


class ApplicationQuerySchema(_CaseQuery):
    """`from`/`to`: when submitted; status: submitted, in_notice, approved, rejected."""


class GrantQuerySchema(_CaseQuery):
    """`from`/`to`: when started; status: active, suspended, ended."""


class _Untimed(ListQuery):
    class Meta(ListQuery.Meta):
        exclude = ("from_", "to")


class ReviewsDueQuerySchema(_Untimed):
    period = fields.String(validate=PERIOD, metadata={"description": "due by this month (default: this month)"})


class PaymentQuerySchema(ListQuery):
    """`from`/`to`: when paid out."""

    grant_id = fields.String(validate=validate.Length(1, 120), metadata={"description": "only this grant's payments"})


class StockQuerySchema(_Untimed):
    low_only = fields.Boolean(load_default=False, metadata={"description": "only items at or below their low-stock level"})


class AlertQuerySchema(_Untimed):
    pass


class MovementQuerySchema(ListQuery):
    """`from`/`to`: when the goods moved."""
    recipient = Several(metadata={"description": "household:<id> or volunteer:<id>, comma-separated"})
    kind = Several(metadata={"description": "donation, opening, handout, redemption; comma-separated"})


def _codes(*codes: str, what: str) -> Several:
    return Several(validate=validate.ContainsOnly(codes, error=f"each one of {', '.join(codes)}"),
                   metadata={"description": f"{what}, comma-separated: {', '.join(codes)}"})


class PairingQuerySchema(ListQuery):
    """`from`/`to`: the day the pairing started (结对日期)."""
    status = _codes("active", "ended", what="states")
    helper_kind = _codes("cadre", "volunteer", "party_member", what="kinds of helper")
    helper_id = fields.String(validate=validate.Length(1, 80), metadata={"description": "only this helper's pairings"})
    household = Text(max_length=200, min_length=1, metadata={
        "description": "only this household's pairings: its name exactly as the pairing wrote it"})


class VisitQuerySchema(ListQuery):
    """`from`/`to`: when visited."""
    kind = _codes("home", "condolence", "pairing", what="kinds of visit")
    visitor_id = fields.String(validate=validate.Length(1, 80), metadata={"description": "only this visitor's visits"})
    pairing_id = fields.String(validate=validate.Length(1, 120), metadata={"description": "only this pairing's visits"})


class FundGrantQuerySchema(ListQuery):
    """`from`/`to`: when asked for; the open ones are `status=requested,paying`."""
    status = _codes("requested", "paying", "paid", "rejected", what="states")
    recipient = Text(max_length=100, min_length=1, metadata={
        "description": "only this recipient's grants: the name exactly as the request wrote it"})


class RedemptionQuerySchema(ListQuery):
    """`from`/`to`: when asked for."""
    status = _codes("holding", "awaiting_coins", "handed_out", "cancelled", what="states")
    volunteer_id = fields.String(validate=validate.Length(1, 80), metadata={"description": "only this volunteer's"})


class FundEntryQuerySchema(ListQuery):
    """`from`/`to`: when the money moved; the fund is the path's org unit."""
    class Meta(ListQuery.Meta):
        exclude = ("org_unit",)


class TotalsQuerySchema(PeriodQuery):
    """Payments of the months `from`..`to` (the month of each bound)."""
    programme = fields.String()


class ProgrammeQuerySchema(_Untimed):
    """A programme has no time of its own, and holds in every unit of the district: `org_unit` only asks for
    the programmes as a unit (known to welfare) sees them."""


class MemberSchema(Schema):
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    monthly_income_fen = Fen(load_default=0)
    disability_grade = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 4))
    employment = fields.String(load_default="unemployed", validate=validate.OneOf(EMPLOYMENT))
    college_admitted = fields.Boolean(load_default=False)


class HouseholdSchema(Schema):
    members = fields.List(fields.Nested(MemberSchema), required=True, validate=validate.Length(min=1, max=20))
    residence = fields.String(load_default="urban", validate=validate.OneOf(("urban", "rural")))
    address = Text(max_length=200, load_default="")
    financial_assets_fen = Fen(load_default=0)
    housing_area_m2 = fields.String(load_default="0", validate=validate.Regexp(
        r"^\d{1,4}(\.\d{1,2})?$", error="square metres, e.g. 45.5"))
    medical_expenses_fen = Fen(load_default=0)
    emergency_reason = Text(max_length=500, load_default="")
    requested_amount_fen = Fen(load_default=0)
    # (#20) statuses the applicant states (entitled_group 优抚对象, party_hardship 困难党员) and documents handed in
    stated_statuses = fields.List(fields.String(validate=validate.Length(1, 50)), load_default=list,
                                  validate=validate.Length(max=10))
    documents_provided = fields.List(Text(max_length=50, min_length=1), load_default=list,
                                     validate=validate.Length(max=20))

    @validates_schema
    def _members(self, data, **kwargs):
        members = data.get("members") or []
        ids = [m["id_number"] for m in members]
        if len(set(ids)) != len(ids):
            raise ValidationError("a person is listed twice", "members")
        if sum(1 for m in members if m["relation"] == "applicant") != 1:
            raise ValidationError("exactly one member is the applicant (relation: applicant)", "members")


class EligibilityCheckSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    programme = fields.String(required=True)
    household = fields.Nested(HouseholdSchema, required=True)


class ApplicationInSchema(EligibilityCheckSchema):
    channel = fields.String(load_default="window", validate=validate.OneOf(("window", "visit")))


class ReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("pass", "fail")))
    notice_days = fields.Integer(strict=True, validate=validate.Range(0, 60))
    note = Text(max_length=1000, load_default="")


class ObjectionSchema(Schema):
    text = Text(max_length=2000, min_length=1, required=True)
    raised_by = Text(max_length=100)


class ResolutionSchema(Schema):
    upheld = fields.Boolean(required=True)
    note = Text(max_length=2000, min_length=1, required=True)


class ReasonSchema(Schema):
    reason = Text(max_length=2000, min_length=1, required=True)


class RereviewSchema(Schema):
    household = fields.Nested(HouseholdSchema, required=True)
    if_failed = fields.String(load_default="suspend", validate=validate.OneOf(("suspend", "end")))


class DisburseSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    period = fields.String(required=True, validate=PERIOD)
    programme = fields.String()


class GoodsDonationSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    sku = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$",
                                                                error="lower-case letters, digits and -"))
    name = Text(max_length=50, min_length=1, required=True)
    unit = Text(max_length=10, min_length=1, required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100000))
    donor = Text(max_length=100, min_length=1, required=True)
    donor_kind = fields.String(load_default="resident", validate=validate.OneOf(("resident", "co_building_unit", "other")))
    unit_value_fen = Fen()
    coin_price = fields.Integer(strict=True, validate=validate.Range(0, 100000))
    low_stock_at = fields.Integer(strict=True, validate=validate.Range(0, 100000))


class HandoutSchema(Schema):
    item_id = fields.String(required=True, validate=validate.Length(1, 120))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100000))
    household_id = fields.String(required=True, validate=validate.Length(1, 80))
    recipient_name = Text(max_length=50, load_default="")
    grant_id = fields.String()


class StockLineSchema(Schema):
    item_id = fields.String(required=True)
    counted = fields.Integer(required=True, strict=True, validate=validate.Range(0, 1000000))
    reason = Text(max_length=500, load_default="")


class StocktakeSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    lines = fields.List(fields.Nested(StockLineSchema), required=True, validate=validate.Length(min=1, max=500))


class RedemptionLineSchema(Schema):
    item_id = fields.String(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 1000))


class RedemptionInSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    volunteer_id = fields.String(required=True, validate=validate.Length(1, 80))
    items = fields.List(fields.Nested(RedemptionLineSchema), required=True, validate=validate.Length(min=1, max=20))


class FundDonationSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    donor = Text(max_length=100, min_length=1, required=True)
    donor_kind = fields.String(required=True, validate=validate.OneOf(("resident", "co_building_unit", "other")))
    amount_fen = Fen(required=True, validate=validate.Range(min=1, max=10**10))


class FundGrantInSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    recipient = Text(max_length=100, min_length=1, required=True)
    reason = Text(max_length=1000, min_length=1, required=True)
    amount_fen = Fen(required=True, validate=validate.Range(min=1, max=10**10))


class NoteSchema(Schema):
    note = Text(max_length=1000, load_default="")


class PairingInSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    helper_id = fields.String(required=True, validate=validate.Length(1, 80))
    helper_name = Text(max_length=50, min_length=1, required=True)
    helper_kind = fields.String(required=True, validate=validate.OneOf(("cadre", "volunteer", "party_member")))
    household = Text(max_length=200, min_length=1, required=True)
    plan = Text(max_length=4000, min_length=1, required=True)
    goals = fields.List(Text(max_length=200), load_default=list)
    started_on = IsoDate(load_default=None)  # the day the pairing began (today when not given)


class PairingEndSchema(Schema):
    ended_on = IsoDate(load_default=None)  # today when not given
    reason = fields.String(required=True, validate=validate.OneOf(
        ("no_longer_needed", "helper_left", "household_moved", "other")))


class VisitInSchema(Schema):
    org_unit_id = OrgUnitId(required=True)
    kind = fields.String(load_default="home", validate=validate.OneOf(("home", "condolence")))
    visitor_id = fields.String(validate=validate.Length(1, 80))
    visitor_name = Text(max_length=50)
    visited = Text(max_length=200, min_length=1, required=True)
    visited_at = IsoTime()
    money_fen = Fen(load_default=0)
    goods = Text(max_length=500, load_default="")
    notes = Text(max_length=2000, load_default="")
    follow_up = Text(max_length=1000, load_default="")
    pairing_id = fields.String()


def answer(name: str, *, strings=(), times=(), integers=(), booleans=(), dicts=(), lists=(), **more) -> type[Schema]:
    """The schema of an answer, for the OpenAPI document (answers are built by the views, not loaded):
    its fields by kind (`times`: UTC with Z, format date-time), and `more` for those that need a description
    or nesting."""
    declared = {**{k: fields.String(allow_none=True) for k in strings}, **{k: IsoTime(allow_none=True) for k in times},
                **{k: fields.Integer() for k in integers},
                **{k: fields.Boolean() for k in booleans}, **{k: fields.Dict(allow_none=True) for k in dicts},
                **{k: fields.List(fields.Dict()) for k in lists}, **more}
    return Schema.from_dict(declared, name=name)


def _described(text: str, field=fields.String) -> fields.Field:
    return field(metadata={"description": text})


RuleResultSchema = answer("RuleResultSchema", strings=("rule", "explanation"), booleans=("passed",), dicts=("figures",))
EligibilitySchema = answer("EligibilitySchema", strings=("programme", "amount_yuan"), integers=("year", "amount_fen"),
                           booleans=("eligible",), rules=fields.List(fields.Nested(RuleResultSchema)))
ApplicationSchema = answer(
    "ApplicationSchema", strings=("id", "org_unit_id", "programme", "grant_id"), times=("notice_ends_at", "submitted_at"),
    dicts=("household", "rejection"), lists=("objections", "history"), eligibility=fields.Nested(EligibilitySchema),
    status=_described("submitted, in_notice, approved or rejected"))
GrantSchema = answer(
    "GrantSchema", strings=("id", "application_id", "org_unit_id", "programme", "start_period", "next_review_period",
                            "monthly_amount_yuan"), times=("started_at",),
    integers=("monthly_amount_fen", "household_size"), lists=("reviews",), dicts=("household", "imported"),
    status=_described("active, suspended or ended"))
TotalsSchema = answer("TotalsSchema", strings=("org_unit_id", "total_yuan", "from", "to"), integers=("total_fen",),
                      dicts=("by_programme", "by_org_unit", "by_period", "months"))
RedemptionSchema = answer("RedemptionSchema", strings=("id", "org_unit_id", "volunteer_id", "cancel_reason"),
                          times=("created_at", "finished_at"),
                          integers=("coins",), lists=("lines",),
                          status=_described("holding, awaiting_coins, handed_out or cancelled"))
ProgrammeSchema = answer("ProgrammeSchema", strings=("code", "name"), integers=("notice_days", "review_every_months"),
                         lists=("rules",), dicts=("amount",),
                         documents=fields.List(fields.String()), schedule=_described("monthly or once"))
PaymentSchema = answer("PaymentSchema", strings=("grant_id", "org_unit_id", "programme", "period", "amount_yuan",
                                                 "disbursed_by"), times=("disbursed_at",),
                       integers=("amount_fen", "household_size"), _id=_described("<grant>:<YYYY-MM>, or <grant>:once"))
StockItemSchema = answer("StockItemSchema", strings=("item_id", "org_unit_id", "sku", "name", "unit"),
                         integers=("quantity", "held", "issued_total", "donated_total", "opening_total",
                                   "unit_value_fen", "coin_price", "low_stock_at", "stock_value_fen"),
                         booleans=("low_stock",))
MovementSchema = answer("MovementSchema", strings=("_id", "org_unit_id", "item_id", "name", "unit", "donor", "recipient",
                                                   "by"), times=("at",),
                        integers=("quantity", "value_fen"), kind=_described("donation, opening (期初库存), handout or redemption"))
FundEntrySchema = answer("FundEntrySchema", strings=("_id", "fund_id", "org_unit_id", "party", "by"), times=("at",),
                         integers=("balance_after_fen",), kind=_described("donation or grant"),
                         amount_fen=_described("in: positive; out: negative", fields.Integer))


PairingSchema = answer("PairingSchema", strings=("_id", "org_unit_id", "helper_id", "helper_name", "household", "plan",
                                                 "end_reason", "created_by"),
                       times=("created_at",), goals=fields.List(fields.String()),
                       started_on=IsoDate(), ended_on=IsoDate(allow_none=True),
                       helper_kind=_described("cadre, volunteer or party_member"),
                       status=_described("active or ended"))
VisitSchema = answer("VisitSchema", strings=("id", "org_unit_id", "visitor_id", "visitor_name", "visited", "goods", "notes",
                                             "follow_up", "pairing_id"), times=("visited_at",), integers=("money_fen",),
                     kind=_described("home, condolence or pairing"))
FundGrantSchema = answer("FundGrantSchema", strings=("_id", "fund_id", "org_unit_id", "recipient", "reason", "note",
                                                     "requested_by", "decided_by"),
                         times=("requested_at", "decided_at"), integers=("amount_fen",),
                         status=_described("requested, paying, paid or rejected"))


class ApprovalSchema(Schema):
    application = fields.Nested(ApplicationSchema)
    grant = fields.Nested(GrantSchema)
