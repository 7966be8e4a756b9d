"""The materials a programme requires (its `documents`), attached to the application: whoever may read the
application (staff in scope, the applicant) adds to and reads them; anyone else gets the application's own 404.
An application's materials are personal data (incomes, ID cards, certificates): each download is recorded as a
personal-data read."""
from __future__ import annotations

from liandong.attachments import RecordAttachments, RecordKind

from ..adapters.attachments import attachment_records


def welfare_attachments(deps, welfare) -> RecordAttachments:
    def application(principal, app_id: str) -> str:
        return welfare.applications.get(principal, app_id).org_path

    return RecordAttachments(attachment_records(deps), [RecordKind("applications", application, sensitive=True)])
