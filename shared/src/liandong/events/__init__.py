"""Event envelope and the contract registry."""
from .envelope import Envelope, EnvelopeSchema, InvalidEnvelope
from .registry import (
    ContractRegistry,
    EventContract,
    InvalidEventData,
    UnknownEventType,
    dead_letter_topic,
    retry_topic,
    topic_for,
)

__all__ = [
    "ContractRegistry", "Envelope", "EnvelopeSchema", "EventContract", "InvalidEnvelope",
    "InvalidEventData", "UnknownEventType", "dead_letter_topic", "retry_topic", "topic_for",
]
