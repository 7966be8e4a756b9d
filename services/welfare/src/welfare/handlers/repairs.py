"""Welfare's own events, to finish what a crash left half done."""
from __future__ import annotations

import logging

from liandong.errors import NotFound

from ..service_layer.applications import Applications

log = logging.getLogger(__name__)


def handlers(applications: Applications) -> dict:
    def application_approved(event):
        # the grant is started by the approving request; this covers a crash right after approval
        try:
            app = applications.stores.applications.get(event.data["application_id"])
        except NotFound:
            # an event older than the database (restored from a backup taken before it): nothing here to
            # finish, and retrying cannot make the application appear
            log.warning("approved application %s is not in this database; nothing to repair",
                        event.data["application_id"])
            return
        if app.status == "approved":
            applications.start_grant(app)

    return {"liandong.welfare.application.approved.v1": application_approved}
