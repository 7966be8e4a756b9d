"""marshmallow schemas of the welfare API: what routes take in (validated) and give back (documented)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from liandong.clock import from_iso
from liandong.fields import Fen, IdNumber, OrgUnitId, Text
from liandong.listing import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, ListQuery, NoQuery, PeriodQuery

PERIOD = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="a month as YYYY-MM")
RELATIONS = ("applicant", "spouse", "child", "parent", "sibling", "grandchild", "grandparent", "other")
EMPLOYMENT = ("employed", "unemployed", "retired", "student", "unable_to_work", "child")


class IsoTime(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            from_iso(text)
        except ValueError:
            raise ValidationError("an ISO-8601 time such as 2026-03-01T08:00:00Z") from None
        return text


class Several(fields.String):
    """A filter's values, comma-separated (`status=submitted,in_notice`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return [v.strip() for v in super()._deserialize(value, attr, data, **kwargs).split(",") if v.strip()]


# -- what the GETs take (docs/api-style.md): lists a ListQuery, figures a PeriodQuery, the rest NoQuery


class ApplicationQuerySchema(ListQuery):
    """`from`/`to`: when submitted."""
    status = Several(metadata={"description": "submitted, in_notice, approved, rejected; comma-separated"})
    programme = Several(metadata={"description": "programme codes, comma-separated"})


class GrantQuerySchema(ListQuery):
    """`from`/`to`: when started."""
    status = Several(metadata={"description": "active, suspended, ended; comma-separated"})
    programme = Several(metadata={"description": "programme codes, comma-separated"})


class _Untimed(ListQuery):
    class Meta(ListQuery.Meta):
        exclude = ("from_", "to")


class ReviewsDueQuerySchema(_Untimed):
    period = fields.String(validate=PERIOD, metadata={"description": "due by this month (default: this month)"})


class PaymentQuerySchema(ListQuery):
    """`from`/`to`: when paid out."""
    class Meta(ListQuery.Meta):
        exclude = ("org_unit",)

    grant_id = fields.String(required=True, validate=validate.Length(1, 120))


class StockQuerySchema(_Untimed):
    low_only = fields.Boolean(load_default=False, metadata={"description": "only items at or below their low-stock level"})


class AlertQuerySchema(_Untimed):
    pass


class MovementQuerySchema(ListQuery):
    """`from`/`to`: when the goods moved."""
    recipient = Several(metadata={"description": "household:<id> or volunteer:<id>, comma-separated"})
    kind = Several(metadata={"description": "donation, handout, redemption; comma-separated"})


class FundEntryQuerySchema(ListQuery):
    """`from`/`to`: when the money moved; the fund is the path's org unit."""
    class Meta(ListQuery.Meta):
        exclude = ("org_unit",)


class TotalsQuerySchema(PeriodQuery):
    """Payments of the months `from`..`to` (the month of each bound)."""
    programme = fields.String()


class PageOnlyQuerySchema(NoQuery):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


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


class RedemptionSchema(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    volunteer_id = fields.String()
    status = fields.String(metadata={"description": "holding, awaiting_coins, handed_out or cancelled"})
    coins = fields.Integer()
    lines = fields.List(fields.Dict())
    cancel_reason = fields.String(allow_none=True)


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


class RuleResultSchema(Schema):
    rule = fields.String()
    passed = fields.Boolean()
    explanation = fields.String()
    figures = fields.Dict()


class EligibilitySchema(Schema):
    programme = fields.String()
    year = fields.Integer()
    eligible = fields.Boolean()
    rules = fields.List(fields.Nested(RuleResultSchema))
    amount_fen = fields.Integer()
    amount_yuan = fields.String()


class ApplicationSchema(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    programme = fields.String()
    status = fields.String(metadata={"description": "submitted, in_notice, approved or rejected"})
    household = fields.Dict()
    eligibility = fields.Nested(EligibilitySchema)
    notice_ends_at = fields.String(allow_none=True)
    objections = fields.List(fields.Dict())
    history = fields.List(fields.Dict())
    grant_id = fields.String(allow_none=True)
    rejection = fields.Dict(allow_none=True)


class GrantSchema(Schema):
    id = fields.String()
    application_id = fields.String()
    org_unit_id = fields.String()
    programme = fields.String()
    status = fields.String(metadata={"description": "active, suspended or ended"})
    monthly_amount_fen = fields.Integer()
    household_size = fields.Integer()
    start_period = fields.String()
    next_review_period = fields.String(allow_none=True)
    reviews = fields.List(fields.Dict())


class TotalsSchema(Schema):
    org_unit_id = fields.String()
    total_fen = fields.Integer()
    total_yuan = fields.String()
    by_programme = fields.Dict()
    by_org_unit = fields.Dict()
    by_period = fields.Dict()


class ApprovalSchema(Schema):
    application = fields.Nested(ApplicationSchema)
    grant = fields.Nested(GrantSchema)


class ProgrammeSchema(Schema):
    code = fields.String()
    name = fields.String()
    schedule = fields.String(metadata={"description": "monthly or once"})
    notice_days = fields.Integer()
    rules = fields.List(fields.Dict())
    documents = fields.List(fields.String())


class PaymentSchema(Schema):
    _id = fields.String(metadata={"description": "<grant>:<YYYY-MM>, or <grant>:once"})
    grant_id = fields.String()
    org_unit_id = fields.String()
    programme = fields.String()
    period = fields.String()
    amount_fen = fields.Integer()
    amount_yuan = fields.String()
    household_size = fields.Integer()
    disbursed_at = fields.String()
    disbursed_by = fields.String()


class StockItemSchema(Schema):
    item_id = fields.String()
    org_unit_id = fields.String()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    held = fields.Integer()
    issued_total = fields.Integer()
    donated_total = fields.Integer()
    unit_value_fen = fields.Integer()
    coin_price = fields.Integer()
    low_stock_at = fields.Integer()
    low_stock = fields.Boolean()
    stock_value_fen = fields.Integer()


class MovementSchema(Schema):
    _id = fields.String()
    kind = fields.String(metadata={"description": "donation, handout or redemption"})
    org_unit_id = fields.String()
    item_id = fields.String()
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    value_fen = fields.Integer()
    donor = fields.String(allow_none=True)
    recipient = fields.String(allow_none=True)
    at = fields.String()
    by = fields.String()


class FundEntrySchema(Schema):
    _id = fields.String()
    fund_id = fields.String()
    org_unit_id = fields.String()
    kind = fields.String(metadata={"description": "donation or grant"})
    amount_fen = fields.Integer(metadata={"description": "in: positive; out: negative"})
    balance_after_fen = fields.Integer()
    party = fields.String()
    at = fields.String()
    by = fields.String()
