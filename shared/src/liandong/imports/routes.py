"""The routes of a service's imports, one set per kind, documented with the kind's permission (docs/imports.md).

    GET  /api/v1/<service>/imports/kinds                 the kinds this service takes
    GET  /api/v1/<service>/imports/<kind>/template       the XLSX template (数据, 填写说明, 代码表)
    POST /api/v1/<service>/imports/<kind>/preview        every row checked, nothing written (?format=xlsx: the rows to fix)
    POST /api/v1/<service>/imports/<kind>                write it: mode=all (default) or good_rows → the job
    GET  /api/v1/<service>/imports/jobs[/<id>]           jobs and their progress
    GET  /api/v1/<service>/imports/jobs/<id>/rejected    the rows not imported, with what to fix (XLSX)

Uploads are multipart/form-data with the file in `file` (the office's .xlsx or .csv, up to 20 MB).
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, request
from marshmallow import Schema, fields, validate

from ..audit import PERSONAL_FILE_HEADER
from ..auth import current_principal, requires
from ..errors import ValidationFailed
from ..listing import ListQuery, NoQuery, Page
from ..openapi import api
from ..web import load_query
from . import jobs as use_cases
from .kinds import MODES, ImportKind
from .workbooks import XLSX, rejected_rows, template


class UploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "the office's .xlsx or .csv (UTF-8 or GBK)"})
    mode = fields.String(load_default="all", validate=validate.OneOf(MODES),
                         metadata={"description": "all: nothing is written if any row is wrong; good_rows: the "
                                                  "good rows are written, the bad ones come back as an XLSX"})


class PreviewQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")))


class KindsQuery(ListQuery):
    """The kinds have no time; `org_unit` keeps those the caller may import into that unit."""

    class Meta(ListQuery.Meta):
        exclude = ("from_", "to")


class JobsQuery(ListQuery):
    kind = fields.String(load_default=None)


class ProblemSchema(Schema):
    sheet = fields.String()
    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    header = fields.String(allow_none=True)
    message = fields.String()
    text = fields.String()


class PreviewSchema(Schema):
    kind = fields.String()
    title = fields.String()
    sheet = fields.String()
    file_name = fields.String()
    file_sha256 = fields.String()
    file_format = fields.String()
    encoding = fields.String(allow_none=True)
    rows = fields.Integer()
    good_rows = fields.Integer()
    bad_rows = fields.Integer()
    example_skipped = fields.Integer()
    problems_total = fields.Integer()
    problems = fields.List(fields.Nested(ProblemSchema))


class JobSchema(Schema):
    id = fields.String()
    kind = fields.String()
    title = fields.String()
    status = fields.String(metadata={"enum": ["running", "done", "failed", "interrupted"]})
    progress = fields.Float(metadata={"description": "rows written / rows, 0 to 1"})
    rows = fields.Integer()
    done = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    failed = fields.Integer()
    example_skipped = fields.Integer()
    mode = fields.String()
    file_name = fields.String()
    file_sha256 = fields.String()
    file_format = fields.String()
    user_id = fields.String()
    user_name = fields.String()
    started_at = fields.String(metadata={"format": "date-time"})
    heartbeat_at = fields.String(metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    has_rejected_file = fields.Boolean()
    problems = fields.List(fields.Nested(ProblemSchema))


class ColumnSchema(Schema):
    key = fields.String()
    header = fields.String()
    required = fields.Boolean()
    rule = fields.String()


class KindSchema(Schema):
    name = fields.String()
    title = fields.String()
    permission = fields.String()
    columns = fields.List(fields.Nested(ColumnSchema))


def _upload() -> tuple[bytes, str]:
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed("send the file as multipart/form-data in the field `file`",
                               {"file": ["missing: 请选择要导入的文件"]})
    return upload.read(), upload.filename or ""


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def install(bp: Blueprint, deps, kinds: list[ImportKind], tag: str) -> None:
    """Add the import routes of `kinds` to the service's blueprint `bp` (its url_prefix: /api/v1/<service>)."""
    by_name = {k.name: k for k in kinds}
    permissions = {k.name: k.permission for k in kinds}
    tags = [tag]

    @bp.get("/imports/kinds")
    @api("The kinds of ledger this service imports, with their columns (org_unit: those the caller may import "
         "into that unit)", query=KindsQuery, response=KindSchema, many=True, tags=tags)
    def import_kinds():
        q = load_query(KindsQuery)  # a list like any other (docs/api-style.md): paged, and narrowed by org unit
        principal = current_principal()
        path = deps.org.path_of(q["org_unit"], "org_unit") if q.get("org_unit") else None
        items = [{"name": k.name, "title": k.title, "permission": k.permission,
                  "columns": [{"key": c.key, "header": c.header, "required": c.required, "rule": c.rule}
                              for c in k.columns]} for k in kinds if path is None or principal.can(k.permission, path)]
        return Page.of_all(items, q["page"], q["page_size"]).body()

    for kind in kinds:
        _kind_routes(bp, deps, kind, tags)

    @bp.get("/imports/jobs")
    @api("Imports started in the caller's scope, newest first", query=JobsQuery, response=JobSchema, many=True,
         tags=tags)
    def import_jobs():
        q = load_query(JobsQuery)
        principal = current_principal()
        now = deps.clock.now()
        return use_cases.jobs_page(deps, principal, sorted(set(permissions.values())), q.get("kind"), q["page"],
                                   q["page_size"]).body(lambda job: use_cases.view(job, now))

    @bp.get("/imports/jobs/<job_id>")
    @api("One import: its status, progress and counts", query=NoQuery, response=JobSchema, tags=tags)
    def import_job(job_id: str):
        load_query(NoQuery)
        job = use_cases.job_of(deps, current_principal(), permissions, job_id)
        return use_cases.view(job, deps.clock.now())

    @bp.get("/imports/jobs/<job_id>/rejected")
    @api("The rows an import did not write, as sent, with what to fix in the last column (XLSX)",
         query=NoQuery, tags=tags, also=(XLSX,))
    def import_rejected(job_id: str):
        load_query(NoQuery)
        job = use_cases.job_of(deps, current_principal(), permissions, job_id)
        out = _xlsx(use_cases.rejected_file(job), f"{job.title}-待改正.xlsx")
        personal = [c.key for c in by_name[job.kind].columns if c.personal] if job.kind in by_name else []
        out.headers[PERSONAL_FILE_HEADER] = ",".join(personal or ["import_rows"])
        return out


def _kind_routes(bp: Blueprint, deps, kind: ImportKind, tags: list[str]) -> None:
    name = kind.name.replace("-", "_")

    def get_template():
        load_query(NoQuery)  # an unknown parameter is a 422 whoever asks (docs/api-style.md), then the permission
        principal = current_principal()
        principal.require(kind.permission)
        return _xlsx(template(kind, use_cases.context_for(deps, principal, kind)), f"{kind.title}-导入模板.xlsx")

    def post_preview():
        q = load_query(PreviewQuery)
        principal = current_principal()
        raw, filename = _upload()
        if q["format"] == "xlsx":
            out = _xlsx(rejected_rows(use_cases.check(deps, principal, kind, raw, filename)), f"{kind.title}-待改正.xlsx")
            return out
        return use_cases.preview(deps, principal, kind, raw, filename)

    def post_import():
        load_query(NoQuery)
        principal = current_principal()
        raw, filename = _upload()
        mode = request.form.get("mode") or "all"
        job = use_cases.start(deps, principal, kind, raw, filename, mode)
        view = use_cases.view(job, deps.clock.now())
        return view, (201 if view["status"] != "running" else 202)

    for fn, rule, method, doc in (
        (get_template, f"/imports/{kind.name}/template", "GET",
         dict(summary=f"The XLSX template of {kind.name} ({kind.title}): headers, dropdowns, an example row, the rules",
              query=NoQuery, also=(XLSX,))),
        (post_preview, f"/imports/{kind.name}/preview", "POST",
         dict(summary=f"Check every row of a {kind.name} file ({kind.title}); nothing is written "
                      "(format=xlsx: the rows to fix as an XLSX)", query=PreviewQuery, body=UploadSchema,
              content_type="multipart/form-data", response=PreviewSchema)),
        (post_import, f"/imports/{kind.name}", "POST",
         dict(summary=f"Import a {kind.name} file ({kind.title}): 201 with the finished job, or 202 while a large "
                      "file is written (poll the job)", query=NoQuery, body=UploadSchema,
              content_type="multipart/form-data", response=JobSchema, status=201)),
    ):
        endpoint = f"import_{name}_{fn.__name__}"
        fn.__name__ = endpoint
        view = api(doc.pop("summary"), tags=tags, permission=kind.permission, **doc)(fn)
        bp.add_url_rule(rule, endpoint, view if method == "GET" else requires(kind.permission)(view), methods=[method])
