"""What the security service learns from the petition service: which petitions exist, to link disputes to them."""
from __future__ import annotations

from liandong.consumer import apply_once
from liandong.contracts import CONTRACTS
from liandong.events.envelope import Envelope
from liandong.storage.base import Collection

PETITION_REGISTERED = CONTRACTS.by_name("petition.registered").type


class KnownPetitions:
    """A local copy of petition ids and categories (never the petitioner), kept current from events."""

    def __init__(self, collection: Collection):
        self.petitions = collection

    def get(self, petition_id: str) -> dict | None:
        return self.petitions.find_one({"_id": petition_id})

    def on_petition_registered(self, event: Envelope) -> None:
        d = event.data
        apply_once(self.petitions, d["petition_id"], event.id, {"$set": {
            "org_unit_id": d["org_unit_id"], "category": d["category"], "org_path": event.orgpath,
            "registered_at": d["registered_at"]}})

    def handlers(self) -> dict:
        return {PETITION_REGISTERED: self.on_petition_registered}
