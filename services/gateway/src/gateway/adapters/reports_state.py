"""Where the reporting read model stands: its live generation, a rebuild in progress, how far behind it is."""
from __future__ import annotations

from liandong.errors import Conflict

from .read_model import STATE_ID


class ReportsState:
    """One document (`reports_state`): which generation answers, which one is being built and up to where."""

    def __init__(self, deps):
        self.clock = deps.clock
        self.state = deps.db.collection("reports_state")

    def current(self) -> dict:
        doc = self.state.find_one({"_id": STATE_ID})
        if doc is None:
            self.state.update_one({"_id": STATE_ID}, {"$setOnInsert": {"active": 1, "building": None}}, upsert=True)
            doc = self.state.find_one({"_id": STATE_ID})
        return doc

    def start_rebuild(self, generation: int, target: dict[str, int]) -> dict:
        """Claim the rebuild of `generation` up to `target` (topic:partition -> offset); one at a time."""
        updated = self.state.find_one_and_update(
            {"_id": STATE_ID, "building": None},
            {"$set": {"building": generation, "target": target, "started_at": self.clock.now_iso(),
                      "progress": {"handled": 0, "total": sum(target.values())}}})
        if updated is None:
            raise Conflict("a rebuild is already running")
        return updated

    def progress(self, handled: int) -> None:
        self.state.update_one({"_id": STATE_ID}, {"$set": {"progress.handled": handled}})

    def lag(self, per_source: dict[str, int]) -> None:
        self.state.update_one({"_id": STATE_ID}, {"$set": {"lag": per_source,
                                                           "lag_measured_at": self.clock.now_iso()}})

    def switch(self, state: dict) -> None:
        """The rebuilt generation answers from now on."""
        new = state["building"]
        self.state.update_one({"_id": STATE_ID}, {"$set": {
            "active": new, "building": None, "target": None,
            "last_rebuild": {"generation": new, "started_at": state.get("started_at"),
                             "finished_at": self.clock.now_iso(),
                             "events": state.get("progress", {}).get("total")}}})
