"""People's mediation (人民调解): register a dispute (optionally from a petition), sessions, outcome, follow-ups."""
from __future__ import annotations

from liandong.auth import Principal, out_of_scope
from liandong.errors import ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page

from ..domain.disputes import Dispute
from .base import READ, UseCases, in_sight

MEDIATE = "security:mediate"


class Mediation(UseCases):
    def _dispute(self, principal: Principal, dispute_id: str, permission: str) -> Dispute:
        return in_sight(principal, self.repos.disputes.get_or_none(dispute_id), permission, "dispute", dispute_id)

    def _petition(self, principal: Principal, petition_id: str, path: str) -> dict:
        """The petition a dispute comes from, as this service learned it from the petition service's events.

        One the caller does not mediate over, or not (yet) known here, answers 404 in the same words;
        it must lie inside the dispute's org unit, whose mediation outcome goes onto its timeline."""
        petition = self.repos.petitions.get(petition_id)
        if petition is None or not principal.sees(petition.get("org_path") or "", MEDIATE):
            raise out_of_scope("petition", petition_id)
        if not petition["org_path"].startswith(path):
            raise ValidationFailed("the petition lies outside the dispute's org unit", {"petition_id": [
                "a petition of this org unit or of one inside it"]})
        return petition

    def register(self, principal: Principal, data: dict) -> Dispute:
        path = self.path_of(data["org_unit_id"])
        principal.require(MEDIATE, path)
        petition = self._petition(principal, data["petition_id"], path) if data["petition_id"] else None
        dispute = Dispute(id=new_id(), org_path=path, registered_at=self.now(), registered_by=principal.user_id,
                          petition_category=petition["category"] if petition else None, **data)
        return self.repos.disputes.add(dispute)

    def page(self, principal: Principal, query: dict) -> Page:
        return self.repos.disputes.page(query, self.paths(principal, READ, query.get("org_unit")))

    def get(self, principal: Principal, dispute_id: str) -> Dispute:
        return self._dispute(principal, dispute_id, READ)

    def _mediate(self, principal: Principal, dispute_id: str, step) -> Dispute:
        return self.change(self.repos.disputes, lambda: self._dispute(principal, dispute_id, MEDIATE), step)

    def hold_session(self, principal: Principal, dispute_id: str, held_at: str | None, note: str) -> Dispute:
        return self._mediate(principal, dispute_id, lambda d: d.hold_session(
            self.at_or_now(held_at, "held_at"), principal.user_id, note))

    def conclude(self, principal: Principal, dispute_id: str, outcome: str, note: str | None) -> Dispute:
        return self._mediate(principal, dispute_id, lambda d: d.conclude(outcome, self.now(), note))

    def follow_up(self, principal: Principal, dispute_id: str, note: str, holding: bool) -> Dispute:
        return self._mediate(principal, dispute_id, lambda d: d.follow_up(self.now(), principal.user_id, note, holding))
