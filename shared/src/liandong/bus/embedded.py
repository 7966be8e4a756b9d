"""Embedded event bus: an append-only log in one SQLite file that the local processes share.

Topics have one partition each, offsets are dense per topic, consumer groups keep committed
offsets, and a lease per (group, topic) makes sure only one member of a group reads a topic at a
time (the others wait for the lease, as Kafka's group members would wait for an assignment).
Everything is durable across restarts: it is all in the file.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterable

from ..ids import new_id
from ..sqlite_local import close_thread_connection, ping, thread_connection
from .base import BusUnavailable, Message, group_lag, next_offsets

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (topic TEXT PRIMARY KEY, next_offset INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  topic TEXT NOT NULL, offset INTEGER NOT NULL, key TEXT, value BLOB NOT NULL,
  headers TEXT NOT NULL, ts REAL NOT NULL, PRIMARY KEY (topic, offset)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_offsets (
  grp TEXT NOT NULL, topic TEXT NOT NULL, offset INTEGER NOT NULL, PRIMARY KEY (grp, topic)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
  grp TEXT NOT NULL, topic TEXT NOT NULL, owner TEXT NOT NULL, expires REAL NOT NULL,
  PRIMARY KEY (grp, topic)) WITHOUT ROWID;
"""


class EmbeddedBus:
    def __init__(self, path: str | Path, synchronous: str = "NORMAL", poll_interval: float = 0.02):
        self.path = str(path)
        self.synchronous = synchronous
        self.poll_interval = poll_interval
        self._local = threading.local()
        self._buffer: list[tuple] = []
        self._lock = threading.Lock()
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        return thread_connection(self._local, self.path, self.synchronous, BusUnavailable, "the embedded log")

    def _write(self, fn):
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result
        except sqlite3.OperationalError as exc:
            raise BusUnavailable(str(exc)) from exc

    # -- producing
    def publish(self, topic: str, key: str | None, value: bytes, headers: dict | None = None) -> None:
        with self._lock:
            self._buffer.append((topic, key, bytes(value), json.dumps(headers or {}, ensure_ascii=False)))

    def flush(self, timeout: float = 10.0) -> None:
        with self._lock:
            batch, self._buffer = self._buffer, []
        if not batch:
            return

        def append(conn):
            now = time.time()
            heads: dict[str, int] = {}
            for topic, key, value, headers in batch:
                if topic not in heads:
                    row = conn.execute("SELECT next_offset FROM topics WHERE topic = ?", (topic,)).fetchone()
                    heads[topic] = row[0] if row else 0
                conn.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)",
                             (topic, heads[topic], key, value, headers, now))
                heads[topic] += 1
            conn.executemany("INSERT INTO topics VALUES (?, ?) ON CONFLICT(topic) DO UPDATE SET next_offset = excluded.next_offset",
                             list(heads.items()))

        try:
            self._write(append)
        except BaseException:
            with self._lock:
                self._buffer[:0] = batch  # keep them for the next flush
            raise

    # -- consuming
    def consumer(self, group: str, topics: list[str], from_beginning: bool = True) -> "EmbeddedConsumer":
        self.ensure_topics(topics)
        return EmbeddedConsumer(self, group, list(topics), from_beginning)

    def ensure_topics(self, topics: Iterable[str]) -> None:
        names = list(topics)
        self._write(lambda c: c.executemany("INSERT OR IGNORE INTO topics VALUES (?, 0)", [(t,) for t in names]))

    def end_offsets(self, topics: Iterable[str]) -> dict[tuple[str, int], int]:
        out = {}
        for t in topics:
            row = self._conn().execute("SELECT next_offset FROM topics WHERE topic = ?", (t,)).fetchone()
            out[(t, 0)] = row[0] if row else 0
        return out

    def committed(self, group: str, topics: Iterable[str]) -> dict[tuple[str, int], int]:
        out = {}
        for t in topics:
            row = self._conn().execute("SELECT offset FROM group_offsets WHERE grp = ? AND topic = ?",
                                       (group, t)).fetchone()
            out[(t, 0)] = row[0] if row else 0
        return out

    def read(self, topic: str, start: int = 0, limit: int = 1000) -> list[Message]:
        """Read a topic without a group (operators listing dead letters, tests)."""
        rows = self._conn().execute(
            "SELECT offset, key, value, headers, ts FROM messages WHERE topic = ? AND offset >= ? "
            "ORDER BY offset LIMIT ?", (topic, start, limit)).fetchall()
        return [Message(topic, 0, o, k, bytes(v), json.loads(h), ts) for o, k, v, h, ts in rows]

    def ping(self) -> None:
        ping(self._conn, BusUnavailable)

    def close(self) -> None:
        close_thread_connection(self._local)


class EmbeddedConsumer:
    def __init__(self, bus: EmbeddedBus, group: str, topics: list[str], from_beginning: bool,
                 lease_seconds: float = 10.0):
        self.bus = bus
        self.group = group
        self.topics = topics
        self.from_beginning = from_beginning
        self.lease_seconds = lease_seconds
        self.owner = new_id()
        self.positions: dict[str, int] = {}
        self._lease_until: dict[str, float] = {}

    def _hold(self, topic: str) -> bool:
        """Take or renew this group's lease on the topic; only the holder reads it."""
        now = time.time()
        if self._lease_until.get(topic, 0) - now > self.lease_seconds / 2:
            return True

        def take(conn):
            row = conn.execute("SELECT owner, expires FROM leases WHERE grp = ? AND topic = ?",
                               (self.group, topic)).fetchone()
            if row and row[0] != self.owner and row[1] > now:
                return False
            conn.execute("INSERT OR REPLACE INTO leases VALUES (?, ?, ?, ?)",
                         (self.group, topic, self.owner, now + self.lease_seconds))
            return True

        if not self.bus._write(take):
            self._lease_until.pop(topic, None)
            self.positions.pop(topic, None)
            return False
        if topic not in self._lease_until or topic not in self.positions:
            self.positions[topic] = self._start(topic)
        self._lease_until[topic] = now + self.lease_seconds
        return True

    def _start(self, topic: str) -> int:
        conn = self.bus._conn()
        row = conn.execute("SELECT offset FROM group_offsets WHERE grp = ? AND topic = ?",
                           (self.group, topic)).fetchone()
        if row:
            return row[0]
        if self.from_beginning:
            return 0
        head = conn.execute("SELECT next_offset FROM topics WHERE topic = ?", (topic,)).fetchone()
        return head[0] if head else 0

    def poll(self, max_records: int = 500, timeout: float = 1.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while True:
            out: list[Message] = []
            for topic in self.topics:
                if len(out) >= max_records or not self._hold(topic):
                    continue
                rows = self.bus._conn().execute(
                    "SELECT offset, key, value, headers, ts FROM messages WHERE topic = ? AND offset >= ? "
                    "ORDER BY offset LIMIT ?", (topic, self.positions[topic], max_records - len(out))).fetchall()
                for offset, key, value, headers, ts in rows:
                    out.append(Message(topic, 0, offset, key, bytes(value), json.loads(headers), ts))
                if rows:
                    self.positions[topic] = rows[-1][0] + 1
            if out or time.monotonic() >= deadline:
                return out
            time.sleep(self.bus.poll_interval)

    def commit(self, messages: Iterable[Message]) -> None:
        offsets = next_offsets(messages)
        if not offsets:
            return
        self.bus._write(lambda c: c.executemany(
            "INSERT INTO group_offsets VALUES (?, ?, ?) ON CONFLICT(grp, topic) "
            "DO UPDATE SET offset = MAX(offset, excluded.offset)",
            [(self.group, t, o) for (t, _p), o in offsets.items()]))

    def lag(self) -> int:
        """Messages in the subscribed topics not yet committed by this group."""
        return group_lag(self.bus, self.group, self.topics)

    def seek_to_committed(self) -> None:
        for topic in list(self.positions):
            self.positions[topic] = self._start(topic)

    def close(self) -> None:
        self.bus._write(lambda c: c.execute("DELETE FROM leases WHERE grp = ? AND owner = ?",
                                            (self.group, self.owner)))
        self._lease_until.clear()
