"""Aggregates stored with their outgoing events in one document (outbox), the wire mapping, and each
collection's named queries (the only place a storage filter is written, beside its indexes)."""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict
from typing import Iterable

from liandong import outbox
from liandong.listing import Page, page_of
from liandong.personal import PERSON_KEY, BlindIndex, PersonalFields, person_key
from liandong.reencrypt import key_missing
from liandong.repository import OutboxRepository
from liandong.storage.filters import all_of, between, one_of, within

from ..domain import model, redemption as rd


def _plain(doc: dict, names) -> dict:
    return {k: doc.get(k) for k in names}


def listed(q: dict, *names: str) -> dict:
    """A list's comma filters (`status=active,paused`), each on the field of its name: one value or several."""
    return all_of(*(one_of(name, q[name].split(",")) for name in names if q.get(name)))


def in_period(time: str | None, since: str | None, until: str | None) -> bool:
    """The same bounds as `period`, for rows already read."""
    return time is not None and (not since or time >= since) and (not until or time <= until)


class PagedRepository:
    """The named queries every list of aggregates shares: a page of matches in one org scope."""

    time_field = ""
    order: list = []

    def page(self, paths: Iterable[str], q: dict, extra: dict | None = None) -> Page:
        period = between(self.time_field, q.get("from_"), q.get("to")) if self.time_field else None
        return page_of(self.collection, all_of(within(paths), extra, period), page=q["page"], page_size=q["page_size"],
                       sort=self.order, load=self._aggregate)

    def in_subtree(self, org_path: str) -> list:
        return self.find(within([org_path]))

    def _aggregate(self, doc: dict):
        agg = self.loaded(doc)
        agg.version = doc[outbox.VERSION]
        return agg


ID_NUMBER = "volunteer.id_number"  # what a volunteer's blind index is keyed with
_REGISTRATION = {"org_unit_id": 1, "name": 1}  # what telling one registration from another needs


class VolunteerRepository(PagedRepository, OutboxRepository[model.Volunteer]):
    collection_name = "volunteers"
    time_field = "registered_at"
    order = [("registered_at", 1), ("_id", 1)]
    # the name stays readable: the recognition lists show it; a volunteer is found by ID number only through
    # its blind index (`id_index`: the natural key of an imported roster), and by the platform's pseudonym
    # (`person_key`, docs/events.md#person_key): a resident's door finds the record staff registered for them
    personal = PersonalFields.of("mobile", "id_number", blind=(BlindIndex("id_index", "id_number", ID_NUMBER),
                                                               BlindIndex("person_key", "id_number", PERSON_KEY)))
    indexes = [([("org_path", 1)], {"name": "org_path"}), ([("user_id", 1)], {"name": "user_id"}),
               ([("status", 1)], {"name": "status"}), ([("id_index", 1)], {"name": "id_index"}),
               ([("person_key", 1), ("registered_at", 1)], {"name": "person_key"})]
    FIELDS = ("name", "kind", "org_unit_id", "org_path", "mobile", "skills", "availability", "consent_at",
              "registered_at", "unit_name", "user_id", "status", "id_number")

    def to_document(self, v: model.Volunteer) -> dict:
        return {k: getattr(v, k) for k in self.FIELDS}

    def from_document(self, doc: dict) -> model.Volunteer:
        return model.Volunteer(id=doc["_id"], **_plain(doc, self.FIELDS))

    def publish(self, v: model.Volunteer, ev):
        if isinstance(ev, model.VolunteerRegistered):
            return "volunteer.registered", {"volunteer_id": v.id, "name": v.name, "kind": v.kind,
                                            "org_unit_id": v.org_unit_id, "skills": v.skills,
                                            "user_id": v.user_id, "registered_at": v.registered_at,
                                            "person_key": self.person_key(v)}
        if isinstance(ev, model.VolunteerLeft):
            return "volunteer.left", {"volunteer_id": v.id, "org_unit_id": v.org_unit_id, "left_at": ev.left_at}
        return None

    def person_key(self, v: model.Volunteer) -> str | None:
        """The volunteer by the platform's pseudonym (#19), computed here: the ID number never goes on the wire."""
        return person_key(self.deps.cipher, v.id_number) if v.id_number else None

    def of_user(self, user_id: str) -> model.Volunteer | None:
        found = self.find({"user_id": user_id}, limit=1)
        return found[0] if found else None

    def unclaimed_of_person(self, key: str) -> list[model.Volunteer]:
        """The records staff registered for this person (their `person_key`) that no login is linked to yet."""
        return [v for v in self.find({"person_key": key}, sort=[("registered_at", 1), ("_id", 1)])
                if v.user_id is None]

    def prepare(self) -> None:
        super().prepare()
        self.key_people()

    def key_people(self) -> int:
        """Volunteers stored before they carried `person_key` get it once, from the encrypted ID number (a step
        at the worker's start; idempotent). Returns the records re-keyed."""
        return key_missing(self.collection, self.personal, self.deps.cipher, "person_key")

    def id_indexes(self, id_number: str) -> list[str]:
        """The blind indexes an ID number may be stored under (the current key first, old ones while rotating)."""
        return self.deps.cipher.blind_indexes(id_number, ID_NUMBER)

    def registered_with(self, id_number: str) -> list[dict]:
        """Where a person is registered as a volunteer (a person may be in two communities): id, org unit, name."""
        return self.collection.find({"id_index": self.deps.cipher.blind_match(id_number, ID_NUMBER)},
                                    projection=_REGISTRATION)

    def registration_id(self, id_number: str, org_unit_id: str) -> str:
        """The id a roster registers a person under in a community: the same in two jobs writing the same row
        at once (the same file sent twice), so one registration is stored and the other meets it. Derived
        from the blind index, never the number: it tells nothing without the key."""
        digest = hashlib.sha256(f"{self.id_indexes(id_number)[0]}:{org_unit_id}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16]))

    def registered_by_id_index(self) -> dict[str, list[dict]]:
        """Everyone registered with an ID number, by its blind index: id, org unit and name only (plain fields:
        a roster of thousands is checked in one read, without decrypting anyone)."""
        out: dict[str, list[dict]] = {}
        for d in self.collection.find({"id_index": {"$ne": None}}, projection={**_REGISTRATION, "id_index": 1}):
            if d.get("id_index"):
                out.setdefault(d["id_index"], []).append(d)
        return out

    def user_registered(self, user_id: str) -> bool:
        return self.collection.find_one({"user_id": user_id}) is not None

    def listing(self, paths: Iterable[str], q: dict, members: list[str] | None) -> Page:
        """The volunteers list: status, kind, skill and a team's members as filters."""
        flt = listed(q, "status", "kind")
        if q.get("skill"):
            flt["skills"] = {"$all": [q["skill"]]}
        if members is not None:
            flt["_id"] = {"$in": members}
        return self.page(paths, q, flt)

    def serving(self, org_path: str) -> list[dict]:
        """Everyone registered in the subtree who has not left (the statistics count them)."""
        return self.collection.find(all_of(within([org_path]), {"status": {"$ne": "left"}}))

    def names(self, volunteer_ids: list[str]) -> dict[str, str]:
        if not volunteer_ids:
            return {}
        return {d["_id"]: d["name"] for d in self.collection.find({"_id": {"$in": volunteer_ids}})}

    def plain_one(self, volunteer_id: str) -> dict | None:
        """The stored record as it is (an event handler's look-up: no idempotency check)."""
        return self.collection.find_one({"_id": volunteer_id})


class TeamRepository(PagedRepository, OutboxRepository[model.Team]):
    collection_name = "teams"
    order = [("name", 1), ("_id", 1)]
    indexes = [([("org_path", 1)], {"name": "org_path"}), ([("member_ids", 1)], {"name": "members"})]
    FIELDS = ("name", "type", "org_unit_id", "org_path", "leader_id", "member_ids", "formed_on", "status",
              "dissolved_on")

    def to_document(self, t: model.Team) -> dict:
        return {k: getattr(t, k) for k in self.FIELDS}

    def from_document(self, doc: dict) -> model.Team:
        return model.Team(id=doc["_id"], **{**_plain(doc, self.FIELDS), "status": doc.get("status") or "active"})

    def publish(self, t, ev):
        base = {"team_id": t.id, "org_unit_id": t.org_unit_id}
        if isinstance(ev, model.TeamFormed):
            return "volunteer.team.formed", {**base, "type": t.type, "formed_on": t.formed_on}
        if isinstance(ev, model.TeamDissolved) and t.formed_on:  # a team never counted is not counted out
            return "volunteer.team.dissolved", {**base, "dissolved_on": t.dissolved_on}
        return None

    def listing(self, paths: Iterable[str], q: dict) -> Page:
        return self.page(paths, q, listed(q, "type"))

    def of_member(self, volunteer_id: str) -> list[str]:
        return [t["_id"] for t in self.collection.find({"member_ids": {"$all": [volunteer_id]}})]


class ActivityRepository(PagedRepository, OutboxRepository[model.Activity]):
    collection_name = "activities"
    time_field = "starts_at"
    order = [("starts_at", 1), ("_id", 1)]
    indexes = [([("org_path", 1)], {"name": "org_path"}), ([("starts_at", 1)], {"name": "starts_at"}),
               ([("status", 1), ("starts_at", 1)], {"name": "status_starts"})]
    FIELDS = ("title", "type", "org_unit_id", "org_path", "place", "starts_at", "ends_at", "capacity",
              "organiser_id", "checkin_code", "coins_per_hour", "skills_wanted", "team_id", "status",
              "signups", "reminded_at")

    def to_document(self, a: model.Activity) -> dict:
        doc = {k: getattr(a, k) for k in self.FIELDS}
        doc["attendance"] = {vid: asdict(att) for vid, att in a.attendance.items()}
        return doc

    def from_document(self, doc: dict) -> model.Activity:
        a = model.Activity(id=doc["_id"], **_plain(doc, self.FIELDS))
        a.attendance = {vid: model.Attendance(**att) for vid, att in (doc.get("attendance") or {}).items()}
        return a

    def publish(self, a: model.Activity, ev):
        if isinstance(ev, model.ActivityPublished):
            return "volunteer.activity.published", {
                "activity_id": a.id, "title": a.title, "type": a.type, "org_unit_id": a.org_unit_id,
                "place": a.place, "starts_at": a.starts_at, "ends_at": a.ends_at, "capacity": a.capacity,
                "team_id": a.team_id}
        if isinstance(ev, model.SignedUp):
            return "volunteer.activity.signed_up", {"activity_id": a.id, "volunteer_id": ev.volunteer_id,
                                                    "status": ev.status, "org_unit_id": a.org_unit_id}
        if isinstance(ev, model.AttendanceRecorded):
            return "volunteer.attendance.recorded", {
                "attendance_id": f"{a.id}:{ev.volunteer_id}", "source": "activity", "activity_id": a.id,
                "patrol_run_id": None, "volunteer_id": ev.volunteer_id, "activity_type": a.type,
                "org_unit_id": a.org_unit_id, "started_at": ev.started_at, "minutes": ev.minutes,
                "delta_minutes": ev.delta_minutes, "coins": ev.coins, "delta_coins": ev.delta_coins,
                "correction_reason": ev.correction_reason}
        return None

    def listing(self, paths: Iterable[str], q: dict, only_published: bool = False) -> Page:
        flt = listed(q, "status", "type")
        if only_published:  # a resident sees published activities only, whatever status they ask for
            flt["status"] = {"$in": ["published"]} if not q.get("status") else {
                "$in": [s for s in q["status"].split(",") if s == "published"]}
        return self.page(paths, q, flt)

    def starting_between(self, after: str, until: str) -> list[model.Activity]:
        """Published activities starting in (after, until]: those to remind their volunteers of."""
        return self.find({"status": "published", "starts_at": {"$gt": after, "$lte": until}})

    def held_in(self, org_path: str, since: str | None, until: str | None) -> int:
        """Activities published or held in the subtree that start within the period."""
        return sum(1 for a in self.collection.find(within([org_path]))
                   if a["status"] in ("published", "completed") and in_period(a["starts_at"], since, until))


class RedemptionRepository(OutboxRepository[rd.Redemption]):
    collection_name = "redemptions"
    indexes = [([("org_path", 1)], {"name": "org_path"}), ([("volunteer_id", 1)], {"name": "volunteer"})]
    FIELDS = ("volunteer_id", "coins", "org_unit_id", "org_path", "status", "requested_at", "reason")

    def to_document(self, r: rd.Redemption) -> dict:
        return {k: getattr(r, k) for k in self.FIELDS}

    def from_document(self, doc: dict) -> rd.Redemption:
        return rd.Redemption(id=doc["_id"], **_plain(doc, self.FIELDS))

    def publish(self, r: rd.Redemption, ev):
        base = {"redemption_id": r.id, "volunteer_id": r.volunteer_id, "coins": r.coins}
        if isinstance(ev, rd.CoinsReserved):
            return "volunteer.coins.reserved", {**base, "balance_after": ev.balance_after}
        if isinstance(ev, rd.ReservationRefused):
            return "volunteer.coins.reservation_refused", {**base, "reason": ev.reason}
        if isinstance(ev, rd.CoinsRedeemed):
            return "volunteer.coins.redeemed", {**base, "org_unit_id": r.org_unit_id}
        if isinstance(ev, rd.CoinsReleased):
            return "volunteer.coins.released", base
        return None

    def exists(self, redemption_id: str) -> bool:
        return self.collection.find_one({"_id": redemption_id}) is not None
