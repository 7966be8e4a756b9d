"""Photos and documents on a petition: whoever may read the petition (staff in scope, the resident who filed it)
may add to and read its materials; anyone else gets the petition's own 404. A petition's files are personal data:
each download is recorded as a personal-data read. A file added by mistake is taken off by who sent it or by
who handles the petition (petition:handle), until it is answered (办结: the answer was given on these
materials)."""
from __future__ import annotations

from liandong.attachments import RecordAttachments, RecordKind

from ..adapters.attachments import attachment_records
from ..domain.model import ANSWERED, CLOSED
from .cases import Cases


def petition_attachments(deps, cases: Cases) -> RecordAttachments:
    def reach(principal, petition_id: str) -> str:
        return cases.load(petition_id, principal, "petition:read", owner_may=True).org_path

    def handles(principal, petition_id: str) -> None:
        cases.load(petition_id, principal, "petition:handle")

    def closed(principal, petition_id: str) -> bool:
        return cases.load(petition_id, principal, "petition:read", owner_may=True).state in (ANSWERED, CLOSED)

    return RecordAttachments(attachment_records(deps), [
        RecordKind("petitions", reach, sensitive=True, edit_reach=handles, closed=closed)])
