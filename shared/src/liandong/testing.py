"""Pytest fixtures for every package's tests: the real backends, with random names per test.

Kafka and MongoDB/FerretDB come from `KAFKA_BOOTSTRAP_SERVERS` and `MONGO_URI` (`make test`
starts a broker and FerretDB and sets them). When they are missing or unreachable the tests that
need them fail with a clear message: nothing is skipped.
"""
from __future__ import annotations

import importlib.util
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from .config import Settings

STORES = ("sqlite", "mongo")
BUSES = ("embedded", "kafka")


def unique(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def _require(var: str, what: str) -> str:
    value = os.environ.get(var)
    if not value:
        pytest.fail(f"{var} is not set: tests against {what} need it (make test starts {what} and sets it)",
                    pytrace=False)
    return value


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    servers = _require("KAFKA_BOOTSTRAP_SERVERS", "a Kafka broker")
    host, _, port = servers.split(",")[0].rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        pytest.fail(f"Kafka at {servers} is not reachable: {exc}", pytrace=False)
    return servers


@pytest.fixture(scope="session")
def mongo_uri() -> str:
    uri = _require("MONGO_URI", "a MongoDB-protocol server (FerretDB)")
    import pymongo

    try:
        pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000).admin.command("ping")
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"MongoDB at {uri} is not reachable: {exc}", pytrace=False)
    return uri


@pytest.fixture
def make_settings(tmp_path, request):
    """Settings for one test: a fresh data dir, random database names, the backends asked for."""

    def make(service: str = "gateway", store: str = "sqlite", bus: str = "embedded", **overrides) -> Settings:
        kw: dict = dict(service=service, store=store, bus=bus, data_dir=tmp_path / "data",
                        database_prefix=unique("ld"), log_json=True, relay_interval=0.02,
                        # random per test (there is no default key); processes it spawns get them by settings_env
                        secret_key=secrets.token_urlsafe(32), encryption_key=secrets.token_urlsafe(32))
        if store == "mongo":
            kw["mongo_uri"] = request.getfixturevalue("mongo_uri")
            _BACKEND_RUNS["mongo"].add(request.node.nodeid)
        if bus == "kafka":
            kw["kafka_bootstrap_servers"] = request.getfixturevalue("kafka_bootstrap")
            kw["bus_namespace"] = unique("t") + "."  # runs on one broker never see each other's events
            _BACKEND_RUNS["kafka"].add(request.node.nodeid)
            kw["kafka_topic_partitions"] = 3
        kw.update(overrides)
        return Settings(**kw)

    # the tests that ask for Kafka or FerretDB, for the closing summary

    return make


@pytest.fixture(params=STORES)
def database(request, make_settings):
    """A fresh database on each storage adapter (the contract suite runs on both)."""
    from .storage import open_database

    settings = make_settings(store=request.param)
    db = open_database(settings)
    yield db
    if request.param == "mongo":
        db.drop()
    db.close()


@pytest.fixture(params=BUSES)
def bus(request, make_settings):
    """A bus on each adapter; tests use random topic names so runs never collide."""
    from .bus import open_bus

    b = open_bus(make_settings(bus=request.param))
    yield b
    b.close()


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05, message: str = "condition"):
    """Poll until `predicate()` is truthy (and return it) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")


def at_once(attempt, *arguments) -> list:
    """Call `attempt(argument)` for each of `arguments` in its own thread, all released together (a race of
    concurrent requests), and return what each call returned, in no particular order."""
    import threading

    start = threading.Barrier(len(arguments))
    results: list = []

    def run(argument):
        start.wait()
        results.append(attempt(argument))

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings_env(settings: Settings) -> dict:
    """The environment variables that make a child process read these settings."""
    env = dict(os.environ)
    settings = settings.with_keys()  # settings made without keys: the data directory's own, as the children read
    env.setdefault("LIANDONG_DEMO_ACTIVITY", "0")  # run.py's demo activity only where a test asks for it
    env.setdefault("LIANDONG_DEMO_HISTORY", "0")  # nor its year of history (tests/e2e/test_demo_history.py asks)
    env.update({
        "LIANDONG_BACKEND": "kafka" if settings.bus == "kafka" else "embedded",
        "LIANDONG_STORE": settings.store,
        "LIANDONG_BUS": settings.bus,
        "LIANDONG_DATA_DIR": str(settings.data_dir),
        "LIANDONG_DATABASE_PREFIX": settings.database_prefix,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PARTITIONS": str(settings.kafka_topic_partitions),
        "KAFKA_REPLICATION_FACTOR": str(settings.kafka_replication_factor),
        "KAFKA_MIN_INSYNC_REPLICAS": str(settings.kafka_min_insync_replicas),
        "LIANDONG_BUS_NAMESPACE": settings.bus_namespace,
        "MONGO_URI": settings.mongo_uri,
        "LIANDONG_RELAY_INTERVAL": str(settings.relay_interval),
        "LIANDONG_ENV": settings.env,
        "LIANDONG_SECRET_KEY": settings.secret_key,
        "LIANDONG_ENCRYPTION_KEY": settings.encryption_key,
        "LIANDONG_PREVIOUS_ENCRYPTION_KEYS": ",".join(settings.previous_encryption_keys),
        "LIANDONG_PREVIOUS_SECRET_KEYS": ",".join(settings.previous_secret_keys),
        "LIANDONG_ADMIN_PASSWORD": settings.admin_password or "",
        "PYTHONUNBUFFERED": "1",
    })
    if settings.clock_file:
        env["LIANDONG_CLOCK_FILE"] = settings.clock_file
    for name, port in settings.ports.items():
        env[f"LIANDONG_{name.upper()}_PORT"] = str(port)
    return env


def spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = open(log, "ab")
    return subprocess.Popen([sys.executable if a == "python" else a for a in args], env=env,
                            stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def check_service_edges(create_app, create_worker, settings: Settings) -> None:
    """What every service must do at its edges: health, readiness that tells the truth, JSON errors."""
    app = create_app(settings)
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "service": settings.service}
    assert client.get("/readyz?check=database").status_code == 200  # what Kubernetes asks
    assert client.get("/readyz?check=nonsense").status_code == 400
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.get_json()["checks"]["worker"]["ready"] is False
    worker = create_worker(settings)
    worker.start()
    try:
        wait_for(lambda: client.get("/readyz").status_code == 200, 20, message=f"{settings.service} ready")
        assert client.get(f"/api/v1/{settings.service}/org-units/x").status_code == 401
        forged = client.get(f"/api/v1/{settings.service}/org-units/x",
                            headers=auth_headers(settings.with_overrides(secret_key="not-the-key")))
        assert forged.status_code == 401 and forged.get_json()["error"]["code"] == "unauthorized"
        missing = client.get(f"/api/v1/{settings.service}/no-such-thing", headers=auth_headers(settings))
        assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
        assert missing.headers["X-Correlation-ID"]
        traced = client.get("/healthz", headers={"X-Correlation-ID": "req-42"})
        assert traced.headers["X-Correlation-ID"] == "req-42"
        metrics = wait_for(lambda: (lambda t: t if "liandong_consumer_lag_messages{" in t else None)(
            client.get("/metrics").get_data(as_text=True)), 20, message="worker metrics")
        assert f'liandong_http_requests_total{{method="GET",route="/healthz",service="{settings.service}",status="200"}}' in metrics
        assert "liandong_outbox_pending_documents" in metrics and "liandong_dead_letters" in metrics
        too_big = client.post(f"/api/v1/{settings.service}/x", data=b"x" * (settings.max_content_length + 1),
                              content_type="application/json")
        assert too_big.status_code == 413 and too_big.get_json()["error"]
    finally:
        worker.stop.set()
        for t in worker.threads:
            t.join(timeout=10)


def token_for(settings: Settings, role: str, org_unit: str, org_path: str, duties: tuple = (),
              user_id: str | None = None, name: str = "测试用户", person_key: str | None = None) -> str:
    """A valid access token, signed with the settings' key, for one role at one org unit (`person_key`: a
    resident's own key, as the gateway puts it on a resident's token)."""
    from .auth import Grant, Principal, TokenService
    from .clock import clock_for

    principal = Principal(user_id or unique("u"), name, (Grant(role, org_unit, org_path, tuple(duties)),),
                          person_key=person_key)
    clock = clock_for(settings.clock_file)  # the services check tokens on their own (movable) clock
    return TokenService(settings.with_keys().secret_key, clock=lambda: clock.now().timestamp()).issue(principal)[0]


def auth_headers(settings: Settings, role: str = "district_admin", org_unit: str = "chuanying",
                 org_path: str = "/chuanying/", **kw) -> dict:
    return {"Authorization": f"Bearer {token_for(settings, role, org_unit, org_path, **kw)}"}


# -- scope tests (#16): a record out of the caller's sight must answer exactly like a missing one

ELSEWHERE = ("/chuanying/", "huangqi", "jiayuan", "黄旗", "家园")  # where the demo tree's 家园 records live


def _answer_words(text: str, record_id: str):
    """An answer as its reader sees it, the id asked for and the request's own correlation id aside."""
    import json

    body = json.loads(text.replace(record_id, "<id>"))
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body["error"].pop("correlation_id", None)
    return body


def assert_like_a_missing_one(resp, record_id: str, missing, missing_id: str, label,
                              elsewhere: tuple[str, ...] = ELSEWHERE) -> None:
    """The same status and the same words as for an id that does not exist, and nothing of where it is."""
    text = resp.get_data(as_text=True)
    assert resp.status_code == missing.status_code, (label, resp.status_code, text)
    assert _answer_words(text, record_id) == _answer_words(missing.get_data(as_text=True), missing_id), label
    for word in elsewhere:
        assert word not in text, (label, word, text)


def fill(value, names: dict):
    """`value` (a path, a body) with every `{name}` replaced by `names[name]`, nested lists and dicts too."""
    import re

    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: names[m.group(1)], value)
    if isinstance(value, list):
        return [fill(v, names) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    return value


_BACKEND_RUNS = {"kafka": set(), "mongo": set()}


def pytest_runtest_setup(item):
    names = set(getattr(item, "fixturenames", ()))
    params = getattr(getattr(item, "callspec", None), "params", {})
    values = {str(v) for v in params.values()}
    if "kafka_bootstrap" in names or "kafka" in values or item.get_closest_marker("kafka"):
        _BACKEND_RUNS["kafka"].add(item.nodeid)
    if "mongo_uri" in names or "mongo" in values or item.get_closest_marker("mongo"):
        _BACKEND_RUNS["mongo"].add(item.nodeid)


_PART_SECONDS: dict[str, float] = {}
_TEST_SECONDS: dict[str, float] = {}
SLOWEST_SHOWN = 20  # where the next minutes of CI are to be won


def suite_part(nodeid: str) -> str:
    """The part of the suite a test belongs to: `services/<name>`, `shared` or `tests/<kind>`."""
    parts = nodeid.split("::")[0].split("/")
    return "/".join(parts[:2]) if parts[0] in ("services", "tests") else parts[0]


def pytest_runtest_logreport(report):
    # set-up, call and tear-down all count: the platform starts in fixtures
    part = suite_part(report.nodeid)
    _PART_SECONDS[part] = _PART_SECONDS.get(part, 0.0) + report.duration
    _TEST_SECONDS[report.nodeid] = _TEST_SECONDS.get(report.nodeid, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    """Say how many tests ran against the real broker and the real database, and how long each part took
    (CI allows 90 minutes; this says where they go)."""
    terminalreporter.write_line(
        f"real backends: {len(_BACKEND_RUNS['kafka'])} tests ran against the Kafka broker, "
        f"{len(_BACKEND_RUNS['mongo'])} against the MongoDB-protocol server (FerretDB)")
    if _PART_SECONDS:
        terminalreporter.write_line("time per part: " + ", ".join(
            f"{part} {seconds:.0f} s" for part, seconds in sorted(_PART_SECONDS.items(), key=lambda kv: -kv[1])))
        slowest = sorted(_TEST_SECONDS.items(), key=lambda kv: -kv[1])[:SLOWEST_SHOWN]
        terminalreporter.write_line(f"the {len(slowest)} slowest tests (set-up, call and tear-down):")
        for nodeid, seconds in slowest:
            terminalreporter.write_line(f"  {seconds:6.0f} s  {nodeid}")


REPO_ROOT = Path(__file__).resolve().parents[3]


class LocalServer:
    """A Kafka broker or FerretDB of the test's own (deploy/local/*.sh), which the test may stop and start."""

    def __init__(self, kind: str, env: dict):
        self.kind = kind
        self.env = env
        self.script = REPO_ROOT / "deploy" / "local" / f"{kind}.sh"

    def _run(self, command: str) -> None:
        result = subprocess.run(["bash", str(self.script), command], env=self.env, capture_output=True, text=True,
                                timeout=600)
        if result.returncode != 0:
            pytest.fail(f"{self.kind}.sh {command} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}",
                        pytrace=False)

    def start(self) -> None:
        self._run("start")

    def stop(self) -> None:
        self._run("stop")

    def restart_keep_data(self) -> None:
        self._run("restart-keep-data")


@pytest.fixture
def own_kafka():
    """A broker only this test uses (so it can stop it): yields (bootstrap servers, LocalServer)."""
    port, controller = free_port(), free_port()
    server = LocalServer("kafka", dict(os.environ, KAFKA_PORT=str(port), KAFKA_CONTROLLER_PORT=str(controller)))
    server.start()
    try:
        yield f"127.0.0.1:{port}", server
    finally:
        server.stop()


class KafkaCluster:
    """The three-node cluster `make test` starts (deploy/local/kafka-cluster.sh), which fault tests may
    SIGKILL and restart node by node. Node n listens on the n-th bootstrap server."""

    def __init__(self, bootstrap: str):
        self.bootstrap = bootstrap
        self.ports = [int(a.rpartition(":")[2]) for a in bootstrap.split(",")]
        self.script = REPO_ROOT / "deploy" / "local" / "kafka-cluster.sh"
        self.env = dict(os.environ, KAFKA_CLUSTER_PORT=str(self.ports[0]))

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(["bash", str(self.script), *args], env=self.env, capture_output=True, text=True,
                                timeout=300)
        if check and result.returncode != 0:
            pytest.fail(f"kafka-cluster.sh {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}",
                        pytrace=False)
        return result

    def node_at(self, port: int) -> int:
        return self.ports.index(port) + 1

    def kill(self, *nodes: int) -> None:
        self._run("kill", *map(str, nodes))

    def restart(self, *nodes: int) -> None:
        self._run("restart", *map(str, nodes))

    def running(self) -> bool:
        return self._run("status", check=False).returncode == 0

    def down(self) -> list[int]:
        """The nodes not running."""
        out = self._run("status", check=False).stdout
        return [n for n, port in enumerate(self.ports, 1) if f"not running on 127.0.0.1:{port}" in out]


@pytest.fixture(scope="session")
def kafka_cluster() -> KafkaCluster:
    """The three-broker cluster (`KAFKA_CLUSTER_BOOTSTRAP_SERVERS`, started by `make test`): fails, never
    skips, when it is not there."""
    servers = _require("KAFKA_CLUSTER_BOOTSTRAP_SERVERS", "a three-broker Kafka cluster")
    cluster = KafkaCluster(servers)
    if len(cluster.ports) != 3 or cluster.ports != [cluster.ports[0] + i for i in range(3)]:
        pytest.fail(f"KAFKA_CLUSTER_BOOTSTRAP_SERVERS={servers}: three brokers on consecutive ports, as "
                    f"deploy/local/kafka-cluster.sh starts them, are needed", pytrace=False)
    if not cluster.running():
        pytest.fail(f"the Kafka cluster at {servers} is not running (deploy/local/kafka-cluster.sh status, "
                    f"LIANDONG_CACHE_DIR={os.environ.get('LIANDONG_CACHE_DIR', '<repo>/.cache')})", pytrace=False)
    return cluster


@pytest.fixture
def own_ferretdb():
    """A FerretDB only this test uses (so it can stop it): yields (mongo uri, LocalServer)."""
    port = free_port()
    server = LocalServer("ferretdb", dict(os.environ, FERRETDB_PORT=str(port)))
    server.start()
    try:
        yield f"mongodb://127.0.0.1:{port}", server
    finally:
        server.stop()


# -- one harness for every service's tests (docs/service-shape.md § Tests), behind the fixture `svc`

DEMO_UNITS = ("jiayuan-b1", "yangzhong")  # a building and a community the demo tree's org events carry


class ServiceHarness:
    """A service as its tests drive it: the gateway's worker (the demo district's org tree reaches the
    service as events, as in production), the service's own worker, its app behind a test client, a
    district-admin token by default, and a probe of the service's topic. A service's conftest
    subclasses it with its domain's helpers (`file` a petition, `register` a volunteer) and exposes
    it as the fixture `svc` (`make_svc` for other backends or settings)."""

    api_prefix = ""  # e.g. "/api/v1/petition"

    def __init__(self, module, settings: Settings, worker_kw: dict | None = None,
                 wait_units: tuple[str, ...] = DEMO_UNITS, org_timeout: float = 30.0):
        from gateway.bootstrap import create_worker as gateway_worker  # the org tree's only source

        self.settings = settings
        self.module = module
        self.api_prefix = self.api_prefix or f"/api/v1/{settings.service}"
        self.workers = [gateway_worker(settings.for_service("gateway")),
                        module.create_worker(settings, **(worker_kw or {}))]
        for w in self.workers:
            w.start()
        self.app = module.create_app(settings)
        self.client = self.app.test_client()
        self._probe = None
        self._seen: list = []
        h = self.headers()
        for unit in wait_units:
            wait_for(lambda u=unit: self.client.get(f"{self.api_prefix}/org-units/{u}", headers=h).status_code == 200,
                     org_timeout, message=f"{settings.service} learns org unit {unit}")

    @property
    def platform(self):
        return self.app.extensions["liandong_platform"]

    def headers(self, role: str = "district_admin", org_unit: str = "chuanying", org_path: str = "/chuanying/",
                **kw) -> dict:
        return auth_headers(self.settings, role, org_unit, org_path, **kw)

    def call(self, method: str, path: str, body=None, headers=None, expect: int | None = None, **params):
        """One request to the service's API (`path` after the prefix); asserts the status when `expect`."""
        r = self.client.open(self.api_prefix + path, method=method, json=body, query_string=params or None,
                             headers=headers if headers is not None else self.headers())
        if expect is not None:
            assert r.status_code == expect, (method, path, r.status_code, r.get_json(silent=True))
        return r

    def get(self, path: str, headers=None, expect: int | None = 200, **params):
        r = self.call("GET", path, headers=headers, expect=expect, **params)
        return r.get_json() if expect is not None else r

    def post(self, path: str, body=None, headers=None, expect: int | None = None):
        return self.call("POST", path, body if body is not None else {}, headers=headers, expect=expect)

    def publish_event(self, name: str, data: dict, subject: str, orgpath: str):
        """Publish another service's contract event on the bus, as that service would."""
        platform = self.platform
        env = platform.events.new(name, subject, data, orgpath)
        platform.bus.publish(platform.registry.topic_of(env.type, env.service), subject, env.to_json())
        platform.bus.flush()
        return env

    def events(self, types: set[str], topic: str | None = None) -> list:
        """Every event of these types seen on the service's topics so far — its facts and its reports to the audit
        trail (one probe consumer per harness)."""
        from .events import Envelope

        if self._probe is None:
            topics = [topic] if topic else self.platform.registry.topics_of(self.settings.service)
            self._probe = self.platform.bus.consumer(unique("probe"), topics)
        while True:
            batch = self._probe.poll(max_records=500, timeout=0.3)
            if not batch:
                break
            self._seen += [Envelope.from_json(m.value) for m in batch]
        return [e for e in self._seen if e.type in types]

    def close(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None
        for w in self.workers:
            w.stop.set()
        for w in self.workers:
            for t in w.threads:
                t.join(timeout=10)


@pytest.fixture
def make_harness(make_settings):
    """`make_harness(harness_class, module, store=..., bus=..., worker_kw=..., **settings)`: started, closed after."""
    made: list[ServiceHarness] = []

    def make(cls, module, store: str = "sqlite", bus: str = "embedded", worker_kw: dict | None = None,
             **overrides) -> ServiceHarness:
        settings = make_settings(service=module.__name__.split(".")[0], store=store, bus=bus, **overrides)
        h = cls(module, settings, worker_kw=worker_kw)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


def ledger_xlsx(headers: list, rows: list[list], prepare=None) -> bytes:
    """An office's ledger as Excel saves it: one sheet 数据, a header row, the rows (`prepare(book, sheet)` may
    spoil it the way offices do: merged cells, a hidden sheet, a formula)."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if prepare:
        prepare(book, sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger_csv(headers: list, rows: list[list], encoding: str = "gbk") -> bytes:
    """The same ledger saved as CSV by a Chinese Excel (GBK, CRLF), or in another `encoding`."""
    lines = [",".join(headers)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


# -- a Python file that is no package's (a deploy/local script, another folder's conftest), loaded by its path


def load_module(path: Path, name: str | None = None):
    """The file at `path` as a fresh module (not put in sys.modules): the tests call its functions as its own
    command line or fixtures would."""
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_activity():
    """deploy/local/demo_activity.py: the demo district's day of activity, which `play(gateway, seed=...)` plays
    through a running gateway (what `make run` does on a fresh start)."""
    return load_module(REPO_ROOT / "deploy" / "local" / "demo_activity.py", "demo_activity")
