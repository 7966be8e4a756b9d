"""Welfare's own events, to finish what a crash left half done."""
from __future__ import annotations

from ..service_layer.applications import Applications


def handlers(applications: Applications) -> dict:
    def application_approved(event):
        # the grant is started by the approving request; this covers a crash right after approval
        app = applications.stores.applications.get(event.data["application_id"])
        if app.status == "approved":
            applications.start_grant(app)

    return {"liandong.welfare.application.approved.v1": application_approved}
