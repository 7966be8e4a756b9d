"""Monthly reports kept (月报): the list, one report's bytes as made, and a month made now."""
from __future__ import annotations

from flask import Blueprint, Response
from marshmallow import RAISE, Schema, fields, validate

from liandong.auth import current_principal
from liandong.fields import IsoTime, OrgUnitId
from liandong.listing import ListQuery, NoQuery
from liandong.openapi import api
from liandong.routes import guarded
from liandong.web import load_json, load_query

from ..service_layer.monthly_reports import FORMATS, MonthlyReports
from .report_routes import DOCX, XLSX

MIME = {"docx": DOCX, "xlsx": XLSX}


class KeptQuery(ListQuery):
    """`from`/`to`: the months lying within these days."""

    format = fields.String(load_default=None, validate=validate.OneOf(FORMATS), metadata={"description": "docx or xlsx"})


class KeptReportSchema(Schema):
    id = fields.String(metadata={"description": "<org_unit_id>.<YYYY-MM>.<format>"})
    org_unit_id, org_unit_name, level, org_path = fields.String(), fields.String(), fields.String(), fields.String()
    period = fields.String(metadata={"description": "the month YYYY-MM"})
    starts_on, ends_on = fields.Date(), fields.Date()
    format = fields.String(validate=validate.OneOf(FORMATS))
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String(metadata={"description": "of the bytes the download answers"})
    generated_at = IsoTime()
    by = fields.String(metadata={"description": "schedule (the worker, on the first working day) or caller"})
    generated_by = fields.Dict(allow_none=True, metadata={"description": "the caller who had it made: user_id, name"})
    figures_as_of = fields.Dict(metadata={"description": "the figures' freshness when it was made: generated_at, "
                                                         "read_model_generation, stale, freshness per source"})
    sign_off = fields.Dict(allow_none=True, metadata={"description": "the month's sign-off then: state, filed_units"})


class KeptListSchema(Schema):
    items = fields.List(fields.Nested(KeptReportSchema))
    total, page, page_size = fields.Integer(), fields.Integer(), fields.Integer()


class GenerateBody(Schema):
    class Meta:
        unknown = RAISE

    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                           metadata={"description": "the month YYYY-MM (ended)"})
    org_unit_id = OrgUnitId(load_default=None, metadata={"description": "only this unit's subtree (default: all yours)"})


class GenerateSchema(Schema):
    period = fields.String()
    generated = fields.Integer(metadata={"description": "reports this call kept (0: all were kept already)"})
    items = fields.List(fields.Nested(KeptReportSchema))


def blueprint(monthly: MonthlyReports) -> Blueprint:
    bp = Blueprint("monthly_reports", __name__, url_prefix="/api/v1/reports/monthly-reports")

    @bp.get("")
    @api("Monthly reports kept (月报): each sub-district's and community's month, DOCX and XLSX, newest first",
         query=KeptQuery, response=KeptListSchema, permission="reports:read", tags=["reports"])
    def kept_list():
        return monthly.page(current_principal(), load_query(KeptQuery)).body()

    @bp.get("/<report>")
    @api("One monthly report kept: when and by whom it was made, its hash", query=NoQuery,
         response=KeptReportSchema, permission="reports:read", tags=["reports"])
    def kept_one(report: str):
        load_query(NoQuery)
        return monthly.report(current_principal(), report)

    @bp.get("/<report>/download")
    @api("A monthly report's bytes exactly as made (audited as an export)", query=NoQuery,
         permission="reports:read", tags=["reports"], content_type=DOCX)
    def download(report: str):
        load_query(NoQuery)
        found, body = monthly.download(current_principal(), report)
        name = f"{found['org_unit_id']}-{found['period']}-monthly-report.{found['format']}"
        return Response(body, mimetype=MIME[found["format"]],
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
                                 "X-Content-SHA256": found["sha256"]})

    @bp.post("")
    @guarded("Make a month's reports now (those not kept yet) for your units or one unit's subtree", body=GenerateBody,
             response=GenerateSchema, permission="reports:export", tags=["reports"])
    def generate():
        body = load_json(GenerateBody)
        return monthly.generate(current_principal(), body["period"], body["org_unit_id"])

    return bp
