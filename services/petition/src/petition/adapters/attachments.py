"""Where the petition service keeps the photos and documents of petitions (信访材料): their records in its own
database beside the petitions, the files in the store the environment names (liandong.attachments.store_for)."""
from __future__ import annotations

from liandong.attachments import AttachmentRecords


def attachment_records(deps) -> AttachmentRecords:
    return AttachmentRecords(deps)
