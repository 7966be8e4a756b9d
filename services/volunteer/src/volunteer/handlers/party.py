"""Our own fact, hours recorded (an activity's or a patrol's attendance): served by an in-service party member
after they reported to the community (党员报到), the hours count for their report as well."""
from __future__ import annotations


def handlers(stores) -> dict:
    def on_attendance_recorded(event) -> None:
        d = event.data
        if d["source"] == "opening" or not d.get("delta_minutes"):
            return  # hours carried forward on rollout day are no service after reporting
        report = stores.party.reports.counts_for(d["volunteer_id"], d["started_at"])
        if report is not None:
            stores.party.service.follow(event, report)  # once per event: its id is the row's

    return {"liandong.volunteer.attendance.recorded.v1": on_attendance_recorded}
