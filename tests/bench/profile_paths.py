"""Where the time of the two missed ratios goes: cProfile of petition intake (the petition app, in-process,
the same request bodies as the bench) and of the projector (the embedded bus, the bench's synthetic year).

    python tests/bench/profile_paths.py intake [n]      # n POSTs
    python tests/bench/profile_paths.py projector [n]   # n events
    python tests/bench/profile_paths.py projector-kafka [n]   # the same through Kafka (KAFKA_BOOTSTRAP_SERVERS)
    python tests/bench/profile_paths.py projector-mongo [n]   # the embedded bus, the buckets in MONGO_URI's server

Prints the functions by own time and by cumulative time; what it showed is in docs/bench-2026-11-29.md."""
from __future__ import annotations

import cProfile
import itertools
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402

from liandong.testing import token_for  # noqa: E402


def intake(n: int) -> cProfile.Profile:
    from petition.bootstrap import create_app

    d = tempfile.mkdtemp()
    settings = bench.store_settings("petition", Path(d), "sqlite", "embedded", "prof")
    bench.petition_service(settings)
    client = create_app(settings).test_client()
    headers = {"Authorization": f"Bearer {token_for(settings, 'community_worker', 'sd0-c0', '/bench/sd0/sd0-c0/')}"}
    bodies = bench.petition_bodies(n + 50)
    for b in bodies[:50]:  # warm
        assert client.post("/api/v1/petition/petitions", json=b, headers=headers).status_code == 201
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for b in bodies[50:]:
        client.post("/api/v1/petition/petitions", json=b, headers=headers)
    prof.disable()
    print(f"{n} POSTs in {time.perf_counter() - t:.2f}s (under the profiler)")
    return prof


def projector(n: int, bus: str = "embedded", store: str = "sqlite") -> cProfile.Profile:
    d = tempfile.mkdtemp()
    settings = bench.store_settings("gateway", Path(d), store, bus, f"prof{int(time.time())}")
    platform, app, proj, communities = bench.projector_for(settings)
    # the first n events of a district's year (1 M events): batches as dense in buckets as the bench's replay
    for env in itertools.islice(bench.synthetic_events(1_000_000, communities), n):
        platform.bus.publish(f"{env.service}.events", env.subject, env.to_json())
    platform.bus.flush()
    while proj.live.handled == 0:  # the group's join (Kafka) is not consuming
        proj.run_once(timeout=0.5)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    elapsed, why = bench.drain(proj, n - proj.live.handled)
    prof.disable()
    print(f"{n} events in {time.perf_counter() - t:.2f}s (under the profiler) {why}")
    return prof


if __name__ == "__main__":
    what = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    prof = {"intake": intake, "projector": projector,
            "projector-kafka": lambda k: projector(k, "kafka"),
            "projector-mongo": lambda k: projector(k, "embedded", "mongo")}[what](n)
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(35)
    stats.sort_stats("cumulative").print_stats(45)
