"""Each event counted once by the read model where writes stand alone (MongoDB, FerretDB 1.x: no transactions).

A poll *claims* its events (`rm<gen>_claims`: event id -> the poll that applies it; one conditional upsert each),
works out what it adds to each bucket and writes that into its *intent* (`rm<gen>_intents`), adds it — every
bucket's update conditional on not carrying the poll's mark, and adding the mark (the last KEEP_MARKS stay) —
and deletes the intent. A crash anywhere leaves either

- claims of an intent still *claiming*: whoever meets those events again takes them over once the intent has
  gone LEASE seconds without its owner renewing it (a live owner renews it every LEASE / 4 while it works; one
  stalled longer finds its intent abandoned and adds nothing); a poll that fails while claiming hands its
  claims back at once; or
- a *written* intent: anyone may finish it again (the marks make that idempotent) — the worker at its start,
  or whoever meets its events again.

The buckets stay small. FerretDB rewrites a whole document per update (and, as released, reads a whole collection
for any filter but a lone `_id`; deploy/local/ferretdb.sh builds it to read a filter's `_id` and other equalities
through its indexes); a bucket carrying the ids of its last 1 000 events (as a generation built before claims still
does, `apply_once`) made each update 80 ms and a year's overview 1 s (docs/bench-2026-11-29.md).
"""
from __future__ import annotations

import time
import uuid
from typing import Callable

from liandong.events import Envelope
from liandong.storage.base import Collection, Database, DuplicateKeyError, StorageUnavailable

MARKS = "_polls"  # the polls whose sums a bucket holds
KEEP_MARKS = 50  # a written intent is finished again at the worker's start or when its events come back (seconds
# after a crash: Kafka hands a dead consumer's partitions on within its 10 s session), far fewer polls than this
LEASE = 20.0  # seconds a claiming poll may go without saying it is alive (it says so every LEASE / 4)
SCHEME = "_scheme"  # the intents collection's note that the generation keeps events once by claims
CLAIMING, WRITTEN, ABANDONED = "claiming", "written", "abandoned"

# (the events this poll holds, in order; a call to make now and then while working them out) ->
#   ([{"in": "days"|"months", "id", "set": {...}, "add": {figure: n}}], {service: newest event time})
Sums = Callable[[list[Envelope], Callable[[], None]], tuple[list[dict], dict[str, str]]]


class PollInFlight(StorageUnavailable):
    """Another poll holds some of these events (claimed, its intent not yet written), or took them over from this
    one: nothing of this poll was added; the consumer rewinds and tries again (as after an outage)."""


class PollClaims:
    def __init__(self, db: Database, prefix: str, buckets: dict[str, Collection], freshness: Collection):
        self.claims: Collection = db.collection(f"{prefix}_claims")
        self.intents: Collection = db.collection(f"{prefix}_intents")
        self.buckets = buckets
        self.freshness = freshness

    def prepare(self) -> None:
        self.claims.create_index([("at", 1)], name="at")

    def collections(self) -> tuple[Collection, Collection]:
        return self.claims, self.intents

    def in_use(self) -> bool:
        """Whether this generation keeps events once by claims: noted when it starts with no bucket; a generation
        that already had buckets when claims came keeps the ids in its buckets until the next rebuild replaces it."""
        note = self.intents.find_one({"_id": SCHEME})
        if note is None and not any(b.find_one({}) for b in self.buckets.values()):
            try:
                self.intents.insert_one({"_id": SCHEME, "way": "claims"})
            except DuplicateKeyError:
                pass  # another worker noted it first
            note = self.intents.find_one({"_id": SCHEME})
        return bool(note) and note.get("way") == "claims"

    def apply(self, events: list[Envelope], sums: Sums) -> None:
        now = time.time()
        poll = uuid.uuid4().hex[:16]
        self.intents.insert_one({"_id": poll, "state": CLAIMING, "at": now})
        first: dict[str, Envelope] = {}
        for e in events:
            first.setdefault(e.id, e)  # a repeat within the poll counts once
        ids = list(first)
        said = [now]

        def alive() -> None:
            """Renew the poll's lease while it claims and works out its sums; a poll taken over stops here."""
            at = time.time()
            if at - said[0] < LEASE / 4:
                return
            if not self.intents.update_one({"_id": poll, "state": CLAIMING}, {"$set": {"at": at}}).matched_count:
                raise PollInFlight(f"poll {poll} was taken over; its events are applied by another")
            said[0] = at

        try:
            won = self.claims.upsert_each([({"_id": i, "poll": poll}, {"$set": {"poll": poll, "at": now}})
                                           for i in ids])
            mine = {i for i, claimed in zip(ids, won) if claimed}
            alive()
            if len(mine) < len(ids):
                mine |= self._settle([i for i in ids if i not in mine], poll, now)
            changes, newest = sums([first[i] for i in ids if i in mine], alive)
        except BaseException:
            # nothing added yet: let the next try (this worker's or another's) take these claims over at once
            # (if this write fails too, the claims wait out their lease)
            try:
                self.intents.update_one({"_id": poll, "state": CLAIMING}, {"$set": {"state": ABANDONED}})
            except Exception:  # noqa: BLE001 - the first failure is the one to report
                pass
            raise
        written = self.intents.update_one({"_id": poll, "state": CLAIMING},
                                          {"$set": {"state": WRITTEN, "changes": changes, "newest": newest}})
        if not written.matched_count:  # silent too long: another poll took these events over; it applies them
            raise PollInFlight(f"poll {poll} was taken over after {LEASE:.0f} s; its events are applied by another")
        self._finish({"_id": poll, "changes": changes, "newest": newest})

    def recover(self) -> None:
        """At a worker's start: finish what a poll that died after writing its intent did not add."""
        for intent in self.intents.find({"state": WRITTEN}):
            self._finish(intent)

    def prune(self, before: float) -> None:
        """Claims, and the abandoned intents they may still name, as old as the ids SQLite forgets."""
        self.claims.delete_many({"at": {"$lt": before}})
        self.intents.delete_many({"state": ABANDONED, "at": {"$lt": before}})

    def _settle(self, ids: list[str], poll: str, now: float) -> set[str]:
        """Events another poll claimed first: skipped where it applied them (or has written what it will add,
        which this poll then finishes for it); taken over where it died claiming. The ids this poll now holds."""
        mine: set[str] = set()
        by_poll: dict[str, list[str]] = {}
        # one query (only redeliveries get here): MongoDB, and FerretDB as built here (deploy/local/ferretdb.sh,
        # fix 4), read an `_id: {$in: …}` of strings through the `_id` index
        held_by = {c["_id"]: c["poll"] for c in self.claims.find({"_id": {"$in": ids}})}
        for i in ids:
            if i in held_by:
                by_poll.setdefault(held_by[i], []).append(i)
        for other, held in by_poll.items():
            intent = self.intents.find_one({"_id": other})
            if intent is None:
                continue  # finished (its intent deleted): applied
            if intent["state"] == CLAIMING:
                if now - intent["at"] < LEASE:
                    raise PollInFlight(f"events of this poll are held by poll {other}, "
                                       f"claimed {now - intent['at']:.0f} s ago")
                self.intents.update_one({"_id": other, "state": CLAIMING}, {"$set": {"state": ABANDONED}})
                intent = self.intents.find_one({"_id": other})
                if intent is None:
                    continue  # it wrote its intent and finished meanwhile
            if intent["state"] == WRITTEN:
                self._finish(intent)  # it may have died adding: adding again is harmless (the marks)
                continue
            taken = self.claims.upsert_each([({"_id": i, "poll": other}, {"$set": {"poll": poll, "at": now}})
                                             for i in held])
            mine |= {i for i, ok in zip(held, taken) if ok}
        return mine

    def _finish(self, intent: dict) -> None:
        """Add what a poll wrote in its intent to its buckets, once each (a bucket carrying the poll's mark has it)."""
        poll = intent["_id"]
        for which, coll in self.buckets.items():
            coll.upsert_each([
                ({"_id": c["id"], MARKS: {"$ne": poll}},
                 {"$inc": {f"m.{k}": v for k, v in c["add"].items()}, "$set": c["set"],
                  "$push": {MARKS: {"$each": [poll], "$slice": -KEEP_MARKS}}})
                for c in intent["changes"] if c["in"] == which])
        for service, newest_time in intent["newest"].items():
            self.freshness.update_one({"_id": service}, {"$max": {"newest_event_time": newest_time}}, upsert=True)
        self.intents.delete_one({"_id": poll})
