"""Reactions to the security service's mediations (人民调解) of disputes that came from petitions."""
from __future__ import annotations

import logging

from liandong.contracts import CONTRACTS
from liandong.errors import NotFound
from liandong.events import Envelope
from liandong.repository import retry_on_conflict

from ..domain import model
from ..domain.model import Actor
from ..service_layer.cases import Cases

log = logging.getLogger(__name__)

DISPUTE_MEDIATED = CONTRACTS.by_name("security.dispute.mediated").type
ATTEMPTS = 5  # the case may be busy (a request, the deadline scan): the outcome must still land


def handlers(cases: Cases) -> dict:
    def on_dispute_mediated(event: Envelope) -> None:
        """A mediation reached an outcome for one of our petitions: put it on the case's timeline, once per
        event (a redelivery changes nothing), and only on a case inside the dispute's org path."""
        petition_id = event.data.get("petition_id")
        if not petition_id:
            return

        def attempt() -> None:
            try:
                petition = cases.repo.get(petition_id)
            except NotFound:
                log.info("dispute %s names unknown petition %s", event.data["dispute_id"], petition_id)
                return
            if not (event.orgpath and petition.org_path.startswith(event.orgpath)):
                # the dispute's org unit has no say over a case outside it (a saga step out of scope)
                log.warning("dispute %s names petition %s outside its org scope: not recorded",
                            event.data["dispute_id"], petition_id)
                return
            if petition.state not in model.TRANSITIONS["record_mediation"]:
                log.info("petition %s is %s: mediation not recorded", petition_id, petition.state)
                return
            if petition.record_mediation(
                    outcome=event.data["outcome"], source="security", note=f"人民调解 {event.data['type']}",
                    actor=Actor("security", "人民调解"), now=cases.clock.now(), event_id=event.id,
                    dispute_id=event.data["dispute_id"], sessions=event.data["sessions"]):
                cases.repo.save(petition)

        retry_on_conflict(attempt, ATTEMPTS)

    return {DISPUTE_MEDIATED: on_dispute_mediated}
