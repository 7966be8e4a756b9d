"""The demo district's history: how far its generation is (the console's home page shows it)."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields

from liandong.listing import NoQuery
from liandong.routes import guarded
from liandong.web import load_query

from ..demo import history_progress


class HistoryProgressSchema(Schema):
    state = fields.String(metadata={"description": "off (not generated here), running, failed (it resumes) or done"})
    percent = fields.Integer(allow_none=True)
    days_done = fields.Integer(allow_none=True)
    days_total = fields.Integer(allow_none=True)
    calls_done = fields.Integer(allow_none=True)
    calls_total = fields.Integer(allow_none=True)
    from_ = fields.String(data_key="from", attribute="from", allow_none=True)
    to = fields.String(allow_none=True)
    scale = fields.Float(allow_none=True)
    seconds = fields.Float(allow_none=True)
    error = fields.String(allow_none=True)
    steps_refused = fields.Integer(allow_none=True, metadata={
        "description": "steps a service refused for good (a 422 …): left out, the history went on without them"})
    refused = fields.List(fields.Dict(), allow_none=True, metadata={
        "description": "the last steps refused: day, step, path, error (the service's answer)"})


def blueprint(data_dir) -> Blueprint:
    bp = Blueprint("demo", __name__, url_prefix="/api/v1/demo")

    @bp.get("/history")
    @guarded("How far the demo district's history (last year and this year to date) is generated",
             query=NoQuery, response=HistoryProgressSchema, tags=["demo"], permission="reports:read")
    def history():
        load_query(NoQuery)  # an unknown parameter is a 422 naming it, as everywhere
        return HistoryProgressSchema().dump(history_progress(data_dir))

    return bp
