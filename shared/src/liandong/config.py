"""Settings read from the environment, in one place, with defaults that make `make run` work."""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .registry import DEFAULT_PORTS, SERVICES  # noqa: F401  (named once, in liandong.registry)


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class ConfigError(ValueError):
    """The environment asks for something that cannot work."""


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to know about its environment.

    `backend` picks the defaults for both ports: `embedded` (SQLite storage + SQLite event log,
    nothing to install) or `kafka` (MongoDB/FerretDB storage + Apache Kafka). `store` and `bus`
    may be set on their own to mix them (tests do).
    """

    service: str = "gateway"
    env: str = "demo"  # demo | production
    backend: str = "embedded"
    store: str = "sqlite"  # sqlite | mongo
    bus: str = "embedded"  # embedded | kafka
    data_dir: Path = Path("data")
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_partitions: int = 3
    kafka_replication_factor: int = 1
    # replicas that must hold an event before an acks=all publish is acknowledged; 0: 2 when topics are
    # replicated (one broker may die without losing an acknowledged event), 1 on a single broker
    kafka_min_insync_replicas: int = 0
    bus_namespace: str = ""  # a prefix for every topic and consumer group (several deployments, one cluster)
    mongo_uri: str = "mongodb://127.0.0.1:27017"
    database_prefix: str = "liandong"
    # No default key in the source (anyone could sign with a public one): unset, they are made at random
    # on first start and kept in key_dir (see liandong.keys and `with_keys`).
    secret_key: str = ""
    encryption_key: str = ""
    key_dir: Path | None = None  # where generated keys live; None: <data_dir>/keys
    # signing keys being rotated out: they still verify tokens (never sign) until those tokens expire
    previous_secret_keys: tuple[str, ...] = ()
    # keys personal data may still be encrypted under (rotation): read with any, written with the current one
    previous_encryption_keys: tuple[str, ...] = ()
    log_level: str = "INFO"
    log_json: bool = True
    host: str = "127.0.0.1"
    ports: dict = field(default_factory=lambda: dict(DEFAULT_PORTS))
    service_urls: dict = field(default_factory=dict)
    sqlite_synchronous: str = "NORMAL"
    consumer_max_attempts: int = 3
    relay_interval: float = 0.05
    max_content_length: int = 1024 * 1024
    clock_file: str | None = None
    admin_password: str | None = None
    heartbeat_file: str | None = None
    cors_origins: tuple[str, ...] = ()
    # "the cluster": callers from these networks (and admins) see /readyz's detail and /metrics;
    # everyone else gets ready / not ready only. Kubernetes: the pod network, where Prometheus scrapes from.
    cluster_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    access_token_seconds: int = 900
    refresh_token_seconds: int = 7 * 24 * 3600

    @property
    def kafka_min_insync(self) -> int:
        """`kafka_min_insync_replicas` for the topics the services create, its default worked out."""
        return self.kafka_min_insync_replicas or min(2, self.kafka_replication_factor)

    @property
    def port(self) -> int:
        return self.ports[self.service]

    def url_of(self, service: str) -> str:
        return self.service_urls.get(service) or f"http://{self.host}:{self.ports[service]}"

    @property
    def database_name(self) -> str:
        return f"{self.database_prefix}_{self.service}"

    def with_keys(self) -> "Settings":
        """These settings with every unset key read from (or first made in) the key directory, so every
        process of one data directory signs and encrypts with the same random keys."""
        if self.secret_key and self.encryption_key:
            return self
        from . import keys

        where = self.key_dir or self.data_dir / "keys"
        return replace(self, secret_key=self.secret_key or keys.load_or_create(where, "secret_key"),
                       encryption_key=self.encryption_key or keys.load_or_create(where, "encryption_key"))

    def for_service(self, service: str) -> "Settings":
        return replace(self, service=service)

    def with_overrides(self, **overrides) -> "Settings":
        return replace(self, **overrides)

    @classmethod
    def from_env(cls, service: str, environ: dict | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        backend = env.get("LIANDONG_BACKEND", "embedded")
        if backend not in ("embedded", "kafka"):
            raise ConfigError(f"LIANDONG_BACKEND must be 'embedded' or 'kafka', not {backend!r}")
        store = env.get("LIANDONG_STORE") or ("sqlite" if backend == "embedded" else "mongo")
        bus = env.get("LIANDONG_BUS") or ("embedded" if backend == "embedded" else "kafka")
        if store not in ("sqlite", "mongo"):
            raise ConfigError(f"LIANDONG_STORE must be 'sqlite' or 'mongo', not {store!r}")
        if bus not in ("embedded", "kafka"):
            raise ConfigError(f"LIANDONG_BUS must be 'embedded' or 'kafka', not {bus!r}")
        mode = env.get("LIANDONG_ENV", "demo")
        secret = env.get("LIANDONG_SECRET_KEY")
        enc = env.get("LIANDONG_ENCRYPTION_KEY")
        if mode == "production" and (not secret or not enc):
            raise ConfigError("LIANDONG_SECRET_KEY and LIANDONG_ENCRYPTION_KEY must be set in production")
        if mode == "production" and service == "gateway" and not env.get("LIANDONG_ADMIN_PASSWORD"):
            raise ConfigError("LIANDONG_ADMIN_PASSWORD (the first district admin's password) must be set in production")
        ports = dict(DEFAULT_PORTS)
        urls = {}
        for name in SERVICES:
            port = env.get(f"LIANDONG_{name.upper()}_PORT")
            if port:
                ports[name] = int(port)
            url = env.get(f"LIANDONG_{name.upper()}_URL")
            if url:
                urls[name] = url.rstrip("/")
        defaults = cls()
        replication = int(env.get("KAFKA_REPLICATION_FACTOR", defaults.kafka_replication_factor))
        min_insync = int(env.get("KAFKA_MIN_INSYNC_REPLICAS") or 0)
        if min_insync < 0 or min_insync > replication:
            # more than the replicas could never be met: every publish would fail
            raise ConfigError(f"KAFKA_MIN_INSYNC_REPLICAS must be between 1 and KAFKA_REPLICATION_FACTOR "
                              f"({replication}), not {min_insync}")
        networks = tuple(n.strip() for n in env.get("LIANDONG_CLUSTER_CIDRS", "").split(",") if n.strip())
        for n in networks:
            try:
                ipaddress.ip_network(n, strict=False)
            except ValueError:
                raise ConfigError(f"LIANDONG_CLUSTER_CIDRS: {n!r} is not a network (e.g. 10.0.0.0/8)") from None
        return cls(
            service=service,
            env=mode,
            backend=backend,
            store=store,
            bus=bus,
            data_dir=Path(env.get("LIANDONG_DATA_DIR", "data")),
            kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS", defaults.kafka_bootstrap_servers),
            kafka_topic_partitions=int(env.get("KAFKA_TOPIC_PARTITIONS", defaults.kafka_topic_partitions)),
            kafka_replication_factor=replication,
            kafka_min_insync_replicas=min_insync,
            bus_namespace=env.get("LIANDONG_BUS_NAMESPACE", ""),
            mongo_uri=env.get("MONGO_URI", defaults.mongo_uri),
            database_prefix=env.get("LIANDONG_DATABASE_PREFIX", defaults.database_prefix),
            secret_key=secret or "",
            encryption_key=enc or "",
            key_dir=Path(env["LIANDONG_KEY_DIR"]) if env.get("LIANDONG_KEY_DIR") else None,
            previous_secret_keys=tuple(k.strip() for k in env.get("LIANDONG_PREVIOUS_SECRET_KEYS", "").split(",")
                                       if k.strip()),
            previous_encryption_keys=tuple(k.strip() for k in
                                           env.get("LIANDONG_PREVIOUS_ENCRYPTION_KEYS", "").split(",") if k.strip()),
            log_level=env.get("LOG_LEVEL", defaults.log_level),
            log_json=_bool(env.get("LOG_JSON"), True),
            host=env.get("LIANDONG_HOST", defaults.host),
            ports=ports,
            service_urls=urls,
            sqlite_synchronous=env.get("LIANDONG_SQLITE_SYNCHRONOUS", defaults.sqlite_synchronous),
            consumer_max_attempts=int(env.get("LIANDONG_CONSUMER_MAX_ATTEMPTS", defaults.consumer_max_attempts)),
            relay_interval=float(env.get("LIANDONG_RELAY_INTERVAL", defaults.relay_interval)),
            clock_file=env.get("LIANDONG_CLOCK_FILE") or None,
            admin_password=env.get("LIANDONG_ADMIN_PASSWORD") or None,
            heartbeat_file=env.get("LIANDONG_HEARTBEAT_FILE") or None,
            cluster_networks=networks or defaults.cluster_networks,
            cors_origins=tuple(o.strip() for o in env.get("LIANDONG_CORS_ORIGINS", "").split(",") if o.strip()),
            access_token_seconds=int(env.get("LIANDONG_ACCESS_TOKEN_SECONDS", defaults.access_token_seconds)),
            refresh_token_seconds=int(env.get("LIANDONG_REFRESH_TOKEN_SECONDS", defaults.refresh_token_seconds)),
        ).with_keys()
