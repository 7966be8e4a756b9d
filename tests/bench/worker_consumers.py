"""Why a whole gateway worker process reached ~0.23 of the bare Kafka loop while its projector alone, in-process,
reaches ~0.33: the worker also runs the gateway's own consumer group (the audit trail's: every service's
`personal_data.accessed` and `import.completed`), which subscribed to every service's facts' topic and so fetched
and decoded each of the year's events too, to skip them by their `ce_type` header.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:29092 python tests/bench/worker_consumers.py [events] [rounds]

Each round publishes the same year once per variant, each time under a namespace of its own, and measures a
gateway worker process as `make bench` does (bench.consumed_rate, from the group's committed offsets): whole,
without its own consumer group, without its outbox relay, and with its reports projector only; each variant goes
first in one round (the order is rotated).

2026-12-01, this VM idle, Kafka + SQLite, 100 000 events, two rounds, events/s —
- the audit facts on the facts' topics (0fbcc40): with the trail's consumer (whole; without the relay)
  7 005, 6 017; 6 669, 6 024 — without it (without its group; projector only) 9 379, 9 049; 8 317, 7 980;
- the audit facts on `<service>.audit` (branch `audit-topic`, merged as 1efcb72): with it 8 178, 8 355; 8 923, 7 582 — without it
  7 546, 9 064; 6 623, 8 782: the gap gone (the machine's own noise is ±15 %)."""
from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402

from liandong.testing import settings_env, spawn  # noqa: E402

# the worker as it runs, and without each of its other parts in turn
WITHOUT = {"whole worker": "",
           "without its own consumer group": "w.consumers = [c for c in w.consumers if c.group != 'gateway']; ",
           "without its outbox relay": "w.relay = None; ",
           "projector only": "w.consumers = [c for c in w.consumers if c.group != 'gateway']; w.relay = None; "
                             "w.periodic = []; "}


def command(without: str) -> list[str]:
    return ["python", "-c", f"from gateway.bootstrap import create_worker; w = create_worker(); {without}w.run_forever()"]


def main(n: int = 100000, rounds: int = 2) -> None:
    with tempfile.TemporaryDirectory() as d:
        settings = bench.store_settings("gateway", Path(d), "sqlite", "kafka", "wc")
        _, _, _, communities = bench.projector_for(settings)
        for r in range(rounds):
            variants = list(enumerate(WITHOUT.items()))
            for i, (variant, without) in variants[r % len(variants):] + variants[:r % len(variants)]:  # each first once
                cmd = command(without)
                tag = f"v{i}r{r}"
                scale = replace(settings, database_prefix=f"{settings.database_prefix}{tag}",
                                bus_namespace=f"{settings.bus_namespace}{tag}-")
                platform, _, projector, _ = bench.projector_for(scale)
                bench.publish_year(platform.bus, n, communities)
                procs = [spawn(cmd, settings_env(scale), Path(d) / f"worker-{tag}.log")]
                try:
                    rate, why = bench.consumed_rate(platform.bus, bench.group_of(projector.current()["active"]), n,
                                                    procs)
                finally:
                    for p in procs:
                        bench.stop(p)
                print(f"round {r + 1}, {variant}: {rate:,.0f} events/s"
                      f"{f' ({1e6 / rate:.0f} µs an event)' if rate else ''} {why}", flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
