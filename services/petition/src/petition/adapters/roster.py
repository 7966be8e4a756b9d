"""Storage of the reception roster (接访日): one document per sub-district and day."""
from __future__ import annotations

from datetime import date

from ..domain.roster import DutyDay


class RosterRepository:
    def __init__(self, deps):
        self.collection = deps.db.collection("reception_roster")

    def prepare(self) -> None:
        self.collection.create_index([("subdistrict_id", 1), ("day", 1)], name="subdistrict_day")

    def put(self, duty: DutyDay, org_path: str, by: dict, at: str) -> None:
        self.collection.update_one({"_id": duty.id}, {"$set": {
            "subdistrict_id": duty.subdistrict_id, "day": duty.day.isoformat(), "leader_name": duty.leader_name,
            "title": duty.title, "org_path": org_path, "updated_by": by, "updated_at": at}}, upsert=True)

    def delete(self, subdistrict_id: str, day: date) -> bool:
        return self.collection.delete_one({"_id": f"{subdistrict_id}:{day.isoformat()}"}) > 0

    def on(self, subdistrict_id: str, day: date) -> dict | None:
        return self.collection.find_one({"_id": f"{subdistrict_id}:{day.isoformat()}"})

    def between(self, subdistrict_id: str, start: date, end: date) -> list[dict]:
        return self.collection.find({"subdistrict_id": subdistrict_id,
                                     "day": {"$gte": start.isoformat(), "$lte": end.isoformat()}},
                                    sort=[("day", 1)])
