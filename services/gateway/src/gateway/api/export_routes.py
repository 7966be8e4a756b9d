"""Exports (导出): any list of a service, as the user filtered it, as CSV or XLSX with Chinese headers."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, g, request
from marshmallow import Schema, fields, validate

from liandong.auth import current_principal
from liandong.errors import ValidationFailed
from liandong.openapi import api

from ..adapters import documents
from ..adapters.proxy import ServiceUnavailable
from ..service_layer.exports import Exports, Refused
from .proxy_routes import unavailable

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ExportQuery(Schema):
    format = fields.String(required=True, validate=validate.OneOf(list(MIMETYPES)),
                           metadata={"description": "csv or xlsx; every other parameter is the list's own filter "
                                                    "(the list refuses one it does not know); page and page_size "
                                                    "are the export's own"})


def export_format() -> str:
    fmt = request.args.get("format", "")
    if fmt not in MIMETYPES:
        raise ValidationFailed("choose a format", {"format": ["one of: csv, xlsx"]})
    return fmt


def attachment(body: bytes, fmt: str, name: str) -> Response:
    stamp = datetime.now().strftime("%Y%m%d")
    return Response(body, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.{fmt}"',
                             "Cache-Control": "no-store"})


def blueprint(exports: Exports) -> Blueprint:
    bp = Blueprint("exports", __name__, url_prefix="/api/v1/exports")

    @bp.get("/<service>/<path:rest>")
    @api("Any list of a service (e.g. petition/petitions?status=assigned&format=xlsx) as CSV or XLSX",
         query=ExportQuery, permission="reports:export", tags=["exports"], content_type="text/csv")
    def export_list(service: str, rest: str):
        fmt = export_format()
        headers = {"Authorization": request.headers.get("Authorization", ""), "Accept": "application/json",
                   "X-Correlation-ID": g.correlation_id, "X-Forwarded-For": request.remote_addr or ""}
        try:
            cols, rows = exports.table(current_principal(), service, rest, list(request.args.items(multi=True)),
                                       headers, g.get("correlation_id"))
        except ServiceUnavailable as exc:
            return unavailable(exc.service, exc.message)
        except Refused as refused:
            return Response(refused.upstream.body, status=refused.upstream.status, headers=refused.upstream.headers)
        body = documents.write_table([label for _, label in cols], rows, fmt, title=rest.replace("/", "-"))
        return attachment(body, fmt, f"{service}-{rest.replace('/', '-')}")

    return bp
