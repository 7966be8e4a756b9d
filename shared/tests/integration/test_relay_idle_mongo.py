"""An idle relay on MongoDB/FerretDB asks the store a few times a second, not at its working pace, and still
sends an event soon after its write (the doorbell and the idle back-off of liandong.outbox)."""
from __future__ import annotations

import threading
import time

from liandong import outbox
from liandong.contracts import CONTRACTS
from liandong.ids import new_id
from liandong.outbox import IDLE_MAX, OutboxRelay
from liandong.storage import open_database

PATH = "/chuanying/ceguan/jiayuan/"


class Bus:
    def __init__(self):
        self.sent: list[tuple[float, str]] = []

    def publish(self, topic, key, value, headers=None):
        self.sent.append((time.monotonic(), key))

    def flush(self):
        pass


def test_an_idle_relay_asks_a_few_times_a_second_and_sends_an_event_soon_after_its_write(make_settings):
    db = open_database(make_settings(store="mongo"))
    try:
        colls = [db.collection(f"idle_{n}") for n in ("a", "b", "c", "d")]
        for c in colls:
            outbox.prepare(c)
        looks = []
        rung = db.rung
        db.rung = lambda: (looks.append(time.monotonic()), rung())[1]
        bus, stop = Bus(), threading.Event()
        relay = threading.Thread(target=OutboxRelay(bus, colls).run, args=(stop, 0.02), daemon=True)
        relay.start()
        time.sleep(3.0)
        idle = [t for t in looks if t > looks[0] + 1.0]  # once idle: the last two seconds
        # at its pace of 0.02 s it would look ~100 times in 2 s; backed off, about every IDLE_MAX
        assert len(idle) <= 2.0 / IDLE_MAX + 3, len(idle)
        unit = new_id()
        written = time.monotonic()
        outbox.insert_with_events(colls[2], {"_id": unit}, [CONTRACTS.new_event(
            "gateway.org_unit.created", unit, {"org_unit_id": unit, "path": PATH, "name": "嘉园社区",
                                               "level": "community", "parent_id": "ceguan"}, PATH)])
        deadline = time.monotonic() + 5
        while not bus.sent and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [k for _, k in bus.sent] == [unit]
        assert bus.sent[0][0] - written <= IDLE_MAX + 0.5  # at the next look, not at the next sweep
        stop.set()
        relay.join(5)
    finally:
        db.drop()
