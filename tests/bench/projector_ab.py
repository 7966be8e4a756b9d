"""Before/after of the read model's way of counting each event once on MongoDB/FerretDB, interleaved in one run.

    MONGO_URI=... python tests/bench/projector_ab.py [events] [rounds]

`before` keeps the ids of each bucket's last 1 000 events in the bucket (a generation built before claims:
every update filters on them and FerretDB rewrites the whole document); `after` claims each event in its own
collection and marks the bucket with the poll (read_model.py). Each round replays the same events (the first
`events` of the bench's 1 M-event year, as dense in buckets as the bench's replay) from the embedded bus into a
fresh read model, once each way, alternating which goes first; every drain is checked complete and every
overview against what was generated, and the overview's time over a year is taken after each drain. Prints
events/s per round and the median ratio. (SQLite keeps its ids in a table of its own in the same transaction:
nothing to compare there.)"""
from __future__ import annotations

import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402

from gateway.adapters import read_model as rm  # noqa: E402
from liandong.testing import token_for  # noqa: E402

CLAIMS = rm.ReadModel._uses_claims


def one(store: str, n: int, variant: str, tag: str) -> tuple[float, float, str]:
    """Events/s by the clock and per CPU-second of this process (on a loaded machine the clock measures
    the others as well; on SQLite all the work is in this process, on FerretDB much of it is the server's)."""
    rm.ReadModel._uses_claims = (lambda self: False) if variant == "before" else CLAIMS
    with tempfile.TemporaryDirectory() as d:
        settings = bench.store_settings("gateway", Path(d), store, "embedded", tag)
        platform, app, projector, communities = bench.projector_for(settings)
        totals: dict = {key: 0 for key in bench.EXPECTED}
        events = itertools.islice(bench.synthetic_events(1_000_000, communities, totals), n)
        for env in events:
            platform.bus.publish(f"{env.service}.events", env.subject, env.to_json())
        platform.bus.flush()
        # the totals of the first n events only: synthetic_events counts as it yields
        cpu = time.process_time()
        elapsed, why = bench.drain(projector, n, limit=1800)
        cpu = time.process_time() - cpu
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token_for(settings, 'district_admin', 'bench', '/bench/')}"}
        read = time.perf_counter()
        body = client.get("/api/v1/reports/overview", query_string={"org_unit": "bench", **bench.YEAR},
                          headers=headers).get_json()
        read = time.perf_counter() - read
        wrong = [k for k in bench.EXPECTED if body["metrics"][k]["value"] != totals[k]]
        if wrong and not why:
            why = f"overview differs from what was generated: {wrong}"
        if store == "mongo":
            platform.db.drop()
        return n / elapsed, n / cpu, read, why


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if not os.environ.get("MONGO_URI"):
        raise SystemExit("MONGO_URI: the MongoDB-protocol server to measure on")
    stores = ["mongo"]
    out: dict = {"events": n, "rounds": rounds, "load_start": os.getloadavg(), "stores": {}}
    for store in stores:
        rates: dict[str, list[float]] = {"before": [], "after": [], "before_cpu": [], "after_cpu": [],
                                         "before_overview_s": [], "after_overview_s": []}
        for r in range(rounds):
            order = ("before", "after") if r % 2 == 0 else ("after", "before")
            for variant in order:
                rate, cpu_rate, read, why = one(store, n, variant,
                                                f"ab{store[0]}{r}{variant[0]}{int(time.time()) % 100000}")
                if why:
                    raise SystemExit(f"{store} {variant} round {r}: refused: {why}")
                rates[variant].append(rate)
                rates[f"{variant}_cpu"].append(cpu_rate)
                rates[f"{variant}_overview_s"].append(read)
                print(f"{store:6s} round {r} {variant:6s} {rate:9,.0f} events/s, {cpu_rate:9,.0f} events/CPU-s, "
                      f"year overview {read * 1000:,.0f} ms (load {os.getloadavg()[0]:.1f})", flush=True)
        summary = {}
        for kind in ("", "_cpu"):
            ratios = [a / b for a, b in zip(rates[f"after{kind}"], rates[f"before{kind}"])]
            summary[f"ratio{kind}_median"] = statistics.median(ratios)
            print(f"{store}: after/before{kind or ' (clock)'} median {statistics.median(ratios):.2f} "
                  f"(per round {', '.join(f'{x:.2f}' for x in ratios)})", flush=True)
        out["stores"][store] = {**rates, **summary}
    out["load_end"] = os.getloadavg()
    bench.OUT.mkdir(parents=True, exist_ok=True)
    (bench.OUT / f"projector_ab_{'_'.join(stores)}.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
