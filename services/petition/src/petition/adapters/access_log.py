"""Who looked at unmasked ID and mobile numbers (查阅记录): an append-only log, one entry per look."""
from __future__ import annotations

from liandong.ids import new_id


class PersonalAccessLog:
    collection_name = "personal_data_access"

    def __init__(self, deps):
        self.collection = deps.db.collection(self.collection_name)
        self.clock = deps.clock

    def record(self, user_id: str, name: str, petition_ids: list[str]) -> None:
        self.collection.insert_one({"_id": new_id(), "user_id": user_id, "name": name, "petition_ids": petition_ids,
                                    "at": self.clock.now_iso()})
