"""The reporting read model: figures per community and day (and month), built only from events.

Each event's deltas go to two buckets of the community it belongs to (a record at a grid or a
building counts for its community): its day and its month. Both writes record the event id
(`apply_once`), so redelivery changes nothing. The projector hands over a whole poll at once
(`apply_batch`): the deltas of all its events for one bucket are summed and written in one
conditional update that records all their ids, inside one transaction where the store has them
(SQLite); a bucket that has seen any of those ids already falls back to one event at a time. Reads sum month buckets for whole months and day
buckets for the edges of a period, so a year of a district is about a thousand documents.

The model lives in a *generation* of collections (`rm<gen>_*`). A rebuild fills generation n+1 from
the beginning of every topic with its own consumer group while generation n keeps serving; when the
new one has caught up, the pointer moves and the old collections are dropped.
"""
from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from datetime import date, timedelta

from liandong.consumer import HANDLED, apply_once
from liandong.events import Envelope
from liandong.storage import subtree
from liandong.storage.base import Collection, Database, DuplicateKeyError

from ..domain.metrics import METRICS, REMEMBER, SOURCES, effect_of

STATE_ID = "reports"
KEEP = 1000  # event ids each bucket remembers, as apply_once keeps


def _field(metric: str) -> str:
    return metric.replace(".", "__")


def _metric(field: str) -> str:
    return field.replace("__", ".")


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

    def prepare(self) -> None:
        for coll, period in ((self.days, "day"), (self.months, "month")):
            coll.create_index([("org_path", 1), (period, 1)], name="org_period")
            coll.create_index([(period, 1)], name="period")

    def drop(self) -> None:
        for coll in (self.days, self.months, self.memory, self.freshness):
            coll.drop()

    # -- writing
    def apply(self, event: Envelope) -> None:
        memory = {}
        if event.type in REMEMBER:
            facts = {k: event.data.get(k) for k in REMEMBER[event.type]}
            apply_once(self.memory, event.subject, event.id, {"$set": facts})
        elif event.type.startswith("liandong.welfare.grant."):
            memory = self.memory.find_one({"_id": event.subject}) or {}
        effect = effect_of(event.type, event.data, event.time, memory)
        if effect is not None:
            path = self.community_of(event.orgpath)
            inc = {f"m.{_field(k)}": v for k, v in effect.deltas.items()}
            month = effect.day[:7]
            apply_once(self.days, f"{path}|{effect.day}", event.id,
                       {"$inc": inc, "$set": {"org_path": path, "day": effect.day}})
            apply_once(self.months, f"{path}|{month}", event.id,
                       {"$inc": inc, "$set": {"org_path": path, "month": month}})
        self.freshness.update_one({"_id": event.service}, {"$max": {"newest_event_time": event.time}}, upsert=True)

    def apply_batch(self, events: list[Envelope]) -> None:
        """The effects of many events, in order: each bucket written once, all in one transaction."""
        batch = getattr(self.db, "batch", None)
        with batch() if batch else nullcontext():
            buckets: dict[tuple[str, str], tuple[dict, dict[str, dict]]] = {}
            newest: dict[str, str] = {}
            for event in events:
                memory = {}
                if event.type in REMEMBER:
                    facts = {k: event.data.get(k) for k in REMEMBER[event.type]}
                    apply_once(self.memory, event.subject, event.id, {"$set": facts})
                elif event.type.startswith("liandong.welfare.grant."):
                    memory = self.memory.find_one({"_id": event.subject}) or {}
                effect = effect_of(event.type, event.data, event.time, memory)
                if effect is not None:
                    path = self.community_of(event.orgpath)
                    inc = {f"m.{_field(k)}": v for k, v in effect.deltas.items()}
                    month = effect.day[:7]
                    for which, doc_id, fields in (("days", f"{path}|{effect.day}", {"org_path": path, "day": effect.day}),
                                                  ("months", f"{path}|{month}", {"org_path": path, "month": month})):
                        bucket = buckets.setdefault((which, doc_id), (fields, {}))
                        bucket[1].setdefault(event.id, inc)  # a repeat within the batch counts once
                if event.time > newest.get(event.service, ""):
                    newest[event.service] = event.time
            for (which, doc_id), (fields, by_event) in buckets.items():
                self._apply_many(getattr(self, which), doc_id, fields, by_event)
            for service, newest_time in newest.items():
                self.freshness.update_one({"_id": service}, {"$max": {"newest_event_time": newest_time}}, upsert=True)

    @staticmethod
    def _apply_many(coll: Collection, doc_id: str, fields: dict, by_event: dict[str, dict]) -> None:
        ids = list(by_event)
        total: dict[str, float] = defaultdict(int)
        for inc in by_event.values():
            for k, v in inc.items():
                total[k] += v
        update = {"$inc": dict(total), "$set": fields, "$push": {HANDLED: {"$each": ids[-KEEP:], "$slice": -KEEP}}}
        try:
            result = coll.update_one({"_id": doc_id, HANDLED: {"$nin": ids}}, update, upsert=True)
            if result.matched_count or result.upserted_id is not None:
                return
        except DuplicateKeyError:
            pass
        # the bucket has handled some of these events before (a redelivery): one at a time
        for event_id, inc in by_event.items():
            apply_once(coll, doc_id, event_id, {"$inc": inc, "$set": fields}, keep=KEEP)

    # -- reading
    def _sum(self, docs, by_child_of: str | None = None):
        total: dict[str, float] = defaultdict(float)
        children: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for doc in docs:
            target = total
            for field, value in (doc.get("m") or {}).items():
                total[_metric(field)] += value
            if by_child_of is not None:
                rest = doc["org_path"][len(by_child_of):]
                child = rest.split("/", 1)[0] if rest else ""
                target = children[child]
                for field, value in (doc.get("m") or {}).items():
                    target[_metric(field)] += value
        return total, children

    def _period_docs(self, path: str, start: date, end: date) -> list[dict]:
        """Buckets covering [start, end]: whole months from the month documents, the rest from days."""
        docs: list[dict] = []
        first_full = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        after_end = end + timedelta(days=1)
        last_full_end = after_end.replace(day=1)  # first day of the month after the last full month
        if first_full < last_full_end:
            docs += self.months.find({"$and": [subtree(path), {"month": {"$gte": first_full.isoformat()[:7],
                                                                          "$lt": last_full_end.isoformat()[:7]}}]})
            edges = [(start, first_full - timedelta(days=1)), (last_full_end, end)]
        else:
            edges = [(start, end)]
        for lo, hi in edges:
            if lo <= hi:
                docs += self.days.find({"$and": [subtree(path), {"day": {"$gte": lo.isoformat(),
                                                                        "$lte": hi.isoformat()}}]})
        return docs

    def figures(self, path: str, start: date, end: date, by_child: bool = False):
        """(totals, per-child totals) for the subtree at `path` over [start, end]; stocks as of `end`."""
        flows, flow_children = self._sum(self._period_docs(path, start, end), path if by_child else None)
        stock_keys = [k for k, m in METRICS.items() if m.stock]
        history, hist_children = self._sum(self._period_docs(path, date(2000, 1, 1), end), path if by_child else None)
        totals = {k: v for k, v in flows.items() if not METRICS.get(k, None) or not METRICS[k].stock}
        totals.update({k: history.get(k, 0) for k in stock_keys})
        children = {}
        for child in set(flow_children) | set(hist_children):
            row = {k: v for k, v in flow_children.get(child, {}).items() if not METRICS[k].stock}
            row.update({k: hist_children.get(child, {}).get(k, 0) for k in stock_keys})
            children[child] = row
        return totals, children

    def monthly(self, path: str, start: date, end: date) -> dict[str, dict[str, float]]:
        """Per month: the flows of that month."""
        out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        docs = self.months.find({"$and": [subtree(path), {"month": {"$gte": start.isoformat()[:7],
                                                                     "$lte": end.isoformat()[:7]}}]})
        for doc in docs:
            for field, value in (doc.get("m") or {}).items():
                out[doc["month"]][_metric(field)] += value
        return {m: dict(v) for m, v in sorted(out.items())}

    def newest_event_times(self) -> dict[str, str | None]:
        found = {d["_id"]: d.get("newest_event_time") for d in self.freshness.find({})}
        return {s: found.get(s) for s in SOURCES}
