"""`make bench`: Liandong's figures beside the raw limits of the same machine, measured in one run.

Every figure is printed with its raw limit and the ratio, and all are written to
artifacts/bench/results.json and results.md. Loopback only; every loop is bounded in count and time.

    make bench                       # a district's year: 1 000 000 events, 1 000 000 petitions
    BENCH_EVENTS=100000 make bench   # a quicker run
    BENCH_SCALE_10X=1 make bench     # also the 1 000 % point of the scaling curve (10 M events, ~30 min)

Kafka and FerretDB: `make bench` starts its own (deploy/local/bench.sh) unless KAFKA_BOOTSTRAP_SERVERS
and MONGO_URI point at running ones. The year of events and the million petitions are written
straight into storage through the services' own code (the bus adapters, the petition repository's
documents), not through HTTP; everything that is timed goes through the same code paths as in
production: HTTP for intake and queries, the bus and the projector for events.
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
EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
PETITIONS = int(os.environ.get("BENCH_PETITIONS", str(EVENTS)))
KAFKA_EVENTS = int(os.environ.get("BENCH_KAFKA_EVENTS", "100000"))
SCALE_10X = os.environ.get("BENCH_SCALE_10X") == "1"
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
MONGO = os.environ.get("MONGO_URI", "")
KAFKA_LIBS = Path(os.environ.get("LIANDONG_CACHE_DIR", str(Path.home() / ".cache" / "liandong"))) / "kafka" / "libs"
RUN = f"bench{int(time.time())}"
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
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "%s"
local bodies = {%s}
request = function()
  return wrk.format(nil, nil, nil, bodies[math.random(#bodies)])
end
%s
"""


def wrk(url: str, bodies: list[dict] | dict, token: str = "", seconds: int = DURATION, connections: int = 16,
        rate: float | None = None) -> dict:
    """POSTs for `seconds` (bounded), each body picked at random from `bodies`; loopback only."""
    assert url.startswith("http://127.0.0.1:"), "the load stays on this machine"
    bodies = bodies if isinstance(bodies, list) else [bodies]
    pace = ""
    if rate:
        per_conn_ms = connections * 1000.0 / rate
        pace = f"function delay() return {per_conn_ms:.3f} end"
    lua_bodies = ",".join("[[" + json.dumps(b, ensure_ascii=False) + "]]" for b in bodies)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % (f"Bearer {token}" if token else "", lua_bodies, pace))
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", fh.name, url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    os.unlink(fh.name)
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
        return wrk(f"http://127.0.0.1:{port}/echo", petition_bodies())
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

def id_number(rnd: random.Random) -> str:
    """A valid 18-digit resident ID (GB 11643 check digit), born 1940-2005, of 船营区 (220204)."""
    from liandong.idnumbers import check_digit

    born = date(1940, 1, 1) + timedelta(days=rnd.randrange(65 * 365))
    first17 = f"220204{born:%Y%m%d}{rnd.randrange(1000):03d}"
    return first17 + check_digit(first17)


CATEGORIES = ["environment_noise", "property", "labour_wages", "social_assistance", "neighbour_dispute",
              "land_housing", "public_order", "other"]


def petition_body(rnd: random.Random | None = None) -> dict:
    rnd = rnd or random.Random(0)
    return {"org_unit_id": "jiayuan-b1", "category": rnd.choice(CATEGORIES), "channel": rnd.choice(["visit", "hotline", "online"]),
            "content": "楼下饭店油烟和噪音扰民,夜间施工影响休息",
            "petitioners": [{"name": "刘女士", "id_number": id_number(rnd), "mobile": f"139{rnd.randrange(10**8):08d}",
                             "address": "1号楼3单元"}]}


def petition_bodies(n: int = 2000) -> list[dict]:
    """Many petitioners, as in a district; a few come back (the same ID twice in a year is a repeat)."""
    rnd = random.Random(11)
    return [petition_body(rnd) for _ in range(n)]


def start_platform(tmp: Path, bus: str = "embedded") -> tuple:
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
    if summary["non_2xx"]:
        failing = {k: v["statuses"] for k, v in summary["kinds"].items() if v["non_2xx"]}
        print(f"  ({summary['non_2xx']} mixed-traffic calls were not 2xx: {failing})", flush=True)
    record(f"mixed district traffic through the gateway, {label} (asked {summary['rate_asked']:g}/s)",
           summary["achieved_rate"], "calls/s")
    record(f"mixed district traffic, {label}, p50", summary["p50_ms"], "ms")
    record(f"mixed district traffic, {label}, p99", summary["p99_ms"], "ms")
    shares = ", ".join(f"{k} {v['calls']}" for k, v in sorted(summary["kinds"].items(), key=lambda kv: -kv[1]["calls"]))
    print(f"  ({summary['calls']} calls, {summary['non_2xx']} not 2xx: {shares})", flush=True)


def freshness(settings: Settings, token: str, probes: int = 30, under_load: bool = True) -> tuple[float, float]:
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
    samples = []
    rnd = random.Random(5)
    for _ in range(probes):
        before = count()
        t0 = time.perf_counter()
        r = requests.post(f"{base}/api/v1/petition/petitions", json=petition_body(rnd), headers=worker, timeout=10)
        assert r.status_code == 201, r.text
        deadline = t0 + 30
        while count() <= before and time.perf_counter() < deadline:
            time.sleep(0.002)
        samples.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.2)
    if load:
        load.join(timeout=120)
        record_mixed(mixed, f"{settings.bus}, during the freshness probes")
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.99) - 1)]


def intake(bare: dict) -> None:
    bodies = petition_bodies()
    with tempfile.TemporaryDirectory() as d:
        settings, proc, token = start_platform(Path(d))
        try:
            direct = f"http://127.0.0.1:{settings.ports['petition']}/api/v1/petition/petitions"
            wrk(direct, bodies, token, seconds=2)  # warm up
            result = wrk(direct, bodies, token)
            if result["errors"]:
                print(f"  ({result['errors']} intake requests were not 2xx)", flush=True)
            record("petition intake (validate, encrypt, store, outbox) req/s", result["rps"], "req/s",
                   bare["rps"], "bare gunicorn+Flask JSON", "≥ 50 % of bare")
            paced = wrk(direct, bodies, token, rate=0.7 * result["rps"])
            record("petition intake p50 at 70 % of max rate", paced["p50_ms"], "ms", bare["p50_ms"], "bare p50")
            record("petition intake p99 at 70 % of max rate", paced["p99_ms"], "ms", bare["p99_ms"], "bare p99")
            gateway = f"http://127.0.0.1:{settings.ports['gateway']}/api/v1/petition/petitions"
            via = wrk(gateway, bodies, token, seconds=max(5, DURATION // 2))
            if via["errors"] == 0:
                record("petition intake through the gateway req/s", via["rps"], "req/s", bare["rps"],
                       "bare gunicorn+Flask JSON")
            p50, p99 = freshness(settings, token)
            record_mixed(mixed_traffic(settings, DURATION, rate=1000), "embedded, as fast as it goes")
            record("freshness POST → district overview, embedded, p50", p50, "ms")
            record("freshness POST → district overview, embedded, p99", p99, "ms", target="< 1 000 ms")
            for name, mb in sorted(service_rss(proc).items()):
                record(f"resident memory at steady state: {name}", mb, "MB", target="< 150 MB")
        finally:
            stop(proc)
    if KAFKA:
        with tempfile.TemporaryDirectory() as d:
            settings, proc, token = start_platform(Path(d), bus="kafka")
            try:
                p50, p99 = freshness(settings, token)
                record("freshness POST → district overview, Kafka, p50", p50, "ms")
                record("freshness POST → district overview, Kafka, p99", p99, "ms", target="< 200 ms")
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


def publish_year(bus, n: int, communities: list[str]) -> float:
    """The events straight onto the bus (the relay's adapter), in the order they happen."""
    started = time.perf_counter()
    for i, env in enumerate(synthetic_events(n, communities)):
        bus.publish(f"{env.service}.events", env.subject, env.to_json())
        if i % 5000 == 4999:
            bus.flush()
    bus.flush()
    return time.perf_counter() - started


def drain(projector, n: int, limit: float = 3600) -> float:
    """Seconds until the projector has applied n events (bounded)."""
    started = time.perf_counter()
    consumer = projector.live
    base = consumer.handled
    while consumer.handled - base < n and time.perf_counter() - started < limit:
        projector.run_once(timeout=0.2)
    return time.perf_counter() - started


def read_model(n: int, label: str = "", queries: bool = True) -> dict:
    """A year of a district on the embedded default: replay into the read model, then the reports."""
    with tempfile.TemporaryDirectory() as d:
        settings = Settings(service="gateway", data_dir=Path(d), database_prefix="bench", log_level="WARNING")
        platform, app, projector, communities = projector_for(settings)
        took = publish_year(platform.bus, n, communities)
        print(f"  ({n:,} events written to the embedded log in {took:.1f}s)", flush=True)
        raw = platform.bus.consumer("bench-raw", [f"{s}.events" for s in ("petition", "welfare", "volunteer", "security")])
        started, seen = time.perf_counter(), 0
        while seen < n:
            batch = raw.poll(max_records=5000, timeout=1)
            if not batch:
                break
            seen += len(batch)
            for m in batch:
                json.loads(m.value)
        raw_rate = seen / (time.perf_counter() - started)
        elapsed = drain(projector, n)
        rate = n / elapsed
        record(f"bus → read model, embedded{label} (events/s)", rate, "events/s", raw_rate,
               "bare embedded consume+json.loads")
        record(f"full replay of {n:,} events, embedded{label}", elapsed / 60, "min", target="< 5 min for 1 M")
        record(f"replay cost per event{label}", elapsed / n * 1e6, "µs")
        out = {"events": n, "rate": rate, "replay_min": elapsed / 60}
        if not queries:
            return out
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
        record(f"district overview over a year{label}, p50", p50, "ms")
        record(f"district overview over a year{label}, p95", p95, "ms", target="< 100 ms")
        p50, p95 = timed("/api/v1/reports/timeseries", {"org_unit": "sd3", "from": "2026-01-01", "to": "2026-12-31"})
        record(f"sub-district monthly series over a year{label}, p50", p50, "ms")
        record(f"sub-district monthly series over a year{label}, p95", p95, "ms", target="< 100 ms")
        out.update(overview_p95=p95)
        return out


# -- Kafka: its own tools, a bare kafka-python loop, and the projector --------------------------

def kafka_tool(cls: str, args: list[str], timeout: int = 180) -> str:
    cmd = ["java", "-Xmx512m", "-cp", f"{KAFKA_LIBS}/*", f"org.apache.kafka.tools.{cls}", *args]
    log4j = KAFKA_LIBS.parent / "log4j-tools.properties"
    if log4j.exists():
        cmd.insert(1, f"-Dlog4j.configuration=file:{log4j}")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout


def kafka_raw(n: int = 500000) -> None:
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


def kafka_read_model(n: int) -> None:
    from kafka import KafkaConsumer

    with tempfile.TemporaryDirectory() as d:
        settings = Settings(service="gateway", data_dir=Path(d), database_prefix="bench", log_level="WARNING",
                            bus="kafka", kafka_bootstrap_servers=KAFKA, bus_namespace=f"{RUN}-rm-")
        platform, app, projector, communities = projector_for(settings)
        took = publish_year(platform.bus, n, communities)
        record("events published to Kafka by the bus adapter (acks=all)", n / took, "events/s")
        topics = [f"{RUN}-rm-{s}.events" for s in ("petition", "welfare", "volunteer", "security")]
        bare = KafkaConsumer(*topics, bootstrap_servers=KAFKA, group_id=f"{RUN}-bare", auto_offset_reset="earliest",
                             enable_auto_commit=False, max_poll_records=2000)
        started, seen = time.perf_counter(), 0
        while seen == 0 and time.perf_counter() - started < 60:  # the group's join is not consuming
            for records in bare.poll(timeout_ms=1000, max_records=2000).values():
                for m in records:
                    json.loads(m.value)
                seen += len(records)
        started = time.perf_counter()
        while seen < n and time.perf_counter() - started < 300:
            for records in bare.poll(timeout_ms=1000, max_records=2000).values():
                for m in records:
                    json.loads(m.value)
                seen += len(records)
        bare_rate = seen / (time.perf_counter() - started)
        bare.close()
        record("bare kafka-python consume loop + json.loads", bare_rate, "events/s")
        while projector.live.handled == 0:  # likewise
            projector.run_once(timeout=0.5)
        first = projector.live.handled
        elapsed = drain(projector, n - first, limit=900)
        record("bus → read model, Kafka (events/s)", (n - first) / elapsed, "events/s", bare_rate,
               "bare kafka-python consume", "≥ 5 000 and ≥ 30 % of bare")


# -- FerretDB / MongoDB --------------------------------------------------------------------------

def mongo_raw(n: int = 10000) -> None:
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
    t = time.perf_counter()
    raw_one = time.perf_counter()
    for d in docs[5000:6000]:
        coll.database["single"].insert_one(dict(d))
    raw_one = 1000 / (time.perf_counter() - raw_one)
    t = time.perf_counter()
    for d in docs[7000:8000]:
        ours.insert_one(dict(d))
    record("storage adapter insert_one on FerretDB", 1000 / (time.perf_counter() - t), "docs/s", raw_one,
           "raw pymongo insert_one")
    client.drop_database(f"{RUN}_raw")
    client.drop_database(f"{RUN}_ours")


# -- a million petitions: the filtered lists --------------------------------------------------

def petition_lists(n: int) -> None:
    from liandong.auth import Grant, Principal

    from petition.bootstrap import create_app, create_service

    with tempfile.TemporaryDirectory() as d:
        settings = Settings(service="petition", data_dir=Path(d), database_prefix="bench", log_level="WARNING")
        service = create_service(settings)
        service.cases.prepare()
        units = service.cases.org.units
        for u in flatten(district_tree(), "/", None):
            units.insert_one(u)
        principal = Principal("u", "基准", (Grant("community_worker", "sd0-c0", "/bench/sd0/sd0-c0/", ()),))
        rnd = random.Random(3)
        template = service.repo.collection.find_one({"_id": service.intake.register(
            {**petition_body(rnd), "org_unit_id": "sd0-c0"}, principal)[0].id})
        for key in [k for k in template if k.startswith("_outbox")]:
            template.pop(key)
        started = time.perf_counter()
        states = ["registered", "assigned", "in_handling", "answered", "closed", "closed", "closed", "closed"]
        year = datetime(2026, 1, 1, tzinfo=timezone.utc)
        for chunk in range(0, n, 10000):
            docs = []
            for i in range(chunk, min(n, chunk + 10000)):
                s_, c = rnd.randrange(10), rnd.randrange(10)
                at = (year + timedelta(seconds=int(i * 365 * 86400 / n))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                state = rnd.choice(states)
                docs.append({**template, "_id": f"bp{i:08d}", "org_unit_id": f"sd{s_}-c{c}",
                             "org_path": f"/bench/sd{s_}/sd{s_}-c{c}/", "state": state,
                             "overdue": state != "closed" and rnd.random() < 0.05, "registered_at": at,
                             "category": rnd.choice(CATEGORIES), "id_numbers": [f"bx{i}"]})
            service.repo.collection.insert_many(docs)
        print(f"  ({n:,} petitions written through the petition repository's collection in "
              f"{time.perf_counter() - started:.0f}s)", flush=True)
        client = create_app(settings).test_client()
        headers = {"Authorization": f"Bearer {token_for(settings, 'district_admin', 'bench', '/bench/')}"}
        for name, q in (("by sub-district", {"org_unit": "sd3"}),
                        ("by sub-district and status", {"org_unit": "sd3", "status": "in_handling"}),
                        ("overdue in a sub-district", {"org_unit": "sd3", "overdue": "true"})):
            samples = []
            for _ in range(30):
                t = time.perf_counter()
                r = client.get("/api/v1/petition/petitions", query_string=q, headers=headers)
                assert r.status_code == 200, r.get_json()
                samples.append((time.perf_counter() - t) * 1000)
            samples.sort()
            record(f"petition list {name}, {n:,} petitions, p95", samples[int(len(samples) * 0.95) - 1], "ms",
                   target="< 50 ms")


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


def flatten(node: dict, parent_path: str, parent_id: str | None):
    path = f"{parent_path}{node['id']}/"
    yield {"_id": node["id"], "name": node["name"], "level": node["level"], "parent_id": parent_id, "path": path}
    for child in node.get("children", []):
        yield from flatten(child, path, node["id"])


PARTS = [p for p in os.environ.get("BENCH_ONLY", "").split(",") if p]


def part(name: str) -> bool:
    return not PARTS or name in PARTS


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Liandong benchmarks — {date.today()} on {host_platform.node()} "
          f"({os.cpu_count()} cores, Python {host_platform.python_version()}), {EVENTS:,} events", flush=True)
    bare = bare_endpoint()
    record("bare gunicorn + Flask JSON endpoint", bare["rps"], "req/s")
    raw_rate = raw_sqlite_inserts()
    record("raw SQLite inserts (one transaction each, WAL)", raw_rate, "rows/s")
    if part("kafka") and KAFKA:
        kafka_raw()
        kafka_read_model(KAFKA_EVENTS)
    if part("mongo") and MONGO:
        mongo_raw()
    if part("intake"):
        intake(bare)
    if part("lists"):
        petition_lists(PETITIONS)
    if part("imports"):
        imports(raw_rate)
    if part("readmodel"):
        scale = [read_model(max(1, EVENTS // 10), f" (10 %: {EVENTS // 10:,})", queries=False), read_model(EVENTS)]
        if SCALE_10X:
            scale.append(read_model(EVENTS * 10, f" (1 000 %: {EVENTS * 10:,})"))
        for point in scale:
            record(f"scaling: cost per event at {point['events']:,} events", 1e6 / point["rate"], "µs")
    machine = {"date": date.today().isoformat(), "host": host_platform.node(), "cores": os.cpu_count(),
               "python": host_platform.python_version(), "events": EVENTS, "petitions": PETITIONS,
               "kafka_events": KAFKA_EVENTS, "seconds_per_load": DURATION,
               "command": "make bench" + (" BENCH_SCALE_10X=1" if SCALE_10X else "")}
    (OUT / "results.json").write_text(json.dumps({"machine": machine, "results": RESULTS}, ensure_ascii=False,
                                                 indent=2))
    lines = [f"{machine['date']}, {machine['cores']} cores, Python {machine['python']}, `{machine['command']}`", "",
             "| figure | value | raw limit | ratio | target |", "| --- | --- | --- | --- | --- |"]
    for r in RESULTS:
        raw = f"{r['raw_limit']:,} ({r['raw_name']})" if r["raw_limit"] else ""
        lines.append(f"| {r['figure']} | {r['value']:,} {r['unit']} | {raw} | {r['ratio'] or ''} | {r['target']} |")
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    print(f"written: {OUT / 'results.json'}, {OUT / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
