"""The background process of a service: its outbox relay and its event consumers, in threads.

The worker records a heartbeat in the service's own database so the service's `/readyz` can say
whether its relay and consumers are alive.
"""
from __future__ import annotations

import gc
import logging
import signal
import threading
from pathlib import Path
from typing import Callable, Iterable

from .clock import Clock
from .consumer import EventConsumer
from .outbox import OutboxRelay
from .storage.base import Collection, StorageError

log = logging.getLogger(__name__)

HEARTBEAT_ID = "worker"


def heartbeat_check(runtime: Collection, clock: Clock, max_age: float = 15.0) -> Callable[[], dict]:
    """A readiness check: the worker has written a heartbeat within `max_age` seconds."""

    def check() -> dict:
        doc = runtime.find_one({"_id": HEARTBEAT_ID})
        if not doc:
            raise RuntimeError("the worker (relay and consumers) has not started")
        from .clock import from_iso

        age = (clock.now() - from_iso(doc["at"])).total_seconds()
        if age > max_age:
            raise RuntimeError(f"the worker's last heartbeat is {age:.0f}s old")
        return {"heartbeat_age_s": round(age, 1), "pending_outbox": doc.get("pending_outbox")}

    return check


def settle_heap() -> None:
    """What a process built to start (modules, schemas, the wiring) lives as long as it does: collected once,
    then left out of every later garbage collection (`gc.freeze`). Otherwise each full collection walks all of
    it again while events are handled: a quarter of the reports projector's time (#23's profile)."""
    gc.collect()
    gc.freeze()


class Worker:
    def __init__(self, name: str, relay: OutboxRelay | None, consumers: Iterable[EventConsumer],
                 runtime: Collection, clock: Clock | None = None, relay_interval: float = 0.05,
                 periodic: Iterable[tuple[float, Callable[[], None]]] = (), heartbeat_file: str | None = None):
        self.name = name
        self.relay = relay
        self.consumers = list(consumers)
        self.runtime = runtime
        self.clock = clock or Clock()
        self.relay_interval = relay_interval
        self.periodic = list(periodic)
        self.heartbeat_file = heartbeat_file
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def _beat(self) -> None:
        while not self.stop.is_set():
            try:
                pending = self.relay.pending() if self.relay else 0
                self.runtime.update_one({"_id": HEARTBEAT_ID},
                                        {"$set": {"at": self.clock.now_iso(), "pending_outbox": pending,
                                                  "published": self.relay.published_total if self.relay else 0,
                                                  "consumers": {c.group: {"topics": c.topics,
                                                                          "handled": c.handled,
                                                                          "dead_lettered": c.dead_lettered,
                                                                          "lag": c.lag,
                                                                          "last_event_time": c.last_event_time}
                                                                for c in self.consumers}}},
                                        upsert=True)
                if self.heartbeat_file:  # for a container's liveness probe
                    Path(self.heartbeat_file).touch()
            except StorageError as exc:
                log.warning("heartbeat not written: %s", exc)
            self.stop.wait(2.0)

    def _every(self, seconds: float, job: Callable[[], None]) -> None:
        while not self.stop.is_set():
            try:
                job()
            except Exception:  # noqa: BLE001 - a failing periodic job is logged and tried again
                log.error("periodic job %s failed", getattr(job, "__name__", job), exc_info=True)
            self.stop.wait(seconds)

    def start(self) -> None:
        targets: list[tuple[str, Callable]] = [("heartbeat", self._beat)]
        if self.relay is not None:
            targets.append(("relay", lambda: self.relay.run(self.stop, self.relay_interval)))
        for c in self.consumers:
            targets.append((f"consumer:{c.group}", lambda c=c: c.run(self.stop)))
        for seconds, job in self.periodic:
            targets.append((f"every:{seconds}", lambda s=seconds, j=job: self._every(s, j)))
        for name, target in targets:
            t = threading.Thread(target=target, name=f"{self.name}:{name}", daemon=True)
            t.start()
            self.threads.append(t)
        log.info("worker %s started: relay=%s consumers=%s", self.name, self.relay is not None,
                 [c.group for c in self.consumers])

    def run_forever(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop.set())
        settle_heap()
        self.start()
        self.stop.wait()
        log.info("worker %s stopping", self.name)
        for t in self.threads:
            t.join(timeout=10)
