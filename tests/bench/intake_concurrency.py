"""Where intake's CPU goes under gunicorn beyond the in-process figure (#23): requests in flight at once, and the
worker class, each beside the bare endpoint at the same settings.

    python tests/bench/intake_concurrency.py inflight   # the web process's CPU per petition: one request at a
                                                        # time (1 thread, 1 connection) against 8 threads × 16
                                                        # connections, with and without the service's worker
    python tests/bench/intake_concurrency.py class      # gthread (the services' setting) against sync workers,
                                                        # 1 and 2 processes, intake and the bare endpoint alike

Each point is a 10 s saturated wrk load after 3 s of warm-up, on a new database; the runs alternate so a machine
that changes speed meets both sides. What they showed is in docs/bench-2026-11-30-intake.md."""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402
from measure import cpu_seconds, stop, wrk  # noqa: E402


def _stack(d: str, workers: int, threads: int, worker_class: str = "gthread"):
    return bench.intake_stack(Path(d), "sqlite", "embedded", workers, f"c{time.time_ns()}", threads, worker_class)


def inflight(threads: int, connections: int, with_worker: bool) -> str:
    bodies = bench.petition_bodies()
    with tempfile.TemporaryDirectory() as d:
        settings, _, procs, token = _stack(d, 1, threads)
        worker, web = procs
        if not with_worker:
            stop(worker)  # the relay's writes no longer meet the web process's reads
        url = f"http://127.0.0.1:{settings.port}/api/v1/petition/petitions"
        try:
            wrk(url, bodies, token, seconds=3, connections=connections)
            cpu = cpu_seconds(web.pid)
            sat = wrk(url, bodies, token, seconds=10, connections=connections)
            per = (cpu_seconds(web.pid) - cpu) / sat["requests"] * 1000
        finally:
            for p in procs:
                stop(p)
    return (f"{threads} thread(s) × {connections} connection(s), worker {'on' if with_worker else 'off'}: "
            f"{sat['rps']:.0f} req/s, {sat['failed']} failed, web process {per:.2f} ms of CPU a petition")


def worker_class(cls: str, workers: int) -> str:
    bodies = bench.petition_bodies()
    with tempfile.TemporaryDirectory() as d:
        settings, _, procs, token = _stack(d, workers, 8, cls)
        bare_proc, bare_url = bench.bare_server(workers, 8, cls)
        url = f"http://127.0.0.1:{settings.port}/api/v1/petition/petitions"
        try:
            wrk(bare_url, bodies, seconds=3)
            wrk(url, bodies, token, seconds=3)
            cpu = cpu_seconds(bare_proc.pid)
            bare = wrk(bare_url, bodies, seconds=10)
            bare_cpu = (cpu_seconds(bare_proc.pid) - cpu) / bare["requests"] * 1000
            pids = [p.pid for p in procs]
            cpu = cpu_seconds(*pids)
            sat = wrk(url, bodies, token, seconds=10)
            intake_cpu = (cpu_seconds(*pids) - cpu) / sat["requests"] * 1000
        finally:
            stop(bare_proc)
            for p in procs:
                stop(p)
    return (f"{cls} × {workers}: bare {bare['rps']:.0f} req/s ({bare['failed']} failed) {bare_cpu:.2f} ms of CPU; "
            f"intake {sat['rps']:.0f} req/s ({sat['failed']} failed) {intake_cpu:.2f} ms; ratio "
            f"{sat['rps'] / bare['rps']:.3f}, CPU-equivalent {bare_cpu / intake_cpu:.3f}")


if __name__ == "__main__":
    runs = {"inflight": [(inflight, (1, 1, False)), (inflight, (8, 16, False)), (inflight, (1, 1, True)),
                         (inflight, (8, 16, True))] * 2,
            "class": [(worker_class, ("sync", 1)), (worker_class, ("gthread", 1)), (worker_class, ("sync", 2)),
                      (worker_class, ("gthread", 2))] * 2}[sys.argv[1]]
    for fn, args in runs:
        print(fn(*args), flush=True)
