"""Routes of employment and social insurance (就业 / 社保) under /api/v1/welfare/employment: parse, call the
use case, present (the use cases present: what a record shows depends on who asks, and is audited)."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from liandong.auth import current_principal
from liandong.fields import IdNumber, IsoDate, Mobile, OrgUnitId, Text
from liandong.listing import ListQuery, NoQuery
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..domain import employment as e
from ..service_layer import Welfare
from ..service_layer.employment import AUDIT, PERMISSION
from .schemas import Several

TAGS = ["employment"]
CODE = validate.Length(min=1, max=64)


def _one_of(codes: dict, **kw):
    return fields.String(validate=validate.OneOf(tuple(codes)), **kw)


# -- what the routes take in

class JobSeekerIn(Schema):
    org_unit_id = OrgUnitId(required=True)
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    phone = Mobile(load_default="")
    household_key = Text(max_length=64, load_default="", metadata={
        "description": "the household's number (户号) in the register or the office's ledger: registrations of one "
                       "household share it, and a placement clears that household's zero-employment record"})
    category = _one_of(e.CATEGORIES, required=True, metadata={"description": "laid_off (下岗) or unemployed (失业)"})
    skills = fields.List(Text(max_length=50, min_length=1), load_default=list, validate=validate.Length(max=20))
    wished_work = Text(max_length=500, load_default="")
    registered_on = IsoDate(load_default=None, metadata={"description": "default: today"})


class PlacementIn(Schema):
    kind = _one_of(e.PLACEMENT_KINDS, required=True, metadata={
        "description": "enterprise 企业就业, public_welfare_post 公益性岗位, flexible 灵活就业, self_employed 自主创业"})
    employer = Text(max_length=200, load_default="")
    placed_on = IsoDate(load_default=None, metadata={"description": "default: today"})
    on_site = fields.Boolean(load_default=False, metadata={"description": "placed at a job fair (现场安置)"})


class EndIn(Schema):
    reason = _one_of(e.END_REASONS, required=True)
    ended_on = IsoDate(load_default=None)
    note = Text(max_length=2000, load_default="")


class CertificateIn(Schema):
    number = Text(max_length=64, min_length=1, required=True, metadata={"description": "再就业优惠证 number"})
    issued_on = IsoDate(load_default=None)


class MemberIn(Schema):
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    status = _one_of(e.MEMBER_STATUSES, required=True)


class HouseholdIn(Schema):
    org_unit_id = OrgUnitId(required=True)
    household_key = Text(max_length=64, min_length=1, required=True)
    members = fields.List(fields.Nested(MemberIn), required=True, validate=validate.Length(min=1, max=20))
    identified_on = IsoDate(load_default=None)


class HouseholdVisitIn(Schema):
    visited_on = IsoDate(load_default=None)
    note = Text(max_length=2000, min_length=1, required=True)


class EnrolmentIn(Schema):
    org_unit_id = OrgUnitId(required=True)
    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    phone = Mobile(load_default="")
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    category = _one_of(e.INSURANCE_CATEGORIES, load_default="adult")
    enrolled_on = IsoDate(load_default=None)


# -- what the GETs take

class JobSeekerQuery(ListQuery):
    """`from`/`to`: registered on."""
    status = Several(metadata={"description": "registered, placed, ended; comma-separated"})
    category = Several(metadata={"description": "laid_off, unemployed"})
    household_key = fields.String(validate=CODE)


class CertificateQuery(ListQuery):
    """`from`/`to`: issued on."""


class HouseholdQuery(ListQuery):
    """`from`/`to`: identified on."""
    status = Several(metadata={"description": "open, cleared"})


class EnrolmentQuery(ListQuery):
    """`from`/`to`: enrolled on."""
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    category = Several()


class FiguresQuery(Schema):
    class Meta(NoQuery.Meta):
        pass

    org_unit = OrgUnitId(load_default=None, metadata={"description": "figures for this org unit's subtree"})


class AuditQuery(ListQuery):
    """`from`/`to`: when."""
    action = Several()
    allowed = fields.Boolean()


# -- what they answer (documented)

class _Record(Schema):
    id = fields.String()
    org_unit_id = fields.String()


class _Person(_Record):
    name = fields.String(metadata={"description": "masked without personal_data:read"})
    id_number = fields.String(metadata={"description": "masked without personal_data:read"})
    phone = fields.String()


class JobSeekerOut(_Person):
    household_key = fields.String()
    category = fields.String()
    skills = fields.List(fields.String())
    wished_work = fields.String()
    registered_on = IsoDate()
    status = fields.String()
    placement = fields.Dict(allow_none=True)
    ended = fields.Dict(allow_none=True)
    certificate = fields.Dict(allow_none=True)
    cleared_households = fields.List(fields.String())


class CertificateOut(_Record):
    jobseeker_id = fields.String()
    number = fields.String()
    issued_on = IsoDate()


class HouseholdOut(_Record):
    household_key = fields.String()
    members = fields.List(fields.Dict())
    working_age_members = fields.Integer()
    identified_on = IsoDate()
    status = fields.String()
    days_open = fields.Integer(metadata={"description": "days on the list (until cleared)"})
    visits = fields.List(fields.Dict())
    cleared = fields.Dict(allow_none=True)


class EnrolmentOut(_Person):
    year = fields.Integer()
    category = fields.String()
    enrolled_on = IsoDate()


class AuditEntryOut(Schema):
    id = fields.String()
    user_id = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    org_units = fields.List(fields.String())
    action = fields.String()
    record_id = fields.String(allow_none=True)
    allowed = fields.Boolean()
    at = fields.String(metadata={"format": "date-time"})


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("welfare_employment", __name__, url_prefix="/api/v1/welfare/employment")
    emp = welfare.employment
    routes = Records(bp, TAGS)
    seeker = dict(response=JobSeekerOut, permission=PERMISSION)
    household = dict(response=HouseholdOut, permission=PERMISSION)
    enrolment = dict(response=EnrolmentOut, permission=PERMISSION)

    @bp.get("/vocabulary")
    @api("The codes of employment records and their labels (categories, placement kinds, end reasons…)",
         query=NoQuery, permission="welfare:read", tags=TAGS)
    def vocabulary():
        load_query(NoQuery)
        return emp.vocabulary(current_principal())

    routes.create("/jobseekers", "register_jobseeker", "Register a resident as unemployed or laid off (失业登记); "
                  "one open registration per person (409)", emp.register, body=JobSeekerIn, **seeker)
    routes.listing("/jobseekers", "list_jobseekers", "Registered job seekers, newest first; from/to: registered on",
                   emp.jobseekers, query=JobSeekerQuery, **seeker)
    routes.read("/jobseekers/<jobseeker_id>", "get_jobseeker", "One registration, with the person's certificate",
                emp.jobseeker, **seeker)
    routes.step("/jobseekers/<jobseeker_id>/placement", "place_jobseeker", "Placed in work (就业安置): the "
                "registration ends, a zero-employment household of the person is cleared", emp.place,
                body=PlacementIn, takes=None, **seeker)
    routes.step("/jobseekers/<jobseeker_id>/end", "end_jobseeker", "The registration ends otherwise (moved away, "
                "retired…)", emp.end, body=EndIn, takes=None, **seeker)

    @bp.post("/jobseekers/<jobseeker_id>/certificate")
    @api("Issue the re-employment certificate (再就业优惠证) to a registered person; once per person (409)",
         body=CertificateIn, response=CertificateOut, status=201, permission=PERMISSION, tags=TAGS)
    def issue_certificate(jobseeker_id):
        return emp.issue_certificate(current_principal(), jobseeker_id, load_json(CertificateIn)), 201

    routes.listing("/certificates", "list_certificates", "Re-employment certificates issued; from/to: issued on",
                   emp.certificates, query=CertificateQuery, response=CertificateOut, permission=PERMISSION)

    routes.create("/zero-employment-households", "identify_household", "Identify a zero-employment household "
                  "(零就业家庭): members of working age, none in work", emp.identify_household, body=HouseholdIn,
                  **household)
    routes.listing("/zero-employment-households", "list_households", "Zero-employment households with the days "
                   "each has been open; from/to: identified on", emp.households, query=HouseholdQuery, **household)
    routes.read("/zero-employment-households/<household_id>", "get_household", "One household with its follow-up "
                "visits", emp.household, **household)
    routes.step("/zero-employment-households/<household_id>/visits", "visit_household", "Log a follow-up visit",
                emp.visit_household, body=HouseholdVisitIn, takes=None, **household)

    routes.create("/medical-insurance-enrolments", "enrol_insurance", "Enrol a resident in the urban residents' "
                  "medical insurance (城镇居民医保) for a year; once per person and year (409)", emp.enrol,
                  body=EnrolmentIn, **enrolment)
    routes.listing("/medical-insurance-enrolments", "list_enrolments", "Enrolments; from/to: enrolled on",
                   emp.enrolments, query=EnrolmentQuery, **enrolment)

    @bp.get("/figures")
    @api("Now: registered job seekers and open zero-employment households; enrolments per year",
         query=FiguresQuery, permission=PERMISSION, tags=TAGS)
    def figures():
        return emp.figures(current_principal(), load_query(FiguresQuery))

    @bp.get("/audit")
    @api("Who reached employment records, or was refused, newest first; from/to: when", query=AuditQuery,
         response=AuditEntryOut, many=True, permission=AUDIT, tags=TAGS)
    def audit():
        return emp.audit_trail(current_principal(), load_query(AuditQuery))

    return bp
