"""Exports (导出): any list of a service, as the user filtered it, as CSV or XLSX with Chinese headers.

The gateway fetches the list page by page from the owning service with the caller's own token, so
the service's scope and masking apply exactly as on screen; the gateway masks again for roles
without personal_data:read and writes the export to the audit trail.
"""
from __future__ import annotations

import functools
import json
from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, g, request
from marshmallow import Schema, fields, validate

from liandong.auth import current_principal
from liandong.errors import NotFound, ValidationFailed
from liandong.openapi import api

from ..adapters import documents
from ..adapters.audit_log import AuditLog, personal_fields
from ..adapters.proxy import ServiceProxy, ServiceUnavailable
from ..domain import exports
from .proxy_routes import mask_lists, require_service_permission, unavailable

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ExportQuery(Schema):
    format = fields.String(required=True, validate=validate.OneOf(list(MIMETYPES)),
                           metadata={"description": "csv or xlsx; every other parameter is the list's own filter"})


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


def blueprint(proxy: ServiceProxy, audit: AuditLog, org_name, max_rows: int = exports.MAX_ROWS) -> Blueprint:
    """`org_name(unit_id)` gives an org unit's name (or None)."""
    bp = Blueprint("exports", __name__, url_prefix="/api/v1/exports")

    @bp.get("/<service>/<path:rest>")
    @api("Any list of a service (e.g. petition/petitions?status=assigned&format=xlsx) as CSV or XLSX",
         query=ExportQuery, permission="reports:export", tags=["exports"], content_type="text/csv")
    def export_list(service: str, rest: str):
        fmt = export_format()
        if service not in exports.PAGING:
            raise NotFound(f"no service {service!r}")
        require_service_permission(service)
        current_principal().require("reports:export")
        paging = exports.PAGING[service]
        filters = [(k, v) for k, v in request.args.items(multi=True) if k not in ("format", *paging.reserved)]
        headers = {"Authorization": request.headers.get("Authorization", ""), "Accept": "application/json",
                   "X-Correlation-ID": g.correlation_id, "X-Forwarded-For": request.remote_addr or ""}
        path = f"/api/v1/{service}/{rest}"
        items: list[dict] = []
        first_of_last_page = None
        for index in range(max_rows // paging.size + 2):
            query = urlencode(filters + list(paging.params(index).items())).encode()
            try:
                upstream = proxy.forward(service, "GET", path, query, headers, b"")
            except ServiceUnavailable as exc:
                return unavailable(exc.service, exc.message)
            if upstream.status != 200:  # the service's own answer: 403 out of scope, 422 a bad filter, 404
                return Response(upstream.body, status=upstream.status, headers=upstream.headers)
            try:
                page = exports.items_of(json.loads(upstream.body))
            except ValueError:
                page = None
            if page is None:
                raise ValidationFailed("this address is not a list", {"path": [f"{path} does not return a list"]})
            if not page or (page[0] == first_of_last_page):  # the end, or a list that is not paged
                break
            first_of_last_page = page[0]
            items.extend(page)
            if len(items) > max_rows:
                raise ValidationFailed(f"more than {max_rows} rows; narrow the filters",
                                       {"format": [f"at most {max_rows} rows per export"]})
            if len(page) < paging.size:
                break
        principal = current_principal()
        if not principal.has("personal_data:read"):
            items = mask_lists(items)
        found = personal_fields(items)
        # the same entry as the pages' reads the service reports (one per request: see AuditLog.request_key)
        audit.record_export(user_id=principal.user_id, name=principal.name, roles=sorted(principal.roles),
                            org_path=principal.grants[0].org_path if principal.grants else "/", path=path,
                            query=urlencode(filters), service=service, fields=sorted(found),
                            correlation_id=g.get("correlation_id"))
        cols, rows = exports.table(items, functools.lru_cache(maxsize=None)(org_name))
        body = documents.write_table([label for _, label in cols], rows, fmt, title=rest.replace("/", "-"))
        return attachment(body, fmt, f"{service}-{rest.replace('/', '-')}")

    return bp
