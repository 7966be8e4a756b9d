"""Where the security service keeps the photos and documents of incidents and patrol findings: their records in
its own database, the files in the store the environment names (liandong.attachments.store_for)."""
from __future__ import annotations

from liandong.attachments import AttachmentRecords


def attachment_records(deps) -> AttachmentRecords:
    return AttachmentRecords(deps)
