"""The event-bus port: publish keyed messages to topics; consume them as a group, commit offsets.

Semantics are Kafka's, and the embedded adapter keeps them: a consumer's position advances as it
polls; what it has committed is where the group starts again after a crash; a key's messages stay
in order (one partition per key).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Protocol


class BusError(Exception):
    """Publishing or consuming failed; the caller keeps what it has and tries again later."""


class BusUnavailable(BusError):
    """The broker (or the embedded log) cannot be reached now."""


@dataclass(frozen=True)
class Message:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: dict = field(default_factory=dict)
    timestamp: float = 0.0


class Consumer(Protocol):
    group: str

    def poll(self, max_records: int = 500, timeout: float = 1.0) -> list[Message]: ...
    def commit(self, messages: Iterable[Message]) -> None: ...
    def seek_to_committed(self) -> None: ...
    def lag(self) -> int: ...
    def close(self) -> None: ...


class EventBus(Protocol):
    def publish(self, topic: str, key: str | None, value: bytes, headers: dict | None = None) -> None: ...
    def flush(self, timeout: float = 10.0) -> None: ...
    def consumer(self, group: str, topics: list[str], from_beginning: bool = True) -> Consumer: ...
    def ensure_topics(self, topics: Iterable[str]) -> None: ...
    def end_offsets(self, topics: Iterable[str]) -> dict[tuple[str, int], int]: ...
    def committed(self, group: str, topics: Iterable[str]) -> dict[tuple[str, int], int]: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...


def next_offsets(messages: Iterable[Message]) -> dict[tuple[str, int], int]:
    """The offset to commit per (topic, partition): one past the last message handled."""
    out: dict[tuple[str, int], int] = {}
    for m in messages:
        key = (m.topic, m.partition)
        out[key] = max(out.get(key, -1), m.offset + 1)
    return out


def group_lag(bus: "EventBus", group: str, topics: Iterable[str]) -> int:
    """Messages in every partition of `topics` that `group` has not committed, whichever member reads them.

    What an operator means by a group's lag (`liandong_consumer_lag_messages{service,group}`): one
    member's own assignment would hide its fellow members' partitions, and all of them before it joins.
    """
    topics = list(topics)
    ends = bus.end_offsets(topics)
    done = bus.committed(group, topics)
    return sum(max(0, n - done.get(k, 0)) for k, n in ends.items())

