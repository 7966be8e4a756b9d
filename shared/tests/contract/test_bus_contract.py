"""One contract for the event bus, run unchanged on the embedded log and on Apache Kafka."""
from __future__ import annotations

import json
import time

import pytest
from marshmallow import Schema, fields

from liandong.consumer import EventConsumer, apply_once
from liandong.events import ContractRegistry, Envelope
from liandong.storage.sqlite import SqliteDatabase
from liandong.testing import unique, wait_for

registry = ContractRegistry()


@registry.contract("demo.thing_counted", 1, example={"n": 1})
class ThingCounted(Schema):
    n = fields.Integer(required=True)


@registry.contract("demo.thing_renamed", 1, example={"name": "x"})
class ThingRenamed(Schema):
    name = fields.String(required=True)


def event(n: int, subject: str = "agg-1", **kw) -> Envelope:
    return registry.new_event("demo.thing_counted", subject, {"n": n}, "/cy/hq/jy/", **kw)


def drain(consumer, expected: int, timeout: float = 30.0) -> list:
    got: list = []
    wait_for(lambda: got.extend(consumer.poll(timeout=0.5)) or len(got) >= expected, timeout,
             message=f"{expected} messages")
    return got


def test_a_groups_lag_counts_every_partition_whichever_member_is_asked(bus):
    """The lag the metrics export per consumer group (liandong_consumer_lag_messages{service,group}): all
    that the group has not committed, on every partition; not only what one member holds (on Kafka a
    member that has not joined yet holds nothing, and with replicas each holds a share)."""
    topic = unique("lag.")
    bus.ensure_topics([topic])
    for i in range(12):
        bus.publish(topic, f"agg-{i}", json.dumps({"i": i}).encode())  # spread over the partitions
    bus.flush()
    group = unique("g")
    idle = bus.consumer(group, [topic])  # a member holding no partition yet
    assert idle.lag() == 12
    reader = bus.consumer(group, [topic])
    got = drain(reader, 12)
    by_partition: dict = {}
    for m in got:
        by_partition.setdefault(m.partition, []).append(m)
    first = by_partition[min(by_partition)]
    reader.commit(first)  # one partition done, the others not
    assert reader.lag() == idle.lag() == 12 - len(first)
    reader.commit(got)
    assert reader.lag() == idle.lag() == 0
    idle.close()
    reader.close()


def test_a_keys_messages_arrive_in_order_and_commits_are_resumed(bus):
    topic = unique("orders.")
    for i in range(20):
        bus.publish(topic, f"agg-{i % 2}", json.dumps({"i": i}).encode(), {"h": "v"})
    bus.flush()
    group = unique("g")
    c1 = bus.consumer(group, [topic])
    got = drain(c1, 20)
    assert len(got) == 20 and got[0].headers.get("h") == "v"
    for key in ("agg-0", "agg-1"):
        seq = [json.loads(m.value)["i"] for m in got if m.key == key]
        assert seq == sorted(seq) and len(seq) == 10
    c1.commit(got[:10])  # a prefix of every partition
    assert c1.lag() == 10
    assert sum(bus.end_offsets([topic]).values()) == 20
    assert sum(bus.committed(group, [topic]).values()) == 10
    c1.close()
    # a new member of the group starts from what was committed, not from the beginning
    for i in range(20, 25):
        bus.publish(topic, "agg-0", json.dumps({"i": i}).encode())
    bus.flush()
    c2 = bus.consumer(group, [topic])
    expected = 15
    rest = drain(c2, expected)
    assert len(rest) == expected
    assert max(json.loads(m.value)["i"] for m in rest) == 24
    c2.close()


def test_uncommitted_messages_are_delivered_again_after_a_restart(bus):
    topic = unique("redeliver.")
    for i in range(5):
        bus.publish(topic, "k", str(i).encode())
    bus.flush()
    group = unique("g")
    c1 = bus.consumer(group, [topic])
    assert len(drain(c1, 5)) == 5
    c1.close()  # crashed before committing
    c2 = bus.consumer(group, [topic])
    assert [m.value for m in drain(c2, 5)] == [str(i).encode() for i in range(5)]
    c2.close()


@pytest.fixture
def counters(tmp_path):
    return SqliteDatabase(tmp_path / "effects.db").collection("counters")


def run_until(consumer: EventConsumer, predicate, timeout: float = 30.0):
    wait_for(lambda: consumer.run_once(timeout=0.3) is not None and predicate(), timeout, message="consumer")


def test_poison_messages_go_to_the_dead_letter_topic_and_the_consumer_moves_on(bus, counters):
    topic = unique("poison.")
    calls = {"boom": 0}

    def count(env: Envelope):
        if env.data["n"] == 13 and not calls.get("fixed"):
            calls["boom"] += 1
            raise RuntimeError("handler bug on 13")
        apply_once(counters, "total", env.id, {"$inc": {"n": env.data["n"]}})

    bus.publish(topic, "a", b"not json at all")
    bad_type = event(1).to_dict() | {"type": "liandong.demo.never_registered.v1"}
    bus.publish(topic, "a", json.dumps(bad_type).encode())
    bad_data = event(1).to_dict() | {"data": {"n": "many"}}
    bus.publish(topic, "a", json.dumps(bad_data).encode())
    bus.publish(topic, "a", event(13).to_json())
    good = event(5)
    bus.publish(topic, "a", good.to_json())
    bus.publish(topic, "a", good.to_json())  # the same event delivered twice
    bus.publish(topic, "a", event(2).to_json())
    bus.flush()

    consumer = EventConsumer(bus, unique("g"), [topic], {registry.by_name("demo.thing_counted").type: count},
                             registry, max_attempts=3, retry_backoff=0.01)
    run_until(consumer, lambda: (counters.find_one({"_id": "total"}) or {}).get("n") == 7)
    assert calls["boom"] == 3  # bounded retries
    assert consumer.dead_lettered == 4

    dead = wait_for(lambda: (lambda m: m if len(m) >= 4 else None)(bus.read(f"{topic}.dlq")), 30,
                    message="dead letters")
    reasons = sorted(m.headers["dlq.reason"] for m in dead)
    assert reasons == ["handler_failed", "invalid_data", "invalid_envelope", "unknown_type"]
    failed = next(m for m in dead if m.headers["dlq.reason"] == "handler_failed")
    assert "handler bug on 13" in failed.headers["dlq.error"]
    assert failed.headers["dlq.topic"] == topic and failed.headers["dlq.offset"].isdigit()
    assert Envelope.from_json(failed.value).data == {"n": 13}  # the original bytes, for replay

    # after a fix, an operator lists the group's dead letters and replays the handler failure
    from liandong import dlq

    letters = dlq.dead_letters(bus, consumer.group, [topic])
    assert {d.reason for d in letters} == set(reasons) and all(d.group == consumer.group for d in letters)
    calls["fixed"] = True
    replayed = SqliteDatabase(counters.db.path).collection("replayed")
    to_replay = [d for d in letters if d.reason == "handler_failed"]
    assert dlq.replay(bus, to_replay, replayed, "2026-03-01T00:00:00.000000Z") == 1
    run_until(consumer, lambda: (counters.find_one({"_id": "total"}) or {}).get("n") == 20)
    assert replayed.count_documents({}) == 1
    consumer.consumer.close()


def test_a_readiness_ping_costs_milliseconds_once_connected(bus):
    """/readyz pings the bus on every probe, and the gateway asks each service's /readyz with a 2 s timeout.
    On Kafka a ping made a new admin client and listed every topic of the cluster: 0.6-2.5 s each on the shared
    test broker (some 900 topics), and the platform on Kafka never reported ready."""
    bus.ping()  # the first connects
    started = time.monotonic()
    for _ in range(20):
        bus.ping()
    assert time.monotonic() - started < 2.0


def test_an_event_no_handler_here_wants_is_skipped_by_its_header_without_being_parsed(bus):
    """The relay names each event's type in a `ce_type` header (CloudEvents' Kafka binding): a consumer passes
    over a known type it has no handler for without parsing it (the gateway's audit consumer reads every topic
    for a few types); an event it handles, or one without the header, is read and checked as before."""
    topic = unique("skip.")
    wanted = event(4)
    other = registry.new_event("demo.thing_renamed", "agg-1", {"name": "x"}, "/cy/hq/jy/")
    bus.publish(topic, "a", b"{not parsed", other.headers())  # a type no handler here wants: never read
    bus.publish(topic, "a", b"{no header")  # nothing says what it is: read, and dead-lettered
    bus.publish(topic, "a", other.to_json(), other.headers())
    bus.publish(topic, "a", wanted.to_json(), wanted.headers())
    bus.flush()
    handled: list = []
    consumer = EventConsumer(bus, unique("g"), [topic], {wanted.type: handled.append}, registry, max_attempts=1)
    run_until(consumer, lambda: len(handled) == 1)
    assert handled[0].id == wanted.id and handled[0].data == {"n": 4}
    assert consumer.dead_lettered == 1
    dead = wait_for(lambda: bus.read(f"{topic}.dlq") or None, 30, message="the dead letter")
    assert [(m.value, m.headers["dlq.reason"]) for m in dead] == [(b"{no header", "invalid_envelope")]
    consumer.consumer.close()
