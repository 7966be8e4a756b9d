"""The person registers (退管 / 老龄, 残联, 优抚): entering a resident, updating, ending the entry (the stock goes
down), services delivered to them. Health and disability are sensitive (PIPL): each register is reached only
through its own permission (registers.yaml), every access allowed or refused is written to the register audit
trail under the record's office (as security's corrections), and names, ID numbers, phones and addresses are
masked without personal_data:read."""
from __future__ import annotations

from liandong import idempotency
from liandong.auth import Principal, out_of_scope
from liandong.clock import from_iso
from liandong.errors import Conflict, Forbidden, ValidationFailed
from liandong.idnumbers import mask, mask_address, mask_mobile
from liandong.ids import new_id
from liandong.listing import Page
from liandong.personal import PERSON_KEY, person_key
from liandong.repository import retry_on_conflict

from ..domain.registers import Register, RegisterEntry, RegisterService, Registers, public_fields
from .common import CHINA, UseCases

PERSONAL = "personal_data:read"


def caller_path(p: Principal) -> str:
    """Where a refusal with no record to name is filed: the caller's widest unit."""
    return min((g.org_path for g in p.grants), key=len, default="/")


def masked_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if name else name


class PersonRegisters(UseCases):
    def __init__(self, deps, stores, catalogue, registers: Registers):
        super().__init__(deps, stores, catalogue)
        self.config = registers
        self.entries = stores.register_entries
        self.services = stores.register_services

    # -- the configuration

    def catalogue_of_registers(self, p: Principal, q: dict) -> Page:
        p.require("welfare:read")
        rows = [{**reg.to_dict(), "end_reasons": [{"code": k, "name": v} for k, v in self.config.end_reasons.items()]}
                for reg in self.config.registers.values()]
        if q.get("org_unit"):
            self.org.path_of(q["org_unit"], "org_unit")  # the same in every unit; an unknown one is 422
        return Page.of_all(rows, q["page"], q["page_size"])

    def _register(self, code: str) -> Register:
        reg = self.config.get(code)
        if reg is None:
            raise ValidationFailed("unknown register", {"register": [f"one of {', '.join(self.config.registers)}"]})
        return reg

    # -- who may reach what (audited either way)

    def _audit(self, p: Principal, action: str, register: str | None, org_path: str, record_id: str | None,
               allowed: bool, unmasked: bool = False) -> None:
        self.stores.register_audit.record(p, action, org_path, record_id, allowed, register=register, unmasked=unmasked)

    def _allow(self, p: Principal, action: str, reg: Register, org_path: str, record_id: str | None = None) -> None:
        ok = p.can(reg.permission, org_path)
        self._audit(p, action, reg.code, org_path, record_id, ok)
        if not ok:
            raise Forbidden(f"{reg.permission} is not granted here")  # a refusal names no org path

    def _refuse_without_any(self, p: Principal, action: str, registers: list[Register], record_id=None) -> None:
        """A caller holding none of these registers' permissions anywhere is refused before any lookup (so a
        404 later tells them nothing), the attempt audited."""
        if not any(p.scopes(reg.permission) for reg in registers):
            self._audit(p, action, registers[0].code if len(registers) == 1 else None, caller_path(p), record_id,
                        False)
            raise Forbidden(" or ".join(sorted({reg.permission for reg in registers})) + " is not granted")

    def _entry(self, p: Principal, action: str, entry_id: str) -> tuple[RegisterEntry, Register]:
        """The entry for `action`; out of sight (its register's permission not held over it) or missing: 404 in
        the same words, the attempt audited under the record's office."""
        self._refuse_without_any(p, action, list(self.config.registers.values()), entry_id)
        entry = self.entries.one(entry_id)
        reg = self.config.get(entry.register) if entry else None
        if entry is None or reg is None or not p.can(reg.permission, entry.org_path):
            self._audit(p, action, entry.register if entry else None, entry.org_path if entry else caller_path(p),
                        entry_id, False)
            raise out_of_scope("register entry", entry_id)
        self._audit(p, action, reg.code, entry.org_path, entry.id, True,
                    unmasked=action.endswith("read") and p.can(PERSONAL, entry.org_path))
        return entry, reg

    def _reach(self, p: Principal, action: str, named: list[str], org_unit: str | None) -> dict[str, list[str]]:
        """{register: the org paths a list covers}: the registers named (each must be held) or every one the
        caller holds, below `org_unit` if given."""
        regs = [self._register(c) for c in named] or list(self.config.registers.values())
        self._refuse_without_any(p, action, regs)
        path = self.org.path_of(org_unit, "org_unit") if org_unit else None
        out = {}
        for reg in regs:
            held = [path] if path and p.can(reg.permission, path) else [] if path else p.scopes(reg.permission)
            if named and not held:
                self._allow(p, action, reg, path or caller_path(p))  # refused, audited
            out[reg.code] = held
        if not any(out.values()):
            self._audit(p, action, None, path or caller_path(p), None, False)
            raise Forbidden("no register is granted here")
        return out

    # -- how an entry is shown

    def shown(self, p: Principal, entry: RegisterEntry) -> dict:
        out = public_fields(entry)
        reg = self.config.get(entry.register)
        out["register_name"] = reg.name if reg else entry.register
        if not p.can(PERSONAL, entry.org_path):
            person = dict(entry.person)
            person["name"] = masked_name(person.get("name", ""))
            person["id_number"] = mask(person.get("id_number"))
            person["household_head_id_number"] = mask(person.get("household_head_id_number"))
            person["phone"] = mask_mobile(person.get("phone")) if person.get("phone") else person.get("phone")
            person["address"] = mask_address(person.get("address")) if person.get("address") else person.get("address")
            out["person"] = person
            out["masked"] = True
        else:
            out["masked"] = False
        return out

    # -- entries

    def enter(self, p: Principal, body: dict) -> dict:
        reg = self._register(body["register"])
        path = self.org.path_of(body["org_unit_id"], "org_unit_id")
        self._allow(p, "register.enter", reg, path)
        details = body.get("details") or {}
        problems = reg.problems(details)
        if problems:
            raise ValidationFailed(f"the details do not fit the {reg.name} register", problems)
        earlier = self.entries.stored_by_this_request()  # a retry: the entry its first attempt stored
        if earlier is not None:
            return self.shown(p, earlier)
        person = body["person"]
        key = person_key(self.deps.cipher, person["id_number"])
        head = person.get("household_head_id_number") or person["id_number"]
        open_key = f"{reg.code}:{key}"
        # an entry made before the blind-index key was rotated carries the person's key of then: asked for too
        open_keys = [f"{reg.code}:{k}" for k in self.deps.cipher.blind_indexes(person["id_number"], PERSON_KEY)]
        self._refuse_duplicate(p, reg, open_keys)
        now = self.clock.now_iso()
        entry = RegisterEntry.enter(
            id=idempotency.derived_id("register-entry") or new_id(), register=reg.code, org_path=path,
            org_unit_id=body["org_unit_id"], person=dict(person), details=details, open_key=open_key,
            person_key=key, household_key=person_key(self.deps.cipher, head),
            registered_on=self._not_ahead(body.get("registered_on"), "registered_on"),
            registered_at=now, registered_by=p.user_id)
        try:
            entry = self.entries.add(entry)
        except Conflict:  # entered at the same moment by someone else
            self._refuse_duplicate(p, reg, open_keys)
            raise
        return self.shown(p, entry)

    def _refuse_duplicate(self, p: Principal, reg: Register, open_keys: list[str]) -> None:
        existing = next(filter(None, (self.entries.open_entry(k) for k in open_keys)), None)
        if existing is None:
            return
        if p.can(reg.permission, existing.org_path):
            raise Conflict(f"this person is in the {reg.name} register already (entry {existing.id})",
                           {"person.id_number": [f"already registered: entry {existing.id}"]})
        raise Conflict(f"this person is in the {reg.name} register of another org unit already: ask it to end "
                       "that entry (moved away) first", {"person.id_number": ["already registered elsewhere"]})

    def page(self, p: Principal, q: dict) -> Page:
        """Every entry listed is a read of it, audited."""
        reach = self._reach(p, "register.list", q.get("register") or [], q.get("org_unit"))
        found = self.entries.page(reach, q.get("status") or [], q.get("from_"), q.get("to"), q["page"], q["page_size"])
        for entry in found.items:
            self._audit(p, "register.read", entry.register, entry.org_path, entry.id, True,
                        unmasked=p.can(PERSONAL, entry.org_path))
        found.items = [self.shown(p, e) for e in found.items]
        return found

    def get(self, p: Principal, entry_id: str) -> dict:
        return self.shown(p, self._entry(p, "register.read", entry_id)[0])

    def _change(self, p: Principal, action: str, entry_id: str, mutate) -> dict:
        def attempt():
            entry, reg = self._entry(p, action, entry_id)
            entry = self.entries.get(entry.id)  # loaded for the change: a retry of this request stops here
            mutate(entry, reg)
            return self.entries.save(entry)

        return self.shown(p, retry_on_conflict(attempt))

    def update(self, p: Principal, entry_id: str, body: dict) -> dict:
        def mutate(entry: RegisterEntry, reg: Register) -> None:
            details = body.get("details") or {}
            problems = reg.problems(details, partial=True)
            if "id_number" in (body.get("person") or {}):
                problems["person.id_number"] = ["an entry's ID number does not change: end it, enter the person"]
            if problems:
                raise ValidationFailed(f"the details do not fit the {reg.name} register", problems)
            person = dict(body.get("person") or {})
            if "household_head_id_number" in person:
                entry.household_key = person_key(self.deps.cipher,
                                                 person["household_head_id_number"] or entry.person["id_number"])
            entry.update(person, details, self.clock.now_iso(), p.user_id)

        return self._change(p, "register.update", entry_id, mutate)

    def end(self, p: Principal, entry_id: str, body: dict) -> dict:
        if body["reason"] not in self.config.end_reasons:
            raise ValidationFailed("unknown reason", {"reason": ["one of " + ", ".join(self.config.end_reasons)]})
        on = self._not_ahead(body.get("ended_on"), "ended_on")
        return self._change(p, "register.end", entry_id, lambda entry, _: entry.end(
            body["reason"], on, body.get("note", ""), self.clock.now_iso(), p.user_id))

    def _not_ahead(self, day: str | None, field: str) -> str:
        """A day of the offices' calendar (default today), never after today."""
        today = self.today().isoformat()
        if day and day > today:
            raise ValidationFailed(f"{field} is after today", {field: ["not after today"]})
        return day or today

    # -- services delivered

    def deliver(self, p: Principal, entry_id: str, body: dict) -> dict:
        entry, reg = self._entry(p, "register.serve", entry_id)
        if body["kind"] not in reg.services:
            raise ValidationFailed(f"not a service of the {reg.name} register",
                                   {"kind": ["one of " + ", ".join(reg.services)]})
        if entry.status != "active":
            raise Conflict(f"the entry has ended ({entry.end_reason}, {entry.ended_on}): no more services")
        earlier = self.services.stored_by_this_request()
        if earlier is not None:
            return public_fields(earlier)
        service_id = idempotency.derived_id("register-service") or new_id()
        now = self.clock.now_iso()
        at = body.get("delivered_at") or now
        if at > now:
            raise ValidationFailed("a service is logged once delivered", {"delivered_at": ["not in the future"]})
        year = from_iso(at).astimezone(CHINA).year  # the offices' calendar year
        firsts = self.stores.firsts_in_year
        service = RegisterService.deliver(
            id=service_id, entry_id=entry.id, register=entry.register, org_path=entry.org_path,
            org_unit_id=entry.org_unit_id, kind=body["kind"], delivered_at=at,
            worker_id=body.get("worker_id") or p.user_id, worker_name=body.get("worker_name") or p.name or "",
            money_fen=body.get("money_fen", 0), goods=body.get("goods", ""), notes=body.get("notes", ""),
            first_for_person=firsts.first(f"{body['kind']}:{year}:person:{entry.person_key}", service_id),
            first_for_household=firsts.first(f"{body['kind']}:{year}:household:{entry.household_key}", service_id),
            person_key=entry.person_key, recorded_at=now)
        return public_fields(self.services.add(service))

    def services_page(self, p: Principal, q: dict) -> Page:
        """Services to the people of the registers the caller holds; every one listed an audited read."""
        reach = self._reach(p, "register.services", q.get("register") or [], q.get("org_unit"))
        found = self.services.page(reach, q.get("entry_id"), q.get("kind") or [], q.get("from_"), q.get("to"),
                                   q["page"], q["page_size"])
        for service in found.items:  # a service's notes tell of the person's health: each listed is a read of it
            self._audit(p, "register.services.read", service.register, service.org_path, service.id, True)
        found.items = [public_fields(s) for s in found.items]
        return found

    def counts(self, p: Principal, q: dict) -> dict:
        """Services per worker below an org unit from..to ("走访2266次"): figures, no one named but the workers."""
        org_unit_id, org_path = self.figures_root(p, "welfare:read", q.get("org_unit"))
        per_worker: dict[str, dict] = {}
        by_kind: dict[str, int] = {}
        rows = self.services.in_period(org_path, q.get("from_"), q.get("to"))
        for s in rows:
            row = per_worker.setdefault(s["worker_id"], {"worker_name": s.get("worker_name", ""), "services": 0,
                                                         "by_kind": {}})
            row["services"] += 1
            row["by_kind"][s["kind"]] = row["by_kind"].get(s["kind"], 0) + 1
            by_kind[s["kind"]] = by_kind.get(s["kind"], 0) + 1
        return {"org_unit_id": org_unit_id, "from": q.get("from_"), "to": q.get("to"), "services": len(rows),
                "money_fen": sum(s.get("money_fen") or 0 for s in rows), "by_kind": by_kind, "per_worker": per_worker}

    def audit_page(self, p: Principal, q: dict) -> Page:
        """Who read or tried to read the registers' records, filed under the auditor's units."""
        return self.stores.register_audit.page(self.scope(p, "audit:read", q.get("org_unit")), q,
                                              filters=("action", "register", "user_id"))
