"""Several deployments (or test runs) on one Kafka cluster: every topic and consumer group gets a prefix.

The code keeps using the plain names (`petition.events`); only the wire sees `<namespace>petition.events`.
"""
from __future__ import annotations

from typing import Iterable

from .base import Consumer, EventBus, Message


class NamespacedBus:
    def __init__(self, inner: EventBus, namespace: str):
        self.inner = inner
        self.ns = namespace

    def _t(self, topic: str) -> str:
        return self.ns + topic

    def _strip(self, m: Message) -> Message:
        if not m.topic.startswith(self.ns):
            return m
        # not dataclasses.replace: this runs for every message, and replace costs five times more
        return Message(m.topic[len(self.ns):], m.partition, m.offset, m.key, m.value, m.headers, m.timestamp)

    def _keys(self, offsets: dict) -> dict:
        return {(t[len(self.ns):] if t.startswith(self.ns) else t, p): n for (t, p), n in offsets.items()}

    def publish(self, topic: str, key: str | None, value: bytes, headers: dict | None = None) -> None:
        self.inner.publish(self._t(topic), key, value, headers)

    def flush(self, timeout: float = 10.0) -> None:
        self.inner.flush(timeout)

    def consumer(self, group: str, topics: list[str], from_beginning: bool = True) -> Consumer:
        return NamespacedConsumer(self, self.inner.consumer(self.ns + group, [self._t(t) for t in topics],
                                                            from_beginning), group)

    def ensure_topics(self, topics: Iterable[str]) -> None:
        self.inner.ensure_topics([self._t(t) for t in topics])

    def end_offsets(self, topics: Iterable[str]) -> dict:
        return self._keys(self.inner.end_offsets([self._t(t) for t in topics]))

    def committed(self, group: str, topics: Iterable[str]) -> dict:
        return self._keys(self.inner.committed(self.ns + group, [self._t(t) for t in topics]))

    def read(self, topic: str, start: int = 0, limit: int = 1000) -> list[Message]:
        return [self._strip(m) for m in self.inner.read(self._t(topic), start, limit)]

    def ping(self) -> None:
        self.inner.ping()

    def close(self) -> None:
        self.inner.close()


class NamespacedConsumer:
    def __init__(self, bus: NamespacedBus, inner: Consumer, group: str):
        self.bus = bus
        self.inner = inner
        self.group = group
        # a consumer that can hand its messages over with the plain topic names makes each message once
        # (a second Message per event was 3 % of the reports projector: #23's profile)
        self._stripped = hasattr(inner, "strip_prefix")
        if self._stripped:
            inner.strip_prefix = bus.ns

    def poll(self, max_records: int = 500, timeout: float = 1.0) -> list[Message]:
        if self._stripped:
            return self.inner.poll(max_records, timeout)
        return [self.bus._strip(m) for m in self.inner.poll(max_records, timeout)]

    def commit(self, messages: Iterable[Message]) -> None:
        last: dict[tuple[str, int], Message] = {}  # a commit is the next offset of each partition
        for m in messages:
            key = (m.topic, m.partition)
            if key not in last or m.offset > last[key].offset:
                last[key] = m
        self.inner.commit([Message(self.bus._t(m.topic), m.partition, m.offset, m.key, m.value, m.headers,
                                   m.timestamp) for m in last.values()])

    def seek_to_committed(self) -> None:
        self.inner.seek_to_committed()

    def lag(self) -> int:
        return self.inner.lag()

    def close(self) -> None:
        self.inner.close()
