"""The one-stop service hall (一站式服务大厅): its catalogue, a resident's matter from the window to 办结 or
退件, the window services tallied per worker, and the hall's figures per worker. Every access check here,
on `petition:hall` at the record's org unit (out of scope is 404 in a missing matter's words)."""
from __future__ import annotations

from liandong.auth import Principal, out_of_scope
from liandong.errors import Forbidden, NotFound
from liandong.ids import new_id
from liandong.idnumbers import mask, mask_mobile
from liandong.listing import Page
from liandong.repository import retry_on_conflict

from ..adapters.hall import HallMatterRepository, WindowServiceRepository, readable_by
from ..domain import hall
from .cases import Cases, actor_of

PERMISSION = "petition:hall"  # to take matters and tally window services (community workers, 街道干部)
# to read them: the hall's own staff, and whoever may read the residents' requests (petition:read) — a
# district supervisor among them; residents' numbers stay masked without personal_data:read
READ = (PERMISSION, "petition:read")
AUDITED_AS = "hall_matter_ids"  # the field of the personal-data access log naming what was seen


class Hall:
    def __init__(self, cases: Cases, catalogue: hall.Catalogue):
        self.cases = cases
        self.catalogue = catalogue
        self.matters = HallMatterRepository(cases.deps)
        self.window = WindowServiceRepository(cases.deps)

    def prepare(self) -> None:
        self.matters.prepare()
        self.window.prepare()

    # -- the catalogue (服务事项)
    @staticmethod
    def _require_read(principal: Principal, org_path: str | None = None) -> None:
        if not any(principal.can(p, org_path) if org_path else principal.has(p) for p in READ):
            raise Forbidden(f"{PERMISSION} is not granted")

    @staticmethod
    def _visible(principal: Principal) -> dict:
        """A storage filter of what the caller may read (either permission's scopes)."""
        if not any(principal.has(p) for p in READ):
            raise Forbidden(f"{PERMISSION} is not granted")
        return readable_by(principal, READ)

    def items(self, args: dict, principal: Principal) -> Page:
        self._require_read(principal)
        offices = args.get("office")
        found = [i for i in self.catalogue.items.values() if not offices or i["office"] in offices]
        return Page.of_all(found, args["page"], args["page_size"])

    # -- matters (办件)
    def receive(self, data: dict, principal: Principal) -> hall.HallMatter:
        """At a window: the materials checked against the item's list (missing ones told once), accepted (受理)
        with its due date when complete. A retry with its Idempotency-Key answers the matter first stored."""
        unit = self.cases.unit(data["org_unit_id"])
        principal.require(PERMISSION, unit["path"])
        calendar = self.cases.config.calendar()
        matter = hall.HallMatter.receive(
            matter_id=new_id(), org_unit_id=data["org_unit_id"], org_path=unit["path"],
            item=self.catalogue.item(data["item"]), resident=data["resident"], materials=data["materials"],
            on_behalf=data["on_behalf"], note=data.get("note", ""), actor=actor_of(principal),
            now=self.cases.clock.now(), calendar=calendar)
        return self.matters.add(matter)

    def load(self, matter_id: str, principal: Principal, act: bool = False) -> hall.HallMatter:
        """The matter, if the caller may read it (and act on it, `act`): out of sight it is 404 like a missing one."""
        try:
            matter = self.matters.get(matter_id)
        except NotFound:
            raise out_of_scope("hall matter", matter_id) from None
        if act:
            principal.authorize(PERMISSION, matter.org_path, read=READ, what="hall matter", record_id=matter_id)
        elif not any(principal.can(p, matter.org_path) for p in READ):
            raise out_of_scope("hall matter", matter_id)
        return matter

    def get(self, matter_id: str, principal: Principal) -> hall.HallMatter:
        matter = self.load(matter_id, principal)
        self.record_personal_access(principal, [matter])
        return matter

    def act(self, matter_id: str, action: str, data: dict, principal: Principal) -> hall.HallMatter:
        """One step of a matter; the deadline scan may save it meanwhile (retried on a fresh copy), and a
        request retried with its key answers the matter as it stands, not applied twice."""
        actor = actor_of(principal)

        def attempt() -> hall.HallMatter:
            m = self.load(matter_id, principal, act=True)  # a retry of a request that changed it stops here (AlreadyApplied)
            now = self.cases.clock.now()
            if action == "materials":
                m.add_materials(materials=data["materials"], actor=actor, now=now,
                                calendar=self.cases.config.calendar())
            elif action == "progress":
                m.progress(note=data.get("note", ""), actor=actor, now=now)
            elif action == "refer":
                m.refer(note=data.get("note", ""), actor=actor, now=now)
            elif action == "complete":
                m.complete(note=data.get("note", ""), actor=actor, now=now)
            elif action == "return":
                m.give_back(reason=data["reason"], actor=actor, now=now)
            return self.matters.save(m)

        return retry_on_conflict(attempt)

    def search(self, args: dict, principal: Principal) -> Page:
        within = None
        if args.get("org_unit"):
            within = self.cases.unit(args["org_unit"], "org_unit")["path"]
            self._require_read(principal, within)
        found = self.matters.page(args, self._visible(principal), within, args["page"], args["page_size"])
        self.record_personal_access(principal, found.items)
        return found

    def record_personal_access(self, principal: Principal, matters: list[hall.HallMatter]) -> None:
        """Who saw residents' ID and phone numbers unmasked (查阅记录), as for petitions."""
        shown = [m.id for m in matters if principal.can("personal_data:read", m.org_path)]
        if shown:
            self.cases.access_log.record(principal.user_id, principal.name, shown, field=AUDITED_AS)

    # -- window services (窗口服务)
    def log_window_service(self, data: dict, principal: Principal) -> hall.WindowService:
        unit = self.cases.unit(data["org_unit_id"])
        principal.require(PERMISSION, unit["path"])
        entry = hall.WindowService.log(
            service_id=new_id(), org_unit_id=data["org_unit_id"], org_path=unit["path"],
            office=self.catalogue.office(data["office"]), kind=data["kind"], note=data.get("note", ""),
            actor=actor_of(principal), now=self.cases.clock.now())
        return self.window.add(entry)

    def window_services(self, args: dict, principal: Principal) -> Page:
        within = None
        if args.get("org_unit"):
            within = self.cases.unit(args["org_unit"], "org_unit")["path"]
            self._require_read(principal, within)
        return self.window.page(args, self._visible(principal), within, args["page"], args["page_size"])

    # -- the figures per worker (窗口服务 and 受理 per 退管员, 保障员…)
    def per_worker(self, args: dict, principal: Principal) -> dict:
        unit = self.cases.unit(args["org_unit"], "org_unit")
        self._require_read(principal, unit["path"])
        start, end = args.get("from_"), args.get("to")
        workers: dict[str, dict] = {}

        def worker(who: dict) -> dict:
            return workers.setdefault(who["user_id"], {"user_id": who["user_id"], "name": who.get("name") or "",
                                                       "window_services": 0, "matters_accepted": 0, "by_kind": {}})

        for doc in self.window.served_within(unit["path"], start, end):
            w = worker(doc["worker"])
            w["window_services"] += 1
            w["by_kind"][doc["kind"]] = w["by_kind"].get(doc["kind"], 0) + 1
        for doc in self.matters.accepted_within(unit["path"], start, end):
            # the worker who accepted it: who took the last step into `accepted` (補齐材料 may be another day)
            step = next((e for e in reversed(doc.get("timeline") or []) if e.get("action") == "accept"), None)
            worker((step or {}).get("by") or doc["received_by"])["matters_accepted"] += 1
        rows = sorted(workers.values(), key=lambda w: (-w["window_services"] - w["matters_accepted"], w["user_id"]))
        return {"org_unit": {"id": unit["_id"], "name": unit["name"], "level": unit["level"]},
                "from": start, "to": end, "window_services": sum(w["window_services"] for w in rows),
                "matters_accepted": sum(w["matters_accepted"] for w in rows), "workers": rows}


def present_matter(m: hall.HallMatter, principal: Principal, catalogue: hall.Catalogue) -> dict:
    """A matter as its caller may see it: the resident's ID and phone numbers masked without personal_data:read."""
    resident = dict(m.resident or {})
    if not principal.can("personal_data:read", m.org_path):
        resident.update(id_number=mask(resident.get("id_number")), mobile=mask_mobile(resident.get("mobile")))
    item = catalogue.items.get(m.item) or {}
    return {"id": m.id, "org_unit_id": m.org_unit_id, "org_path": m.org_path, "item": m.item,
            "item_name": item.get("name", m.item), "office": m.office,
            "office_name": catalogue.offices.get(m.office, m.office), "resident": resident, "on_behalf": m.on_behalf,
            "state": m.state, "status": m.status, "materials_required": m.materials_required,
            "materials_received": m.materials_received, "materials_missing": m.materials_missing,
            "received_at": m.received_at, "received_by": m.received_by, "accepted_at": m.accepted_at,
            "time_limit_days": m.time_limit_days, "due_date": m.due_date, "due_at": m.due_at, "overdue": m.overdue,
            "referred_to": m.referred_to, "completed_at": m.completed_at, "on_time": m.on_time,
            "returned_at": m.returned_at, "return_reason": m.return_reason, "note": m.note,
            "timeline": m.timeline, "updated_at": m.updated_at, "version": m.version}


def present_window_service(w: hall.WindowService) -> dict:
    return {"id": w.id, "org_unit_id": w.org_unit_id, "office": w.office, "kind": w.kind, "worker": w.worker,
            "served_at": w.served_at, "note": w.note}
