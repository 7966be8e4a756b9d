"""Reports: the overview of any org unit and period, monthly series, the annual work report, rebuilds."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, request
from marshmallow import Schema, fields

from liandong.auth import current_principal
from liandong.errors import NotFound, ValidationFailed
from liandong.openapi import api

from ..adapters import documents
from ..domain.metrics import METRICS, RATES
from ..handlers.reports_projector import ReportsProjector
from ..service_layer import reports
from ..service_layer.reports import OrgIndex

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodQuery(Schema):
    org_unit = fields.String(required=True, metadata={"description": "org unit id, e.g. huangqi"})
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)


class YearQuery(Schema):
    org_unit = fields.String(required=True)
    year = fields.Integer(required=True)


class Overview(Schema):
    org_unit = fields.Dict()
    period = fields.Dict()
    compared_with = fields.Dict()
    freshness = fields.Dict()
    stale = fields.Boolean()
    services_unavailable = fields.List(fields.String())
    generated_at = fields.String()
    read_model_generation = fields.Raw()
    metrics = fields.Dict()
    rates = fields.Dict()
    children = fields.List(fields.Dict())


def blueprint(projector: ReportsProjector, orgs: OrgIndex, clock, unavailable=None) -> Blueprint:
    bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports")

    def scoped_unit(unit_id: str | None) -> dict:
        if not unit_id:
            raise ValidationFailed("org_unit is required", {"org_unit": ["required"]})
        unit = orgs.unit(unit_id)
        if unit is None:
            raise NotFound(f"no org unit {unit_id!r}")
        current_principal().require("reports:read", unit["path"])
        return unit

    def model_and_state():
        state = projector.current()
        return projector.model(state["active"]), state

    @bp.get("/metrics")
    @api("The figures and rates reports carry, with the offices' labels", tags=["reports"])
    def catalogue():
        current_principal().require("reports:read")
        return {"metrics": {k: {"label": m.label, "unit": m.unit, "stock": m.stock} for k, m in METRICS.items()},
                "rates": {r.key: {"label": r.label, "numerator": list(r.numerator), "denominator": r.denominator}
                          for r in RATES}}

    @bp.get("/overview")
    @api("Every figure of every service for an org subtree and period, a year earlier, and by child unit",
         query=PeriodQuery, response=Overview, permission="reports:read", tags=["reports"])
    def overview():
        unit = scoped_unit(request.args.get("org_unit"))
        start, end = reports.parse_period(request.args)
        model, state = model_and_state()
        return reports.overview(model, orgs, state, unit["_id"], start, end, clock.now(),
                                unavailable() if unavailable else None)

    @bp.get("/timeseries")
    @api("Monthly series of chosen figures (metrics=a,b) for an org subtree", query=PeriodQuery,
         permission="reports:read", tags=["reports"])
    def timeseries():
        unit = scoped_unit(request.args.get("org_unit"))
        start, end = reports.parse_period(request.args)
        keys = [k for k in request.args.get("metrics", "").split(",") if k] or \
            ["petition.person_times", "welfare.disbursed_fen", "volunteer.participant_times", "security.incidents"]
        model, _ = model_and_state()
        return reports.timeseries(model, orgs, unit["_id"], start, end, keys)

    @bp.get("/overview.csv")
    @api("The overview as a table: the unit and each child unit, every figure and rate (CSV)", query=PeriodQuery,
         permission="reports:read", tags=["reports"], content_type="text/csv")
    def overview_csv():
        return overview_table("csv")

    @bp.get("/overview.xlsx")
    @api("The overview as a table: the unit and each child unit, every figure and rate (XLSX)", query=PeriodQuery,
         permission="reports:read", tags=["reports"], content_type=XLSX)
    def overview_xlsx():
        return overview_table("xlsx")

    def overview_table(fmt: str):
        unit = scoped_unit(request.args.get("org_unit"))
        start, end = reports.parse_period(request.args)
        model, state = model_and_state()
        o = reports.overview(model, orgs, state, unit["_id"], start, end, clock.now())
        headers, rows = documents.overview_table(o)
        body = documents.write_table(headers, rows, fmt, title=f"{unit['name']}数据")
        mime = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
        name = f"{unit['_id']}-{start.isoformat()}-{end.isoformat()}-overview.{fmt}"
        return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                      "Cache-Control": "no-store"})

    def annual(kind: str):
        unit = scoped_unit(request.args.get("org_unit"))
        try:
            year = int(request.args.get("year", ""))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            raise ValidationFailed("invalid year", {"year": ["a year such as 2026"]}) from None
        start, end = date(year, 1, 1), date(year, 12, 31)
        model, state = model_and_state()
        o = reports.overview(model, orgs, state, unit["_id"], start, end, clock.now())
        series = reports.timeseries(model, orgs, unit["_id"], start, end,
                                    ["petition.person_times", "volunteer.participant_times",
                                     "welfare.disbursed_fen", "security.incidents"])["series"]
        name = f"{unit['_id']}-{year}-work-report"
        if kind == "docx":
            body, mime = documents.annual_docx(o, year, series), DOCX
        else:
            body, mime = documents.annual_xlsx(o, year, series), XLSX
        return Response(body, mimetype=mime,
                        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})

    @bp.get("/annual.docx")
    @api("The annual work report (工作汇报) in Chinese, as DOCX", query=YearQuery, permission="reports:read",
         tags=["reports"])
    def annual_docx():
        return annual("docx")

    @bp.get("/annual.xlsx")
    @api("The annual work report's statistical tables, as XLSX", query=YearQuery, permission="reports:read",
         tags=["reports"])
    def annual_xlsx():
        return annual("xlsx")

    @bp.get("/rebuild")
    @api("State of the read model: its generation and any rebuild in progress", permission="reports:read",
         tags=["reports"])
    def rebuild_state():
        current_principal().require("reports:read")
        return projector.describe()

    @bp.post("/rebuild")
    @api("Rebuild the read model from the beginning of every topic (district admin)", permission="org:admin",
         status=202, tags=["reports"])
    def rebuild():
        current_principal().require("org:admin")
        return projector.request_rebuild(), 202

    return bp
