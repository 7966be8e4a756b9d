"""Who looked at unmasked ID and mobile numbers (查阅记录): an append-only log, one entry per look."""
from __future__ import annotations

from liandong.ids import new_id


class PersonalAccessLog:
    collection_name = "personal_data_access"

    def __init__(self, deps):
        self.collection = deps.db.collection(self.collection_name)
        self.clock = deps.clock

    def record(self, user_id: str, name: str, ids: list[str], field: str = "petition_ids") -> None:
        """`field` names what was seen: petitions, or the hall's matters (`hall_matter_ids`)."""
        self.collection.insert_one({"_id": new_id(), "user_id": user_id, "name": name, field: ids,
                                    "at": self.clock.now_iso()})
