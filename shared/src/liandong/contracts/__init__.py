"""Every event type on the wire, in one place: producers and consumers (and their tests) use these.

Each module registers the contracts of one producing service into `CONTRACTS`.
"""
from marshmallow import fields

from ..events.registry import ContractRegistry

CONTRACTS = ContractRegistry()


def person_key_field():
    """A resident the event is about, as the platform's pseudonym (`liandong.personal.person_key`,
    docs/events.md#person_key), never as an ID number. Optional (#19): absent in earlier events, None
    where the producer holds no ID number for that resident."""
    return fields.String(load_default=None, allow_none=True)


# the examples' resident: what `person_key` looks like (an HMAC-SHA256, hex)
EXAMPLE_PERSON_KEY = "7b2e3f0c9d8a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"

from . import audit, gateway, imports, petition, security, volunteer, welfare  # noqa: E402,F401  (registration on import)

from ..registry import SERVICES  # noqa: E402

TOPICS = sorted({c.topic for c in CONTRACTS.all()} | {f"{s}.events" for s in SERVICES})

__all__ = ["CONTRACTS", "TOPICS"]
