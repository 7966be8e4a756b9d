"""Reports: the overview of any org unit and period, monthly series, the annual work report, rebuilds."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, request
from marshmallow import RAISE, Schema, fields, validate

from liandong.auth import current_principal
from liandong.fields import IsoTime, OrgUnitId
from liandong.listing import NoQuery, PeriodQuery, TimeBound, day_of
from liandong.openapi import api
from liandong.web import load_query

from ..adapters import documents
from ..service_layer.reports import Reports

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportPeriodQuery(PeriodQuery):
    """A report is of one unit's subtree over one period: all three are needed (dates, both ends inclusive)."""

    org_unit = OrgUnitId(required=True, metadata={"description": "the org unit whose subtree the figures cover"})
    from_ = TimeBound(data_key="from", required=True)
    to = TimeBound(end_of_day=True, required=True)


class SeriesQuery(ReportPeriodQuery):
    metrics = fields.String(load_default=None, metadata={
        "description": "figures to chart, comma-separated (see /api/v1/reports/metrics); "
                       "default: 人次 of petitions and volunteers, money disbursed, incidents"})


class YearQuery(Schema):
    class Meta:
        unknown = RAISE

    org_unit = OrgUnitId(required=True, metadata={"description": "the org unit whose subtree the report covers"})
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100),
                          metadata={"description": "the calendar year, e.g. 2026"})


class Figure(Schema):
    """One figure; a breakdown by a service's code (`of` the figure it splits) names the code in the service's words."""

    label, unit = fields.String(), fields.String(metadata={"description": "fen for money"})
    value, previous_year = fields.Float(), fields.Float()
    stock = fields.Boolean(metadata={"description": "a stock (as of the period's end) rather than a flow"})
    of, code, name = fields.String(), fields.String(), fields.String()
    filed = fields.Float(metadata={"description": "a filed period (sign_off): the figure as filed; `value` is it too"})
    adjustment = fields.Float(metadata={"description": "a filed period: what events added since (签报后调整)"})
    current = fields.Float(metadata={"description": "a filed period: filed + adjustment, the figure as it is now"})


class Overview(Schema):
    org_unit, period, compared_with, freshness = fields.Dict(), fields.Dict(), fields.Dict(), fields.Dict()
    stale = fields.Boolean(metadata={"description": "some source's figures may be behind"})
    services_unavailable = fields.List(fields.String())
    generated_at, read_model_generation = IsoTime(), fields.Integer()
    metrics = fields.Dict(keys=fields.String(), values=fields.Nested(Figure))
    rates = fields.Dict(metadata={"description": "rates as fractions 0–1 (null when nothing to divide by)"})
    children = fields.List(fields.Dict(), metadata={"description": "each child unit's org_unit, metrics and rates"})
    sign_off = fields.Dict(metadata={"description": "a month or year period: its `period` code, this unit's `state` "
                                                    "and the `filed_units` whose filed figures the answer shows"})


def _period(q: dict):
    return day_of(q["from_"]), day_of(q["to"])


def _credentials() -> str | None:
    """The caller's own token, to ask the owning services for their labels as the caller."""
    return request.headers.get("Authorization")


def blueprint(reports: Reports, profiles=None, narratives=None, workers=None) -> Blueprint:
    """`profiles`, `narratives` (service_layer.sign_off): the 基本情况 and written sections of the annual report;
    `workers` (adapters.worker_counts): what each worker of a community did, asked of the services."""
    bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports")

    @bp.get("/metrics")
    @api("The figures and rates reports carry, with the offices' labels (breakdowns by the owning services')",
         query=NoQuery, tags=["reports"], permission="reports:read")
    def catalogue():
        load_query(NoQuery)
        return reports.catalogue(current_principal(), _credentials())

    @bp.get("/overview")
    @api("Every figure of every service for an org subtree and period, a year earlier, and by child unit",
         query=ReportPeriodQuery, response=Overview, permission="reports:read", tags=["reports"])
    def overview():
        q = load_query(ReportPeriodQuery)
        return reports.overview(current_principal(), q["org_unit"], *_period(q), _credentials())

    @bp.get("/timeseries")
    @api("Monthly series of chosen figures (metrics=a,b) for an org subtree", query=SeriesQuery,
         permission="reports:read", tags=["reports"])
    def timeseries():
        q = load_query(SeriesQuery)
        keys = [k for k in (q["metrics"] or "").split(",") if k]
        return reports.timeseries(current_principal(), q["org_unit"], *_period(q), keys, _credentials())

    @bp.get("/overview.csv")
    @api("The overview as a table: the unit and each child unit, every figure and rate (CSV)",
         query=ReportPeriodQuery, permission="reports:read", tags=["reports"], content_type="text/csv")
    def overview_csv():
        return overview_table("csv")

    @bp.get("/overview.xlsx")
    @api("The overview as a table: the unit and each child unit, every figure and rate (XLSX)",
         query=ReportPeriodQuery, permission="reports:read", tags=["reports"], content_type=XLSX)
    def overview_xlsx():
        return overview_table("xlsx")

    def overview_table(fmt: str):
        q = load_query(ReportPeriodQuery)
        start, end = _period(q)
        o = reports.overview(current_principal(), q["org_unit"], start, end, _credentials(), with_status=False)
        headers, rows = documents.overview_table(o)
        body = documents.write_table(headers, rows, fmt, title=f"{o['org_unit']['name']}数据")
        mime = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
        name = f"{o['org_unit']['id']}-{start.isoformat()}-{end.isoformat()}-overview.{fmt}"
        return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                      "Cache-Control": "no-store"})

    def annual(kind: str):
        q = load_query(YearQuery)
        o, series = reports.annual(current_principal(), q["org_unit"], q["year"], _credentials())
        name = f"{o['org_unit']['id']}-{q['year']}-work-report"
        if kind == "docx":
            written = {
                "profile": profiles.of_report(q["org_unit"], date(q["year"], 12, 31)) if profiles else None,
                "narrative": narratives.of_report(q["org_unit"], q["year"]) if narratives else None,
                "workers": workers.of(_credentials(), q["org_unit"], date(q["year"], 1, 1), date(q["year"], 12, 31))
                if workers and o["org_unit"].get("level") == "community" else None}
            body, mime = documents.annual_docx(o, q["year"], series, **written), DOCX
        else:
            body, mime = documents.annual_xlsx(o, q["year"], series), XLSX
        return Response(body, mimetype=mime,
                        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})

    @bp.get("/annual.docx")
    @api("The annual work report (工作汇报) in Chinese, as DOCX", query=YearQuery, permission="reports:read",
         tags=["reports"], content_type=DOCX)
    def annual_docx():
        return annual("docx")

    @bp.get("/annual.xlsx")
    @api("The annual work report's statistical tables, as XLSX", query=YearQuery, permission="reports:read",
         tags=["reports"], content_type=XLSX)
    def annual_xlsx():
        return annual("xlsx")

    @bp.get("/rebuild")
    @api("State of the read model: its generation and any rebuild in progress", query=NoQuery,
         permission="reports:read", tags=["reports"])
    def rebuild_state():
        load_query(NoQuery)
        return reports.rebuild_state(current_principal())

    @bp.post("/rebuild")
    @api("Rebuild the read model from the beginning of every topic (district admin)", permission="org:admin",
         status=202, tags=["reports"])
    def rebuild():
        return reports.rebuild(current_principal()), 202

    return bp
