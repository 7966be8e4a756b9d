"""Reactions to the security service's mediations (人民调解) of disputes that came from petitions."""
from __future__ import annotations

from liandong.contracts import CONTRACTS

from ..service_layer.petitions import PetitionService

DISPUTE_MEDIATED = CONTRACTS.by_name("security.dispute.mediated").type


def handlers(service: PetitionService) -> dict:
    return {DISPUTE_MEDIATED: service.on_dispute_mediated}
