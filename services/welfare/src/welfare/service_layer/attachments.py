"""The materials a programme requires (its `documents`), attached to the application: whoever may read the
application (staff in scope, the applicant) adds to and reads them; anyone else gets the application's own 404.
An application's materials are personal data (incomes, ID cards, certificates): each download is recorded as a
personal-data read. A material added by mistake is taken off by who sent it or who reviews the application
(welfare:review), until it is decided (approved or rejected: the decision rests on these materials)."""
from __future__ import annotations

from liandong.attachments import RecordAttachments, RecordKind

from ..adapters.attachments import attachment_records
from ..domain.cases import Application


def welfare_attachments(deps, welfare) -> RecordAttachments:
    def application(principal, app_id: str) -> str:
        return welfare.applications.get(principal, app_id).org_path

    def reviews(principal, app_id: str) -> None:
        found = welfare.applications.get(principal, app_id)
        principal.authorize("welfare:review", found.org_path, read="welfare:read", what="application",
                            record_id=app_id)

    def decided(principal, app_id: str) -> bool:
        return welfare.applications.get(principal, app_id).status in Application.TERMINAL

    return RecordAttachments(attachment_records(deps), [
        RecordKind("applications", application, sensitive=True, edit_reach=reviews, closed=decided)])
