"""The volunteer service's other stores: the attendance read model (with its own events), the configured
team types and coin rates, and the reminders sent. Each collection's filters are written here only."""
from __future__ import annotations

from liandong import outbox
from liandong.consumer import apply_once, insert_once
from liandong.listing import Page, page_of
from liandong.storage.base import DuplicateKeyError
from liandong.storage.filters import all_of, between, within

from ..domain.ledger import DEFAULT_COINS_PER_HOUR, opening_entry_id
from .repositories import in_period

OPENING = "opening"  # the source of the hours a volunteer served before rollout day (their opening balance)
ROW_FIELDS = ("volunteer_id", "source", "activity_id", "activity_type", "org_unit_id", "started_at", "minutes",
              "coins")


class AttendanceStore:
    """One row per volunteer per activity or patrol: hours and coins as they stand after corrections."""

    def __init__(self, deps):
        self.deps = deps
        self.rows = deps.db.collection("attendance")

    def prepare(self) -> None:
        outbox.prepare(self.rows)
        for keys, name in (([("org_path", 1), ("started_at", 1)], "org_time"), ([("volunteer_id", 1)], "volunteer")):
            self.rows.create_index(keys, name=name)

    def follow_activity(self, event) -> None:
        """Keep the row of an activity's attendance as its own event says (once per event)."""
        d = event.data
        apply_once(self.rows, d["attendance_id"], event.id, {"$set": {
            **{k: d[k] for k in ROW_FIELDS if k != "source"}, "source": "activity", "org_path": event.orgpath}})

    def record_patrol(self, key: str, data: dict, org_path: str, causation_id: str) -> bool:
        """A patrol's minutes for one volunteer, with `volunteer.attendance.recorded` in the row's own
        write; False when this patrol was counted for them before (a redelivery)."""
        return self._record(key, data, org_path, causation_id)

    def record_opening(self, volunteer_id: str, minutes: int, org_unit_id: str, org_path: str) -> bool:
        """The hours a volunteer served before rollout day (期初结转), as one row of source `opening` dated
        now (when the books were opened), with `volunteer.attendance.recorded` if there are any. Written
        even for none: the row is the record that the opening was imported. False if it was before."""
        return self._record(opening_entry_id(volunteer_id), {
            "source": OPENING, "activity_id": None, "patrol_run_id": None, "volunteer_id": volunteer_id,
            "activity_type": OPENING, "org_unit_id": org_unit_id, "started_at": self.deps.clock.now_iso(),
            "minutes": minutes, "coins": 0}, org_path)

    def _record(self, key: str, data: dict, org_path: str, causation_id: str | None = None) -> bool:
        row = {"_id": key, **{k: data[k] for k in ROW_FIELDS}, "patrol_run_id": data["patrol_run_id"],
               "org_path": org_path}
        recorded = [self.deps.events.new("volunteer.attendance.recorded", data["volunteer_id"], {
            "attendance_id": key, **data, "delta_minutes": data["minutes"], "delta_coins": data["coins"],
            "correction_reason": None}, org_path, causation_id=causation_id)] if data["minutes"] > 0 else []
        try:
            outbox.insert_with_events(self.rows, row, recorded)
        except DuplicateKeyError:
            return False
        return True

    def opening_of(self, volunteer_id: str) -> dict | None:
        return self.rows.find_one({"_id": opening_entry_id(volunteer_id)})

    def opening_minutes(self) -> dict[str, int]:
        """Every volunteer's hours carried forward, by volunteer (one read for a whole roster)."""
        return {r["volunteer_id"]: r["minutes"] for r in self.rows.find({"source": OPENING},
                                                                        projection={"volunteer_id": 1, "minutes": 1})}

    def of_volunteer(self, volunteer_id: str) -> list[dict]:
        return [r for r in self.rows.find({"volunteer_id": volunteer_id}) if r["minutes"] > 0]

    def served_in(self, org_path: str, since: str | None, until: str | None) -> list[dict]:
        """Rows with minutes in the subtree whose service started within the period (inclusive); hours
        carried forward are no service of the period (`opening_in`)."""
        return [r for r in self.rows.find(within([org_path]))
                if r["minutes"] > 0 and r["source"] != OPENING and in_period(r["started_at"], since, until)]

    def opening_in(self, org_path: str, since: str | None, until: str | None) -> list[dict]:
        """The hours carried forward in the subtree, by when they were (the books opened in the period)."""
        return [r for r in self.rows.find(all_of(within([org_path]), {"source": OPENING}))
                if r["minutes"] > 0 and in_period(r["started_at"], since, until)]


class Configuration:
    """Team and activity types beyond the built-in ones, and the coins credited per hour of each."""

    def __init__(self, deps):
        self.deps = deps
        self.types = deps.db.collection("team_types")
        self.rates = deps.db.collection("coin_rates")

    def configured_types(self) -> dict[str, str]:
        return {d["_id"]: d["name"] for d in self.types.find({})}

    def has_type(self, type_key: str) -> bool:
        return self.types.find_one({"_id": type_key}) is not None

    def add_type(self, type_key: str, name: str) -> None:
        self.types.update_one({"_id": type_key}, {"$set": {"name": name}}, upsert=True)

    def rate(self, type_key: str) -> int:
        doc = self.rates.find_one({"_id": type_key})
        return doc["coins_per_hour"] if doc else DEFAULT_COINS_PER_HOUR

    def set_rate(self, type_key: str, coins_per_hour: int, by: str) -> None:
        self.rates.update_one({"_id": type_key}, {"$set": {"coins_per_hour": coins_per_hour, "by": by,
                                                           "at": self.deps.clock.now_iso()}}, upsert=True)


class Reminders:
    """Reminders sent to volunteers holding a place, one per volunteer per activity."""

    def __init__(self, deps):
        self.deps = deps
        self.sent = deps.db.collection("reminders")

    def prepare(self) -> None:
        self.sent.create_index([("volunteer_id", 1)], name="volunteer")

    def send_once(self, activity, volunteer_id: str) -> int:
        return insert_once(self.sent, {
            "_id": f"{activity.id}:{volunteer_id}", "volunteer_id": volunteer_id, "activity_id": activity.id,
            "title": activity.title, "place": activity.place, "starts_at": activity.starts_at,
            "org_path": activity.org_path, "at": self.deps.clock.now_iso()})

    def page(self, volunteer_id: str, q: dict) -> Page:
        """A volunteer's reminders by the start of the activity (`from`/`to` bound that start)."""
        flt = all_of({"volunteer_id": volunteer_id}, within([q["org_unit_path"]]) if q.get("org_unit_path") else None,
                     between("starts_at", q.get("from_"), q.get("to")))
        return page_of(self.sent, flt, page=q["page"], page_size=q["page_size"], sort=[("starts_at", 1), ("_id", 1)],
                       load=outbox.strip)
