"""`<service>.import.completed`: an office's ledger was imported (liandong.imports). Every service that takes
imports emits it as the job ends; the gateway keeps it in the audit trail (action `import`): who imported which
file (its SHA-256, never its rows), in which mode, and what it counted."""
from marshmallow import Schema, fields, validate

from . import CONTRACTS

from ..registry import IMPORTING_SERVICES  # noqa: E402

_COUNT = validate.Range(min=0)


class ImportCompleted(Schema):
    """An import job finished (done, or failed half way): who, which file, what it wrote."""

    import_id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    user_id = fields.String(required=True)
    name = fields.String(load_default="")
    org_path = fields.String(required=True)
    file_name = fields.String(load_default="")
    file_sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    mode = fields.String(required=True, validate=validate.OneOf(("all", "good_rows")))
    status = fields.String(required=True, validate=validate.OneOf(("done", "failed")))
    rows = fields.Integer(required=True, validate=_COUNT)
    created = fields.Integer(required=True, validate=_COUNT)
    updated = fields.Integer(required=True, validate=_COUNT)
    unchanged = fields.Integer(required=True, validate=_COUNT)
    rejected = fields.Integer(required=True, validate=_COUNT)
    failed = fields.Integer(required=True, validate=_COUNT)
    started_at = fields.String(required=True)
    finished_at = fields.String(required=True)


for _service in IMPORTING_SERVICES:
    CONTRACTS.contract(f"{_service}.import.completed", 1, example={
        "import_id": "imp-1", "kind": "roster", "title": "救助对象花名册", "user_id": "u-1", "name": "家园社区民政员",
        "org_path": "/chuanying/huangqi/jiayuan/", "file_name": "低保花名册2026.xlsx", "file_sha256": "0" * 64,
        "mode": "all", "status": "done", "rows": 120, "created": 118, "updated": 0, "unchanged": 2, "rejected": 0,
        "failed": 0, "started_at": "2026-03-01T08:00:00.000000Z",
        "finished_at": "2026-03-01T08:00:05.000000Z"}, stream="audit")(ImportCompleted)
