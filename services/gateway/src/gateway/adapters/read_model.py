"""The reporting read model: figures per community and day (and month), built only from events.

Each event's deltas go to two buckets of the community it belongs to (a record at a grid or a
building counts for its community): its day and its month. Redelivery changes nothing: where the
store has transactions (SQLite), each event id is recorded once (`rm<gen>_seen`) in the same
transaction as its effects, and an id recorded before means the event is skipped whole; the
bucket documents hold figures only (records older than SEEN_DAYS are pruned: redeliveries come
within a poll or a relay retry). Where it has none (MongoDB, FerretDB 1.x), a poll claims its events and
writes what it will add before adding it (poll_claims.py); a generation built before claims keeps the ids
of each bucket's last events in the bucket (`apply_once`) until a rebuild replaces it. The projector hands
over a whole poll at once (`apply_batch`): the deltas of all its events for one bucket are summed, and all
the poll's buckets of a kind are written in one call of the store (`upsert_each`: one statement pair on
SQLite, one bulk on MongoDB, a few round trips under the buckets' locks on FerretDB). Reads sum month buckets for whole
months and day buckets for the edges of a period, every bucket a report needs read once: a year
of a district with the year before is one query for about 1 200 month documents.

The model lives in a *generation* of collections (`rm<gen>_*`). A rebuild fills generation n+1 from
the beginning of every topic with its own consumer group while generation n keeps serving; when the
new one has caught up, the pointer moves and the old collections are dropped.
"""
from __future__ import annotations

import functools
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date

from liandong.consumer import HANDLED, apply_once
from liandong.events import Envelope
from liandong.storage import has_transactions, one_commit, subtree
from liandong.storage.base import Collection, Database, DuplicateKeyError

from .poll_claims import MARKS, PollClaims
from ..domain.buckets import HISTORY_START, split
from ..domain.metrics import RECALL, REMEMBER, SOURCES, effect_of, is_stock, names_in

STATE_ID = "reports"
KEEP = 1000  # event ids each bucket remembers in a generation built before claims (apply_once)
SEEN_DAYS = 7  # how long an event id is remembered (SQLite: seen; MongoDB: claims)
PRUNE_EVERY = 500  # batches between prunings of the remembered ids


def _field(metric: str) -> str:
    return metric.replace(".", "__")


@functools.cache  # every report names each of its figures: once per field stored, not per bucket
def _metric(field: str) -> str:
    return field.replace("__", ".")


def _under_m(figures: dict) -> dict:
    """`$inc` paths of a bucket's figures."""
    return {f"m.{k}": v for k, v in figures.items()}


def _no_claim_held() -> None:
    """Where a poll's writes are one transaction, no claim is held to keep alive."""


@functools.cache
def _stock_field(field: str) -> bool:
    """Whether the figure stored as `field` is a stock (asked for every figure of every bucket read)."""
    return is_stock(_metric(field))


def _named(sums: dict[str, float]) -> dict[str, float]:
    return {_metric(field): value for field, value in sums.items()}


class ReadModel:
    def __init__(self, db: Database, generation: int, community_of):
        self.db = db
        self.generation = generation
        self.community_of = community_of  # org path -> the path its figures roll up under
        prefix = f"rm{generation}"
        self.days: Collection = db.collection(f"{prefix}_days")
        self.months: Collection = db.collection(f"{prefix}_months")
        self.memory: Collection = db.collection(f"{prefix}_memory")
        self.freshness: Collection = db.collection(f"{prefix}_freshness")
        self.names: Collection = db.collection(f"{prefix}_names")  # codes' names the events carried
        self._names_written: dict[str, str] = {}
        # where a poll's writes are one transaction (SQLite), the event ids handled live beside them
        transactional = has_transactions(db)
        self.seen: Collection | None = db.collection(f"{prefix}_seen") if transactional else None
        # where writes stand alone (MongoDB, FerretDB): which poll applies each event, and what each poll will add
        self.claims: PollClaims | None = None if transactional else PollClaims(
            db, prefix, {"days": self.days, "months": self.months}, self.freshness)
        self._claiming: bool | None = None  # decided on the first write (a generation built before claims keeps ids)
        self._batches = 0

    def prepare(self) -> None:
        # one index a bucket: reads always name a subtree, and each index is written with every bucket write
        # (an index on the period alone cost SQLite 1.3 µs a bucket, #23)
        for coll, period in ((self.days, "day"), (self.months, "month")):
            coll.create_index([("org_path", 1), (period, 1)], name="org_period")
        if self.seen is not None:
            self.seen.create_index([("at", 1)], name="at")
        if self.claims is not None:
            self.claims.prepare()

    def drop(self) -> None:
        for coll in (self.days, self.months, self.memory, self.freshness, self.names, self.seen,
                     *(self.claims.collections() if self.claims else ())):
            if coll is not None:
                coll.drop()

    def _first_time(self, event: Envelope, at: int) -> bool:
        """SQLite, inside the transaction: record the event id; False if it was recorded before."""
        try:
            self.seen.insert_one({"_id": event.id, "at": at})
            return True
        except DuplicateKeyError:
            return False

    def _new_ones(self, events: list[Envelope], at: int) -> list[Envelope]:
        """SQLite, inside the transaction: the events not recorded before (nor earlier in the list),
        recorded now; one query and one insert for the whole poll."""
        ids = list(dict.fromkeys(e.id for e in events))
        known = {d["_id"] for d in self.seen.find({"_id": {"$in": ids}})} if ids else set()
        fresh = [i for i in ids if i not in known]
        if fresh:
            self.seen.insert_many([{"_id": i, "at": at} for i in fresh])
        first: dict[str, Envelope] = {}
        for e in events:
            if e.id not in known:
                first.setdefault(e.id, e)
        return list(first.values())

    def _prune_seen(self, now: int) -> None:
        self._batches += 1
        if self._batches % PRUNE_EVERY == 1:
            before = now - SEEN_DAYS * 86400
            if self.seen is not None:
                self.seen.delete_many({"at": {"$lt": before}})
            else:
                self.claims.prune(before)

    def recover(self) -> None:
        """At a worker's start: finish what a poll that died after writing its intent did not add (MongoDB)."""
        if self._uses_claims():
            self.claims.recover()

    def _uses_claims(self) -> bool:
        if self._claiming is None:
            self._claiming = self.claims is not None and self.claims.in_use()
        return self._claiming

    @contextmanager
    def _transaction(self):
        try:
            with one_commit(self.db):
                yield
        except BaseException:
            self._names_written.clear()  # what this transaction wrote is undone: write the names again
            raise

    # -- writing
    def apply(self, event: Envelope) -> None:
        if self._uses_claims():
            return self.apply_batch([event])
        with self._transaction():
            if self.seen is not None and not self._first_time(event, int(time.time())):
                return
            found = self._effect(event)
            if found is not None:
                inc, buckets = found
                for which, doc_id, fields in buckets:
                    self._apply_one(which, doc_id, event.id, inc, fields)
            self.freshness.update_one({"_id": event.service}, {"$max": {"newest_event_time": event.time}},
                                      upsert=True)

    def _effect(self, event: Envelope) -> tuple[dict, list[tuple[str, str, dict]]] | None:
        """Store what the event teaches the model to remember; its deltas and the two buckets (its
        community's day and month) they go to, or None where it moves no figure."""
        self._learn_names(event.data)
        memory = {}
        if event.type in REMEMBER:
            facts = {k: event.data.get(k) for k in REMEMBER[event.type]}
            apply_once(self.memory, event.subject, event.id, {"$set": facts})
        elif event.type in RECALL:
            memory = self.memory.find_one({"_id": event.subject}) or {}
        effect = effect_of(event.type, event.data, event.time, memory)
        if effect is None:
            return None
        path = self.community_of(event.orgpath)
        inc = {_field(k): v for k, v in effect.deltas.items()}  # the bucket's figures live under "m"
        month = effect.day[:7]
        return inc, [("days", f"{path}|{effect.day}", {"org_path": path, "day": effect.day}),
                     ("months", f"{path}|{month}", {"org_path": path, "month": month})]

    def _learn_names(self, data: dict) -> None:
        """Keep the name an event gives a code (welfare's programme_name), written only when it changes."""
        for vocabulary, code, name in names_in(data):
            key = f"{vocabulary}:{code}"
            if self._names_written.get(key) != name:
                self.names.update_one({"_id": key}, {"$set": {"vocabulary": vocabulary, "code": code, "name": name}},
                                      upsert=True)
                self._names_written[key] = name

    def _apply_one(self, which: str, doc_id: str, event_id: str, inc: dict, fields: dict) -> bool:
        coll: Collection = getattr(self, which)
        inc = _under_m(inc)
        if self.seen is None:  # the ids in the bucket itself: effect and record in one write
            return apply_once(coll, doc_id, event_id, {"$inc": inc, "$set": fields}, keep=KEEP)
        # inside the caller's transaction, which recorded the event id
        coll.update_one({"_id": doc_id}, {"$inc": inc, "$set": fields}, upsert=True)
        return True

    def apply_batch(self, events: list[Envelope]) -> None:
        """The effects of many events, in order: each bucket written once, all in one transaction."""
        if self._uses_claims():
            self.claims.apply(events, self._sums)
            return self._prune_seen(int(time.time()))
        if self.seen is None:
            return self._apply_batch_keeping_ids(events)
        with self._transaction():
            now = int(time.time())
            # what was handled before (a redelivery), or twice in this poll, is not: each event once, so
            # its deltas are summed straight into its buckets
            sums, newest = self._sums(self._new_ones(events, now), _no_claim_held)
            for which in ("days", "months"):
                getattr(self, which).upsert_each([
                    ({"_id": b["id"]}, {"$inc": _under_m(b["add"]), "$set": b["set"]})
                    for b in sums if b["in"] == which])
            self._note_newest(newest)
            self._prune_seen(now)

    def _note_newest(self, newest: dict[str, str]) -> None:
        for service, newest_time in newest.items():
            self.freshness.update_one({"_id": service}, {"$max": {"newest_event_time": newest_time}}, upsert=True)

    def _apply_batch_keeping_ids(self, events: list[Envelope]) -> None:
        """A generation built before claims on MongoDB: each bucket keeps the ids of its last events."""
        with self._transaction():
            buckets: dict[tuple[str, str], tuple[dict, dict[str, dict]]] = {}
            newest: dict[str, str] = {}
            for event in events:
                found = self._effect(event)
                if found is not None:
                    inc, event_buckets = found
                    for which, doc_id, fields in event_buckets:
                        bucket = buckets.setdefault((which, doc_id), (fields, {}))
                        bucket[1].setdefault(event.id, inc)  # a repeat within the batch counts once
                if event.time > newest.get(event.service, ""):
                    newest[event.service] = event.time
            for which in ("days", "months"):
                self._apply_many(which, [(doc_id, fields, by_event)
                                         for (w, doc_id), (fields, by_event) in buckets.items() if w == which])
            self._note_newest(newest)

    def _apply_many(self, which: str, buckets: list[tuple[str, dict, dict[str, dict]]]) -> None:
        """Every bucket of one kind a poll touched, in one call of the store (`upsert_each`: one statement
        pair on SQLite, one bulk on MongoDB, a few round trips on FerretDB instead of about five a bucket)."""
        coll: Collection = getattr(self, which)
        changes = []
        for doc_id, fields, by_event in buckets:
            total: dict[str, float] = defaultdict(int)
            for inc in by_event.values():
                for k, v in inc.items():
                    total[k] += v
            update = {"$inc": _under_m(total), "$set": fields}
            ids = list(by_event)
            update["$push"] = {HANDLED: {"$each": ids[-KEEP:], "$slice": -KEEP}}
            changes.append(({"_id": doc_id, HANDLED: {"$nin": ids}}, update))
        for (doc_id, fields, by_event), applied in zip(buckets, coll.upsert_each(changes)):
            if not applied:  # the bucket has handled some of these events before (a redelivery): one at a time
                for event_id, inc in by_event.items():
                    self._apply_one(which, doc_id, event_id, inc, fields)

    def _sums(self, events: list[Envelope], alive) -> tuple[list[dict], dict[str, str]]:
        """What the events (a poll's, each once) add to each bucket, and each service's newest event time;
        `alive()` now and then, so that the poll's claims are not taken over while it works."""
        buckets: dict[tuple[str, str], tuple[dict, dict[str, float]]] = {}
        newest: dict[str, str] = {}
        for event in events:
            alive()
            found = self._effect(event)
            if found is not None:
                inc, event_buckets = found
                for which, doc_id, fields in event_buckets:
                    total = buckets.setdefault((which, doc_id), (fields, defaultdict(int)))[1]
                    for k, v in inc.items():
                        total[k] += v
            if event.time > newest.get(event.service, ""):
                newest[event.service] = event.time
        # the figures as named in the bucket's "m" (a key may not hold a dot); FerretDB 1.x stores no nested arrays
        return ([{"in": which, "id": doc_id, "set": fields, "add": dict(total)}
                 for (which, doc_id), (fields, total) in buckets.items()], newest)

    # -- reading
    def _find(self, coll: Collection, filter: dict) -> list[dict]:
        if self.seen is None:
            return coll.find(filter, projection={HANDLED: 0, MARKS: 0})  # the marks stay in the database
        return coll.find(filter)

    def _load(self, path: str, splits) -> dict[tuple[str, str], dict[str, dict[str, float]]]:
        """Every bucket the splits need, fetched once and summed per (period, child of `path`): a district's
        ~1 200 community buckets become a few per period before anything else looks at them. The sums keep
        the figures as stored ("m"'s field names); `_select` names them."""
        month_ranges = [m for m, _ in splits if m]
        day_ranges = sorted({edge for _, edges in splits for edge in edges})
        docs: list[tuple[str, dict]] = []
        if month_ranges:
            lo, hi = min(m[0] for m in month_ranges), max(m[1] for m in month_ranges)
            docs += [("m", d) for d in self._find(self.months, {"$and": [subtree(path), {"month": {"$gte": lo, "$lt": hi}}]})]
        merged: list[list[str]] = []
        for lo, hi in day_ranges:  # overlapping edges are read once
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        for lo, hi in merged:
            docs += [("d", d) for d in self._find(self.days, {"$and": [subtree(path), {"day": {"$gte": lo, "$lte": hi}}]})]
        out: dict[tuple[str, str], dict[str, dict[str, float]]] = {}
        below = len(path)
        for kind, doc in docs:
            key = (kind, doc.get("month") if kind == "m" else doc.get("day"))
            rest = doc["org_path"][below:]
            child = rest.split("/", 1)[0] if rest else ""  # "" is the unit itself
            per_child = out.setdefault(key, {})
            sums = per_child.get(child)
            if sums is None:
                sums = per_child[child] = defaultdict(float)
            for field, value in (doc.get("m") or {}).items():
                sums[field] += value
        return out

    @staticmethod
    def _select(loaded, split, stocks: bool) -> tuple[dict, dict]:
        """The flows (or the stocks) of the buckets in one split: the subtree's and each child's."""
        months, edges = split
        total: dict[str, float] = defaultdict(float)
        children: dict[str, dict[str, float]] = {}
        for (kind, period), per_child in loaded.items():
            if kind == "m":
                if not (months and months[0] <= period < months[1]):
                    continue
            elif not any(lo <= period <= hi for lo, hi in edges):
                continue
            for name, sums in per_child.items():
                child = children.get(name)
                if child is None:
                    child = children[name] = defaultdict(float)
                for field, value in sums.items():
                    if _stock_field(field) is stocks:
                        total[field] += value
                        child[field] += value
        return _named(total), {name: _named(sums) for name, sums in children.items() if sums}

    def figures_many(self, path: str, periods: list[tuple[date, date]], by_child: bool = False):
        """For each period, (totals, per-child totals) for the subtree at `path`; stocks as of its end.

        Every bucket the periods and their stocks need is read once (a year's overview with the
        year before: one query for the month documents, none for days)."""
        splits = []
        for start, end in periods:
            splits += [split(start, end), split(HISTORY_START, end)]
        loaded = self._load(path, splits)

        out = []
        for i in range(len(periods)):
            flows, flow_children = self._select(loaded, splits[2 * i], False)
            stocks, stock_children = self._select(loaded, splits[2 * i + 1], True)
            totals = {**flows, **stocks}
            if not by_child:
                flow_children = stock_children = {}
            children = {child: {**flow_children.get(child, {}), **stock_children.get(child, {})}
                        for child in set(flow_children) | set(stock_children)}
            out.append((totals, children))
        return out

    def figures(self, path: str, start: date, end: date, by_child: bool = False):
        """(totals, per-child totals) for the subtree at `path` over [start, end]; stocks as of `end`."""
        return self.figures_many(path, [(start, end)], by_child)[0]

    def monthly(self, path: str, start: date, end: date) -> dict[str, dict[str, float]]:
        """Per month: the flows of that month."""
        out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        docs = self._find(self.months, {"$and": [subtree(path), {"month": {"$gte": start.isoformat()[:7],
                                                                             "$lte": end.isoformat()[:7]}}]})
        for doc in docs:
            sums = out[doc["month"]]
            for field, value in (doc.get("m") or {}).items():
                sums[field] += value
        return {m: _named(v) for m, v in sorted(out.items())}

    def names_learnt(self) -> dict[str, dict[str, str]]:
        """vocabulary -> {code: name}, as the events named them (the newest name of each code)."""
        out: dict[str, dict[str, str]] = {}
        for d in self.names.find({}):
            out.setdefault(d["vocabulary"], {})[d["code"]] = d["name"]
        return out

    def newest_event_times(self) -> dict[str, str | None]:
        found = {d["_id"]: d.get("newest_event_time") for d in self.freshness.find({})}
        return {s: found.get(s) for s in SOURCES}
