"""Photos and documents on incidents (现场照片) and patrol runs (巡逻发现的照片): whoever may read the incident
(staff in scope, its reporter) adds to and reads it; a patrol run's photos are added by who may patrol it and
read by who may read it; anyone else gets the record's own 404. An incident's files may show people and homes:
each download is recorded as a personal-data read; a patrol run's (places, hazards) is not. A file added by
mistake is taken off by who sent it or who handles the incident (security:handle) until it is closed, or
patrols the run (a run's photos are what was seen on the way, not what a decision rests on: they never close)."""
from __future__ import annotations

from liandong.attachments import RecordAttachments, RecordKind

from ..adapters.attachments import attachment_records
from .base import READ, in_sight, org_path_of
from .incidents import HANDLE
from .patrols import PATROL


def security_attachments(deps, service) -> RecordAttachments:
    runs = service.patrols.repos.runs

    def incident(principal, incident_id: str) -> str:
        return service.incidents.get(principal, incident_id).org_path

    def run(permission: str):
        def reach(principal, run_id: str) -> str:
            return org_path_of(in_sight(principal, runs.get_or_none(run_id), permission, "patrol run", run_id))
        return reach

    def handles(principal, incident_id: str) -> None:
        found = service.incidents.get(principal, incident_id)
        principal.authorize(HANDLE, found.org_path, read=READ, what="incident", record_id=incident_id)

    def incident_closed(principal, incident_id: str) -> bool:
        return service.incidents.get(principal, incident_id).status == "closed"

    return RecordAttachments(attachment_records(deps), [
        RecordKind("incidents", incident, sensitive=True, edit_reach=handles, closed=incident_closed),
        RecordKind("patrol-runs", run(READ), sensitive=False, add_reach=run(PATROL), edit_reach=run(PATROL))])
