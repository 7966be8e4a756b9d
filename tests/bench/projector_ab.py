"""Before/after of the projector's bucket writes, interleaved in one run, on both stores.

    python tests/bench/projector_ab.py [events] [rounds]      # MONGO_URI set: FerretDB/MongoDB too
    AB_STORES=mongo python tests/bench/projector_ab.py 1000 2 # one store

`before` is the read model writing each bucket of a poll on its own (one `update_one` each: on FerretDB a
lock taken and given back, the update, the `$slice` emulation — about five round trips a bucket), as it did
until `Collection.upsert_each`; `after` is the read model as it is. Each round replays the same events
(the first `events` of the bench's 1 M-event year, as dense in buckets as the bench's replay) from the
embedded bus into a fresh read model, once each way, alternating which goes first; every drain is checked
complete and every overview against what was generated. Prints events/s per round and the median ratio."""
from __future__ import annotations

import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402

from gateway.adapters import read_model as rm  # noqa: E402
from liandong.consumer import HANDLED  # noqa: E402
from liandong.storage.base import DuplicateKeyError  # noqa: E402
from liandong.testing import token_for  # noqa: E402

AFTER = rm.ReadModel._apply_many


def _before(self, which: str, buckets) -> None:
    """The per-bucket writes of commit 16ddb7d (read_model.py `_apply_many`), for the comparison."""
    for doc_id, fields, by_event in buckets:
        coll = getattr(self, which)
        ids = list(by_event)
        total: dict[str, float] = defaultdict(int)
        for inc in by_event.values():
            for k, v in inc.items():
                total[k] += v
        if self.seen is not None:
            coll.update_one({"_id": doc_id}, {"$inc": dict(total), "$set": fields}, upsert=True)
            continue
        record = {"$push": {HANDLED: {"$each": ids[-rm.KEEP:], "$slice": -rm.KEEP}}}
        try:
            result = coll.update_one({"_id": doc_id, HANDLED: {"$nin": ids}},
                                     {"$inc": dict(total), "$set": fields, **record}, upsert=True)
            if result.matched_count or result.upserted_id is not None:
                continue
        except DuplicateKeyError:
            pass
        for event_id, inc in by_event.items():
            self._apply_one(which, doc_id, event_id, inc, fields)


def one(store: str, n: int, variant: str, tag: str) -> tuple[float, float, str]:
    """Events/s by the clock and per CPU-second of this process (on a loaded machine the clock measures
    the others as well; on SQLite all the work is in this process, on FerretDB much of it is the server's)."""
    rm.ReadModel._apply_many = _before if variant == "before" else AFTER
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
        body = client.get("/api/v1/reports/overview", query_string={"org_unit": "bench", **bench.YEAR},
                          headers=headers).get_json()
        wrong = [k for k in bench.EXPECTED if body["metrics"][k]["value"] != totals[k]]
        if wrong and not why:
            why = f"overview differs from what was generated: {wrong}"
        if store == "mongo":
            platform.db.drop()
        return n / elapsed, n / cpu, why


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    stores = ["sqlite"] + (["mongo"] if os.environ.get("MONGO_URI") else [])
    stores = [s for s in os.environ.get("AB_STORES", ",".join(stores)).split(",") if s]
    out: dict = {"events": n, "rounds": rounds, "load_start": os.getloadavg(), "stores": {}}
    for store in stores:
        rates: dict[str, list[float]] = {"before": [], "after": [], "before_cpu": [], "after_cpu": []}
        for r in range(rounds):
            order = ("before", "after") if r % 2 == 0 else ("after", "before")
            for variant in order:
                rate, cpu_rate, why = one(store, n, variant, f"ab{store[0]}{r}{variant[0]}{int(time.time()) % 100000}")
                if why:
                    raise SystemExit(f"{store} {variant} round {r}: refused: {why}")
                rates[variant].append(rate)
                rates[f"{variant}_cpu"].append(cpu_rate)
                print(f"{store:6s} round {r} {variant:6s} {rate:9,.0f} events/s, {cpu_rate:9,.0f} events/CPU-s "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
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
