"""The outbox relay's CPU an event with its removals committed one record at a time against one commit a batch
(#23: fewer commits on intake's write path). Petitions are registered in-process without relaying, then drained
in batches of 10 (about what the relay finds per look under intake's load); each side three times.

    python tests/bench/relay_commits.py [petitions]
"""
from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402

import liandong.outbox as outbox  # noqa: E402
from liandong.testing import token_for  # noqa: E402


def drain_cpu_ms(count: int) -> float:
    """CPU milliseconds an event of the relay draining `count` petitions, batches of 10."""
    from petition.bootstrap import create_app, create_platform

    with tempfile.TemporaryDirectory() as d:
        settings = bench.store_settings("petition", Path(d), "sqlite", "embedded", "relay")
        service = bench.petition_service(settings)
        auth = {"Authorization": f"Bearer {token_for(settings, 'community_worker', 'sd0-c0', '/bench/sd0/sd0-c0/')}"}
        client = create_app(settings).test_client()
        relay = outbox.OutboxRelay(create_platform(settings).bus, [service.repo.collection], batch_size=10)
        for body in bench.petition_bodies(count):
            assert client.post("/api/v1/petition/petitions", json=body, headers=auth).status_code == 201
        start, sent = time.process_time(), 0
        while (n := relay.run_once()):
            sent += n
        assert sent == count and service.repo.collection.count_documents({outbox.PENDING: True}) == 0
        return (time.process_time() - start) / sent * 1000


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    batched = outbox.one_commit
    for side, commit in (("a commit a record", lambda db: contextlib.nullcontext()), ("a commit a batch", batched)) * 2:
        outbox.one_commit = commit
        print(side, [round(drain_cpu_ms(count), 3) for _ in range(3)], "ms of CPU an event")
