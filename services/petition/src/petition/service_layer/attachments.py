"""Photos and documents on a petition: whoever may read the petition (staff in scope, the resident who filed it)
may add to and read its materials; anyone else gets the petition's own 404. A petition's files are personal data:
each download is recorded as a personal-data read."""
from __future__ import annotations

from liandong.attachments import RecordAttachments, RecordKind

from ..adapters.attachments import attachment_records
from .cases import Cases


def petition_attachments(deps, cases: Cases) -> RecordAttachments:
    def reach(principal, petition_id: str) -> str:
        return cases.load(petition_id, principal, "petition:read", owner_may=True).org_path

    return RecordAttachments(attachment_records(deps), [RecordKind("petitions", reach, sensitive=True)])
