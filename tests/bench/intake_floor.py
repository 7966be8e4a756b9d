"""Intake's floor (#23): what SQLite alone costs for one petition, so the ratio target can be read against it.

The petition service registers petitions in-process (Flask's test client) and its outbox relay sends them; the
SQL both issue for one more petition is captured (sqlite3's trace callback on their connections) and replayed
raw with sqlite3 in one thread, warm, each replay a new petition under a new id — the same statements, the same
documents, the same 16 indexes and the same log append, without any of the platform's Python around them. Any
implementation of the same work pays at least this on this store, beside the HTTP and Flask a bare endpoint pays;
so `bare ÷ (bare + floor)` bounds the CPU-equivalent ratio intake could reach here, and `floor ÷ in-process`
says how much of a petition is the platform's own Python.

    python tests/bench/intake_floor.py [n]      # alone: the floor and the platform in-process, n petitions each
"""
from __future__ import annotations

import gc
import re
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from liandong.ids import new_id

# a quoted SQL literal ('it''s' included); a blob x'..' is matched on its quoted part and never holds the id
_LITERAL = re.compile(r"'(?:[^']|'')*'")
# the embedded log's append (liandong/bus/embedded.py): the offsets it read are bound to the head the replay reads
_APPEND = re.compile(r"^(INSERT INTO messages VALUES \('(?:[^']|'')*', )(\d+)(, )")
_HEAD = re.compile(r"^(INSERT INTO topics VALUES \('(?:[^']|'')*', )(\d+)(\))")
_HEAD_MARK = "\x00head"


@dataclass
class Statement:
    db: str                # the database file's path
    sql: str               # the captured text, with `?` where it held the petition's id or the log's offsets
    params: list = field(default_factory=list)  # ("id", the literal, the id in it to replace) | ("head", offset - head)
    reads_head: bool = False  # `SELECT next_offset`: its answer is the head the append's offsets follow


def _template(db: str, sql: str, petition_id: str, head: int | None) -> Statement:
    if head is not None:  # the log's offsets, as they were numbered when captured
        sql = _APPEND.sub(lambda m: f"{m[1]}'{_HEAD_MARK}{int(m[2]) - head}'{m[3]}", sql)
        sql = _HEAD.sub(lambda m: f"{m[1]}'{_HEAD_MARK}{int(m[2]) - head}'{m[3]}", sql)
    params: list = []

    def bind(m: re.Match) -> str:
        text = m[0][1:-1].replace("''", "'")
        if text.startswith(_HEAD_MARK):
            params.append(("head", int(text[len(_HEAD_MARK):])))
            return "?"
        if petition_id in text:
            params.append(("id", text))
            return "?"
        return m[0]

    sql = _LITERAL.sub(bind, sql)
    return Statement(db, sql, params, reads_head=sql.startswith("SELECT next_offset"))


def capture(settings, uses, bodies: list[dict], headers: dict) -> tuple[list[Statement], str]:
    """Register `bodies` through the petition app and relay them; then trace one more petition and its relay.
    Returns the statements and the id the traced petition had."""
    from liandong.outbox import OutboxRelay
    from petition.bootstrap import create_app, create_platform

    client = create_app(settings).test_client()
    relay = OutboxRelay(create_platform(settings).bus, [uses.repo.collection])
    url = "/api/v1/petition/petitions"
    for body in bodies[:-1]:
        assert client.post(url, json=body, headers=headers).status_code == 201
    while relay.run_once():
        pass
    traced: list[tuple[str, str]] = []
    # the storage and the log keep one connection per thread (liandong/sqlite_local.py), opened by now; the
    # statements are keyed by the file's whole path (another part of the bench may hold another `bus.db`)
    connections = [o for o in gc.get_objects() if isinstance(o, sqlite3.Connection)]
    for conn in connections:
        try:
            path = conn.execute("PRAGMA database_list").fetchone()[2]
        except sqlite3.ProgrammingError:  # closed, or another thread's
            continue
        conn.set_trace_callback(lambda sql, path=path: traced.append((path, sql)))
    try:
        answer = client.post(url, json=bodies[-1], headers=headers)
        assert answer.status_code == 201, answer.get_data(as_text=True)
        assert relay.run_once() == 1
    finally:
        for conn in connections:
            try:
                conn.set_trace_callback(None)
            except sqlite3.ProgrammingError:
                pass
    petition_id = answer.get_json()["id"]
    # one event a petition: the offset the log gave it was the head
    head = next((int(_APPEND.match(sql)[2]) for _, sql in traced if _APPEND.match(sql)), None)
    return [_template(path, sql, petition_id, head) for path, sql in traced], petition_id


def replay(statements: list[Statement], petition_id: str, n: int) -> tuple[float, int]:
    """Replay the statements `n` times (and a few to warm up), each time a new petition: the CPU milliseconds of
    one, and how many were replayed in all."""
    conns = {}
    for path in {s.db for s in statements}:
        conn = conns[path] = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # the platform's (liandong/storage/sqlite.py)

    def once() -> None:
        new, head = new_id(), 0
        for s in statements:
            args = [p[1].replace(petition_id, new) if p[0] == "id" else head + p[1] for p in s.params]
            rows = conns[s.db].execute(s.sql, args).fetchall()
            if s.reads_head:
                head = rows[0][0] if rows else 0

    warm = min(20, n)
    for _ in range(warm):  # the statement caches and the pages these touch
        once()
    start = time.process_time()
    for _ in range(n):
        once()
    cpu = (time.process_time() - start) / n * 1000
    for conn in conns.values():
        conn.close()
    return cpu, warm + n


def in_process(settings, uses, bodies: list[dict], headers: dict, relay_every: int = 10) -> float:
    """The platform doing the same in-process: POSTs through Flask's test client, relayed every `relay_every`
    (the relay's batches under load); the CPU milliseconds of one petition."""
    from liandong.outbox import OutboxRelay
    from petition.bootstrap import create_app, create_platform

    client = create_app(settings).test_client()
    relay = OutboxRelay(create_platform(settings).bus, [uses.repo.collection])
    url = "/api/v1/petition/petitions"
    start = time.process_time()
    for i, body in enumerate(bodies, 1):
        assert client.post(url, json=body, headers=headers).status_code == 201
        if i % relay_every == 0:
            relay.run_once()
    while relay.run_once():
        pass
    return (time.process_time() - start) / len(bodies) * 1000


def measure(settings, uses, bodies: list[dict], headers: dict, n: int) -> dict:
    """The floor and the platform in-process on the same database (`bodies`: 51 + n petitions at least), and
    what the replays left: a petition stored for each, none of their outboxes pending."""
    from liandong.outbox import PENDING

    warm, platform = bodies[:51], bodies[51:]
    statements, petition_id = capture(settings, uses, warm, headers)
    stored = uses.repo.collection.count_documents({})
    floor, runs = replay(statements, petition_id, n)
    after = uses.repo.collection.count_documents({})
    left_pending = uses.repo.collection.count_documents({PENDING: True})
    platform_cpu = in_process(settings, uses, platform[:n], headers)
    return {"floor_ms": floor, "platform_ms": platform_cpu, "statements": len(statements),
            "runs": runs, "stored": after - stored, "left_pending": left_pending, "n": n}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench
    from liandong.testing import token_for

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as d:
        settings = bench.store_settings("petition", Path(d), "sqlite", "embedded", "floor")
        service = bench.petition_service(settings)
        auth = {"Authorization": f"Bearer {token_for(settings, 'community_worker', 'sd0-c0', '/bench/sd0/sd0-c0/')}"}
        print(measure(settings, service, bench.petition_bodies(51 + count), auth, count))
