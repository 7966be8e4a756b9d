"""Use cases of petitions: intake, the transitions, the deadline scan, lists, statistics, the roster."""
from __future__ import annotations

import logging
from datetime import date, timedelta

from liandong.auth import Principal, out_of_scope
from liandong.clock import to_iso
from liandong.errors import ConcurrencyConflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from liandong.idempotency import AlreadyApplied
from liandong.events import Envelope
from liandong.ids import new_id
from liandong.idnumbers import mask, mask_address, mask_mobile
from liandong.platform import Platform
from liandong.storage import subtree

from ..adapters.repository import ConfigRepository, PetitionRepository, RosterRepository
from ..domain import model, rules, stats
from ..domain.model import Actor, Petition
from ..domain.roster import DutyDay, days_between, gaps

log = logging.getLogger(__name__)

DUPLICATE_WINDOW_DAYS = 28
REPEAT_WINDOW_DAYS = 365
TOTAL_CAP = 10000  # a list counts its matches up to this many (`total_capped` beyond)
# What linked petitions do when their lead case does it (the petitioner of each still rates and closes).
FOLLOW_THE_LEAD = ("assign", "start", "answer")
STAFF = ("petition:read", "petition:handle")  # either one lets staff see a case


def actor_of(p: Principal) -> Actor:
    return Actor(p.user_id, p.name or p.user_id)


class PetitionService:
    def __init__(self, platform: Platform):
        self.platform = platform
        self.repo = PetitionRepository(platform)
        self.config = ConfigRepository(platform)
        self.roster = RosterRepository(platform)

    def prepare(self) -> None:
        self.repo.prepare()
        self.roster.prepare()

    @property
    def clock(self):
        return self.platform.clock

    # -- org helpers
    def unit(self, org_unit_id: str, field: str = "org_unit_id") -> dict:
        path = self.platform.org.path_of(org_unit_id, field)
        return {**self.platform.org.get(org_unit_id), "path": path}

    def subdistrict_of(self, org_path: str) -> dict | None:
        for unit_id in [s for s in org_path.split("/") if s]:
            unit = self.platform.org.get(unit_id)
            if unit and unit.get("level") == "subdistrict":
                return unit
        return None

    # -- intake
    def register(self, data: dict, principal: Principal, *, source: str = "api",
                 open311: dict | None = None) -> tuple[Petition, list[dict]]:
        unit = self.unit(data["org_unit_id"])
        principal.require("petition:file", unit["path"])
        config = self.config.load()
        calendar = self.config.calendar(config)
        now = self.clock.now()
        petitioners = data.get("petitioners") or []
        if data.get("petitioner"):
            petitioners = [data["petitioner"], *petitioners]
        petitioners = [*({**r, "representative": True} for r in data.get("representatives") or []), *petitioners]
        is_resident = not principal.has("petition:read") and principal.has("petition:read_own")
        ids = sorted({p["id_number"] for p in petitioners if p.get("id_number")})
        # a repeat petitioner is one the caller can see petitioning before: a flag or a suggestion
        # must not tell them where else (or that at all) someone petitioned outside their scope
        visible = self.readable(principal)
        earlier = {i: self._earlier_by_id(i, now, REPEAT_WINDOW_DAYS, visible) for i in ids}
        repeat = any(earlier.values())
        reception = None
        if data["channel"] == "visit":
            reception = self._leader_on_duty(unit["path"], rules.local_date(now))
        petition = Petition.register(
            petition_id=new_id(), org_unit_id=data["org_unit_id"], org_path=unit["path"], org_level=unit["level"],
            category=data["category"], channel=data["channel"], content=data["content"], petitioners=petitioners,
            headcount=data.get("headcount"), is_group=data.get("is_group", False), anonymous=data.get("anonymous", False), actor=actor_of(principal),
            now=now, calendar=calendar, categories=config["categories"],
            says_higher_level=data.get("says_higher_level", False), repeat=repeat, title=data.get("title", ""),
            attachments=data.get("attachments") or [], resident_user_id=principal.user_id if is_resident else None,
            reception=reception, source=source, open311=open311)
        duplicates = self.duplicates_of(petition, principal, earlier)
        self.repo.add(petition)  # a retry (same Idempotency-Key) gets the petition its first attempt stored
        return petition, [d for d in duplicates if d["id"] != petition.id]

    def _earlier_by_id(self, id_number: str, now, days: int, visible: dict) -> list[dict]:
        return self.repo.filed_by(id_number, to_iso(now - timedelta(days=days)), limit=20, fields=BRIEF,
                                  scope=visible)

    def duplicates_of(self, petition: Petition, principal: Principal,
                      earlier: dict[str, list[dict]] | None = None) -> list[dict]:
        """Likely the same matter: the same petitioner ID, or the same category and place in recent weeks —
        among the petitions the caller may see, and no others.

        `earlier`: the petitions of each ID number, where the caller has looked them up already."""
        now = self.clock.now()
        visible = self.readable(principal)
        found: dict[str, dict] = {}
        for number in petition.id_numbers:
            docs = earlier[number] if earlier is not None and number in earlier else \
                self._earlier_by_id(number, now, REPEAT_WINDOW_DAYS, visible)
            for doc in docs:
                found.setdefault(doc["_id"], {**_brief(doc), "reason": "same_petitioner"})
        since = to_iso(now - timedelta(days=DUPLICATE_WINDOW_DAYS))
        for doc in self.repo.collection.find({"category": petition.category, "org_unit_id": petition.org_unit_id,
                                              "registered_at": {"$gte": since}, "$and": [visible]},
                                             sort=[("registered_at", -1)], limit=20,
                                             projection=dict.fromkeys(BRIEF, 1)):
            found.setdefault(doc["_id"], {**_brief(doc), "reason": "same_category_and_place"})
        found.pop(petition.id, None)
        return list(found.values())

    def _leader_on_duty(self, org_path: str, day: date) -> dict | None:
        sub = self.subdistrict_of(org_path)
        if sub is None:
            return None
        duty = self.roster.on(sub["_id"], day)
        if duty is None:
            return {"subdistrict_id": sub["_id"], "day": day.isoformat(), "leader_name": None, "title": None}
        return {"subdistrict_id": sub["_id"], "day": day.isoformat(), "leader_name": duty["leader_name"],
                "title": duty.get("title", "")}

    # -- reading
    def record_personal_access(self, principal: Principal, petitions: list[Petition]) -> None:
        """Who looked at unmasked ID and mobile numbers (查阅记录), as the rules on personal data ask."""
        shown = [p.id for p in petitions if p.petitioners and principal.can("personal_data:read", p.org_path)]
        if shown:
            self.platform.db.collection("personal_data_access").insert_one({
                "_id": new_id(), "user_id": principal.user_id, "name": principal.name, "petition_ids": shown,
                "at": self.clock.now_iso()})

    def readable(self, principal: Principal) -> dict:
        """A storage filter for the petitions the caller may see: staff their scope, anyone else their own filings."""
        if principal.has("petition:read"):
            return principal.scope_filter("petition:read")
        return {"resident_user_id": principal.user_id}

    def out_of_sight(self, principal: Principal, petitions: list[Petition]) -> set[str]:
        """The ids these cases name (linked cases, the lead of their matter) that the caller may not see.

        A sub-district officer may link cases of two communities; each community's worker must not
        learn the other's case from it (not even its id)."""
        named = {i for p in petitions for i in [*p.linked_ids, p.matter_id] if i} - {p.id for p in petitions}
        if not named:
            return set()
        seen = self.repo.collection.find({"$and": [{"_id": {"$in": sorted(named)}}, self.readable(principal)]},
                                         projection={"org_path": 1})
        return named - {d["_id"] for d in seen}

    @staticmethod
    def is_own(petition: Petition, principal: Principal) -> bool:
        return principal.has("petition:read_own") and petition.resident_user_id == principal.user_id

    def load(self, petition_id: str, principal: Principal, permission: str = "petition:read", *,
             owner_may: bool = False) -> Petition:
        """The case, if the caller may do `permission` on it (or it is their own and `owner_may`).

        One out of their sight answers exactly like one that does not exist (`out_of_scope`)."""
        try:
            petition = self.repo.get(petition_id)
        except NotFound:
            raise out_of_scope("petition", petition_id) from None
        if not (owner_may and self.is_own(petition, principal)):
            principal.authorize(permission, petition.org_path, read=STAFF, what="petition", record_id=petition_id)
        return petition

    def get(self, petition_id: str, principal: Principal) -> Petition:
        return self.load(petition_id, principal, "petition:read", owner_may=True)

    # -- transitions
    def act(self, petition_id: str, action: str, data: dict, principal: Principal) -> Petition:
        # The deadline scan or an event handler may save the same case in between: load it again and retry.
        for attempt in range(3):
            try:
                return self._act(petition_id, action, data, principal)
            except AlreadyApplied as done:  # a retry (same Idempotency-Key): the case as it stands, not applied twice
                return done.aggregate
            except ConcurrencyConflict:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _act(self, petition_id: str, action: str, data: dict, principal: Principal) -> Petition:
        permission = "petition:supervise" if action == "supervise" else "petition:handle"
        petition = self.load(petition_id, principal, permission, owner_may=action in ("close", "reopen"))
        actor, now = actor_of(principal), self.clock.now()
        config = self.config.load()
        calendar = self.config.calendar(config)
        if action == "assign":
            data = {**data, "unit": self._responsible_unit(data, config, petition.org_path)}
        self._apply(petition, action, data, actor, now, config, calendar)
        self.repo.save(petition)
        if action in FOLLOW_THE_LEAD and petition.matter_id == petition.id:
            self._follow_the_lead(petition, action, data, principal, now, config, calendar)
        return petition

    def _follow_the_lead(self, lead: Petition, action: str, data: dict, principal: Principal, now, config,
                         calendar) -> None:
        """Linked petitions about the same matter are handled as one: they follow the lead case's
        assignment, handling and written answer where their own state allows it."""
        for other_id in lead.linked_ids:
            try:
                other = self.repo.get(other_id)
                if not principal.can("petition:handle", other.org_path):
                    continue
                self._apply(other, action, data, actor_of(principal), now, config, calendar)
                self.repo.save(other)
            except (InvalidTransition, ValidationFailed, ConcurrencyConflict, NotFound) as exc:
                log.info("linked petition %s did not follow %s on %s: %s", other_id, action, lead.id, exc)

    @staticmethod
    def _apply(petition: Petition, action: str, data: dict, actor: Actor, now, config, calendar) -> None:
        if action == "assign":
            petition.assign(unit=data["unit"], person=data["person"], deadline=data["deadline"], task=data["task"],
                            requirement=data["requirement"], actor=actor, now=now, calendar=calendar)
        elif action == "start":
            petition.start(mode=data["mode"], note=data.get("note", ""), actor=actor, now=now)
        elif action == "answer":
            petition.answer_petitioner(text=data["text"], actor=actor, now=now)
        elif action == "close":
            petition.close(satisfaction=data["satisfaction"], note=data.get("note", ""), actor=actor, now=now)
        elif action == "reopen":
            petition.reopen(reason=data["reason"], actor=actor, now=now, calendar=calendar,
                            categories=config["categories"])
        elif action == "escalate":
            petition.escalate(reason=data["reason"], actor=actor, now=now, calendar=calendar,
                              categories=config["categories"])
        elif action == "suspend":
            petition.suspend(reason=data["reason"], actor=actor, now=now)
        elif action == "resume":
            petition.resume(note=data.get("note", ""), actor=actor, now=now, calendar=calendar)
        elif action == "supervise":
            petition.supervise(note=data["note"], new_deadline=data.get("new_deadline"), supervisor=actor, now=now,
                               calendar=calendar)
        elif action == "mediation":
            petition.record_mediation(outcome=data["outcome"], source="petition", note=data.get("note", ""),
                                      actor=actor, now=now)
        else:
            raise NotFound(f"no action {action!r}")

    def _responsible_unit(self, data: dict, config: dict, case_path: str) -> dict:
        kind, unit_id = data["unit_kind"], data["unit_id"]
        if kind == "department":
            by_name = {name: code for code, name in config["departments"].items()}
            unit_id = by_name.get(unit_id, unit_id)  # 环保 as well as environment
            if unit_id not in config["departments"]:
                raise ValidationFailed("unknown department", {"unit_id": [
                    f"not a linked department (联动部门); one of {', '.join(sorted(config['departments']))}"]})
            return {"kind": kind, "id": unit_id, "name": config["departments"][unit_id]}
        unit = self.unit(unit_id, "unit_id")
        if unit["level"] != kind:
            raise ValidationFailed("the unit is not of that kind", {"unit_id": [f"{unit_id} is a {unit['level']}"]})
        # 属地管理: a case goes to its own unit, one above it or one inside it — never to another
        # community's or sub-district's queue, which the caller has no say over
        if not (case_path.startswith(unit["path"]) or unit["path"].startswith(case_path)):
            raise ValidationFailed("the unit is not in this case's line", {"unit_id": [
                "not this case's own unit, one above it or one inside it"]})
        return {"kind": kind, "id": unit_id, "name": unit["name"]}

    def link(self, petition_id: str, other_id: str, principal: Principal) -> Petition:
        try:
            lead = self.load(petition_id, principal, "petition:handle")
        except AlreadyApplied as done:  # a retry: linked already
            return done.aggregate
        other = self.load(other_id, principal, "petition:handle")
        matter = lead.matter_id or lead.id
        actor, now = actor_of(principal), self.clock.now()
        lead.link(other.id, matter, actor, now)
        other.link(lead.id, matter, actor, now)
        self.repo.save(lead)
        self.repo.save(other)
        return lead

    # -- the deadline scan (限时办结制), run by the worker and by tests
    def scan_deadlines(self) -> dict:
        now = self.clock.now()
        now_iso = to_iso(now)
        counts = {"overdue": 0, "reminded": 0}
        for p in self.repo.find({"state": {"$in": list(model.ACTIVE)}, "overdue": False, "due_at": {"$lt": now_iso}},
                                limit=500):
            supervisor = rules.level_above(p.level) or p.level
            if p.mark_overdue(now=now, supervisor_level=supervisor) and self._save_quietly(p):
                counts["overdue"] += 1
        for p in self.repo.find({"state": {"$in": list(model.ACTIVE)}, "reminded": False,
                                 "remind_at": {"$lte": now_iso}}, limit=500):
            if p.remind(now=now) and self._save_quietly(p):
                counts["reminded"] += 1
        if counts["overdue"] or counts["reminded"]:
            log.info("deadline scan: %(overdue)d overdue, %(reminded)d reminded", counts)
        return counts

    def _save_quietly(self, p: Petition) -> bool:
        try:
            self.repo.save(p)
            return True
        except ConcurrencyConflict:
            return False  # someone changed it meanwhile; the next scan sees the new state

    # -- events from other services
    def on_dispute_mediated(self, event: Envelope) -> None:
        """A mediation (人民调解) reached an outcome for one of our petitions: put it on the timeline."""
        petition_id = event.data.get("petition_id")
        if not petition_id:
            return
        for _ in range(5):
            doc = self.repo.collection.find_one({"_id": petition_id})
            if doc is None:
                log.info("dispute %s names unknown petition %s", event.data["dispute_id"], petition_id)
                return
            petition = self.repo.get(petition_id)
            if not (event.orgpath and petition.org_path.startswith(event.orgpath)):
                # the dispute's org unit has no say over a case outside it (a saga step out of scope)
                log.warning("dispute %s names petition %s outside its org scope: not recorded",
                            event.data["dispute_id"], petition_id)
                return
            if petition.state not in model.TRANSITIONS["record_mediation"]:
                log.info("petition %s is %s: mediation not recorded", petition_id, petition.state)
                return
            changed = petition.record_mediation(
                outcome=event.data["outcome"], source="security", note=f"人民调解 {event.data['type']}",
                actor=Actor("security", "人民调解"), now=self.clock.now(), event_id=event.id,
                dispute_id=event.data["dispute_id"], sessions=event.data["sessions"])
            if not changed:
                return
            try:
                self.repo.save(petition)
                return
            except ConcurrencyConflict:
                continue
        raise ConcurrencyConflict(f"petition {petition_id} kept changing")

    # -- lists and statistics
    def search(self, args: dict, principal: Principal) -> dict:
        if not (principal.has("petition:read") or principal.has("petition:read_own")):
            raise Forbidden("petition:read is not granted")
        terms: list[dict] = [self.readable(principal)]
        if args.get("org_unit"):
            path = self.unit(args["org_unit"], "org_unit")["path"]
            if principal.has("petition:read"):
                principal.require("petition:read", path)
            terms.append(subtree(path))
        # equality on plain top-level fields: FerretDB 1.x pushes only those down to its backend
        equal: dict = {}
        for key, field in (("status", "state"), ("category", "category"), ("channel", "channel"),
                           ("public_status", "public_status"), ("level", "level")):
            if args.get(key):
                values = args[key]
                if len(values) > 1:
                    terms.append({field: {"$in": values}})
                else:
                    equal[field] = values[0]
        for key, field in (("overdue", "overdue"), ("risk", "has_risk"), ("group", "is_group")):
            if args.get(key) is not None:
                equal[field] = args[key]
        if args.get("matter_id"):
            equal["matter_id"] = args["matter_id"]
        if args.get("deadline_before"):
            terms.append({"deadline": {"$lte": args["deadline_before"].isoformat()}})
        if args.get("from"):
            terms.append({"registered_at": {"$gte": to_iso(rules.start_of_day(args["from"]))}})
        if args.get("to"):
            terms.append({"registered_at": {"$lte": to_iso(rules.end_of_day(args["to"]))}})
        if args.get("q"):
            words = rules.query_terms(args["q"])
            if not words:
                raise ValidationFailed("nothing to search for", {"q": ["give some Chinese characters or words"]})
            terms.append({"search_terms": {"$all": words}})
        if args.get("id_number"):
            principal.require("personal_data:read")
            # the blind index under each configured key (one while no key rotation is under way)
            terms.append({"$or": [{"id_numbers": {"$all": [b]}} for b in self.repo.id_indexes(args["id_number"])]})
        query = dict(equal)
        if terms:
            query["$and"] = terms
        page, size = args.get("page", 1), args.get("page_size", 20)
        # exact up to TOTAL_CAP, then "at least": counting a sub-district's 100 000 petitions alone
        # costs more than the whole list may (README: the total of a list)
        total = self.repo.collection.count_documents(query, limit=TOTAL_CAP + 1)
        capped = total > TOTAL_CAP
        # many matches: walk all petitions newest first and stop at the page; few: sort the matches
        hint = "registered" if capped else None
        docs = self.repo.find(query, sort=[("registered_at", -1)], skip=(page - 1) * size, limit=size, hint=hint)
        return {"items": docs, "page": page, "page_size": size, "total": min(total, TOTAL_CAP),
                "total_capped": capped}

    def statistics(self, org_unit_id: str, start: date | None, end: date | None, principal: Principal) -> dict:
        unit = self.unit(org_unit_id, "org_unit")
        principal.require("petition:read", unit["path"])
        query: dict = {"$and": [subtree(unit["path"])]}
        if start:
            query["$and"].append({"registered_at": {"$gte": to_iso(rules.start_of_day(start))}})
        if end:
            query["$and"].append({"registered_at": {"$lte": to_iso(rules.end_of_day(end))}})
        docs = self.repo.collection.find(query)
        # a sub-district's figures are the sum of its communities': show each part too
        parts: dict[str, list] = {}
        for d in docs:
            rest = [x for x in d["org_path"][len(unit["path"]):].split("/") if x]
            parts.setdefault(rest[0] if rest else org_unit_id, []).append(d)
        by_unit = {}
        for part_id, part_docs in sorted(parts.items()):
            part = stats.summarise(part_docs)
            name = (self.platform.org.get(part_id) or {}).get("name", part_id)
            by_unit[part_id] = {"name": name, **{k: part[k] for k in (
                "batches", "person_times", "group_petitions", "group_person_times", "closed", "overdue")}}
        return {"org_unit": {"id": org_unit_id, "name": unit["name"], "level": unit["level"], "path": unit["path"]},
                "from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
                **stats.summarise(docs), "by_org_unit": by_unit}

    # -- reception roster (接访日)
    def _subdistrict(self, subdistrict_id: str) -> dict:
        unit = self.unit(subdistrict_id, "subdistrict_id")
        if unit["level"] != "subdistrict":
            raise ValidationFailed("not a sub-district", {"subdistrict_id": [f"{subdistrict_id} is a {unit['level']}"]})
        return unit

    def put_duty(self, subdistrict_id: str, day: date, leader_name: str, title: str, principal: Principal) -> dict:
        unit = self._subdistrict(subdistrict_id)
        principal.require("petition:supervise", unit["path"])
        duty = DutyDay.create(subdistrict_id, day, leader_name, title)
        self.roster.put(duty, unit["path"], {"user_id": principal.user_id, "name": principal.name},
                        self.clock.now_iso())
        return {"subdistrict_id": subdistrict_id, "day": day.isoformat(), "leader_name": duty.leader_name,
                "title": duty.title}

    def delete_duty(self, subdistrict_id: str, day: date, principal: Principal) -> None:
        unit = self._subdistrict(subdistrict_id)
        principal.require("petition:supervise", unit["path"])
        if not self.roster.delete(subdistrict_id, day):
            raise NotFound(f"nobody is on duty at {subdistrict_id} on {day.isoformat()}")

    def roster_view(self, subdistrict_id: str, start: date, end: date, principal: Principal) -> dict:
        unit = self._subdistrict(subdistrict_id)
        principal.require("petition:read", unit["path"])
        days_between(start, end)
        rows = self.roster.between(subdistrict_id, start, end)
        covered = {date.fromisoformat(r["day"]) for r in rows}
        return {"subdistrict_id": subdistrict_id, "from": start.isoformat(), "to": end.isoformat(),
                "days": [{"day": r["day"], "leader_name": r["leader_name"], "title": r.get("title", "")} for r in rows],
                "gaps": gaps(start, end, covered)}


BRIEF = ("category", "org_unit_id", "registered_at", "state")  # what a possible duplicate shows


def _brief(doc: dict) -> dict:
    return {"id": doc["_id"], "category": doc["category"], "org_unit_id": doc["org_unit_id"],
            "registered_at": doc["registered_at"], "state": doc["state"]}


def timeline_of(p: Petition, hidden: set[str] = frozenset()) -> list[dict]:
    """The timeline, with the cases it names that the caller may not see (`hidden`) left out."""
    if not hidden:
        return p.timeline
    out = []
    for entry in p.timeline:
        details = entry.get("details")
        if isinstance(details, dict) and hidden & {v for v in details.values() if isinstance(v, str)}:
            entry = {**entry, "details": {k: (None if v in hidden else v) for k, v in details.items()}}
        out.append(entry)
    return out


def present(p: Petition, principal: Principal, *, full: bool = True, hidden: set[str] = frozenset()) -> dict:
    """A case as the caller may see it: staff see the internal state, residents the public status;
    ID and mobile numbers and addresses are masked without personal_data:read; `hidden`: the cases
    out of the caller's sight (`PetitionService.out_of_sight`), not named."""
    staff = principal.can("petition:read", p.org_path) or principal.can("petition:handle", p.org_path)
    unmasked = principal.can("personal_data:read", p.org_path)
    if not staff:
        return {"id": p.id, "status": p.public_status, "category": p.category, "channel": p.channel,
                "org_unit_id": p.org_unit_id, "title": p.title, "content": p.content,
                "registered_at": p.registered_at, "deadline": p.deadline,
                "answer": {"text": p.answer["text"], "at": p.answer["at"]} if p.answer else None,
                "satisfaction": p.satisfaction}
    petitioners = [x if unmasked else {**x, "id_number": mask(x.get("id_number")),
                                       "mobile": mask_mobile(x.get("mobile")),
                                       "address": mask_address(x.get("address"))} for x in p.petitioners]
    out = {"id": p.id, "state": p.state, "status": p.public_status, "org_unit_id": p.org_unit_id,
           "org_path": p.org_path, "level": p.level, "category": p.category, "channel": p.channel,
           "title": p.title, "content": p.content, "anonymous": p.anonymous, "is_group": p.is_group,
           "headcount": p.headcount, "petitioners": petitioners, "attachments": p.attachments,
           "registered_at": p.registered_at, "first_receiver": p.first_receiver, "owner": p.owner,
           "deadline": p.deadline, "due_at": p.due_at, "reminded": p.reminded, "overdue": p.overdue,
           "overdue_count": p.overdue_count,
           "risk_flags": p.risk_flags, "assignment": p.current_assignment, "handling_mode": p.handling_mode,
           "answer": p.answer, "answered_on_time": p.answered_on_time, "satisfaction": p.satisfaction,
           "closed_at": p.closed_at, "escalations": p.escalations, "supervision": p.supervision,
           "suspension": p.suspension, "mediations": p.mediations,
           "matter_id": None if p.matter_id in hidden else p.matter_id,
           "linked_ids": [i for i in p.linked_ids if i not in hidden], "reception": p.reception, "reopened_count": p.reopened_count,
           "source": p.source, "updated_at": p.updated_at, "version": p.version}
    if full:
        out["assignments"] = p.assignments
    return out

