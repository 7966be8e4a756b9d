"""Apache Kafka adapter over kafka-python: acks=all, idempotent retries, manual commits.

Clients are created lazily in the process that uses them (after gunicorn forks). A broker that is
down makes `publish`/`flush` raise BusUnavailable quickly instead of blocking a minute: the outbox
keeps the events and the relay tries again.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Iterable

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata, TopicPartition

from .base import BusError, BusUnavailable, Message, group_lag, next_offsets

# A member the broker hears nothing from for this long is dropped from its group (a dead worker's partitions go
# to the living within it)
SESSION_TIMEOUT_MS = 10_000

log = logging.getLogger(__name__)


def _headers(raw) -> dict:
    return {k: (v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else v) for k, v in (raw or [])}


class KafkaBus:
    def __init__(self, bootstrap_servers: str, client_id: str = "liandong", partitions: int = 3,
                 replication_factor: int = 1, request_timeout_ms: int = 10000, min_insync_replicas: int = 1):
        self.bootstrap_servers = bootstrap_servers.split(",")
        self.client_id = client_id
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.min_insync_replicas = min_insync_replicas
        self.request_timeout_ms = request_timeout_ms
        self._producer: KafkaProducer | None = None
        self._pid = None
        self._futures: list = []
        self._lock = threading.Lock()
        self._known_topics: set[str] = set()
        # long-lived clients for offset questions, per group (None: end offsets); one at a time
        self._offset_clients: dict[str | None, KafkaConsumer] = {}
        self._offsets_pid = None
        self._offsets_lock = threading.RLock()
        # the readiness probe's admin client (kept, per process: see ping)
        self._ping_admin: KafkaAdminClient | None = None
        self._ping_pid = None
        self._ping_lock = threading.Lock()

    @property
    def producer(self) -> KafkaProducer:
        if self._producer is None or self._pid != os.getpid():
            try:
                self._producer = KafkaProducer(
                    bootstrap_servers=self.bootstrap_servers,
                    client_id=self.client_id,
                    acks="all",
                    enable_idempotence=True,
                    retries=10,
                    max_in_flight_requests_per_connection=5,
                    linger_ms=2,
                    max_block_ms=5000,
                    request_timeout_ms=self.request_timeout_ms,
                    retry_backoff_ms=200,
                )
            except KafkaError as exc:
                raise BusUnavailable(f"Kafka at {self.bootstrap_servers} is not reachable: {exc}") from exc
            self._pid = os.getpid()
        return self._producer

    def publish(self, topic: str, key: str | None, value: bytes, headers: dict | None = None) -> None:
        try:
            fut = self.producer.send(
                topic,
                key=key.encode("utf-8") if key is not None else None,
                value=value,
                headers=[(k, str(v).encode("utf-8")) for k, v in (headers or {}).items()],
            )
        except KafkaError as exc:
            raise BusUnavailable(f"cannot publish to {topic}: {exc}") from exc
        with self._lock:
            self._futures.append(fut)

    def flush(self, timeout: float = 10.0) -> None:
        with self._lock:
            futures, self._futures = self._futures, []
        if not futures:
            return
        try:
            self.producer.flush(timeout=timeout)
        except KafkaError as exc:
            raise BusUnavailable(f"flush failed: {exc}") from exc
        failed = [f for f in futures if not f.is_done or f.failed()]
        if failed:
            first = failed[0]
            reason = first.exception if first.is_done else "timed out"
            raise BusUnavailable(f"{len(failed)} of {len(futures)} messages were not acknowledged: {reason}")

    def consumer(self, group: str, topics: list[str], from_beginning: bool = True) -> "KafkaGroupConsumer":
        self.ensure_topics(topics)
        return KafkaGroupConsumer(self, group, topics, from_beginning)

    def _admin(self) -> KafkaAdminClient:
        return KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, client_id=f"{self.client_id}-admin",
                                request_timeout_ms=self.request_timeout_ms)

    def ensure_topics(self, topics: Iterable[str]) -> None:
        wanted = [t for t in topics if t not in self._known_topics]
        if not wanted:
            return
        try:
            admin = self._admin()
        except KafkaError as exc:
            raise BusUnavailable(f"Kafka admin not reachable: {exc}") from exc
        try:
            existing = set(admin.list_topics())
            # acks=all waits for min.insync.replicas: on the topic itself, whatever the broker's default
            configs = {"min.insync.replicas": str(self.min_insync_replicas)}
            new = [NewTopic(t, self.partitions, self.replication_factor, topic_configs=configs)
                   for t in wanted if t not in existing]
            if new:
                try:
                    admin.create_topics(new)
                except TopicAlreadyExistsError:
                    pass
            self._known_topics.update(wanted)
        except KafkaError as exc:
            raise BusUnavailable(f"cannot create topics {wanted}: {exc}") from exc
        finally:
            admin.close()

    def ping(self) -> None:
        """One small request (the cluster's brokers, not every topic's metadata) on an admin client kept for it.
        /readyz pings on every probe, and the gateway asks each service's with a 2 s timeout: a new client per
        probe (connect, version probe, bootstrap) listing all the topics of a broker with some 900 took 1-2.5 s
        on a busy machine, and the platform on Kafka never reported ready."""
        with self._ping_lock:
            try:
                if self._ping_admin is None or self._ping_pid != os.getpid():
                    self._ping_admin, self._ping_pid = self._admin(), os.getpid()
                self._ping_admin.describe_cluster()
            except KafkaError as exc:
                self._close_ping_admin()
                raise BusUnavailable(f"Kafka at {self.bootstrap_servers} is not reachable: {exc}") from exc

    def _close_ping_admin(self) -> None:
        admin, self._ping_admin = self._ping_admin, None
        if admin is not None and self._ping_pid == os.getpid():
            try:
                admin.close()
            except KafkaError:
                pass

    def _partitions(self, consumer: KafkaConsumer, topics) -> list[TopicPartition]:
        out = []
        for t in topics:
            out += [TopicPartition(t, p) for p in sorted(consumer.partitions_for_topic(t) or ())]
        return out

    def _offsets_client(self, group: str | None) -> KafkaConsumer:
        """A client kept for offset questions (call with `_offsets_lock` held).

        Making one per question costs a connection, a metadata round and a few hundred ms of
        Python in the asking process — the projector's lag, every two seconds."""
        if self._offsets_pid != os.getpid():
            self._offset_clients, self._offsets_pid = {}, os.getpid()
        client = self._offset_clients.get(group)
        if client is None:
            client = self._offset_clients[group] = KafkaConsumer(
                bootstrap_servers=self.bootstrap_servers, client_id=f"{self.client_id}-offsets",
                group_id=group, enable_auto_commit=False, request_timeout_ms=max(self.request_timeout_ms, 30000))
        return client

    def _forget_offsets_client(self, group: str | None) -> None:
        client = self._offset_clients.pop(group, None)
        if client is not None:
            try:
                client.close()
            except Exception:  # noqa: BLE001 - a broken client is dropped either way
                pass

    def end_offsets(self, topics) -> dict[tuple[str, int], int]:
        """The next offset of every partition of the topics (what a caught-up group has committed)."""
        with self._offsets_lock:
            try:
                consumer = self._offsets_client(None)
                tps = self._partitions(consumer, topics)
                return {(tp.topic, tp.partition): off for tp, off in consumer.end_offsets(tps).items()} if tps else {}
            except KafkaError as exc:
                self._forget_offsets_client(None)
                raise BusUnavailable(f"end offsets unknown: {exc}") from exc

    def committed(self, group: str, topics) -> dict[tuple[str, int], int]:
        with self._offsets_lock:
            try:
                consumer = self._offsets_client(group)
                return {(tp.topic, tp.partition): consumer.committed(tp) or 0
                        for tp in self._partitions(consumer, topics)}
            except KafkaError as exc:
                self._forget_offsets_client(group)
                raise BusUnavailable(f"committed offsets unknown: {exc}") from exc

    def read(self, topic: str, start: int = 0, limit: int = 1000, timeout: float = 5.0) -> list[Message]:
        """Read a topic from an offset without a group (operators listing dead letters, tests)."""
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap_servers, enable_auto_commit=False,
                                 group_id=None, consumer_timeout_ms=int(timeout * 1000))
        try:
            parts = consumer.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in sorted(parts)]
            if not tps:
                return []
            consumer.assign(tps)
            ends = consumer.end_offsets(tps)
            for tp in tps:
                consumer.seek(tp, start)
            out: list[Message] = []
            for rec in consumer:
                out.append(Message(rec.topic, rec.partition, rec.offset, rec.key.decode() if rec.key else None,
                                   rec.value, _headers(rec.headers), rec.timestamp / 1000.0))
                if len(out) >= limit or all(consumer.position(tp) >= ends[tp] for tp in tps):
                    break
            return out
        finally:
            consumer.close()

    def close(self) -> None:
        with self._offsets_lock:
            if self._offsets_pid == os.getpid():
                for group in list(self._offset_clients):
                    self._forget_offsets_client(group)
        with self._ping_lock:
            self._close_ping_admin()
        if self._producer is not None:
            try:
                self._producer.close(timeout=5)
            except KafkaError:
                pass
            self._producer = None


class KafkaGroupConsumer:
    # How long a member may stay out of a stable group before its client is replaced. kafka-python 3.0.12 can
    # leave a member rebalancing for good: its join never completes, it sends no heartbeat (the broker drops it
    # after the session timeout), every commit fails with "RebalanceInProgressError ... calling poll()" however
    # often poll() is called, and it still fetches from its old partitions, so the work is done again and again
    # and never committed (the gateway's reports stood still on Kafka + FerretDB, the broker's log showing the
    # member dropped for want of heartbeats; a worker's twin that waited four minutes to join a group was likely
    # held by such a member). A healthy rebalance here takes seconds; a fresh client joins afresh and resumes
    # from the group's commits (handlers are idempotent). Seen again under the district's load on a fresh start
    # (#23, twice in nine freshness runs): the reports group's leader re-joined 0.6 s after its first join, the
    # broker had its assignment, then no heartbeat came and every commit was refused; the reports stood still
    # until the client was replaced, 49 s later, and probes waited ~10 s. A member rebalancing longer than the
    # session timeout sends no heartbeats (kafka-python stops them while it rebalances), so the broker has
    # dropped it by then: the client is replaced once that time and a margin have passed.
    stuck_after = SESSION_TIMEOUT_MS / 1000 + 5.0

    def __init__(self, bus: KafkaBus, group: str, topics: list[str], from_beginning: bool):
        self.bus = bus
        self.group = group
        self.topics = topics
        self.from_beginning = from_beginning
        self.strip_prefix = ""  # a namespace (NamespacedBus) the messages' topics leave behind, here: one Message each
        self.reopened = 0
        self._unstable_since: float | None = None
        self._consumer = self._open()

    def _open(self) -> KafkaConsumer:
        consumer = KafkaConsumer(
            bootstrap_servers=self.bus.bootstrap_servers,
            client_id=f"{self.bus.client_id}-{self.group}",
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest" if self.from_beginning else "latest",
            max_poll_records=500,
            session_timeout_ms=SESSION_TIMEOUT_MS,
            heartbeat_interval_ms=2000,
            request_timeout_ms=max(self.bus.request_timeout_ms, 30000),
        )
        # Join only once this client's metadata has the topics' partitions: a member that joined before it
        # knew just-created topics was assigned nothing ("No partition metadata for topic ...") and stayed so
        # (the gateway's reports stood still after a start on Kafka, minutes on end).
        deadline = time.monotonic() + 30
        while any(not consumer.partitions_for_topic(t) for t in self.topics) and time.monotonic() < deadline:
            time.sleep(0.2)
        consumer.subscribe(self.topics)
        # kafka-python keeps a snapshot of the subscribed topics' partitions, and a leader re-joins when the
        # snapshot it assigned on differs from the current one; after subscribe() the snapshot is taken only at
        # the next metadata update, so a leader that joins before it assigns on an empty snapshot and re-joins
        # within a second (the broker's log on a start under load, #23 run 23: a second rebalance that, now and
        # then, kafka-python never finished). Take it now, from the metadata just waited for, as that update would.
        coordinator = getattr(consumer, "_coordinator", None)  # kafka-python's own: no public call for it
        if coordinator is not None and hasattr(coordinator, "_handle_metadata_update"):
            coordinator._handle_metadata_update(coordinator._cluster)
        return consumer

    def _mend_a_stuck_membership(self) -> None:
        """Replace the client when its member has been out of a stable group for `stuck_after` seconds."""
        coordinator = getattr(self._consumer, "_coordinator", None)  # kafka-python's own: no public state
        if coordinator is None or coordinator.generation_if_stable() is not None:
            self._unstable_since = None
            return
        now = time.monotonic()
        if self._unstable_since is None:
            self._unstable_since = now
        elif now - self._unstable_since > self.stuck_after:
            log.warning("consumer of %s out of a stable group for %.0fs: its client is replaced", self.group,
                        now - self._unstable_since)
            fresh = self._open()  # first: when the broker cannot be reached, the old client stays and this is retried
            self.close()
            self._consumer = fresh
            self._unstable_since = None
            self.reopened += 1

    def poll(self, max_records: int = 500, timeout: float = 1.0) -> list[Message]:
        try:
            self._mend_a_stuck_membership()
            batches = self._consumer.poll(timeout_ms=int(timeout * 1000), max_records=max_records)
        except KafkaError as exc:
            raise BusUnavailable(f"poll failed: {exc}") from exc
        out: list[Message] = []
        prefix = self.strip_prefix
        for tp in sorted(batches, key=lambda t: (t.topic, t.partition)):
            topic = tp.topic[len(prefix):] if prefix and tp.topic.startswith(prefix) else tp.topic
            for rec in batches[tp]:
                out.append(Message(topic, rec.partition, rec.offset,
                                   rec.key.decode("utf-8") if rec.key is not None else None,
                                   rec.value, _headers(rec.headers) if rec.headers else {}, rec.timestamp / 1000.0))
        return out

    def commit(self, messages: Iterable[Message]) -> None:
        offsets = {TopicPartition(t, p): OffsetAndMetadata(o, "", -1) for (t, p), o in next_offsets(messages).items()}
        if not offsets:
            return
        try:
            self._consumer.commit(offsets)
        except KafkaError as exc:
            # A rebalance moved the partition: the new owner re-reads these; handlers are idempotent.
            raise BusError(f"commit failed: {exc}") from exc

    def lag(self) -> int:
        """Messages the group has not committed, over every partition of its topics (not only this member's)."""
        return group_lag(self.bus, self.group, self.topics)

    def seek_to_committed(self) -> None:
        for tp in self._consumer.assignment():
            committed = self._consumer.committed(tp)
            if committed is None:
                self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, committed)

    def close(self) -> None:
        try:
            self._consumer.close(autocommit=False)
        except KafkaError:
            pass
