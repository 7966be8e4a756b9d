"""The routes of a kind of record's attachments, the same in every owning service (docs/attachments.md):

    POST /api/v1/<service>/<records>/{id}/attachments                 multipart/form-data: file, keep_location, label
    GET  /api/v1/<service>/<records>/{id}/attachments                 the record's files (a page, oldest first)
    GET  /api/v1/<service>/<records>/{id}/attachments/{aid}           the file
    GET  /api/v1/<service>/<records>/{id}/attachments/{aid}/thumbnail a photo's thumbnail (JPEG)
    DELETE /api/v1/<service>/<records>/{id}/attachments/{aid}        take off a file added by mistake (204)

The service's use cases (`liandong.attachments.RecordAttachments`) check the record's access first.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, request
from marshmallow import Schema, fields, validate

from .attachments import ACCEPTED, MAX_BYTES, TYPES, RecordAttachments, refused
from .audit import PERSONAL_FILE_HEADER
from .auth import current_principal
from .listing import ListQuery, NoQuery
from .openapi import api
from .web import load_query

PERSONAL_FIELD = "attachment"  # what a download of a sensitive record's file is recorded as reading


class AttachmentForm(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": f"{ACCEPTED}, up to {MAX_BYTES // 1048576} MB; "
                                                              "the type is read from the file's bytes"})
    keep_location = fields.Boolean(load_default=False, metadata={
        "description": "true: a photo keeps where it was taken (EXIF GPS); otherwise every EXIF field is removed"})
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                          metadata={"description": "what it is (身份证复印件, 现场照片…)"})


class AttachmentSchema(Schema):
    id = fields.String()
    record_id = fields.String()
    filename = fields.String(metadata={"description": "as sent, with the extension of what the file really is"})
    kind = fields.String(metadata={"enum": sorted(TYPES)})
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "bytes as kept (a photo re-encoded)"})
    sha256 = fields.String()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    location_kept = fields.Boolean()
    has_thumbnail = fields.Boolean()
    label = fields.String(allow_none=True)
    uploaded_by = fields.String()
    uploaded_by_name = fields.String(allow_none=True, metadata={"description": "who sent it, by name (encrypted at rest)"})
    uploaded_at = fields.String(metadata={"format": "date-time"})


def _form() -> dict:
    upload = request.files.get("file")
    if upload is None:
        raise refused("请选择要上传的照片或文件（multipart/form-data 的 file 字段）")
    data = AttachmentForm().load({**request.form.to_dict(), "file": upload})
    return {"data": upload.read(), "filename": upload.filename, "keep_location": data["keep_location"],
            "label": data["label"]}


def _file(download, thumbnail: bool) -> Response:
    name = download.filename if not thumbnail else download.filename.rsplit(".", 1)[0] + "-缩略图.jpg"
    inline = download.content_type.startswith("image/")
    out = Response(download.data, mimetype=download.content_type, headers={
        "Content-Disposition": f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(name)}",
        # a file is shown as what it is, never run as a page of this origin
        "Content-Security-Policy": "default-src 'none'; sandbox"})
    if download.sensitive:
        out.headers[PERSONAL_FILE_HEADER] = PERSONAL_FIELD
    return out


def install(bp: Blueprint, use_cases: RecordAttachments, records: str, record_id: str, *, what: str,
            permission: str, tags: list[str]) -> None:
    """Add the attachment routes of `records` (as in its path: `petitions`, its id named `record_id` as in the
    record's own routes: `petition_id`) to the service's blueprint; `what` names the record in the summaries,
    `permission` the one the OpenAPI document names (the use case checks)."""
    base = f"/{records}/<{record_id}>/attachments"
    name = records.replace("-", "_")

    def add(**ids):
        load_query(NoQuery)
        # the form is read once the record is reached: out of scope is a 404 whatever was sent
        return use_cases.add(current_principal(), records, ids[record_id], _form), 201

    def listing(**ids):
        return use_cases.page(current_principal(), records, ids[record_id], load_query(ListQuery)).body()

    def download(attachment_id: str, **ids):
        load_query(NoQuery)
        return _file(use_cases.download(current_principal(), records, ids[record_id], attachment_id), False)

    def thumbnail(attachment_id: str, **ids):
        load_query(NoQuery)
        return _file(use_cases.download(current_principal(), records, ids[record_id], attachment_id, True), True)

    def remove(attachment_id: str, **ids):
        load_query(NoQuery)
        principal = current_principal()
        use_cases.remove(principal, records, ids[record_id], attachment_id)
        # audited like a read of the file: who removed which file of which record, in the service's own record
        # and (by its event) in the gateway's audit trail; a service keeping no personal data has no trail
        reads = current_app.extensions.get("liandong_personal_reads")
        if reads is not None:
            reads.record(principal, request.method, request.path, 204, [PERSONAL_FIELD], action="remove")
        return "", 204

    media = tuple(sorted({t for t, _ in TYPES.values()}))
    for fn, rule, method, doc in (
        (add, base, "POST", dict(summary=f"Attach a photo or document to {what} (a photo is re-encoded: EXIF "
                                         "removed, the location kept only with keep_location=true)",
                                 query=NoQuery, body=AttachmentForm, content_type="multipart/form-data",
                                 response=AttachmentSchema, status=201)),
        (listing, base, "GET", dict(summary=f"The photos and documents attached to {what}, oldest first; "
                                            "from/to: uploaded",
                                    query=ListQuery, response=AttachmentSchema, many=True)),
        (download, f"{base}/<attachment_id>", "GET",
         dict(summary=f"One file attached to {what}, as kept (read like the record, and audited as a "
                      "personal-data read where the record is one)", query=NoQuery, also=media)),
        (thumbnail, f"{base}/<attachment_id>/thumbnail", "GET",
         dict(summary=f"The thumbnail of a photo attached to {what} (JPEG, at most 320 px; a document has none)",
              query=NoQuery, also=("image/jpeg",))),
        (remove, f"{base}/<attachment_id>", "DELETE",
         dict(summary=f"Take a file added by mistake off {what}: by who sent it or who may change the record, "
                      "never once the record is closed (409); the file leaves the store, a 404 afterwards; "
                      "audited (action remove)", query=NoQuery, status=204)),
    ):
        endpoint = f"{name}_attachments_{fn.__name__}"
        fn.__name__ = endpoint
        bp.add_url_rule(rule, endpoint, api(doc.pop("summary"), tags=tags, permission=permission, **doc)(fn),
                        methods=[method])
