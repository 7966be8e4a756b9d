"""What the security service learns from the petition service: which petitions exist, to link disputes to them."""
from __future__ import annotations

from liandong.contracts import CONTRACTS

from ..adapters.stores import KnownPetitions

PETITION_REGISTERED = CONTRACTS.by_name("petition.registered").type


def handlers(deps) -> dict:
    """{event type: handler}: a registered petition is remembered (its id, category and org path, never
    the petitioner), once per event."""
    return {PETITION_REGISTERED: KnownPetitions(deps).learn}
