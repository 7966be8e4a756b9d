"""Every event type on the wire, in one place: producers and consumers (and their tests) use these.

Each module registers the contracts of one producing service into `CONTRACTS`.
"""
from ..events.registry import ContractRegistry

CONTRACTS = ContractRegistry()

from . import audit, gateway, imports, petition, security, volunteer, welfare  # noqa: E402,F401  (registration on import)

from ..registry import SERVICES  # noqa: E402

TOPICS = sorted({c.topic for c in CONTRACTS.all()} | {f"{s}.events" for s in SERVICES})

__all__ = ["CONTRACTS", "TOPICS"]
