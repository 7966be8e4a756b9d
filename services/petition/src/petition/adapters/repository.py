"""Storage of petitions (with their outbox) and every query the service asks of them."""
from __future__ import annotations

import dataclasses

from liandong.listing import Page, page_of
from liandong.personal import PERSON_KEY, BlindIndex, PersonalFields, person_key
from liandong.reencrypt import key_missing
from liandong.repository import OutboxRepository
from liandong.storage import one_commit, subtree
from liandong.storage.filters import all_of, any_of, between, one_of

from ..domain import model, open311, rules

_STORED = [f.name for f in dataclasses.fields(model.Petition) if f.name not in ("version", "events")]
_ID_NUMBER = "petitioner.id_number"  # what the blind index is keyed with
PERSON_KEYS = "person_keys"  # the stored field of the petitioners' person keys
BRIEF = ("category", "org_unit_id", "registered_at", "state")  # what a possible duplicate shows
# the list's filters that are one stored field each: (query parameter, field)
LISTED = (("status", "state"), ("category", "category"), ("channel", "channel"), ("public_status", "public_status"),
          ("level", "level"))
FLAGS = (("overdue", "overdue"), ("risk", "has_risk"), ("group", "is_group"), ("matter_id", "matter_id"))


def list_filters(args: dict, listed, flags) -> list[dict | None]:
    """A list's filters (`listed`: comma lists, `flags`: booleans; (query parameter, field) each), a term each:
    one value an equality, which `all_of` keeps at the top (FerretDB 1.x pushes those down), several an `$in`."""
    return [one_of(field, args.get(key)) for key, field in (*listed, *flags)]


class PetitionRepository(OutboxRepository[model.Petition]):
    collection_name = "petitions"
    # a petitioner is named with an ID number, a mobile and an address: all encrypted at rest, the
    # ID numbers found by their blind index (`id_numbers`, and `petitioner_ids` below); `person_keys`: the
    # same people by the platform's pseudonym (docs/events.md#person_key), what a resident's token carries,
    # so a petition registered at the 接待 desk for them shows at their door (#22)
    personal = PersonalFields.of(
        *(f"petitioners[].{f}" for f in ("name", "id_number", "mobile", "address")),
        names={f"petitioners[].{f}": f"petitioner.{f}" for f in ("name", "id_number", "mobile", "address")},
        blind=(BlindIndex("id_numbers", "petitioners[].id_number", _ID_NUMBER),
               BlindIndex(PERSON_KEYS, "petitioners[].id_number", PERSON_KEY)))
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
        ([(PERSON_KEYS, 1)], {"name": "person_keys"}),  # the residents' door: petitions staff made for them
        ([("matter_id", 1)], {"name": "matter"}),
        ([("source", 1), ("registered_at", -1)], {"name": "source"}),
        ([("open311.token", 1)], {"name": "open311_token", "sparse": True}),  # GET tokens/<token>
    )

    def prepare(self) -> None:
        super().prepare()
        self.key_people()
        self.petitioner_ids.create_index([("id_index", 1), ("registered_at", -1)], name="id_registered")
        if self.petitioner_ids.find_one({}) is None and self.collection.find_one({"id_numbers.0": {"$exists": True}}):
            for doc in self.collection.find({"id_numbers.0": {"$exists": True}}):  # once, for data from before
                self._index_petitioners(doc["_id"], doc["id_numbers"], doc["registered_at"])

    def key_people(self) -> int:
        """Petitions stored before they carried `person_keys` get them once (from the encrypted ID numbers):
        a re-keying step at the worker's start, idempotent (a petition that has the field is left alone, so
        a start that stopped half-way simply does the rest). Returns the petitions re-keyed."""
        return key_missing(self.collection, self.personal, self.deps.cipher, PERSON_KEYS)

    @property
    def petitioner_ids(self):
        """Who filed what, keyed by (blind index, petition): found by equality, so indexed on both backends.

        Asking the petitions themselves means array membership (`$all` on `id_numbers`), which
        SQLite cannot answer from an index and FerretDB does not push down: a scan per intake.
        """
        return self.deps.db.collection("petitioner_ids")

    def _index_petitioners(self, petition_id: str, blind: list[str], registered_at: str) -> None:
        # all of a petition's entries in one write: at intake they are new, and on FerretDB new documents are
        # one insert without the per-document lock an update takes (three round trips more, ~4 ms of 33, #23)
        self.petitioner_ids.upsert_each([({"_id": f"{b}|{petition_id}"}, {"$set": {
            "id_index": b, "petition_id": petition_id, "registered_at": registered_at}}) for b in dict.fromkeys(blind)])

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
        with one_commit(self.deps.db):
            self._index_petitioners(p.id, [self.id_index(n) for n in p.id_numbers], p.registered_at)
            return super().add(p)

    def filed_by(self, id_number: str, since: str, limit: int = 20, fields: tuple[str, ...] = (),
                 scope: dict | None = None) -> list[dict]:
        """The newest petitions with this petitioner since `since`, newest first (only `fields` of them),
        and of those only the ones `scope` (a storage filter: what the caller may see) matches."""
        filed = {"id_index": self.deps.cipher.blind_match(id_number, _ID_NUMBER), "registered_at": {"$gte": since}}
        # in scope among the newest `limit × 10` entries; read a page of `limit` at a time and stop when enough
        # are found: a person with hundreds of petitions (all in the caller's scope, as usual) costs one page,
        # not ten (#23: the repeat check read 200 petitions a request at 100 000 stored)
        reach = limit if scope is None else limit * 10
        shown: list[dict] = []
        for skip in range(0, reach, limit):
            ids = [e["petition_id"] for e in self.petitioner_ids.find(filed, sort=[("registered_at", -1)], skip=skip,
                                                                       limit=limit)]
            if not ids:
                break
            query = {"_id": {"$in": ids}} if scope is None else {"$and": [{"_id": {"$in": ids}}, scope]}
            found = {d["_id"]: d for d in self.collection.find(query, projection=dict.fromkeys(fields, 1) or None)}
            shown += [found[i] for i in ids if i in found]
            if len(shown) >= limit or len(ids) < limit:
                break
        return shown[:limit]

    # -- named queries: every filter the service asks of its petitions, beside the indexes above
    def visible_to(self, principal) -> dict:
        """The petitions the caller may see: staff their `petition:read` scope, anyone else their own filings
        and, for a resident with a person key, the petitions that name them (registered by staff, #22)."""
        if principal.has("petition:read"):
            return principal.scope_filter("petition:read")
        own = {"resident_user_id": principal.user_id}
        key = principal.person_key if principal.has("resident:self") else None
        return {"$or": [own, {PERSON_KEYS: {"$all": [key]}}]} if key else own

    def same_place_since(self, category: str, org_unit_id: str, since: str, scope: dict,
                         limit: int = 20) -> list[dict]:
        """The newest petitions of one category at one org unit since `since` (briefs: `BRIEF` only), in scope."""
        return self.collection.find({"category": category, "org_unit_id": org_unit_id,
                                     "registered_at": {"$gte": since}, "$and": [scope]},
                                    sort=[("registered_at", -1)], limit=limit, projection=dict.fromkeys(BRIEF, 1))

    def visible_ids(self, ids: set[str], scope: dict) -> set[str]:
        """Which of these petitions `scope` matches."""
        found = self.collection.find({"$and": [{"_id": {"$in": sorted(ids)}}, scope]}, projection={"org_path": 1})
        return {d["_id"] for d in found}

    def past_due(self, now_iso: str, limit: int = 500) -> list[model.Petition]:
        """Active cases past their deadline that are not flagged overdue yet (the deadline scan)."""
        return self.find({"state": {"$in": list(model.ACTIVE)}, "overdue": False, "due_at": {"$lt": now_iso}},
                         limit=limit)

    def due_for_reminder(self, now_iso: str, limit: int = 500) -> list[model.Petition]:
        """Active cases whose reminder time has come and that were not reminded yet."""
        return self.find({"state": {"$in": list(model.ACTIVE)}, "reminded": False, "remind_at": {"$lte": now_iso}},
                         limit=limit)

    def page(self, args: dict, scope: dict, within: str | None = None, search_terms: list[str] = (),
             page: int = 1, page_size: int = 20) -> Page:
        """One page of the list (`GET /petitions`), newest first: `args` the list's filters (ListQuery),
        `scope` what the caller may see, `within` the subtree asked for (`org_unit`), counted up to TOTAL_CAP."""
        id_numbers = self.id_indexes(args["id_number"]) if args.get("id_number") else ()
        deadline = args.get("deadline_before")
        where = all_of(scope, subtree(within) if within else None, *list_filters(args, LISTED, FLAGS),
                       between("deadline", end=deadline and deadline.isoformat()),
                       between("registered_at", args.get("from_"), args.get("to")),
                       {"search_terms": {"$all": list(search_terms)}} if search_terms else None,
                       # the blind index under each configured key (one while no key rotation is under way)
                       any_of({"id_numbers": {"$all": [b]}} for b in id_numbers) if id_numbers else None)
        # exact up to TOTAL_CAP, then "at least": counting a sub-district's 100 000 petitions alone costs more
        # than the whole list may (README: the total of a list); many matches: walk all petitions newest first
        # and stop at the page; few: sort the matches
        return page_of(self.collection, where, page=page, page_size=page_size,
                       sort=[("registered_at", -1)], load=self.versioned, hint_if_capped="registered")

    def registered_within(self, org_path: str, start: str | None, end: str | None) -> list[dict]:
        """The stored documents of a subtree registered in a period (the statistics count them)."""
        return self.collection.find(all_of(subtree(org_path), between("registered_at", start, end)))

    # -- Open311: only requests filed through it are ever shown there
    def open311_requests(self, ids: list[str], codes: list[str], closed: bool | None, start: str | None,
                         end: str | None, limit: int) -> list[dict]:
        """Open311 requests newest first: the ones named (`ids`), or those matching the other filters."""
        query: dict = {"source": "open311"}
        if ids:
            query["_id"] = {"$in": ids}
        else:
            if codes:
                query["category"] = {"$in": codes}
            if closed is not None:
                query["state"] = {"$in" if closed else "$nin": list(open311.CLOSED_STATES)}
            period = {**({"$gte": start} if start else {}), **({"$lte": end} if end else {})}
            if period:
                query["registered_at"] = period
        return self.collection.find(query, sort=[("registered_at", -1)], limit=limit)

    def open311_request(self, request_id: str) -> dict | None:
        return self.collection.find_one({"_id": request_id, "source": "open311"})

    def open311_token(self, token: str) -> str | None:
        """The id of the Open311 request a token stands for."""
        found = self.collection.find({"open311.token": token, "source": "open311"}, limit=1, projection={"_id": 1})
        return found[0]["_id"] if found else None

    def person_keys(self, p: model.Petition) -> list[str]:
        """The petitioners by the platform's pseudonym (#19: the one file per household finds the petition by
        it): computed from their ID numbers here; the ID numbers never go on the wire."""
        return sorted({person_key(self.deps.cipher, n) for n in p.id_numbers})

    def id_index(self, id_number: str) -> str:
        """The blind index an ID number is found by; the number itself is stored only encrypted."""
        return self.deps.cipher.blind_index(id_number, _ID_NUMBER)

    def id_indexes(self, id_number: str) -> list[str]:
        """What a lookup asks for: the blind index under the current key, and under old ones while rotating."""
        return self.deps.cipher.blind_indexes(id_number, _ID_NUMBER)

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
                                           "registered_at": p.registered_at,
                                           "person_keys": self.person_keys(p)}
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
