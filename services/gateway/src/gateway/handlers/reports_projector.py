"""Feeds the reporting read model from every service's events, and rebuilds it on request.

The live generation has its own consumer group (`gateway-reports-g<n>`). A rebuild starts
generation n+1 with a new group reading every topic from the beginning; the old generation keeps
answering until the new one has committed up to where the topics ended when the rebuild began.
Then the pointer moves and the old collections are dropped. Progress is stored, so the API can
report it.
"""
from __future__ import annotations

import logging
import threading
import time

from liandong.consumer import EventConsumer
from liandong.errors import Conflict
from liandong.events.registry import topic_for

from ..adapters.read_model import ReadModel
from ..adapters.reports_state import ReportsState
from ..domain.metrics import REMEMBER, RULES, SOURCES

log = logging.getLogger(__name__)

TOPICS = [topic_for(s) for s in SOURCES]
# events per poll, applied together (ReadModel.apply_batch): bigger batches write each bucket less often
BATCH = 2000


def _key(topic: str, partition: int) -> str:
    return f"{topic.replace('.', '_')}:{partition}"  # document keys may not hold dots


def handlers(model: ReadModel) -> dict:
    """{event type: handler}: every event that moves a figure, or that a later one needs, goes to the model."""
    return {t: model.apply for t in set(RULES) | set(REMEMBER)}


def group_of(generation: int) -> str:
    return f"gateway-reports-g{generation}"


class ReportsProjector:
    def __init__(self, deps, bus, registry, community_of, max_attempts: int | None = None):
        """`deps`: the gateway's `Dependencies`; `bus` and `registry` to consume every service's topic."""
        self.deps = deps
        self.bus = bus
        self.registry = registry
        self.community_of = community_of
        self.max_attempts = max_attempts or deps.settings.consumer_max_attempts
        self.state = ReportsState(deps)
        self._consumers: dict[int, EventConsumer] = {}

    # -- state
    def current(self) -> dict:
        return self.state.current()

    def model(self, generation: int | None = None) -> ReadModel:
        return ReadModel(self.deps.db, generation or self.current()["active"], self.community_of)

    def request_rebuild(self) -> dict:
        state = self.current()
        if state.get("building"):
            raise Conflict(f"a rebuild (generation {state['building']}) is already running")
        target = {_key(t, p): n for (t, p), n in self.bus.end_offsets(TOPICS).items()}
        return self.describe(self.state.start_rebuild(state["active"] + 1, target))

    def describe(self, state: dict | None = None) -> dict:
        state = state or self.current()
        out = {"active_generation": state["active"], "rebuilding": state.get("building")}
        if state.get("building"):
            out["progress"] = state.get("progress")
            out["started_at"] = state.get("started_at")
        if state.get("last_rebuild"):
            out["last_rebuild"] = state["last_rebuild"]
        return out

    # -- what the worker's heartbeat reports, as for any consumer
    @property
    def live(self) -> EventConsumer:
        return self._consumer(self.current()["active"])

    @property
    def group(self) -> str:
        return self.live.group

    @property
    def topics(self) -> list[str]:
        return self.live.topics

    @property
    def handled(self) -> int:
        return sum(c.handled for c in self._consumers.values())

    @property
    def dead_lettered(self) -> int:
        return sum(c.dead_lettered for c in self._consumers.values())

    @property
    def lag(self) -> int | None:
        return self.live.lag

    @property
    def last_event_time(self) -> dict:
        return self.live.last_event_time

    def behind(self) -> dict[str, int]:
        """Per source topic, how many events the live generation has not yet committed."""
        ends = self.bus.end_offsets(TOPICS)
        done = self.bus.committed(group_of(self.current()["active"]), TOPICS)
        per_topic: dict[str, int] = {t: 0 for t in TOPICS}
        for (t, p), n in ends.items():
            per_topic[t] += max(0, n - done.get((t, p), 0))
        return per_topic

    def _measure_lag(self) -> None:
        """Store how far behind the live generation is, per source (read by the overview)."""
        per_topic = self.behind()
        live = self._consumers.get(self.current()["active"])
        if live is not None:
            live.lag = sum(per_topic.values())
        self.state.lag({t.split(".")[0]: n for t, n in per_topic.items()})

    # -- consuming
    def _consumer(self, generation: int) -> EventConsumer:
        consumer = self._consumers.get(generation)
        if consumer is None:
            model = self.model(generation)
            model.prepare()
            model.recover()
            consumer = EventConsumer(self.bus, group_of(generation), TOPICS, handlers(model), self.registry,
                                     max_attempts=self.max_attempts, clock=self.deps.clock, batch_size=BATCH,
                                     batch_handler=model.apply_batch)
            self._consumers[generation] = consumer
        return consumer

    def _caught_up(self, state: dict) -> bool:
        committed = self.bus.committed(group_of(state["building"]), TOPICS)
        done = {_key(t, p): n for (t, p), n in committed.items()}
        self.state.progress(sum(min(done.get(k, 0), n) for k, n in state["target"].items()))
        return all(done.get(k, 0) >= n for k, n in state["target"].items())

    def _switch(self, state: dict) -> None:
        old, new = state["active"], state["building"]
        self.state.switch(state)
        retired = self._consumers.pop(old, None)
        if retired is not None:
            retired.consumer.close()
        self.model(old).drop()
        log.info("reports rebuilt: generation %s replaced %s", new, old)

    def run_once(self, timeout: float = 0.2) -> int:
        state = self.current()
        n = self._consumer(state["active"]).run_once(timeout=timeout)
        if state.get("building"):
            builder = self._consumer(state["building"])
            handled = builder.run_once(timeout=timeout)
            n += handled
            if handled == 0 and self._caught_up(state):
                self._switch(state)
        return n

    def _measure_lag_every(self, seconds: float, stop: threading.Event) -> None:
        """The lag, measured beside the consuming loop: asking the bus takes a while, events should not wait."""
        while not stop.is_set():
            if not self._consumers:  # the consuming loop makes the live consumer; this thread only reads it
                stop.wait(0.1)
                continue
            try:
                self._measure_lag()
            except Exception as exc:  # noqa: BLE001 - an outage: the next round tries again
                log.warning("reports lag not measured: %s", exc)
            stop.wait(seconds)

    def run(self, stop: threading.Event) -> None:
        backoff = 0.5
        threading.Thread(target=self._measure_lag_every, args=(2.0, stop), name="reports-lag", daemon=True).start()
        while not stop.is_set():
            try:
                self.run_once()
                backoff = 0.5
            except Exception as exc:  # noqa: BLE001 - an outage: wait and go on
                log.warning("reports projector paused: %s", exc)
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            else:
                time.sleep(0)
        for consumer in self._consumers.values():
            consumer.consumer.close()
