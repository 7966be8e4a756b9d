"""`make bench`: Liandong's figures beside the raw limits of the same machine, measured in one run.

Every figure is printed with its raw limit and the ratio, and all are written to
artifacts/bench/results.json and results.md (BENCH_OUT elsewhere). Loopback only; every loop is bounded
in count and time. How a figure is taken and when it is refused: tests/bench/measure.py.

    make bench                       # a district's year: 1 000 000 events, 1 000 000 petitions
    BENCH_EVENTS=100000 make bench   # a quicker run
    BENCH_SCALE_10X=1 make bench     # also the 1 000 % points of the scaling curves (10 M events, 10 M petitions)
    BENCH_TINY=1                     # the harness at a tiny scale (tests/bench/test_bench_harness.py)

Kafka and FerretDB: `make bench` starts its own (tests/bench/run.sh) unless KAFKA_BOOTSTRAP_SERVERS
and MONGO_URI point at running ones. The year of events and the petitions for the lists are written
straight into storage through the services' own code (the bus adapters, the petition repository's
collection), not through HTTP; everything that is timed goes through the production path: gunicorn
(the services' settings) and HTTP for intake and queries — reads also through the gateway — the bus
and the projector for events. Rows timed in-process (Flask's test client) say so in their name.

Every figure that compares is taken beside its raw limit in the same run, both warmed up, both at the same
offered load where latencies are compared; a figure with more than 0.1 % failed calls, fewer than 200
samples, or a drain that stopped at its time limit is recorded as refused, and the run's checks (what was
stored and what the overview counts, against what was generated) are in the results; the exit status is 1
when a check failed or a figure was refused.
"""
from __future__ import annotations

import functools
import inspect
import json
import os
import platform as host_platform
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))  # measure, bare_app, district_load beside this file

from measure import (MIN_SAMPLES, WARMUP, cpu_seconds, gunicorn, long_enough, paced_connections, percentile,  # noqa: E402
                     refusal, stop, timed_gets, wait_http, wrk)

from liandong.config import SERVICES, Settings  # noqa: E402
from liandong.testing import free_port, settings_env, spawn, token_for  # noqa: E402
from liandong.worker import settle_heap  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TINY = os.environ.get("BENCH_TINY") == "1"
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "artifacts" / "bench")
DURATION = float(os.environ.get("BENCH_SECONDS", "3" if TINY else "10"))
# the longest a slow path's load may be stretched to reach MIN_SAMPLES answers (measure.long_enough)
LONGEST = float(os.environ.get("BENCH_LONGEST", "10" if TINY else "180"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "4000" if TINY else "1000000"))
PETITIONS = int(os.environ.get("BENCH_PETITIONS", str(EVENTS)))
KAFKA_EVENTS = int(os.environ.get("BENCH_KAFKA_EVENTS", "4000" if TINY else "100000"))
# the district's path (FerretDB here) drains ~400 events/s: its own, smaller year keeps one `make bench` in a session
MONGO_KAFKA_EVENTS = int(os.environ.get("BENCH_MONGO_KAFKA_EVENTS", "4000" if TINY else "20000"))
SCALE_10X = os.environ.get("BENCH_SCALE_10X") == "1"
WORKERS = [int(w) for w in os.environ.get("BENCH_WORKERS", "1" if TINY else "1,2,4").split(",")]
CONSUMERS = [int(c) for c in os.environ.get("BENCH_CONSUMERS", "1,2").split(",")]
# gunicorn threads per web process, for intake and its bare endpoint alike (the services run 8: deploy/local/run.py)
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
MONGO = os.environ.get("MONGO_URI", "")
KAFKA_LIBS = Path(os.environ.get("LIANDONG_CACHE_DIR", str(Path.home() / ".cache" / "liandong"))) / "kafka" / "libs"
RUN = f"bench{int(time.time())}"
RESULTS: list[dict] = []
CHECKS: list[dict] = []
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}


def record(name: str, value: float | None, unit: str, raw: float | None = None, raw_name: str = "", target: str = "",
           refused: str = "", samples: int | None = None, method: str = ""):
    """One figure; `refused` (why) keeps a figure that cannot be trusted out of the table's numbers."""
    if refused:
        value = None
    ratio = (value / raw) if (raw and value is not None) else None
    RESULTS.append({"figure": name, "value": None if value is None else round(value, 3), "unit": unit,
                    "raw_limit": raw and round(raw, 3), "raw_name": raw_name, "ratio": ratio and round(ratio, 3),
                    "target": target, "refused": refused, "samples": samples, "method": method})
    if refused:
        print(f"{name:70s} REFUSED: {refused}", flush=True)
        return
    extra = f"  raw {raw_name} {raw:,.1f} → ratio {ratio:.2f}" if ratio is not None else ""
    print(f"{name:70s} {value:12,.2f} {unit:8s}{extra}  {target}", flush=True)


def check(name: str, expected, got, ok: bool | None = None) -> bool:
    """What the run left behind, against what it generated."""
    ok = (expected == got) if ok is None else ok
    CHECKS.append({"check": name, "expected": expected, "got": got, "ok": bool(ok)})
    print(f"  check {'ok  ' if ok else 'FAIL'} {name}: expected {expected}, got {got}", flush=True)
    return ok


def record_load(name: str, result: dict, unit: str = "req/s", raw: dict | None = None, raw_name: str = "",
                target: str = "") -> None:
    """The success rate of a wrk load, beside its raw limit's; refused when either side cannot be used."""
    why = refusal(result) or (raw is not None and refusal(raw) and f"raw limit: {refusal(raw)}") or ""
    record(name, result["rps"], unit, raw and raw["rps"], raw_name, target, refused=why,
           samples=result["requests"], method=result["method"])


def record_latencies(name: str, result: dict, raw: dict | None = None, raw_name: str = "",
                     pcts: tuple = ("p50", "p99"), target: str = "") -> None:
    why = refusal(result) or (raw is not None and refusal(raw) and f"raw limit: {refusal(raw)}") or ""
    for p in pcts:
        record(f"{name}, {p}", result[f"{p}_ms"], "ms", raw and raw[f"{p}_ms"], raw_name,
               target if p == pcts[-1] else "", refused=why, samples=result["samples"], method=result["method"])


# -- raw limits ------------------------------------------------------------------------------------

def bare_server(workers: int = 1, threads: int = 8, worker_class: str = "gthread") -> tuple:
    """The raw limit for intake: a bare Flask JSON endpoint (bare_app.py) on the services' gunicorn settings."""
    port = free_port()
    proc = gunicorn("bare_app:create_app()", port, dict(os.environ), OUT / "logs" / "bare.log", workers=workers,
                    threads=threads, chdir=HERE, worker_class=worker_class)
    return proc, f"http://127.0.0.1:{port}/echo"


def raw_sqlite_inserts(n: int = 20000) -> float:
    with tempfile.TemporaryDirectory() as d:
        conn = sqlite3.connect(Path(d) / "raw.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, doc TEXT)")
        doc = json.dumps(petition_body(), ensure_ascii=False)
        start = time.perf_counter()
        for i in range(n):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES (?, ?)", (f"id{i}", doc))
            conn.execute("COMMIT")
        return n / (time.perf_counter() - start)


# -- the petitions a district registers --------------------------------------------------------------

def id_number(rnd: random.Random) -> str:
    """A valid 18-digit resident ID (GB 11643 check digit), born 1940-2005, of 船营区 (220204)."""
    from liandong.idnumbers import check_digit

    born = date(1940, 1, 1) + timedelta(days=rnd.randrange(65 * 365))
    first17 = f"220204{born:%Y%m%d}{rnd.randrange(1000):03d}"
    return first17 + check_digit(first17)


CATEGORIES = ["environment_noise", "property", "labour_wages", "social_assistance", "neighbour_dispute",
              "land_housing", "public_order", "other"]


def petition_body(rnd: random.Random | None = None, unit: str = "sd0-c0") -> dict:
    rnd = rnd or random.Random(0)
    return {"org_unit_id": unit, "category": rnd.choice(CATEGORIES), "channel": rnd.choice(["visit", "hotline", "online"]),
            "content": "楼下饭店油烟和噪音扰民,夜间施工影响休息",
            "petitioners": [{"name": "刘女士", "id_number": id_number(rnd), "mobile": f"139{rnd.randrange(10**8):08d}",
                             "address": "1号楼3单元"}]}


def petition_bodies(n: int = 2000) -> list[dict]:
    """Many petitioners, as in a district; a few come back (the same ID twice in a year is a repeat)."""
    rnd = random.Random(11)
    return [petition_body(rnd) for _ in range(n)]


def district_tree() -> dict:
    return {"id": "bench", "name": "基准区", "level": "district", "children": [
        {"id": f"sd{s}", "name": f"街道{s}", "level": "subdistrict", "children": [
            {"id": f"sd{s}-c{c}", "name": f"社区{s}-{c}", "level": "community"} for c in range(10)]}
        for s in range(10)]}


def flatten(node: dict, parent_path: str, parent_id: str | None):
    path = f"{parent_path}{node['id']}/"
    yield {"_id": node["id"], "name": node["name"], "level": node["level"], "parent_id": parent_id, "path": path}
    for child in node.get("children", []):
        yield from flatten(child, path, node["id"])


def store_settings(service: str, tmp: Path, store: str, bus: str, tag: str) -> Settings:
    """One service's settings on the embedded default (sqlite) or the district's path (mongo + kafka)."""
    return Settings(service=service, data_dir=tmp, database_prefix=f"{RUN}{tag}", store=store, bus=bus,
                    kafka_bootstrap_servers=KAFKA or "127.0.0.1:9092", mongo_uri=MONGO or "mongodb://127.0.0.1:27017",
                    bus_namespace=f"{RUN}-{tag}-", log_level="WARNING", ports={s: free_port() for s in SERVICES}
                    ).with_keys()


def petition_service(settings: Settings):
    """The petition service's use cases, its indexes made and the bench district's units known (as the
    gateway's org events would teach it)."""
    from petition.bootstrap import create_service

    uses = create_service(settings)
    uses.cases.prepare()
    units = uses.cases.org.units
    for u in flatten(district_tree(), "/", None):
        if units.find_one({"_id": u["_id"]}) is None:
            units.insert_one(u)
    return uses


def path_label(store: str, bus: str) -> str:
    if store != "sqlite":
        return "district path (Kafka + FerretDB)"
    return "embedded (SQLite)" if bus == "embedded" else "Kafka + SQLite"


# -- intake: the petition service's web process beside the bare endpoint ---------------------------

def intake_stack(tmp: Path, store: str, bus: str, workers: int, tag: str, threads: int = 8,
                 worker_class: str = "gthread") -> tuple:
    """The petition service as production runs it: gunicorn (`workers` × `threads`) and its worker (the relay)."""
    settings = store_settings("petition", tmp, store, bus, tag)
    uses = petition_service(settings)
    env = settings_env(settings)
    procs = [spawn(["python", "-m", "petition.worker"], env, OUT / "logs" / f"petition-worker-{tag}.log")]
    procs.append(gunicorn("petition.bootstrap:create_app()", settings.port, env, OUT / "logs" / f"petition-{tag}.log",
                          workers=workers, threads=threads, worker_class=worker_class))
    token = token_for(settings, "community_worker", "sd0-c0", "/bench/sd0/sd0-c0/")
    return settings, uses, procs, token


@functools.cache
def intake_floor() -> float:
    """What SQLite alone costs for one petition (its registration and its relay, the SQL captured from the service
    and replayed raw: intake_floor.py), beside the platform doing the same in-process; the floor in ms of CPU."""
    import intake_floor as floor

    n = 200 if TINY else 1000
    with tempfile.TemporaryDirectory() as d:
        settings = store_settings("petition", Path(d), "sqlite", "embedded", "floor")
        uses = petition_service(settings)
        headers = {"Authorization": f"Bearer {token_for(settings, 'community_worker', 'sd0-c0', '/bench/sd0/sd0-c0/')}"}
        got = floor.measure(settings, uses, petition_bodies(51 + n), headers, n)
    method = "sqlite3, one thread, warm: CPU ÷ petitions"
    record("intake's floor: one petition's SQL (its registration and relay) replayed raw, embedded (SQLite)",
           got["floor_ms"], "ms", got["platform_ms"], "the platform doing the same in-process (Flask test client, "
           "no HTTP; relayed every 10)", samples=n, method=f"{method}; {got['statements']} statements")
    check("intake's floor: every replay stored a petition", got["runs"], got["stored"])
    check("intake's floor: every replay's relay part emptied its outbox", 0, got["left_pending"])
    return got["floor_ms"]


# wrk paces a connection by pausing `connections / rate` on average after each answer (a closed loop), so the rate it
# reaches falls short by latency / (pause + latency): with 8 connections the platform reached 80 % of the
# asked rate at 155/s (pause 52 ms, latency ~13 ms); 32 connections make the pause 4× longer and the shortfall small
PACED_CONNECTIONS = 32
# the share of the platform's saturated rate both sides are offered for the latencies: at 70 % the platform's
# queueing (~27 ms) still kept it at 87 % of the asked rate with 32 connections (refused); at half it keeps up
PACED_SHARE = 0.5


def intake(store: str = "sqlite", bus: str = "embedded", workers: int = 1, raw_store: float | None = None) -> dict:
    """Saturated req/s beside the bare endpoint's (same gunicorn settings, both warmed up), then both paced at
    the same offered load (half the platform's saturated rate) for latencies; then what was stored is counted."""
    label = (f"{path_label(store, bus)}, {workers} worker{'s' if workers > 1 else ''} × {THREADS} "
             f"thread{'s' if THREADS > 1 else ''}")
    bodies = petition_bodies()
    tag = f"i{store[0]}{workers}"
    with tempfile.TemporaryDirectory() as d:
        settings, uses, procs, token = intake_stack(Path(d), store, bus, workers, tag, THREADS)
        bare_proc, bare_url = bare_server(workers, THREADS)
        direct = f"http://127.0.0.1:{settings.port}/api/v1/petition/petitions"
        answered = 0
        try:
            r = requests.post(direct, json=petition_body(random.Random(99)), headers={"Authorization": f"Bearer {token}"},
                              timeout=30)
            assert r.status_code == 201, r.text
            answered += 1
            wrk(bare_url, bodies, seconds=WARMUP)
            warm = wrk(direct, bodies, token, seconds=WARMUP)
            answered += warm["requests"] - warm["failed"]
            cpu = cpu_seconds(bare_proc.pid)
            bare = wrk(bare_url, bodies, seconds=DURATION)
            bare_cpu = (cpu_seconds(bare_proc.pid) - cpu) / max(1, bare["requests"]) * 1000

            def saturated(seconds: float) -> tuple[dict, float]:
                cpu = cpu_seconds(*(p.pid for p in procs))
                load = wrk(direct, bodies, token, seconds=seconds)
                return load, (cpu_seconds(*(p.pid for p in procs)) - cpu) / max(1, load["requests"]) * 1000

            sat, intake_cpu = saturated(long_enough(warm, DURATION, longest=LONGEST))
            if sat["samples"] < MIN_SAMPLES:
                # the warm-up's rate overstated a slow path's (intake on FerretDB slows as its collection grows):
                # that load was more warm-up; again, as long as its own rate needs
                answered += sat["requests"] - sat["failed"]
                sat, intake_cpu = saturated(long_enough(sat, DURATION, longest=LONGEST))
            answered += sat["requests"] - sat["failed"]
            record_load(f"petition intake (validate, encrypt, duplicate checks, store, outbox), {label}", sat,
                        raw=bare, raw_name="bare gunicorn + Flask JSON, same settings", target="≥ 0.5 of bare")
            # the servers' own CPU for each answer at saturation (intake: its web processes and its worker,
            # the outbox relay), measured over the same loads as the rates above
            record(f"CPU per answer at saturation, bare endpoint, {label}", bare_cpu, "ms", refused=refusal(bare),
                   samples=bare["requests"], method="CPU (user+system) of the process group ÷ answers")
            record(f"CPU-equivalent ratio: bare's CPU per answer ÷ intake's, {label}", bare_cpu / intake_cpu if
                   intake_cpu else None, "", refused=refusal(sat) or refusal(bare), samples=sat["requests"],
                   method=f"intake {intake_cpu:.2f} ms of CPU per answer", target="≥ 0.5")
            if store == "sqlite":
                floor = intake_floor()
                record(f"ceiling on the CPU-equivalent ratio for this work on this store: bare ÷ (bare + intake's "
                       f"floor), {label}", bare_cpu / (bare_cpu + floor) if bare_cpu else None, "",
                       refused=refusal(bare), samples=bare["requests"], target="≥ 0.5",
                       method=f"bare {bare_cpu:.2f} ms of CPU per answer + floor {floor:.2f} ms (intake_floor.py)")
            if store == "mongo" and raw_store:
                record(f"petition intake beside raw pymongo insert_one, {label}", sat["rps"], "req/s", raw_store,
                       "raw pymongo insert_one of a petition-sized document", refused=refusal(sat))
            rate = PACED_SHARE * sat["rps"]
            if refusal(sat):  # no rate of its own to pace both sides at
                record(f"petition intake latency at the same offered load, {label}", None, "ms",
                       refused=f"no saturated rate to pace at: {refusal(sat)}")
            else:
                seconds = long_enough(sat, DURATION, PACED_SHARE, LONGEST)
                connections = paced_connections(rate, PACED_CONNECTIONS)
                bare_paced = wrk(bare_url, bodies, seconds=seconds, rate=rate, connections=connections)
                paced = wrk(direct, bodies, token, seconds=seconds, rate=rate, connections=connections)
                answered += paced["requests"] - paced["failed"]
                record(f"offered load for the latencies, {label}", rate, "req/s")
                record(f"bare endpoint at that load, {label}", bare_paced["rps"], "req/s", refused=refusal(bare_paced))
                record(f"petition intake at that load, {label}", paced["rps"], "req/s", refused=refusal(paced))
                record_latencies(f"petition intake latency at the same offered load, {label}", paced, bare_paced,
                                 "bare endpoint, same load")
        finally:
            stop(bare_proc)
            for p in procs:
                stop(p)
        # every 201 stored once; requests in flight when wrk stopped may be stored without being counted
        stored = uses.repo.collection.count_documents({})
        slack = 16 * 4
        check(f"petitions stored = 201s counted (+ up to {slack} in flight at wrk's stops), {label}",
              f"{answered}..{answered + slack}", stored, answered <= stored <= answered + slack)
        return {"workers": workers, "intake": sat, "bare": bare}


def scale_out(points: list[dict], label: str) -> None:
    """The curve: each number of gunicorn workers against one, for intake and for the bare endpoint (same run)."""
    one = next((p for p in points if p["workers"] == 1), None)
    for p in points:
        if one is None or p is one:
            continue
        for side in ("intake", "bare"):
            why = refusal(p[side]) or refusal(one[side])
            record(f"scale-out: {side} with {p['workers']} workers ÷ with 1, {label}",
                   p[side]["rps"] / one[side]["rps"] if not why else None, "×", refused=why)


# -- the whole platform under the district's traffic ------------------------------------------

def start_platform(tmp: Path, bus: str = "embedded") -> tuple:
    """Every service and the gateway, as `make run` starts them (deploy/local/run.py)."""
    ports = {s: free_port() for s in SERVICES}
    extra = {"kafka_bootstrap_servers": KAFKA, "bus_namespace": f"{RUN}-{bus}-"} if bus == "kafka" else {}
    settings = Settings(data_dir=tmp / "data", ports=ports, database_prefix="bench", bus=bus, **extra)
    from welfare.adapters.programme_config import write_compressed

    # the year is compressed: the programmes run without 公示 (a review may never shorten it)
    env = {**settings_env(settings), "WELFARE_PROGRAMMES_FILE": str(write_compressed(tmp / "programmes.yaml"))}
    proc = spawn(["python", str(ROOT / "deploy" / "local" / "run.py"), "--threads", "8"], env, tmp / "run.log")
    wait_http(f"http://127.0.0.1:{ports['gateway']}/readyz", 120)
    token = token_for(settings, "community_worker", "jiayuan", "/chuanying/huangqi/jiayuan/")
    url = f"http://127.0.0.1:{ports['petition']}/api/v1/petition/org-units/jiayuan-b1"
    deadline = time.time() + 60
    while requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=3).status_code != 200:
        if time.time() > deadline:
            raise RuntimeError("the petition service never learned the org tree")
        time.sleep(0.3)
    return settings, proc, token


def rss_mb(pid: int) -> float:
    total = 0
    for child in [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                          text=True).stdout.split()]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total = max(total, int(line.split()[1]))
        except FileNotFoundError:
            pass
    return total / 1024


def service_rss(proc) -> dict[str, float]:
    """Resident memory (MB) of every process the platform runs, by command line."""
    out: dict[str, float] = {}
    tree = subprocess.run(["ps", "-o", "pid=,rss=,args=", "--ppid", str(proc.pid)], capture_output=True, text=True).stdout
    pids = [line.split(None, 2) for line in tree.splitlines() if line.strip()]
    for pid, _, args in pids:
        children = subprocess.run(["ps", "-o", "pid=,rss=,args=", "--ppid", pid], capture_output=True, text=True).stdout
        for line in [f"{pid} 0 {args}"] + children.splitlines():
            cpid, _, cargs = line.split(None, 2)
            rss = rss_mb(int(cpid)) if Path(f"/proc/{cpid}").exists() else 0
            name = next((s for s in SERVICES if s in cargs), "?")
            kind = "worker" if ".worker" in cargs else "web"
            key = f"{name} {kind}"
            out[key] = max(out.get(key, 0), rss)
    return out


MIXED_RATE = float(os.environ.get("BENCH_MIXED_RATE", "50"))  # calls/s of the district's mixed traffic


def mixed_traffic(settings: Settings, seconds: float, rate: float = MIXED_RATE) -> dict:
    """The district's mixed traffic (district_load.py) through the gateway, paced at `rate`."""
    import district_load

    base = f"http://127.0.0.1:{settings.ports['gateway']}"
    return district_load.play(base, district_load.signer(settings), rate=rate, seconds=seconds,
                              max_calls=int(rate * seconds) + 1, concurrency=16)


def record_mixed(summary: dict, label: str) -> None:
    why = ""
    if summary["non_2xx"]:
        failing = {k: v["statuses"] for k, v in summary["kinds"].items() if v["non_2xx"]}
        print(f"  ({summary['non_2xx']} mixed-traffic calls were not 2xx: {failing})", flush=True)
        if summary["non_2xx"] > 0.001 * summary["calls"]:
            why = f"{summary['non_2xx']} of {summary['calls']} calls not 2xx"
    n = summary["calls"]
    record(f"mixed district traffic through the gateway, {label} (asked {summary['rate_asked']:g}/s)",
           summary["achieved_rate"], "calls/s", refused=why, samples=n)
    record(f"mixed district traffic, {label}, p50", summary["p50_ms"], "ms", refused=why, samples=n,
           method="nearest rank")
    record(f"mixed district traffic, {label}, p99", summary["p99_ms"], "ms", refused=why or (
        n < MIN_SAMPLES and f"only {n} calls"), samples=n, method="nearest rank")
    shares = ", ".join(f"{k} {v['calls']}" for k, v in sorted(summary["kinds"].items(), key=lambda kv: -kv[1]["calls"]))
    print(f"  ({summary['calls']} calls, {summary['non_2xx']} not 2xx: {shares})", flush=True)


def freshness(settings: Settings, token: str, probes: int = MIN_SAMPLES, under_load: bool = True) -> None:
    """Time from a POST /petitions to its count in the district overview, while the district's mixed
    traffic (petitions, welfare, volunteers, patrols, incidents, mediations) runs through the gateway."""
    import threading

    import district_load

    base = f"http://127.0.0.1:{settings.ports['gateway']}"
    admin = {"Authorization": f"Bearer {token_for(settings, 'district_admin', 'chuanying', '/chuanying/')}"}
    worker = {"Authorization": f"Bearer {token}"}
    today = datetime.now(timezone(timedelta(hours=8))).date().isoformat()
    q = {"org_unit": "jiayuan", "from": today, "to": today}

    def count() -> float:
        r = requests.get(f"{base}/api/v1/reports/overview", params=q, headers=admin, timeout=10)
        r.raise_for_status()
        return r.json()["metrics"]["petition.batches"]["value"]

    load, mixed = None, {}
    if under_load:
        district_load.set_up_district(base, district_load.signer(settings))  # before the clock starts
        load = threading.Thread(target=lambda: mixed.update(mixed_traffic(settings, probes * 0.45 + 8)),
                                daemon=True)
        load.start()
        time.sleep(3)
    samples, late = [], 0
    rnd = random.Random(5)
    for _ in range(probes):
        before = count()
        t0 = time.perf_counter()
        r = requests.post(f"{base}/api/v1/petition/petitions", json=petition_body(rnd, "jiayuan-b1"), headers=worker, timeout=10)
        assert r.status_code == 201, r.text
        deadline, seen = t0 + 30, False
        # timed to the end of the first read that counts it; the probe once asked again after that read to
        # decide whether it was late, and that read's time (31 / 200 ms p50 / p99 under the traffic) was in
        # every sample
        while not seen and time.perf_counter() < deadline:
            seen = count() > before
            if not seen:
                time.sleep(0.002)
        samples.append((time.perf_counter() - t0) * 1000)
        if not seen:
            late += 1  # not seen within 30 s: a failed probe, not a 30 s sample
        time.sleep(0.2)
    if load:
        load.join(timeout=120)
        record_mixed(mixed, f"{settings.bus}, during the freshness probes")
    why = f"{late} of {probes} probes never seen in the overview" if late > probes * 0.001 else ""
    target = "< 200 ms" if settings.bus == "kafka" else "< 1 000 ms"
    for p in (50, 99):
        record(f"freshness POST → district overview under the mixed traffic, {settings.bus}, p{p}",
               percentile(samples, p), "ms", target=target if p == 99 else "", refused=why, samples=len(samples),
               method="nearest rank")




def district(bus: str = "embedded") -> None:
    """The whole platform under the district's mixed traffic: freshness, the traffic's own latencies, memory."""
    with tempfile.TemporaryDirectory() as d:
        settings, proc, token = start_platform(Path(d), bus=bus)
        try:
            freshness(settings, token)
            if bus == "embedded":
                record_mixed(mixed_traffic(settings, DURATION, rate=1000), "embedded, as fast as 16 clients go")
                for name, mb in sorted(service_rss(proc).items()):
                    record(f"resident memory at steady state: {name}", mb, "MB", target="< 150 MB")
        finally:
            stop(proc)


# -- read model: replay and queries --------------------------------------------------------------

EXPECTED = ("petition.batches", "petition.person_times", "welfare.payments", "volunteer.minutes")


def synthetic_events(n: int, communities: list[str], totals: dict | None = None):
    """A district's year: petitions, payments, attendance, mediations spread over 365 days; `totals` gets
    what the district overview must then count."""
    from liandong.contracts import CONTRACTS

    rnd = random.Random(1)
    # the year of the offices' calendar (UTC+8): an event late on 31 December UTC is 1 January there, and the
    # overview of the year would rightly not count it
    start = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8))).astimezone(timezone.utc)
    kinds = ["petition", "payment", "attendance", "mediation"]
    step = 365 * 86400 / max(n, 1)  # in the order they happen, as a service's outbox publishes them
    totals = {} if totals is None else totals
    for key in EXPECTED:
        totals.setdefault(key, 0)
    for i in range(n):
        path = rnd.choice(communities)
        unit = path.rstrip("/").rsplit("/", 1)[-1]
        at = (start + timedelta(seconds=int(i * step))).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        kind = kinds[i % 4]
        if kind == "petition":
            hc = rnd.choice([1, 1, 1, 2, 40])
            totals["petition.batches"] += 1
            totals["petition.person_times"] += hc
            yield CONTRACTS.new_event("petition.registered", f"p{i}", {
                "petition_id": f"p{i}", "org_unit_id": unit, "category": "environment_noise", "level": "community",
                "channel": "visit", "headcount": hc, "is_group": hc > 1, "anonymous": False, "risk_flags": [],
                "deadline": "2026-12-31", "registered_at": at}, path)
        elif kind == "payment":
            totals["welfare.payments"] += 1
            yield CONTRACTS.new_event("welfare.payment.disbursed", f"g{i % 5000}", {
                "payment_id": f"pay{i}", "grant_id": f"g{i % 5000}", "programme": "dibao_urban", "org_unit_id": unit,
                "period": at[:7], "amount_fen": 108000}, path)
        elif kind == "attendance":
            totals["volunteer.minutes"] += 120
            yield CONTRACTS.new_event("volunteer.attendance.recorded", f"a{i}", {
                "attendance_id": f"a{i}", "source": "activity", "activity_id": f"act{i}", "patrol_run_id": None,
                "volunteer_id": "v", "activity_type": "elderly_care", "org_unit_id": unit, "started_at": at,
                "minutes": 120, "delta_minutes": 120, "coins": 20, "delta_coins": 20, "correction_reason": None},
                path)
        else:
            yield CONTRACTS.new_event("security.dispute.mediated", f"d{i}", {
                "dispute_id": f"d{i}", "org_unit_id": unit, "type": "neighbour",
                "outcome": "agreement" if rnd.random() < 0.93 else "failed", "sessions": 1, "petition_id": None,
                "mediated_at": at}, path)


def projector_for(settings: Settings):
    from liandong.platform import Platform

    from gateway.adapters.org_repository import OrgRepository
    from gateway.bootstrap import install_reports
    from gateway.service_layer.org import import_tree

    platform = Platform.create("gateway", settings)
    repo = OrgRepository(platform)
    repo.prepare()
    import_tree(repo, district_tree())
    communities = [u["path"] for u in repo.subtree_all() if u["level"] == "community"]
    app = platform.create_app()
    return platform, app, install_reports(app, platform, repo), communities


def publish_year(bus, n: int, communities: list[str], totals: dict | None = None) -> float:
    """The events straight onto the bus (the relay's adapter), in the order they happen."""
    started = time.perf_counter()
    for i, env in enumerate(synthetic_events(n, communities, totals)):
        bus.publish(f"{env.service}.events", env.subject, env.to_json(), env.headers())
        if i % 5000 == 4999:
            bus.flush()
    bus.flush()
    return time.perf_counter() - started



def drain(projector, n: int, limit: float = 3600) -> tuple[float, str]:
    """Seconds until the projector has applied n events, and why the figure cannot be used ("" when it can):
    it stopped at its time limit, or the bus still holds events its group has not committed."""
    from liandong.bus.base import BusError
    from liandong.storage.base import StorageUnavailable

    started = time.perf_counter()
    consumer = projector.live
    base = consumer.handled
    while consumer.handled - base < n and time.perf_counter() - started < limit:
        try:
            projector.run_once(timeout=0.2)
        except (StorageUnavailable, BusError) as exc:  # as the worker does: it rewound to what it committed
            print(f"  (the projector paused by an outage, going on: {exc})", flush=True)
            time.sleep(0.5)
    elapsed = time.perf_counter() - started
    done = consumer.handled - base
    behind = sum(projector.behind().values())
    if done < n:
        return elapsed, f"stopped at its {limit:.0f} s limit after {done:,} of {n:,} events"
    if behind:
        return elapsed, f"{behind:,} events still uncommitted on the bus"
    return elapsed, ""


def serve_gateway(settings: Settings, tag: str) -> tuple:
    """The gateway's web process on these settings (its read model, its org tree), as production runs it."""
    env = settings_env(settings)
    proc = gunicorn("gateway.bootstrap:create_app()", settings.ports["gateway"], env, OUT / "logs" / f"gateway-{tag}.log")
    return proc, f"http://127.0.0.1:{settings.ports['gateway']}"


def overview_totals(get, totals: dict, label: str) -> None:
    """The district overview over the year counts exactly what was generated."""
    body = get("/api/v1/reports/overview", {"org_unit": "bench", **YEAR})
    for key in EXPECTED:
        check(f"overview {key} = generated, {label}", totals[key], body["metrics"][key]["value"])


def read_queries(settings: Settings, app, label: str, totals: dict, tag: str) -> dict:
    """Overview and series over HTTP through the gateway's gunicorn, then in-process (labelled), ≥ 200 samples."""
    headers = {"Authorization": f"Bearer {token_for(settings, 'district_admin', 'bench', '/bench/')}"}
    queries = (("district overview over a year", "/api/v1/reports/overview", {"org_unit": "bench", **YEAR}),
               ("sub-district monthly series over a year", "/api/v1/reports/timeseries", {"org_unit": "sd3", **YEAR}))
    proc, base = serve_gateway(settings, tag)
    out = {}
    try:
        http = requests.Session()

        def get_json(path, q):
            r = http.get(base + path, params=q, headers=headers, timeout=30)
            assert r.status_code == 200, r.text
            return r.json()

        overview_totals(get_json, totals, label)
        for name, path, q in queries:
            res = timed_gets(lambda: http.get(base + path, params=q, headers=headers, timeout=30).status_code)
            record_latencies(f"{name}{label}, HTTP via gunicorn (gateway)", res, pcts=("p50", "p95", "p99"),
                             target="p95 < 100 ms")
            out[path] = res
    finally:
        stop(proc)
    client = app.test_client()
    for name, path, q in queries:
        res = timed_gets(lambda: client.get(path, query_string=q, headers=headers).status_code)
        record_latencies(f"{name}{label}, in-process (Flask test client, no HTTP)", res, pcts=("p50", "p95"))
    return out


def read_model(n: int, label: str = "", queries: bool = True, store: str = "sqlite") -> dict:
    """A year of a district on the embedded bus: replay into the read model (beside a bare consume of the
    same log), checked complete; then the reports over HTTP and in-process, their totals checked."""
    with tempfile.TemporaryDirectory() as d:
        tag = f"rm{store[0]}{n}"
        settings = store_settings("gateway", Path(d), store, "embedded", tag)
        platform, app, projector, communities = projector_for(settings)
        totals: dict = {}
        took = publish_year(platform.bus, n, communities, totals)
        print(f"  ({n:,} events written to the embedded log in {took:.1f}s)", flush=True)
        raw = platform.bus.consumer("bench-raw", [f"{s}.events" for s in ("petition", "welfare", "volunteer", "security")])
        settle_heap()  # both loops as in a worker process once it has started
        started, seen = time.perf_counter(), 0
        while seen < n:
            batch = raw.poll(max_records=5000, timeout=1)
            if not batch:
                break
            seen += len(batch)
            for m in batch:
                json.loads(m.value)
        raw_rate = seen / (time.perf_counter() - started)
        raw_why = "" if seen == n else f"the bare loop read {seen:,} of {n:,}"
        elapsed, why = drain(projector, n)
        rate = n / elapsed
        record(f"bus → read model, embedded bus, {store}{label} (events/s)", rate, "events/s", raw_rate,
               "bare embedded consume+json.loads", refused=why or raw_why, samples=n)
        record(f"full replay of {n:,} events, embedded bus, {store}{label}", elapsed / 60, "min",
               target="< 5 min for 1 M", refused=why)
        out = {"events": n, "rate": rate, "replay_min": elapsed / 60, "refused": why}
        if queries:
            out["queries"] = read_queries(settings, app, label, totals, tag)
        else:
            client = app.test_client()
            headers = {"Authorization": f"Bearer {token_for(settings, 'district_admin', 'bench', '/bench/')}"}
            overview_totals(lambda p, q: client.get(p, query_string=q, headers=headers).get_json(), totals, label)
        return out


# -- Kafka: its own tools, bare kafka-python loops, and the projector ------------------------------

SOURCE_TOPICS = [f"{s}.events" for s in ("petition", "welfare", "volunteer", "security")]


def kafka_tool(cls: str, args: list[str], timeout: int = 180) -> str:
    cmd = ["java", "-Xmx512m", "-cp", f"{KAFKA_LIBS}/*", f"org.apache.kafka.tools.{cls}", *args]
    log4j = KAFKA_LIBS.parent / "log4j-tools.properties"
    if log4j.exists():
        cmd.insert(1, f"-Dlog4j.configuration=file:{log4j}")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout


def kafka_raw(n: int = 500000) -> None:
    import re

    topic = f"{RUN}-perf"
    out = kafka_tool("ProducerPerformance", ["--topic", topic, "--num-records", str(n), "--record-size", "600",
                                             "--throughput", "-1", "--producer-props", f"bootstrap.servers={KAFKA}",
                                             "acks=all", "linger.ms=5"])
    m = re.findall(r"(\d+) records sent, ([\d.]+) records/sec", out)
    record("Kafka ProducerPerformance (600-byte records, acks=all)", float(m[-1][1]), "records/s")
    out = kafka_tool("ConsumerPerformance", ["--bootstrap-server", KAFKA, "--topic", topic, "--messages", str(n),
                                             "--timeout", "60000"])
    row = [line for line in out.splitlines() if re.match(r"^\d{4}-", line)][-1].split(",")
    record("Kafka ConsumerPerformance", float(row[5]), "records/s")


def consumed_rate(bus, group: str, n: int, procs: list, limit: float = 900) -> tuple[float, str]:
    """Events/s of a consumer group, from its committed offsets: from the first commit (the group's join is not
    consuming) until it has committed all n events; refused when it did not within `limit` seconds."""
    def behind() -> int:
        ends = bus.end_offsets(SOURCE_TOPICS)
        done = bus.committed(group, SOURCE_TOPICS)
        return sum(max(0, e - done.get(k, 0)) for k, e in ends.items())

    deadline = time.perf_counter() + limit
    left = behind()
    while left >= n and time.perf_counter() < deadline:
        if any(p.poll() is not None for p in procs):
            return 0.0, "a consumer process exited"
        time.sleep(0.1)
        left = behind()
    first, started = left, time.perf_counter()
    while left and time.perf_counter() < deadline:
        if any(p.poll() is not None for p in procs):
            return 0.0, "a consumer process exited"
        time.sleep(0.2)
        left = behind()
    if left:
        return 0.0, f"stopped at its {limit:.0f} s limit with {left:,} of {n:,} events not committed"
    elapsed = time.perf_counter() - started
    return (first / elapsed if elapsed else 0.0), ("" if first >= MIN_SAMPLES else f"only {first} events timed")


def group_of(generation: int) -> str:
    from gateway.handlers.reports_projector import group_of as of

    return of(generation)


def bare_group(settings: Settings, bus, group: str, k: int, mongo_db: str = "") -> tuple[float, str]:
    """k bare loops (bare_consumer.py) in one group on these settings' topics, measured as the projector is."""
    ns = settings.bus_namespace
    env = {**settings_env(settings), **({"BARE_MONGO_DB": mongo_db} if mongo_db else {})}
    procs = [spawn(["python", str(HERE / "bare_consumer.py"), KAFKA, ns + group, *[ns + t for t in SOURCE_TOPICS]],
                   env, OUT / "logs" / "bare-consumer.log") for _ in range(k)]
    try:
        return consumed_rate(bus, group, n_events(bus), procs)
    finally:
        for p in procs:
            stop(p)


def n_events(bus) -> int:
    return sum(bus.end_offsets(SOURCE_TOPICS).values())


def kafka_read_model(n: int, store: str = "sqlite", consumers: list[int] | None = None) -> None:
    """Kafka → the reports' read model: the projector in-process (the drain checked complete), then the same
    year again by 1 and 2 gateway worker processes in one group beside 1 and 2 bare loops in one group; the
    overview over HTTP, its totals checked. On `mongo` also a bare loop that writes its counts to the same server."""
    label = path_label(store, "kafka")
    tag = f"k{store[0]}"
    with tempfile.TemporaryDirectory() as d:
        settings = store_settings("gateway", Path(d), store, "kafka", tag)
        platform, app, projector, communities = projector_for(settings)
        totals: dict = {}
        took = publish_year(platform.bus, n, communities, totals)
        record(f"events published to Kafka by the bus adapter (acks=all), {label}", n / took, "events/s")
        ns = settings.bus_namespace

        def bare(group: str, k: int, mongo_db: str = "") -> tuple[float, str]:
            return bare_group(settings, platform.bus, group, k, mongo_db)

        bare_rate, bare_why = bare("bare-1", 1)
        record(f"bare kafka-python loop + json.loads, 1 consumer, {label}", bare_rate, "events/s", refused=bare_why)
        settle_heap()  # as the worker process does once it has started (and the bare loop too)
        while projector.live.handled == 0:  # the group's join is not consuming
            projector.run_once(timeout=0.5)
        first = projector.live.handled  # the first poll's batch includes the join: timed from after it
        elapsed, why = drain(projector, n - first, limit=900)
        rate = (n - first) / elapsed
        if not why and n - first < MIN_SAMPLES:
            why = f"only {n - first} events after the first poll (publish more: BENCH_KAFKA_EVENTS / BENCH_MONGO_KAFKA_EVENTS)"
        record(f"bus → read model, Kafka, {label}, in-process projector (events/s)", rate, "events/s", bare_rate,
               "bare kafka-python loop", "≥ 5 000 and ≥ 0.3 of bare", refused=why or bare_why, samples=n - first)
        projector_why = why
        out = read_queries(settings, app, f", {label}", totals, tag)  # noqa: F841 - recorded inside
        if store == "mongo":  # after the reads: the server is theirs alone while they are timed
            raw_mongo, raw_why = bare("bare-mongo", 1, f"{RUN}_bare_rm")
            record(f"bare kafka-python loop + raw pymongo bulk upserts, 1 consumer, {label}", raw_mongo, "events/s",
                   refused=raw_why)
            record(f"bus → read model, Kafka, {label}, beside the bare loop writing to the same server", rate,
                   "events/s", raw_mongo, "bare loop + raw pymongo", refused=projector_why or raw_why)
        for k in consumers or []:
            # each point on its own topics (a namespace of its own), the same year published again
            scale = replace(settings, database_prefix=f"{settings.database_prefix}w{k}", bus_namespace=f"{ns}w{k}-")
            scale_platform, _, scale_projector, _ = projector_for(scale)
            publish_year(scale_platform.bus, n, communities)
            b, b_why = bare_group(scale, scale_platform.bus, "bare", k)
            record(f"bare kafka-python loop, {k} consumer process{'es' if k > 1 else ''} in one group, {label}",
                   b, "events/s", refused=b_why)
            procs = [spawn(["python", "-m", "gateway.worker"], settings_env(scale),
                           OUT / "logs" / f"gateway-worker-{tag}{k}.log") for _ in range(k)]
            try:
                w, w_why = consumed_rate(scale_platform.bus, group_of(scale_projector.current()["active"]), n, procs)
            finally:
                for p in procs:
                    stop(p)
            record(f"bus → read model, Kafka, {k} gateway worker process{'es' if k > 1 else ''}, {label}", w,
                   "events/s", b, f"bare loop, {k} process{'es' if k > 1 else ''}", refused=w_why or b_why)
            if store == "mongo":
                district_scale_point(scale, scale_platform.bus, k, label, w, w_why)


def district_scale_point(scale: Settings, bus, k: int, label: str, rate: float, why: str) -> None:
    """The district's path at k consumers beside k bare loops doing the same `$inc` upserts with raw pymongo
    on the same server (bare_consumer.py with BARE_MONGO_DB), in one group on the same topics."""
    procs = f"{k} process{'es' if k > 1 else ''}"
    raw, raw_why = bare_group(scale, bus, "bare-mongo", k, f"{scale.database_prefix}_bare_rm")
    record(f"bare kafka-python loop + raw pymongo bulk upserts, {procs} in one group, {label}", raw, "events/s",
           refused=raw_why)
    record(f"bus → read model, Kafka, {k} gateway worker {procs.split(' ', 1)[1]}, {label}, beside the bare loop "
           "writing to the same server", rate, "events/s", raw, f"bare loop + raw pymongo, {procs}", refused=why or raw_why)


# -- FerretDB / MongoDB --------------------------------------------------------------------------

def mongo_raw(n: int = 10000) -> float:
    """Raw pymongo on the same server; returns the insert_one rate of a petition-sized document."""
    import pymongo

    client = pymongo.MongoClient(MONGO, serverSelectionTimeoutMS=5000)
    db = client[f"{RUN}_raw"]
    coll = db["docs"]
    coll.create_index([("k", 1)])
    coll.create_index([("day", 1)])
    docs = [{"_id": f"d{i}", "k": f"k{i}", "day": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", "org_path": f"/bench/sd{i % 10}/",
             "payload": "楼下饭店油烟和噪音扰民" * 10} for i in range(n)]
    t = time.perf_counter()
    for i in range(0, n, 1000):
        coll.insert_many(docs[i:i + 1000], ordered=False)
    record("raw pymongo bulk inserts into FerretDB (1 000 a batch)", n / (time.perf_counter() - t), "docs/s")
    t = time.perf_counter()
    for i in range(0, 100):
        coll.find_one({"k": f"k{(i * 7919) % n}"})
    eq = (time.perf_counter() - t) / 100 * 1000
    record("raw pymongo indexed equality find on FerretDB", eq, "ms")
    t = time.perf_counter()
    for i in range(5):
        list(coll.find({"day": {"$gte": "2026-03-01", "$lt": "2026-03-03"}}))
    rng = (time.perf_counter() - t) / 5 * 1000
    record(f"raw pymongo range find on an indexed field, FerretDB ({n:,} docs)", rng, "ms", eq, "equality find")
    from liandong.storage.mongo import MongoDatabase

    ours = MongoDatabase(MONGO, f"{RUN}_ours").collection("docs")
    m = min(1000, n // 10)
    raw_one = time.perf_counter()
    for d in docs[:m]:
        coll.database["single"].insert_one(dict(d))
    raw_one = m / (time.perf_counter() - raw_one)
    t = time.perf_counter()
    for d in docs[m:2 * m]:
        ours.insert_one(dict(d))
    record("storage adapter insert_one on FerretDB", m / (time.perf_counter() - t), "docs/s", raw_one,
           "raw pymongo insert_one")
    petition_doc = json.loads(json.dumps(petition_body()))
    t = time.perf_counter()
    for i in range(m):
        coll.database["petitions"].insert_one({**petition_doc, "_id": f"p{i}"})
    petition_one = m / (time.perf_counter() - t)
    record("raw pymongo insert_one of a petition-sized document", petition_one, "docs/s")
    client.drop_database(f"{RUN}_raw")
    client.drop_database(f"{RUN}_ours")
    return petition_one


# -- the intake side's storage at scale: lists and duplicate checks over N petitions ----------------

STATES = ["registered", "assigned", "in_handling", "answered", "closed", "closed", "closed", "closed"]


@contextmanager
def indexes_built_after(collections):
    """A bulk load on SQLite: the collections' indexes dropped before and built again after (one sorted
    build each, instead of n × 12 index updates); what the indexes are stays the repository's (the same SQL)."""
    saved = []
    for coll in collections:
        if not hasattr(coll, "table"):  # MongoDB-protocol: written with its indexes
            continue
        conn = coll.db.connection()
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                            "AND tbl_name = ?", (coll.table.strip('"'),)).fetchall()
        for name, _ in rows:
            conn.execute(f'DROP INDEX "{name}"')
        saved.append((conn, rows))
    try:
        yield
    finally:
        for conn, rows in saved:
            for _, sql in rows:
                conn.execute(sql)


def write_petitions(uses, n: int, rnd: random.Random, template: dict) -> dict:
    """n petitions of a year spread over the district's units, straight into the repository's collections (not
    through HTTP): each with its who-filed-what entry (`petitioner_ids`, what intake's repeat check reads), every
    thousandth by the template's person (so the repeat checks find some). Returns the counts the lists must show."""
    year = datetime(2026, 1, 1, tzinfo=timezone.utc)
    expected = {"sd3": 0, "sd3 in_handling": 0, "sd3 overdue": 0, "template person": []}
    petitions, filed = uses.repo.collection, uses.repo.petitioner_ids
    with indexes_built_after([petitions, filed]):
        for chunk in range(0, n, 10000):
            docs, entries = [], []
            for i in range(chunk, min(n, chunk + 10000)):
                s_, c = rnd.randrange(10), rnd.randrange(10)
                at = (year + timedelta(seconds=int(i * 365 * 86400 / n))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                state = rnd.choice(STATES)
                overdue = state != "closed" and rnd.random() < 0.05
                if s_ == 3:
                    expected["sd3"] += 1
                    expected["sd3 in_handling"] += state == "in_handling"
                    expected["sd3 overdue"] += overdue
                ids = template["id_numbers"] if i % 1000 == 0 else [f"bx{i}"]
                if i % 1000 == 0:
                    expected["template person"].append(at)
                docs.append({**template, "_id": f"bp{i:08d}", "org_unit_id": f"sd{s_}-c{c}",
                             "org_path": f"/bench/sd{s_}/sd{s_}-c{c}/", "state": state, "overdue": overdue,
                             "registered_at": at, "category": rnd.choice(CATEGORIES), "id_numbers": ids})
                entries += [{"_id": f"{b}|bp{i:08d}", "id_index": b, "petition_id": f"bp{i:08d}", "registered_at": at}
                            for b in ids]
            petitions.insert_many(docs)
            filed.insert_many(entries)
    return expected


def past_the_breaker(res: dict) -> None:
    """After a series with failed calls (the gateway's read timeout), wait until the circuit breaker they opened may
    let calls through again: the next series measures its own calls, not an open breaker's 503s (run 11: after the
    deep page's timeouts on FerretDB the duplicate check's calls were answered 503 in 1-5 ms, never reaching it)."""
    from gateway.adapters.proxy import ServiceProxy

    if res["failed"]:
        time.sleep(inspect.signature(ServiceProxy).parameters["breaker_reset"].default + 1)


def petition_lists(n: int, store: str = "sqlite") -> dict:
    """n petitions written through the petition repository's collection (a year spread over the district's
    units, a tenth of one per cent of people coming back); then, over HTTP through the gateway's and the
    petition service's gunicorn, the filtered lists and intake itself (its duplicate checks read the n)."""
    from liandong.auth import Grant, Principal
    from liandong.storage.base import StorageUnavailable

    label = f"{n:,} petitions, {path_label(store, 'embedded' if store == 'sqlite' else 'kafka')}"
    tag = f"l{store[0]}{n}"
    with tempfile.TemporaryDirectory() as d:
        settings = store_settings("petition", Path(d) / "petition", store, "embedded", tag)
        uses = petition_service(settings)
        principal = Principal("u", "基准", (Grant("community_worker", "sd0-c0", "/bench/sd0/sd0-c0/", ()),))
        rnd = random.Random(3)
        template = uses.repo.collection.find_one({"_id": uses.intake.register(
            {**petition_body(rnd), "org_unit_id": "sd0-c0"}, principal)[0].id})
        for key in [k for k in template if k.startswith("_outbox")]:
            template.pop(key)
        started = time.perf_counter()
        expected = write_petitions(uses, n, rnd, template)
        print(f"  ({n:,} petitions and their who-filed-what entries written through the petition repository's "
              f"collections in {time.perf_counter() - started:.0f}s)", flush=True)
        gateway_settings = replace(settings, service="gateway", data_dir=Path(d) / "gateway")
        env = settings_env(settings)
        procs = [gunicorn("petition.bootstrap:create_app()", settings.port, env, OUT / "logs" / f"petition-{tag}.log")]
        out = {"petitions": n}
        try:
            gw, base = serve_gateway(gateway_settings, tag)
            procs.append(gw)
            http = requests.Session()

            def admin() -> dict:
                """A fresh token for each series: access tokens live 15 minutes, and one token for every series
                expired during run 12's deep page (its last calls and the duplicate check after it: 401)."""
                return {"Authorization": f"Bearer {token_for(settings, 'district_admin', 'bench', '/bench/')}"}

            for name, q, key in (("by sub-district", {"org_unit": "sd3"}, "sd3"),
                                 ("by sub-district and status", {"org_unit": "sd3", "status": "in_handling"},
                                  "sd3 in_handling"),
                                 ("overdue in a sub-district", {"org_unit": "sd3", "overdue": "true"}, "sd3 overdue")):
                url = f"{base}/api/v1/petition/petitions"
                headers = admin()
                answer = http.get(url, params=q, headers=headers, timeout=60)
                body = answer.json() if answer.ok else {}
                total = body.get("total", body.get("count"))
                if not answer.ok:  # a list that did not answer fails its check (it is not skipped)
                    check(f"petition list {name} counts what was written, {label}", expected[key],
                          f"HTTP {answer.status_code}", False)
                elif body.get("total_capped"):  # the list counts up to liandong.listing.TOTAL_CAP and says so
                    from liandong.listing import TOTAL_CAP

                    check(f"petition list {name} counts what was written (capped at {TOTAL_CAP:,}), {label}",
                          f"{TOTAL_CAP} of {expected[key]}", total, total == TOTAL_CAP < expected[key])
                elif total is not None:
                    check(f"petition list {name} counts what was written, {label}", expected[key], total)
                res = timed_gets(lambda: http.get(url, params=q, headers=headers, timeout=60).status_code)
                record_latencies(f"petition list {name}, {label}, HTTP via the gateway", res,
                                 pcts=("p50", "p95", "p99"), target="p95 < 50 ms")
                out[name] = res["p95_ms"]
                past_the_breaker(res)
            # the deep page: the last one the list's count reaches (≤ page 500 of 20, TOTAL_CAP / page size)
            deep = {"org_unit": "sd3", "page": max(1, min(500, -(-expected["sd3"] // 20)))}
            headers = admin()
            answer = http.get(url, params=deep, headers=headers, timeout=60)
            check(f"petition list by sub-district, page {deep['page']}, has what was written there, {label}",
                  min(20, expected["sd3"] - 20 * (deep["page"] - 1)),
                  len(answer.json()["items"]) if answer.ok else f"HTTP {answer.status_code}")
            res = timed_gets(lambda: http.get(url, params=deep, headers=headers, timeout=60).status_code)
            record_latencies(f"petition list by sub-district, deep page ({deep['page']} of 20 each), {label}, "
                             "HTTP via the gateway", res, pcts=("p50", "p95", "p99"), target="p95 < 50 ms")
            out["deep page"] = res["p95_ms"]
            past_the_breaker(res)
            # the same page reached by cursor (`after=`, docs/api-style.md): the walk there, each hop timed, then
            # the page itself asked again and again as the page by number was
            # petitions told apart by their time (each generated one has its own; their `id` is the template's)
            number_page = [p["registered_at"] for p in answer.json()["items"]] if answer.ok else []
            walk = {"org_unit": "sd3", "page_size": 20}
            hops, walked, cursor = [], [], None
            for _ in range(deep["page"] - 1):
                started = time.perf_counter()
                hop = http.get(url, params={**walk, **({"after": cursor} if cursor else {})}, headers=headers,
                               timeout=60)
                hops.append(((time.perf_counter() - started) * 1000, hop.status_code))
                if not hop.ok or "next" not in hop.json():
                    break
                walked += [p["registered_at"] for p in hop.json()["items"]]
                cursor = hop.json()["next"]
            check(f"a walk by cursor to page {deep['page']} answers each petition once, newest first, {label}",
                  20 * (deep["page"] - 1), len(set(walked)),
                  len(set(walked)) == len(walked) == 20 * (deep["page"] - 1) and walked == sorted(walked, reverse=True))
            if len(hops) >= MIN_SAMPLES:
                samples = [ms for ms, _ in hops]
                failed = sum(not 200 <= status < 300 for _, status in hops)
                record_latencies(f"petition list by sub-district walked by cursor to page {deep['page']}, each page, "
                                 f"{label}, HTTP via the gateway",
                                 {"samples": len(samples), "requests": len(samples), "failed": failed,
                                  "failed_share": failed / len(samples), "method": "nearest rank",
                                  **{f"p{p}_ms": percentile(samples, p) for p in (50, 95, 99)}},
                                 pcts=("p50", "p95", "p99"), target="p95 < 50 ms")
            if cursor is not None:
                by_cursor = {**walk, "after": cursor}
                answer = http.get(url, params=by_cursor, headers=headers, timeout=60)
                check(f"petition list by sub-district, page {deep['page']} by cursor, is page {deep['page']} by "
                      f"number, {label}", number_page,
                      [p["registered_at"] for p in answer.json()["items"]] if answer.ok else f"HTTP {answer.status_code}")
                res = timed_gets(lambda: http.get(url, params=by_cursor, headers=headers, timeout=60).status_code)
                record_latencies(f"petition list by sub-district, deep page ({deep['page']} of 20 each) by cursor, "
                                 f"{label}, HTTP via the gateway", res, pcts=("p50", "p95", "p99"),
                                 target="p95 < 50 ms")
                out["deep page by cursor"] = res["p95_ms"]
                past_the_breaker(res)
            # the duplicate check of a stored petition: its person's earlier petitions (who-filed-what over
            # the n) and the same category and place in 4 weeks
            dup_url = f"{url}/{template['_id']}/duplicates"
            headers = admin()
            answer = http.get(dup_url, headers=headers, timeout=60)
            found = answer.json()["possible_duplicates"] if answer.ok else []
            # the person's 20 newest petitions within the year, the template itself left out
            newest = sorted([*expected["template person"], template["registered_at"]], reverse=True)[:20]
            check(f"duplicate check finds the person's newest petitions (20 at most, itself left out), {label}",
                  len(newest) - (template["registered_at"] in newest),
                  sum(f["reason"] == "same_petitioner" for f in found))
            res = timed_gets(lambda: http.get(dup_url, headers=headers, timeout=60).status_code)
            record_latencies(f"petition duplicate check, {label}, HTTP via the gateway", res, pcts=("p50", "p95", "p99"))
            out["duplicates"] = res["p95_ms"]
            admin = Principal("a", "基准", (Grant("district_admin", "bench", "/bench/", ()),))

            def in_process() -> int:
                try:
                    uses.intake.duplicates(template["_id"], admin)
                except StorageUnavailable:  # the store did not answer in time: a failed call, as over HTTP
                    return 503
                return 200

            record_latencies(f"petition duplicate check, {label}, in-process (use case, no HTTP)",
                             timed_gets(in_process), pcts=("p50", "p95", "p99"))
            worker = {"Authorization": f"Bearer {token_for(settings, 'community_worker', 'sd0-c0', '/bench/sd0/sd0-c0/')}"}
            bodies = iter(petition_bodies(MIN_SAMPLES + 20))
            repeat = {**petition_body(random.Random(3)), "org_unit_id": "sd0-c0"}  # the template's person
            turn = iter(range(10 ** 6))

            def register() -> int:
                body = repeat if next(turn) % 2 else next(bodies)
                return http.post(f"{base}/api/v1/petition/petitions", json=body, headers=worker, timeout=60).status_code

            res = timed_gets(register)
            record_latencies(f"petition intake one at a time (duplicate checks over them), {label}, HTTP via the "
                             "gateway", res, pcts=("p50", "p95", "p99"))
            out["intake_p50"] = res["p50_ms"]
        finally:
            for p in procs:
                stop(p)
        return out


def imports(raw_rate: float) -> None:
    """Rollout day (#19): the real-population ledger through the gateway into the register (imports_bench.py)."""
    import imports_bench

    with tempfile.TemporaryDirectory() as d:
        settings, proc, token = start_platform(Path(d))
        try:
            imports_bench.run(f"http://127.0.0.1:{settings.ports['gateway']}", {"Authorization": f"Bearer {token}"},
                              record, raw_rate)
        finally:
            stop(proc)


DEFAULT_PARTS = "intake,readmodel,lists" if TINY else "kafka,mongo,intake,district,lists,imports,readmodel"
PARTS = [p for p in (os.environ.get("BENCH_ONLY") or DEFAULT_PARTS).split(",") if p]


def part(name: str) -> bool:
    return name in PARTS


def stores(name: str) -> list[str]:
    """The stores a part runs on: BENCH_<NAME>_STORES narrows intake, the projector (kafka) and the lists."""
    return os.environ.get(f"BENCH_{name.upper()}_STORES", "sqlite,mongo").split(",")


def write_results() -> None:
    machine = {"date": date.today().isoformat(), "host": host_platform.node(), "cores": os.cpu_count(),
               "python": host_platform.python_version(), "events": EVENTS, "petitions": PETITIONS,
               "kafka_events": KAFKA_EVENTS, "mongo_kafka_events": MONGO_KAFKA_EVENTS,
               "seconds_per_load": DURATION, "warmup_seconds": WARMUP,
               "workers": WORKERS, "consumers": CONSUMERS, "parts": PARTS, "load": os.getloadavg(),
               "command": " ".join(f"{k}={os.environ[k]}" for k in sorted(os.environ) if k.startswith("BENCH_"))
               + " make bench"}
    (OUT / "results.json").write_text(json.dumps({"machine": machine, "results": RESULTS, "checks": CHECKS},
                                                 ensure_ascii=False, indent=2))
    lines = [f"{machine['date']}, {machine['cores']} cores, Python {machine['python']}, `{machine['command'].strip()}`, "
             f"load average at the end {machine['load'][0]:.1f}", "",
             "| figure | value | raw limit | ratio | target | samples, method |", "| --- | --- | --- | --- | --- | --- |"]
    for r in RESULTS:
        raw = f"{r['raw_limit']:,} ({r['raw_name']})" if r["raw_limit"] else ""
        value = f"refused: {r['refused']}" if r["refused"] else f"{r['value']:,} {r['unit']}"
        how = f"{r['samples']:,}, {r['method']}" if r["samples"] else r["method"]
        lines.append(f"| {r['figure']} | {value} | {raw} | {r['ratio'] or ''} | {r['target']} | {how} |")
    lines += ["", "| check | expected | got | ok |", "| --- | --- | --- | --- |"]
    lines += [f"| {c['check']} | {c['expected']} | {c['got']} | {'ok' if c['ok'] else 'FAILED'} |" for c in CHECKS]
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    print(f"written: {OUT / 'results.json'}, {OUT / 'results.md'}")


def main() -> int:
    # stopped from outside (a test's timeout, Ctrl-C): the finally blocks stop every server this run started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Liandong benchmarks — {date.today()} on {host_platform.node()} "
          f"({os.cpu_count()} cores, Python {host_platform.python_version()}), {EVENTS:,} events, parts {PARTS}",
          flush=True)
    try:
        raw_rate = raw_sqlite_inserts(2000 if TINY else 20000)
        record("raw SQLite inserts (one transaction each, WAL)", raw_rate, "rows/s")
        raw_petition = None
        if part("mongo") and MONGO:
            raw_petition = mongo_raw(2000 if TINY else 10000)
        if part("intake"):
            on = stores("intake")
            if "sqlite" in on:
                scale_out([intake("sqlite", "embedded", w) for w in WORKERS], path_label("sqlite", "embedded"))
            if MONGO and KAFKA and (part("mongo") or part("kafka")) and "mongo" in on:
                scale_out([intake("mongo", "kafka", w, raw_petition) for w in WORKERS], path_label("mongo", "kafka"))
        if part("kafka") and KAFKA:
            if not TINY:
                try:
                    kafka_raw()
                except subprocess.TimeoutExpired as exc:  # a loaded machine: refused, the rest still measured
                    record("Kafka ProducerPerformance (600-byte records, acks=all)", None, "records/s",
                           refused=f"Kafka's tool did not finish in {exc.timeout:.0f} s")
            on = stores("kafka")
            if "sqlite" in on:
                kafka_read_model(KAFKA_EVENTS, "sqlite", CONSUMERS)
            if MONGO and "mongo" in on:
                kafka_read_model(MONGO_KAFKA_EVENTS, "mongo", CONSUMERS)
        if part("district"):
            district("embedded")
            if KAFKA:
                district("kafka")
        if part("lists"):
            on = stores("lists")
            points = ([] if TINY else [PETITIONS // 10]) + [PETITIONS] + ([PETITIONS * 10] if SCALE_10X else [])
            scale = [petition_lists(p) for p in points] if "sqlite" in on else []
            for point in scale:
                record(f"scaling: intake one at a time at {point['petitions']:,} stored petitions, p50",
                       point["intake_p50"], "ms")
                for what in ("by sub-district", "by sub-district and status", "deep page", "duplicates"):
                    record(f"scaling: {what} at {point['petitions']:,} stored petitions, p95", point[what], "ms")
            if MONGO and part("mongo") and "mongo" in on:
                petition_lists(int(os.environ.get("BENCH_MONGO_PETITIONS", "2000" if TINY else "100000")), "mongo")
        if part("imports"):
            imports(raw_rate)
        if part("readmodel"):
            scale = ([] if TINY else [read_model(EVENTS // 10, f" (10 %: {EVENTS // 10:,})", queries=False)])
            scale.append(read_model(EVENTS))
            if SCALE_10X:
                scale.append(read_model(EVENTS * 10, f" (1 000 %: {EVENTS * 10:,})"))
            for point in scale:
                record(f"scaling: replay cost per event at {point['events']:,} events", 1e6 / point["rate"], "µs",
                       refused=point["refused"])
    finally:
        write_results()
    refused = [r["figure"] for r in RESULTS if r["refused"]]
    failed = [c["check"] for c in CHECKS if not c["ok"]]
    print(f"{len(RESULTS)} figures, {len(refused)} refused; {len(CHECKS)} checks, {len(failed)} failed", flush=True)
    return 1 if refused or failed else 0


if __name__ == "__main__":
    sys.exit(main())
