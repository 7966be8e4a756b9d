"""Event consumers: at-least-once delivery made exactly-once in effect.

`EventConsumer` polls a batch, validates each message against its contract, calls the handler
registered for its type, and commits the batch's offsets only after the handlers' writes are
stored. Handlers are idempotent: every document a handler writes records the id of the event that
changed it (`apply_once`), so a redelivered event changes nothing twice.

A message that cannot be read (not an envelope, unknown type, invalid data) goes to the
dead-letter topic at once; one whose handler keeps failing goes there after `max_attempts`.
Either way the consumer moves on. Storage or bus outages are not the message's fault: the
consumer stops the batch, rewinds to what it committed, waits and tries again.
"""
from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Callable

from .bus.base import BusError, EventBus, Message
from .clock import Clock
from .events.envelope import Envelope, InvalidEnvelope
from .events.registry import ContractRegistry, InvalidEventData, UnknownEventType, dead_letter_topic, retry_topic
from .logs import bound
from .storage.base import Collection, DuplicateKeyError, StorageUnavailable

log = logging.getLogger(__name__)

HANDLED = "_handled"

Handler = Callable[[Envelope], None]


def apply_once(collection: Collection, doc_id, event_id: str, update: dict, upsert: bool = True,
               keep: int = 1000) -> bool:
    """Apply `update` to one document unless it already records `event_id`; True if applied.

    The event id is pushed into the same document in the same write, which is what makes the
    effect and its de-duplication one atomic step. The last `keep` ids are kept: a repeat arrives
    within the uncommitted batch or a relay retry, far fewer events than that.
    """
    upd = {k: dict(v) for k, v in update.items()}
    upd.setdefault("$push", {})[HANDLED] = {"$each": [event_id], "$slice": -keep}
    try:
        result = collection.update_one({"_id": doc_id, HANDLED: {"$ne": event_id}}, upd, upsert=upsert)
    except DuplicateKeyError:
        return False  # the document exists and has handled this event already
    return bool(result.matched_count or result.upserted_id is not None)


def insert_once(collection: Collection, document: dict) -> bool:
    """Insert a document whose `_id` derives from the event; False if it was inserted before."""
    try:
        collection.insert_one(document)
        return True
    except DuplicateKeyError:
        return False


class EventConsumer:
    """Polls, validates and hands events to their handlers; commits what is stored.

    With a `batch_handler`, the valid events of one poll go to it together (in order), so a read
    model can write each document once per poll instead of once per event; it must be as
    idempotent as the per-event handlers, which remain the fallback: if the batch keeps failing,
    its events are handled one by one, and only the one that fails is dead-lettered.
    """

    def __init__(self, bus: EventBus, group: str, topics: list[str], handlers: dict[str, Handler],
                 registry: ContractRegistry, *, max_attempts: int = 3, retry_backoff: float = 0.1,
                 clock: Clock | None = None, batch_size: int = 500,
                 batch_handler: Callable[[list[Envelope]], None] | None = None):
        self.bus = bus
        self.group = group
        # an operator's replays of this group's dead letters arrive on its own retry topic
        self.topics = list(topics) + [retry_topic(group)]
        self.handlers = dict(handlers)
        self.registry = registry
        self.max_attempts = max_attempts
        self.retry_backoff = retry_backoff
        self.clock = clock or Clock()
        self.batch_size = batch_size
        self.batch_handler = batch_handler
        self.consumer = bus.consumer(group, self.topics)
        self.handled = 0
        self.dead_lettered = 0
        self.last_event_time: dict[str, str] = {}
        self.lag: int | None = None
        self._lag_at = 0.0

    def run_once(self, timeout: float = 0.5) -> int:
        messages = self.consumer.poll(max_records=self.batch_size, timeout=timeout)
        if not messages:
            return 0
        done: list[Message] = []
        # messages read but not yet stored; `done` stays a prefix of `messages`, so that what is
        # committed after an outage never passes an event whose effect is not stored
        pending: list[tuple[Message, Envelope | None]] = []
        try:
            for msg in messages:
                if self.batch_handler is None:
                    self._process(msg)
                    done.append(msg)
                    continue
                envelope, problem = self._read(msg)
                if problem is not None:
                    self._flush(pending, done)
                    self._dead_letter(msg, *problem)
                    done.append(msg)
                elif envelope is not None or pending:
                    pending.append((msg, envelope))
                else:
                    done.append(msg)
            self._flush(pending, done)
        except (StorageUnavailable, BusError) as exc:
            log.warning("consumer %s paused by an outage: %s", self.group, exc)
            if done:
                self.consumer.commit(done)
            self.consumer.seek_to_committed()
            raise
        self.bus.flush()  # dead letters are stored before the offsets move past them
        self.consumer.commit(done)
        return len(done)

    def _read(self, msg: Message) -> tuple[Envelope | None, tuple[str, BaseException] | None]:
        """(the validated envelope for a handler or None if none wants it, or why to dead-letter it)."""
        announced = msg.headers.get("ce_type")
        if announced is not None and announced not in self.handlers and announced in self.registry:
            # a known event no handler here wants, by the type the relay wrote in its header: not parsed at all
            # (the gateway's audit consumer reads every topic for a few types: 13 % of its worker's time, #23)
            return None, None
        try:
            envelope = Envelope.from_json(msg.value)
        except InvalidEnvelope as exc:
            return None, ("invalid_envelope", exc)
        if envelope.type not in self.handlers:
            if envelope.type not in self.registry:
                return None, ("unknown_type", UnknownEventType(envelope.type))
            return None, None  # a known event this consumer does not care about
        try:
            return self.registry.validate_incoming(envelope), None
        except InvalidEventData as exc:
            return None, ("invalid_data", exc)

    def _process(self, msg: Message) -> None:
        envelope, problem = self._read(msg)
        if problem is not None:
            return self._dead_letter(msg, *problem)
        if envelope is not None:
            self._handle(msg, envelope)

    def _handle(self, msg: Message, envelope: Envelope) -> None:
        handler = self.handlers[envelope.type]
        with bound(envelope.correlationid or envelope.id, envelope.id):
            for attempt in range(1, self.max_attempts + 1):
                try:
                    handler(envelope)
                    self.handled += 1
                    self.last_event_time[envelope.service] = envelope.time
                    return
                except (StorageUnavailable, BusError):
                    raise
                except Exception as exc:  # noqa: BLE001 - any handler failure is retried, then dead-lettered
                    if attempt == self.max_attempts:
                        log.error("handler failed %d times, dead-lettering %s", attempt, envelope.type,
                                  exc_info=True)
                        return self._dead_letter(msg, "handler_failed", exc)
                    time.sleep(self.retry_backoff * attempt)

    def _flush(self, pending: list[tuple[Message, Envelope | None]], done: list[Message]) -> None:
        """Store the effects of the pending events with the batch handler, then count them done."""
        envelopes = [e for _, e in pending if e is not None]
        if envelopes:
            for attempt in range(1, self.max_attempts + 1):
                try:
                    self.batch_handler(envelopes)
                    break
                except (StorageUnavailable, BusError):
                    raise
                except Exception:  # noqa: BLE001 - one bad event must not hold the others back
                    if attempt == self.max_attempts:
                        log.warning("batch of %d failed %d times; handling its events one by one",
                                    len(envelopes), attempt, exc_info=True)
                        for msg, envelope in pending:
                            if envelope is not None:
                                self._handle(msg, envelope)
                        envelopes = []
                        break
                    time.sleep(self.retry_backoff * attempt)
            for envelope in envelopes:
                self.last_event_time[envelope.service] = envelope.time
            self.handled += len(envelopes)
        done.extend(msg for msg, _ in pending)
        pending.clear()

    def _dead_letter(self, msg: Message, reason: str, exc: BaseException) -> None:
        original = msg.headers.get("dlq.topic", msg.topic) if msg.topic == retry_topic(self.group) else msg.topic
        headers = {
            "dlq.reason": reason,
            "dlq.error": f"{type(exc).__name__}: {exc}"[:2000],
            "dlq.trace": "".join(traceback.format_exception_only(type(exc), exc))[-1000:],
            "dlq.topic": original,
            "dlq.partition": str(msg.partition),
            "dlq.offset": str(msg.offset),
            "dlq.group": self.group,
            "dlq.failed_at": self.clock.now_iso(),
        }
        self.bus.publish(dead_letter_topic(original), msg.key, msg.value, headers)
        self.dead_lettered += 1
        log.warning("dead-lettered %s/%s@%s: %s", msg.topic, msg.partition, msg.offset, reason)

    def _measure_lag(self, every: float = 2.0) -> None:
        """The group's lag over every partition of its topics (liandong.bus.base.group_lag), for the
        heartbeat and /metrics; measured in the consumer's own thread, as Kafka clients want."""
        if time.monotonic() - self._lag_at >= every:
            self._lag_at = time.monotonic()
            self.lag = self.consumer.lag()

    def run(self, stop: threading.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                # before the batch: a group catching up says how far behind it is from its start, not after its
                # first (long) batch; then every 2 s
                self._measure_lag()
                self.run_once()
                backoff = 0.5
            except (StorageUnavailable, BusError):
                try:  # a storage outage holds the group back: the lag keeps growing, and says so
                    self._measure_lag()
                except BusError:
                    pass
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
        self.consumer.close()
