"""Filing reports: sign-off of a unit's period (/api/v1/reports/approvals), the narrative sections of a unit's
year (/api/v1/reports/narratives) and the units' dated profiles (/api/v1/org/units/{org_unit_id}/profiles)."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from liandong.auth import current_principal
from liandong.fields import IsoTime
from liandong.listing import ListQuery, NoQuery
from liandong.openapi import api
from liandong.routes import guarded
from liandong.web import load_json, load_query

from ..domain.sign_off import STATES
from ..service_layer.sign_off import ReportNarratives, SignOff, UnitProfiles


class ApprovalQuery(ListQuery):
    """`from`/`to`: the periods lying within these days (a month or year wholly inside them)."""

    period = fields.String(load_default=None, metadata={"description": "a month YYYY-MM or a year YYYY"})
    state = fields.String(load_default=None, metadata={"description": f"comma-separated: {', '.join(STATES)}"})

    @validates("state")
    def _states(self, value, **kw):
        wrong = [s for s in (value or "").split(",") if s not in STATES]
        if value and wrong:
            raise ValidationError(f"unknown: {', '.join(wrong)}; one of {', '.join(STATES)}")


class Actor(Schema):
    user_id, name, at = fields.String(), fields.String(), IsoTime()


class ApprovalSchema(Schema):
    """One unit's period: its state, who moved it when, and once approved the figures it filed."""

    org_unit_id, org_unit_name, level = fields.String(), fields.String(), fields.String()
    period = fields.String(metadata={"description": "a month YYYY-MM or a year YYYY"})
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    state = fields.String(validate=validate.OneOf(STATES))
    state_name = fields.String(metadata={"description": "未报送 / 已报送 / 已审核 / 已确认"})
    version = fields.Integer()
    submitted, approved, accepted, unlocked = (fields.Nested(Actor) for _ in range(4))
    unlock_reason = fields.String()
    filed_at = IsoTime()
    filed = fields.Dict(keys=fields.String(), values=fields.Float(),
                        metadata={"description": "the figures filed at approval (metric -> value)"})
    history = fields.List(fields.Dict(), metadata={"description": "every act: action, state, user_id, name, at, reason"})
    children = fields.List(fields.Dict(), metadata={"description": "the child units' states for the same period"})


class ApprovalListSchema(Schema):
    items = fields.List(fields.Nested(ApprovalSchema))
    total, page, page_size = fields.Integer(), fields.Integer(), fields.Integer()


class UnlockSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.Length(min=2, max=500),
                           metadata={"description": "why the filed period is opened again (kept in the audit trail)"})


class ProfileBody(Schema):
    class Meta:
        unknown = RAISE

    as_of = fields.Date(required=True, metadata={"description": "the date the figures are as of"})
    population = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10_000_000))
    households = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10_000_000))
    area_km2 = fields.Float(required=True, validate=validate.Range(min=0, max=100_000))
    grids = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10_000))


class ProfileSchema(Schema):
    org_unit_id, as_of = fields.String(), fields.Date()
    population, households, grids = fields.Integer(), fields.Integer(), fields.Integer()
    area_km2 = fields.Float()
    source = fields.String(metadata={"description": "own: the unit's; children: summed from its child units'"})
    units = fields.Integer(metadata={"description": "child units summed (source children)"})
    updated_at = IsoTime()


class ProfileListQuery(ListQuery):
    """A unit's profiles, newest first (`from`/`to` bound their as-of dates)."""

    class Meta:
        unknown = RAISE
        exclude = ("org_unit",)


class ProfileListSchema(Schema):
    items = fields.List(fields.Nested(ProfileSchema))
    total, page, page_size = fields.Integer(), fields.Integer(), fields.Integer()


class ProfileQuery(Schema):
    class Meta:
        unknown = RAISE

    on = fields.Date(load_default=None, metadata={"description": "the date (default today): the profile in force then"})


class NarrativeBody(Schema):
    class Meta:
        unknown = RAISE

    cases = fields.String(load_default="", validate=validate.Length(max=20_000), metadata={"description": "典型案例"})
    plans = fields.String(load_default="", validate=validate.Length(max=20_000), metadata={"description": "下一步打算"})
    text = fields.String(load_default="", validate=validate.Length(max=20_000),
                         metadata={"description": "其他工作 (free text); paragraphs separated by line breaks"})
    version = fields.Integer(load_default=None, metadata={"description": "the version you read: a later change is 409"})


class NarrativeSchema(Schema):
    org_unit_id, year, version = fields.String(), fields.Integer(), fields.Integer()
    month = fields.Integer(metadata={"description": "a month's sections (its 月报): 1-12; absent for the year's"})
    cases, plans, text = fields.String(), fields.String(), fields.String()
    updated = fields.Nested(Actor)


YEAR = "<int:year>"
MONTH = "<int:month>"


def blueprint(sign_off: SignOff, profiles: UnitProfiles, narratives: ReportNarratives) -> Blueprint:
    bp = Blueprint("filings", __name__)

    @bp.get("/api/v1/reports/approvals")
    @api("Sign-off of units' periods (签报): submitted, approved, accepted, or opened again", query=ApprovalQuery,
         response=ApprovalListSchema, permission="reports:read", tags=["reports"])
    def approvals():
        q = load_query(ApprovalQuery)
        q["state"] = [s for s in (q.get("state") or "").split(",") if s]
        return sign_off.page(current_principal(), q).body()

    @bp.get("/api/v1/reports/approvals/<org_unit_id>/<period>")
    @api("One unit's period: its state, history, filed figures and its child units' states", query=NoQuery,
         response=ApprovalSchema, permission="reports:read", tags=["reports"])
    def approval(org_unit_id: str, period: str):
        load_query(NoQuery)
        return sign_off.state(current_principal(), org_unit_id, period)

    def act(action: str, summary: str, permission: str):
        def handle(org_unit_id: str, period: str):
            return getattr(sign_off, action)(current_principal(), org_unit_id, period)

        handle.__name__ = action
        bp.post(f"/api/v1/reports/approvals/<org_unit_id>/<period>/{action}")(
            guarded(summary, permission=permission, response=ApprovalSchema, tags=["reports"])(handle))

    act("submit", "Submit a unit's ended period to the level above (the community's staff; a sub-district its own)",
        "reports:submit")
    act("approve", "Approve a submitted period (the level above): its figures are filed and frozen", "reports:approve")
    act("accept", "Accept a community's approved period (the district, above the approving sub-district)",
        "reports:accept")

    @bp.post("/api/v1/reports/approvals/<org_unit_id>/<period>/unlock")
    @guarded("Open a submitted or filed period again, with a reason (the level above): its filed figures are dropped",
             body=UnlockSchema, response=ApprovalSchema, permission="reports:approve", tags=["reports"])
    def unlock(org_unit_id: str, period: str):
        body = load_json(UnlockSchema)
        return sign_off.unlock(current_principal(), org_unit_id, period, body["reason"].strip())

    @bp.get(f"/api/v1/reports/narratives/<org_unit_id>/{YEAR}")
    @api("The written sections of a unit's annual report: 典型案例, 下一步打算, other work", query=NoQuery,
         response=NarrativeSchema, permission="reports:read", tags=["reports"])
    def narrative(org_unit_id: str, year: int):
        load_query(NoQuery)
        return narratives.get(current_principal(), org_unit_id, year)

    @bp.put(f"/api/v1/reports/narratives/<org_unit_id>/{YEAR}")
    @guarded("Write the sections of a unit's annual report (all three replaced; audited)", body=NarrativeBody,
             response=NarrativeSchema, permission="reports:export", tags=["reports"])
    def write_narrative(org_unit_id: str, year: int):
        return narratives.put(current_principal(), org_unit_id, year, load_json(NarrativeBody))

    @bp.get(f"/api/v1/reports/narratives/<org_unit_id>/{YEAR}/{MONTH}")
    @api("The written sections of a unit's monthly report (月报) of that month", query=NoQuery,
         response=NarrativeSchema, permission="reports:read", tags=["reports"])
    def month_narrative(org_unit_id: str, year: int, month: int):
        load_query(NoQuery)
        return narratives.get(current_principal(), org_unit_id, year, month)

    @bp.put(f"/api/v1/reports/narratives/<org_unit_id>/{YEAR}/{MONTH}")
    @guarded("Write the sections of a unit's monthly report (all three replaced; audited)", body=NarrativeBody,
             response=NarrativeSchema, permission="reports:export", tags=["reports"])
    def write_month_narrative(org_unit_id: str, year: int, month: int):
        return narratives.put(current_principal(), org_unit_id, year, load_json(NarrativeBody), month)

    @bp.get("/api/v1/org/units/<org_unit_id>/profiles")
    @api("An org unit's dated profiles (population, households, area, grids), newest first", query=ProfileListQuery,
         response=ProfileListSchema, permission="reports:read", tags=["org"])
    def profile_list(org_unit_id: str):
        return profiles.page(current_principal(), org_unit_id, load_query(ProfileListQuery)).body()

    @bp.get("/api/v1/org/units/<org_unit_id>/profile")
    @api("The profile in force at a date: the unit's own, else summed from its child units'", query=ProfileQuery,
         response=ProfileSchema, permission="reports:read", tags=["org"])
    def profile(org_unit_id: str):
        return profiles.profile(current_principal(), org_unit_id, load_query(ProfileQuery)["on"])

    @bp.post("/api/v1/org/units/<org_unit_id>/profiles")
    @guarded("Keep an org unit's profile as of a date (one of the same date is replaced; audited)", body=ProfileBody,
             response=ProfileSchema, status=201, permission="org:admin", tags=["org"])
    def keep_profile(org_unit_id: str):
        profile, created = profiles.keep(current_principal(), org_unit_id, load_json(ProfileBody))
        return profile, 201 if created else 200

    return bp
