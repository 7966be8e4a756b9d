"""Where the welfare service keeps the materials of applications (申请材料: 身份证明、收入证明、照片…): their
records in its own database, the files in the store the environment names (liandong.attachments.store_for)."""
from __future__ import annotations

from liandong.attachments import AttachmentRecords


def attachment_records(deps) -> AttachmentRecords:
    return AttachmentRecords(deps)
