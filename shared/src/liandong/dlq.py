"""Dead letters, for operators: list what a consumer group could not handle, and replay it after a fix.

A replay republishes the original bytes to the group's own retry topic (`<group>.retry`), so only
the group that failed sees the message again; the handlers are idempotent, so replaying twice is
harmless. What was replayed is recorded in the service's database.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from marshmallow import Schema, fields

from .bus.base import EventBus
from .fields import IsoTime
from .events.registry import dead_letter_topic, retry_topic
from .storage.base import Collection, DuplicateKeyError


@dataclass(frozen=True)
class DeadLetter:
    id: str
    dlq_topic: str
    original_topic: str
    original_offset: str
    key: str | None
    reason: str
    error: str
    group: str
    failed_at: str
    event_type: str | None
    event_id: str | None
    value: bytes
    orgpath: str | None = None  # the event's org path, when it could be read (the list's org_unit filter)

    def summary(self, replayed: dict | None = None) -> dict:
        out = {k: v for k, v in asdict(self).items() if k != "value"}
        out["replayed_at"] = (replayed or {}).get("at")
        return out


class DeadLetterSchema(Schema):
    """A dead letter as `GET /api/v1/<service>/dead-letters` lists it (for the OpenAPI document)."""

    id = fields.String(metadata={"description": "<dead-letter topic>:<partition>:<offset>"})
    dlq_topic = fields.String()
    original_topic = fields.String()
    original_offset = fields.String()
    key = fields.String(allow_none=True)
    reason = fields.String()
    error = fields.String()
    group = fields.String()
    failed_at = IsoTime()
    event_type = fields.String(allow_none=True)
    event_id = fields.String(allow_none=True)
    orgpath = fields.String(allow_none=True)
    replayed_at = IsoTime(allow_none=True)


def _event_fields(value: bytes) -> tuple[str | None, str | None, str | None]:
    """(type, id, orgpath) of the event in a message, as far as they can be read."""
    try:
        raw = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return None, None, None
    if not isinstance(raw, dict):
        return None, None, None
    orgpath = raw.get("orgpath")
    return raw.get("type"), raw.get("id"), orgpath if isinstance(orgpath, str) else None


def dead_letters(bus: EventBus, group: str, topics: list[str], limit: int = 10000) -> list[DeadLetter]:
    out: list[DeadLetter] = []
    for topic in topics:
        for m in bus.read(dead_letter_topic(topic), 0, limit):
            if m.headers.get("dlq.group") != group:
                continue
            event_type, event_id, orgpath = _event_fields(m.value)
            out.append(DeadLetter(
                id=f"{m.topic}:{m.partition}:{m.offset}", dlq_topic=m.topic,
                original_topic=m.headers.get("dlq.topic", topic), original_offset=m.headers.get("dlq.offset", ""),
                key=m.key, reason=m.headers.get("dlq.reason", ""), error=m.headers.get("dlq.error", ""),
                group=group, failed_at=m.headers.get("dlq.failed_at", ""), event_type=event_type,
                event_id=event_id, value=m.value, orgpath=orgpath))
    return sorted(out, key=lambda d: d.failed_at)


def replay(bus: EventBus, letters: list[DeadLetter], replayed: Collection, now_iso: str) -> int:
    """Send the letters back to their group; returns how many were sent."""
    sent = []
    for letter in letters:
        bus.publish(retry_topic(letter.group), letter.key, letter.value,
                    {"dlq.topic": letter.original_topic, "replay.of": letter.id})
        sent.append(letter)
    bus.flush()
    for letter in sent:  # recorded after the flush: a crash in between replays again, harmlessly
        try:
            replayed.insert_one({"_id": letter.id, "at": now_iso, "group": letter.group})
        except DuplicateKeyError:
            replayed.update_one({"_id": letter.id}, {"$set": {"at": now_iso}})
    return len(sent)
