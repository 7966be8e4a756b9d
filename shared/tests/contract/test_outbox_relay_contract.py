"""The outbox relay on both storage adapters: every event a record's writes appended is sent, once, even
when a writer appends another while the relay is sending (the relay reads only the outbox and the version,
#23, so its removal must still be guarded by the version it read)."""
from __future__ import annotations

from liandong import outbox
from liandong.contracts import CONTRACTS
from liandong.ids import new_id
from liandong.outbox import OutboxRelay

PATH = "/chuanying/ceguan/jiayuan/"
UNIT = {"name": "嘉园社区", "level": "community", "parent_id": "ceguan"}


def unit_created(unit_id: str):
    return CONTRACTS.new_event("gateway.org_unit.created", unit_id, {"org_unit_id": unit_id, "path": PATH, **UNIT}, PATH)


class RecordingBus:
    """What the relay sends, in order; `on_flush` runs between the relay's read and its removal."""

    def __init__(self):
        self.sent: list[str] = []
        self.on_flush = None

    def publish(self, topic, key, value, headers=None):
        self.sent.append(key)

    def flush(self):
        if self.on_flush:
            hook, self.on_flush = self.on_flush, None
            hook()


def test_an_event_appended_while_the_relay_sends_is_kept_and_sent_next_and_none_twice(database):
    coll = database.collection(f"relay_{new_id()[:8]}")
    outbox.prepare(coll)
    ids = [new_id() for _ in range(3)]
    for i in ids:
        outbox.insert_with_events(coll, {"_id": i, "name": "before"}, [unit_created(i)])
    bus = RecordingBus()
    # a writer changes the first record and appends its event after the relay read the outbox
    bus.on_flush = lambda: outbox.update_with_events(coll, ids[0], 1, {"name": "after"}, [unit_created(ids[0])])
    relay = OutboxRelay(bus, [coll])

    assert relay.run_once() == 3
    kept = coll.find_one({"_id": ids[0]})
    assert kept["name"] == "after" and kept[outbox.PENDING] is True and len(kept[outbox.OUTBOX]) == 1
    assert relay.run_once() == 1
    assert relay.run_once() == 0
    assert sorted(bus.sent) == sorted([*ids, ids[0]])  # each event once: the first record had two
    assert coll.count_documents({outbox.PENDING: True}) == 0
    assert all(d[outbox.OUTBOX] == [] for d in coll.find({}))
    assert coll.find_one({"_id": ids[1]})["name"] == "before"  # the record itself untouched by the relay
