"""Break the infrastructure for real: stop the Kafka broker and the database while work goes on."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from liandong import outbox
from liandong.consumer import EventConsumer, apply_once, insert_once
from liandong.contracts import CONTRACTS
from liandong.outbox import OutboxRelay
from liandong.platform import Platform
from liandong.storage.sqlite import SqliteDatabase
from liandong.testing import auth_headers, free_port, unique, wait_for

UNIT = {"name": "阳春社区", "level": "community", "parent_id": "ceguan"}


def org_event(unit_id: str):
    path = f"/chuanying/ceguan/{unit_id}/"
    return CONTRACTS.new_event("gateway.org_unit.created", unit_id, {"org_unit_id": unit_id, "path": path, **UNIT},
                               path)


@pytest.mark.kafka
def test_broker_stopped_while_writing_nothing_lost_nothing_applied_twice(own_kafka, make_settings, tmp_path):
    bootstrap, broker = own_kafka
    settings = make_settings(service="gateway", bus="kafka", kafka_bootstrap_servers=bootstrap)
    platform = Platform.create("gateway", settings)
    units = platform.db.collection("units")
    outbox.prepare(units)
    effects = SqliteDatabase(tmp_path / "effects.db")
    ledger, totals = effects.collection("ledger"), effects.collection("totals")

    def handle(env):
        insert_once(ledger, {"_id": env.id})
        apply_once(totals, "all", env.id, {"$inc": {"n": 1}})

    stop = threading.Event()
    relay = OutboxRelay(platform.bus, [units])
    consumer = EventConsumer(platform.bus, unique("g"), ["gateway.events"],
                             {"liandong.gateway.org_unit.created.v1": handle}, CONTRACTS)
    threads = [threading.Thread(target=relay.run, args=(stop, 0.02)), threading.Thread(target=consumer.run, args=(stop,))]
    for t in threads:
        t.start()
    written = []
    try:
        def write(n):
            for _ in range(n):
                uid = unique("u")
                outbox.insert_with_events(units, {"_id": uid}, [org_event(uid)])
                written.append(uid)

        write(20)
        wait_for(lambda: ledger.count_documents({}) == 20, 60, message="the first events arrive")
        broker.stop()
        started = time.monotonic()
        write(30)  # the broker is down: every write still succeeds at once
        assert time.monotonic() - started < 5
        wait_for(lambda: relay.pending() == 30, 30, message="the outbox holds the events")
        assert ledger.count_documents({}) == 20
        broker.restart_keep_data()
        wait_for(lambda: ledger.count_documents({}) == 50, 120, message="the backlog is delivered")
        wait_for(lambda: relay.pending() == 0, 30, message="the outbox drains")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert totals.find_one({"_id": "all"})["n"] == 50  # every event applied exactly once
    print(f"\n[broker down] written=50 delivered={ledger.count_documents({})} applied={totals.find_one({'_id': 'all'})['n']}")


@pytest.mark.mongo
def test_database_unavailable_answers_503_then_recovers_without_a_restart(own_ferretdb, make_settings):
    uri, database = own_ferretdb
    settings = make_settings(service="petition", store="mongo", mongo_uri=uri)
    platform = Platform.create("petition", settings)
    platform.org.units.insert_one({"_id": "yangchun", "name": "阳春社区", "path": "/chuanying/ceguan/yangchun/"})
    client = platform.create_app().test_client()
    h = auth_headers(settings)
    assert client.get("/api/v1/petition/org-units/yangchun", headers=h).status_code == 200
    database.stop()
    down = client.get("/api/v1/petition/org-units/yangchun", headers=h)
    assert down.status_code == 503 and down.get_json()["error"]["code"] == "unavailable"
    assert down.headers["Retry-After"]
    ready = client.get("/readyz?check=database")
    assert ready.status_code == 503 and ready.get_json()["checks"]["database"]["ready"] is False
    database.restart_keep_data()
    back = wait_for(lambda: client.get("/api/v1/petition/org-units/yangchun", headers=h).status_code == 200, 60,
                    message="the same app answers again once the database is back")
    assert back and client.get("/readyz?check=database").status_code == 200
