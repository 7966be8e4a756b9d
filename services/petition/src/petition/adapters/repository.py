"""Storage of petitions (with their outbox), the configurable taxonomy and the reception roster."""
from __future__ import annotations

import dataclasses
from datetime import date

from liandong.personal import BlindIndex, PersonalFields
from liandong.platform import Platform
from liandong.repository import OutboxRepository
from liandong.storage import one_commit

from ..domain import model, rules
from ..domain.roster import DutyDay

_STORED = [f.name for f in dataclasses.fields(model.Petition) if f.name not in ("version", "events")]
_ID_NUMBER = "petitioner.id_number"  # what the blind index is keyed with


class PetitionRepository(OutboxRepository[model.Petition]):
    collection_name = "petitions"
    # a petitioner is named with an ID number, a mobile and an address: all encrypted at rest, the
    # ID numbers found by their blind index (`id_numbers`, and `petitioner_ids` below)
    personal = PersonalFields.of(
        *(f"petitioners[].{f}" for f in ("name", "id_number", "mobile", "address")),
        names={f"petitioners[].{f}": f"petitioner.{f}" for f in ("name", "id_number", "mobile", "address")},
        blind=(BlindIndex("id_numbers", "petitioners[].id_number", _ID_NUMBER),))
    indexes = (
        # the lists: a subtree, with a status or overdue first (equality, then the subtree's range);
        # counted from the index alone, newest first from `registered` when the match is large
        ([("org_path", 1), ("registered_at", -1)], {"name": "org_registered"}),
        ([("state", 1), ("org_path", 1), ("registered_at", -1)], {"name": "state_org_registered"}),
        ([("overdue", 1), ("org_path", 1), ("registered_at", -1)], {"name": "overdue_org_registered"}),
        ([("registered_at", -1), ("org_path", 1), ("state", 1), ("overdue", 1)], {"name": "registered"}),
        ([("state", 1), ("due_at", 1)], {"name": "state_due"}),
        ([("state", 1), ("remind_at", 1)], {"name": "state_remind"}),
        # possible duplicates (same category and place, recent first): `state` too, so the brief
        # each one shows is read from the index, not from the document
        ([("category", 1), ("org_unit_id", 1), ("registered_at", 1), ("state", 1)], {"name": "category_unit"}),
        ([("id_numbers", 1)], {"name": "id_numbers"}),
        ([("resident_user_id", 1)], {"name": "resident"}),
        ([("matter_id", 1)], {"name": "matter"}),
        ([("source", 1), ("registered_at", -1)], {"name": "source"}),
        ([("open311.token", 1)], {"name": "open311_token", "sparse": True}),  # GET tokens/<token>
    )

    def prepare(self) -> None:
        super().prepare()
        self.petitioner_ids.create_index([("id_index", 1), ("registered_at", -1)], name="id_registered")
        if self.petitioner_ids.find_one({}) is None and self.collection.find_one({"id_numbers.0": {"$exists": True}}):
            for doc in self.collection.find({"id_numbers.0": {"$exists": True}}):  # once, for data from before
                self._index_petitioners(doc["_id"], doc["id_numbers"], doc["registered_at"])

    @property
    def petitioner_ids(self):
        """Who filed what, keyed by (blind index, petition): found by equality, so indexed on both backends.

        Asking the petitions themselves means array membership (`$all` on `id_numbers`), which
        SQLite cannot answer from an index and FerretDB does not push down: a scan per intake.
        """
        return self.platform.db.collection("petitioner_ids")

    def _index_petitioners(self, petition_id: str, blind: list[str], registered_at: str) -> None:
        for b in blind:
            self.petitioner_ids.update_one({"_id": f"{b}|{petition_id}"}, {"$set": {
                "id_index": b, "petition_id": petition_id, "registered_at": registered_at}}, upsert=True)

    def reindex_petitioners(self, batch: int = 500) -> int:
        """After a key rotation: who-filed-what entries under the current blind indexes only (page by page;
        idempotent, so a re-encryption that stopped is simply run again). Returns the entries changed."""
        changed, last = 0, None
        while True:
            page = self.collection.find({} if last is None else {"_id": {"$gt": last}}, sort=[("_id", 1)],
                                        limit=batch, projection={"id_numbers": 1, "registered_at": 1})
            if not page:
                return changed
            last = page[-1]["_id"]
            current = {d["_id"]: set(d.get("id_numbers") or []) for d in page}
            entries = self.petitioner_ids.find({"petition_id": {"$in": list(current)}})
            have = {(e["petition_id"], e["id_index"]) for e in entries}
            for e in entries:
                if e["id_index"] not in current[e["petition_id"]]:
                    changed += self.petitioner_ids.delete_one({"_id": e["_id"]})
            for d in page:
                missing = sorted(b for b in current[d["_id"]] if (d["_id"], b) not in have)
                self._index_petitioners(d["_id"], missing, d["registered_at"])
                changed += len(missing)

    def overdue_count(self) -> int:
        """Petitions past their deadline now (the deadline scan sets `overdue`; an answer, an escalation or
        a new deadline clears it): counted from the `overdue_org_registered` index."""
        return self.collection.count_documents({"overdue": True})

    def add(self, p: model.Petition) -> model.Petition:
        # entries first: one left behind by a failed insert points at no petition and is ignored
        with one_commit(self.platform.db):
            self._index_petitioners(p.id, [self.id_index(n) for n in p.id_numbers], p.registered_at)
            return super().add(p)

    def filed_by(self, id_number: str, since: str, limit: int = 20, fields: tuple[str, ...] = (),
                 scope: dict | None = None) -> list[dict]:
        """The newest petitions with this petitioner since `since`, newest first (only `fields` of them),
        and of those only the ones `scope` (a storage filter: what the caller may see) matches."""
        entries = self.petitioner_ids.find({"id_index": self.platform.cipher.blind_match(id_number, _ID_NUMBER),
                                            "registered_at": {"$gte": since}},
                                           sort=[("registered_at", -1)], limit=limit if scope is None else limit * 10)
        ids = [e["petition_id"] for e in entries]
        if not ids:
            return []
        query = {"_id": {"$in": ids}} if scope is None else {"$and": [{"_id": {"$in": ids}}, scope]}
        found = {d["_id"]: d for d in self.collection.find(query, projection=dict.fromkeys(fields, 1) or None)}
        return [found[i] for i in ids if i in found][:limit]

    def id_index(self, id_number: str) -> str:
        """The blind index an ID number is found by; the number itself is stored only encrypted."""
        return self.platform.cipher.blind_index(id_number, _ID_NUMBER)

    def id_indexes(self, id_number: str) -> list[str]:
        """What a lookup asks for: the blind index under the current key, and under old ones while rotating."""
        return self.platform.cipher.blind_indexes(id_number, _ID_NUMBER)

    def to_document(self, p: model.Petition) -> dict:
        doc = {name: getattr(p, name) for name in _STORED}
        doc["_id"] = p.id
        # derived, stored so lists can filter on them (`id_numbers`: blind indexes, set by `personal`)
        doc["public_status"] = p.public_status
        doc["has_risk"] = bool(p.risk_flags)
        doc["search_terms"] = rules.search_terms(" ".join([p.title or "", p.content]))
        return doc

    def from_document(self, doc: dict) -> model.Petition:
        fields = {name: doc[name] for name in _STORED if name in doc}
        fields["petitioners"] = doc.get("petitioners") or []
        return model.Petition(**fields)

    def publish(self, p: model.Petition, ev):
        base = {"petition_id": p.id, "org_unit_id": p.org_unit_id, "category": p.category, "level": p.level}
        if isinstance(ev, model.PetitionRegistered):
            return "petition.registered", {**base, "channel": p.channel, "headcount": p.headcount,
                                           "is_group": p.is_group, "anonymous": p.anonymous,
                                           "risk_flags": list(p.risk_flags), "deadline": p.deadline,
                                           "registered_at": p.registered_at}
        if isinstance(ev, model.PetitionAssigned):
            a = ev.assignment
            return "petition.assigned", {**base, "unit_kind": a["unit"]["kind"], "unit_id": a["unit"]["id"],
                                         "unit_name": a["unit"].get("name") or a["unit"]["id"],
                                         "person": a["person"], "deadline": a["deadline"], "task": a["task"],
                                         "requirement": a["requirement"], "assigned_at": a["assigned_at"]}
        if isinstance(ev, model.PetitionAnswered):
            return "petition.answered", {**base, "on_time": ev.on_time, "answered_at": ev.at}
        if isinstance(ev, model.PetitionClosed):
            return "petition.closed", {**base, "satisfaction": ev.satisfaction, "headcount": p.headcount,
                                       "is_group": p.is_group, "resolved_at_level": ev.resolved_at_level,
                                       "closed_at": ev.at}
        if isinstance(ev, model.PetitionOverdue):
            return "petition.overdue", {**base, "deadline": ev.deadline, "supervisor_level": ev.supervisor_level,
                                        "detected_at": ev.at}
        if isinstance(ev, model.PetitionEscalated):
            return "petition.escalated", {**base, "kind": ev.kind, "from_level": ev.from_level,
                                          "to_level": ev.to_level, "reason": ev.reason, "escalated_at": ev.at}
        if isinstance(ev, model.RiskFlagged):
            return "petition.risk_flagged", {**base, "flags": list(ev.flags), "headcount": p.headcount,
                                             "flagged_at": ev.at}
        return None


class ConfigRepository:
    """The taxonomy (categories with deadlines per level), linked departments and holidays.

    Defaults come from the domain; what an administrator changes is stored as overrides.
    """

    def __init__(self, platform: Platform):
        self.collection = platform.db.collection("config")

    def load(self) -> dict:
        doc = self.collection.find_one({"_id": "taxonomy"}) or {}
        categories = {k: dict(v) for k, v in rules.DEFAULT_CATEGORIES.items()}
        categories.update(doc.get("categories") or {})
        departments = dict(rules.DEFAULT_DEPARTMENTS)
        departments.update(doc.get("departments") or {})
        return {"categories": categories, "departments": departments, "holidays": sorted(doc.get("holidays") or [])}

    def calendar(self, config: dict | None = None) -> rules.Calendar:
        return rules.Calendar(frozenset((config or self.load())["holidays"]))

    def put_category(self, code: str, value: dict) -> None:
        self.collection.update_one({"_id": "taxonomy"}, {"$set": {f"categories.{code}": value}}, upsert=True)

    def put_department(self, code: str, name: str) -> None:
        self.collection.update_one({"_id": "taxonomy"}, {"$set": {f"departments.{code}": name}}, upsert=True)

    def put_holidays(self, days: list[str]) -> None:
        self.collection.update_one({"_id": "taxonomy"}, {"$set": {"holidays": sorted(set(days))}}, upsert=True)


class RosterRepository:
    def __init__(self, platform: Platform):
        self.collection = platform.db.collection("reception_roster")

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
