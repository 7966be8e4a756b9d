"""`make bench`: Liandong's figures beside the raw limits of the same machine, measured in one run.

Every figure is printed with its raw limit and the ratio, and all are written to
artifacts/bench/results.json and results.md. Loopback only; every loop is bounded in count and time.

    make bench                      # BENCH_EVENTS=100000 by default
    BENCH_EVENTS=1000000 make bench # a district's year
"""
from __future__ import annotations

import json
import os
import platform as host_platform
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import requests

from liandong.config import SERVICES, Settings
from liandong.testing import free_port, settings_env, spawn, token_for

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "bench"
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "100000"))
RESULTS: list[dict] = []


def record(name: str, value: float, unit: str, raw: float | None = None, raw_name: str = "", target: str = ""):
    ratio = (value / raw) if raw else None
    RESULTS.append({"figure": name, "value": round(value, 3), "unit": unit, "raw_limit": raw and round(raw, 3),
                    "raw_name": raw_name, "ratio": ratio and round(ratio, 3), "target": target})
    extra = f"  raw {raw_name} {raw:,.1f} → ratio {ratio:.2f}" if raw else ""
    print(f"{name:58s} {value:12,.2f} {unit:8s}{extra}  {target}", flush=True)


# -- load generation with wrk ---------------------------------------------------------------------

LUA = """
wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "%s"
%s
"""


def wrk(url: str, body: dict, token: str = "", seconds: int = DURATION, connections: int = 16,
        rate: float | None = None) -> dict:
    pace = ""
    if rate:
        per_conn_ms = connections * 1000.0 / rate
        pace = f"function delay() return {per_conn_ms:.3f} end"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % (json.dumps(body, ensure_ascii=False), f"Bearer {token}" if token else "", pace))
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", fh.name, url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {}
    for pct, value, unit in re.findall(r"\s(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\b", out):
        lat[pct] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": lat.get("50"), "p99_ms": lat.get("99"), "errors": int(non2xx.group(1)) if non2xx else 0}


def wait_http(url: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def stop(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


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


# -- raw limits ------------------------------------------------------------------------------------

def bare_endpoint() -> dict:
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                             "--workers", "1", "--threads", "8", "--worker-class", "gthread",
                             "bare_app:create_app()", "--chdir", str(ROOT / "tests" / "bench")], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        return wrk(f"http://127.0.0.1:{port}/echo", petition_body())
    finally:
        stop(proc)


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


# -- the platform ----------------------------------------------------------------------------------

def petition_body() -> dict:
    return {"org_unit_id": "jiayuan-b1", "category": "environment_noise", "channel": "visit",
            "content": "楼下饭店油烟和噪音扰民,夜间施工影响休息",
            "petitioners": [{"name": "刘女士", "id_number": "11010519491231002X", "mobile": "13904321234",
                             "address": "1号楼3单元"}]}


def start_platform(tmp: Path) -> tuple:
    ports = {s: free_port() for s in SERVICES}
    settings = Settings(data_dir=tmp / "data", ports=ports, database_prefix="bench")
    proc = spawn(["python", str(ROOT / "deploy" / "local" / "run.py"), "--threads", "8"], settings_env(settings),
                 tmp / "run.log")
    wait_http(f"http://127.0.0.1:{ports['gateway']}/readyz", 120)
    token = token_for(settings, "community_worker", "jiayuan", "/chuanying/huangqi/jiayuan/")
    url = f"http://127.0.0.1:{ports['petition']}/api/v1/petition/org-units/jiayuan-b1"
    deadline = time.time() + 60
    while requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=3).status_code != 200:
        if time.time() > deadline:
            raise RuntimeError("the petition service never learned the org tree")
        time.sleep(0.3)
    return settings, proc, token


def intake(bare: dict) -> None:
    with tempfile.TemporaryDirectory() as d:
        settings, proc, token = start_platform(Path(d))
        try:
            direct = f"http://127.0.0.1:{settings.ports['petition']}/api/v1/petition/petitions"
            result = wrk(direct, petition_body(), token)
            if result["errors"]:
                print(f"  ({result['errors']} intake requests were not 2xx)", flush=True)
            record("petition intake (validate, encrypt, store, outbox) req/s", result["rps"], "req/s",
                   bare["rps"], "bare gunicorn+Flask JSON", "target ≥ 50 % of bare")
            paced = wrk(direct, petition_body(), token, rate=0.7 * result["rps"])
            record("petition intake p50 at 70 % of max rate", paced["p50_ms"], "ms", bare["p50_ms"], "bare p50")
            record("petition intake p99 at 70 % of max rate", paced["p99_ms"], "ms", bare["p99_ms"], "bare p99")
            gateway = f"http://127.0.0.1:{settings.ports['gateway']}/api/v1/petition/petitions"
            via = wrk(gateway, petition_body(), token, seconds=max(5, DURATION // 2))
            if via["errors"] == 0:
                record("petition intake through the gateway req/s", via["rps"], "req/s", bare["rps"],
                       "bare gunicorn+Flask JSON")
            pids = subprocess.run(["pgrep", "-f", "gunicorn|\\.worker"], capture_output=True, text=True).stdout.split()
            peak = max((rss_mb(int(p)) for p in pids), default=0)
            record("largest resident memory of a service process", peak, "MB", target="target < 150 MB")
        finally:
            stop(proc)


# -- read model: replay and queries on the embedded default ---------------------------------------

def synthetic_events(n: int, communities: list[str]):
    """A district's year: petitions, payments, attendance, mediations spread over 365 days."""
    from liandong.contracts import CONTRACTS

    rnd = random.Random(1)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    kinds = ["petition", "payment", "attendance", "mediation"]
    step = 365 * 86400 / max(n, 1)  # in the order they happen, as a service's outbox publishes them
    for i in range(n):
        path = rnd.choice(communities)
        unit = path.rstrip("/").rsplit("/", 1)[-1]
        at = (start + timedelta(seconds=int(i * step))).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        kind = kinds[i % 4]
        if kind == "petition":
            hc = rnd.choice([1, 1, 1, 2, 40])
            yield CONTRACTS.new_event("petition.registered", f"p{i}", {
                "petition_id": f"p{i}", "org_unit_id": unit, "category": "environment_noise", "level": "community",
                "channel": "visit", "headcount": hc, "is_group": hc > 1, "anonymous": False, "risk_flags": [],
                "deadline": "2026-12-31", "registered_at": at}, path)
        elif kind == "payment":
            yield CONTRACTS.new_event("welfare.payment.disbursed", f"g{i % 5000}", {
                "payment_id": f"pay{i}", "grant_id": f"g{i % 5000}", "programme": "dibao_urban", "org_unit_id": unit,
                "period": at[:7], "amount_fen": 108000}, path)
        elif kind == "attendance":
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


def district_tree() -> dict:
    return {"id": "bench", "name": "基准区", "level": "district", "children": [
        {"id": f"sd{s}", "name": f"街道{s}", "level": "subdistrict", "children": [
            {"id": f"sd{s}-c{c}", "name": f"社区{s}-{c}", "level": "community"} for c in range(10)]}
        for s in range(10)]}


def read_model(n: int) -> None:
    from liandong.bus import open_bus
    from liandong.platform import Platform

    from gateway.adapters.org_repository import OrgRepository
    from gateway.reporting import install_routes
    from gateway.service_layer.org import import_tree

    with tempfile.TemporaryDirectory() as d:
        settings = Settings(service="gateway", data_dir=Path(d), database_prefix="bench", log_level="WARNING")
        platform = Platform.create("gateway", settings)
        repo = OrgRepository(platform)
        repo.prepare()
        import_tree(repo, district_tree())
        communities = [u["path"] for u in repo.subtree_all() if u["level"] == "community"]
        bus = open_bus(settings)
        started = time.perf_counter()
        for i, env in enumerate(synthetic_events(n, communities)):
            bus.publish(f"{env.service}.events", env.subject, env.to_json())
            if i % 5000 == 4999:
                bus.flush()
        bus.flush()
        print(f"  ({n:,} events written to the embedded log in {time.perf_counter() - started:.1f}s)", flush=True)

        raw = bus.consumer("bench-raw", [f"{s}.events" for s in ("petition", "welfare", "volunteer", "security")])
        started, seen = time.perf_counter(), 0
        while seen < n:
            batch = raw.poll(max_records=5000, timeout=1)
            if not batch:
                break
            seen += len(batch)
            for m in batch:
                json.loads(m.value)
        raw_rate = seen / (time.perf_counter() - started)

        app = platform.create_app()
        projector = install_routes(app, platform, repo)
        started = time.perf_counter()
        deadline = started + 3600
        while time.perf_counter() < deadline:
            projector.run_once(timeout=0.05)
            if sum(projector.behind().values()) == 0:
                break
        elapsed = time.perf_counter() - started
        record("bus → read model, embedded (events/s)", n / elapsed, "events/s", raw_rate,
               "bare embedded consume+parse")
        record(f"full replay of {n:,} events, embedded", elapsed / 60, "min", target="target < 5 min for 1 M")

        client = app.test_client()
        headers = {"Authorization": f"Bearer {token_for(settings, 'district_admin', 'bench', '/bench/')}"}

        def timed(path, query, runs=40):
            samples = []
            for _ in range(runs):
                t = time.perf_counter()
                r = client.get(path, query_string=query, headers=headers)
                assert r.status_code == 200, r.get_json()
                samples.append((time.perf_counter() - t) * 1000)
            samples.sort()
            return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]

        p50, p95 = timed("/api/v1/reports/overview", {"org_unit": "bench", "from": "2026-01-01", "to": "2026-12-31"})
        record("district overview, a year (p50)", p50, "ms")
        record("district overview, a year (p95)", p95, "ms", target="target < 100 ms")
        p50, p95 = timed("/api/v1/reports/timeseries", {"org_unit": "sd3", "from": "2026-01-01", "to": "2026-12-31"})
        record("sub-district monthly series, a year (p95)", p95, "ms", target="target < 100 ms")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Liandong benchmarks — {date.today()} on {host_platform.node()} "
          f"({os.cpu_count()} cores, Python {host_platform.python_version()}), {EVENTS:,} events", flush=True)
    bare = bare_endpoint()
    record("bare gunicorn + Flask JSON endpoint", bare["rps"], "req/s")
    record("raw SQLite inserts (one transaction each, WAL)", raw_sqlite_inserts(), "rows/s")
    intake(bare)
    read_model(EVENTS)
    machine = {"date": date.today().isoformat(), "cores": os.cpu_count(), "python": host_platform.python_version(),
               "events": EVENTS, "seconds_per_load": DURATION}
    (OUT / "results.json").write_text(json.dumps({"machine": machine, "results": RESULTS}, ensure_ascii=False,
                                                 indent=2))
    lines = ["| figure | value | raw limit | ratio | target |", "| --- | --- | --- | --- | --- |"]
    for r in RESULTS:
        raw = f"{r['raw_limit']:,} ({r['raw_name']})" if r["raw_limit"] else ""
        lines.append(f"| {r['figure']} | {r['value']:,} {r['unit']} | {raw} | {r['ratio'] or ''} | {r['target']} |")
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    print(f"written: {OUT / 'results.json'}, {OUT / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
