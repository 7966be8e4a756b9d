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


class Watched:
    """A collection whose pending-event queries are counted (what the relay asks the store)."""

    def __init__(self, coll):
        self.coll, self.looks = coll, 0

    def __getattr__(self, name):
        return getattr(self.coll, name)

    def find(self, filter=None, **kw):
        self.looks += filter == {outbox.PENDING: True}
        return self.coll.find(filter, **kw)


def test_the_relay_asks_only_collections_written_since_and_sweeps_them_all_for_a_lost_ring(database, monkeypatch):
    """On a store with a doorbell (MongoDB, FerretDB) an idle relay reads one small collection a poll instead of
    asking each aggregate collection for pending events (FerretDB 1.x reads a whole collection for that); an
    event is still sent at the next look after its write, and one whose ring was lost at the next sweep."""
    colls = [Watched(database.collection(f"relay_{n}")) for n in ("a", "b", "c")]
    for c in colls:
        outbox.prepare(c.coll)
    bus = RecordingBus()
    relay = OutboxRelay(bus, colls)
    doorbell = database.rung() is not None
    assert relay.run_once() == 0  # the first look asks every collection
    assert [c.looks for c in colls] == [1, 1, 1]

    first = new_id()
    outbox.insert_with_events(colls[1].coll, {"_id": first}, [unit_created(first)])
    assert relay.run_once() == 1 and bus.sent == [first]  # sent at the next look
    assert relay.run_once() == 0 and relay.run_once() == 0
    # with a doorbell: the written collection asked again until it was found empty, the others not at all
    assert [c.looks for c in colls] == ([1, 3, 1] if doorbell else [4, 4, 4])

    # a writer stopped between its write and its ring: its record and events are stored, not rung
    lost = new_id()
    colls[2].coll.insert_one({"_id": lost, outbox.VERSION: 1, outbox.PENDING: True,
                              outbox.OUTBOX: [unit_created(lost).to_dict()]})
    assert relay.run_once() == (0 if doorbell else 1)
    monkeypatch.setattr(relay, "_next_sweep", 0.0)  # SWEEP seconds later
    relay.run_once()
    assert sorted(bus.sent) == sorted([first, lost]) and colls[2].coll.count_documents({outbox.PENDING: True}) == 0


class DownBus(RecordingBus):
    def publish(self, topic, key, value, headers=None):
        from liandong.bus.base import BusError
        raise BusError("the brokers are down")


def test_the_backlog_counts_every_record_whose_events_are_not_sent_while_the_bus_is_down(database):
    """What the heartbeat reports (the backlog alert's figure), on both stores: every record not yet sent, and
    none once sent — the doorbell's shortcut leaves out only collections the relay found empty."""
    import pytest
    from liandong.bus.base import BusError

    colls = [database.collection(f"backlog_{n}") for n in ("a", "b")]
    for c in colls:
        outbox.prepare(c)
    relay = OutboxRelay(DownBus(), colls)
    relay.run_once()  # a first look: nothing yet
    ids = [new_id() for _ in range(3)]
    for i in ids:
        outbox.insert_with_events(colls[0], {"_id": i}, [unit_created(i)])
    with pytest.raises(BusError):
        relay.run_once()
    assert relay.pending() == 3
    relay.bus = RecordingBus()
    assert relay.run_once() == 3 and relay.pending() == 0
