"""Storage of the person registers (退管 / 老龄, 残联, 优抚): entries and services (outbox repositories, their
events' contracts), who was served first in a year, the audit trail of the registers' reads, the YAML loader."""
from __future__ import annotations

from pathlib import Path

import yaml

from liandong.auth import DUTY_PERMISSIONS, PERMISSIONS
from liandong.listing import Page
from liandong.personal import PersonalFields

from ..domain import registers as r
from ..domain.programmes import ConfigurationError
from liandong.storage.filters import all_of, any_of, between, one_of, within
from .repositories import _DataclassRepository

DEFAULT = Path(__file__).resolve().parent.parent / "registers.yaml"


def load_registers(path: str | Path | None = None) -> r.Registers:
    with open(path or DEFAULT, encoding="utf-8") as fh:
        registers = r.Registers(yaml.safe_load(fh))
    # a misspelt permission would leave a register no one may reach: refused at start
    known = set().union(*PERMISSIONS.values(), *DUTY_PERMISSIONS.values())
    unknown = sorted(registers.permissions() - known)
    if unknown:
        raise ConfigurationError(f"registers name permissions the platform does not have: {', '.join(unknown)}")
    return registers


def _scoped(by_register: dict[str, list[str]]) -> dict:
    """Records of each register within the org paths the caller holds that register's permission over."""
    return any_of(all_of({"register": code}, within(paths)) for code, paths in sorted(by_register.items()) if paths)


class RegisterEntryRepository(_DataclassRepository):
    collection_name = "register_entries"
    aggregate_class = r.RegisterEntry
    # who (name, ID number, phone, address, household head) and what the register says of them (disability
    # category and grade, health flags, former employer): all sensitive (PIPL), all sealed
    personal = PersonalFields.of("person", "details", "end_note")
    indexes = [([("open_key", 1)], {"name": "one_open_entry_per_person", "unique": True}),
               ([("org_path", 1), ("registered_at", 1)], {"name": "org_time"}),
               ([("register", 1), ("status", 1)], {"name": "register_status"})]

    def publish(self, e: r.RegisterEntry, ev):
        base = {"entry_id": e.id, "register": e.register, "org_unit_id": e.org_unit_id,
                "person_key": e.person_key}
        if isinstance(ev, r.EntryRegistered):
            return "welfare.register_entry.registered", {**base, "registered_on": e.registered_on}
        if isinstance(ev, r.EntryUpdated):
            return "welfare.register_entry.updated", {**base, "changed": list(ev.changed)}
        if isinstance(ev, r.EntryEnded):
            return "welfare.register_entry.ended", {**base, "ended_on": e.ended_on, "reason": e.end_reason}
        return None

    def one(self, entry_id: str) -> r.RegisterEntry | None:
        """The entry, or None (a read: no retry check, as `get` makes for a change)."""
        found = self.find({"_id": entry_id}, limit=1)
        return found[0] if found else None

    def open_entry(self, open_key: str) -> r.RegisterEntry | None:
        found = self.find({"open_key": open_key}, limit=1)
        return found[0] if found else None

    def page(self, by_register: dict[str, list[str]], status=(), since=None, until=None, page: int = 1,
             page_size: int = 20) -> Page:
        return self._page(all_of(_scoped(by_register), one_of("status", status),
                                   between("registered_at", since, until)),
                          [("registered_at", -1), ("_id", 1)], page, page_size)


class RegisterServiceRepository(_DataclassRepository):
    collection_name = "register_services"
    aggregate_class = r.RegisterService
    personal = PersonalFields.of("notes")  # what was seen (health, living conditions)
    indexes = [([("org_path", 1), ("delivered_at", 1)], {"name": "org_time"}),
               ([("entry_id", 1), ("delivered_at", 1)], {"name": "entry_time"})]

    def publish(self, s: r.RegisterService, ev):
        return "welfare.register_service.delivered", {
            "service_id": s.id, "entry_id": s.entry_id, "register": s.register, "kind": s.kind,
            "org_unit_id": s.org_unit_id, "person_key": s.person_key, "delivered_at": s.delivered_at,
            "worker_id": s.worker_id, "money_fen": s.money_fen, "first_for_person_in_year": s.first_for_person,
            "first_for_household_in_year": s.first_for_household}

    def page(self, by_register: dict[str, list[str]], entry_id=None, kind=(), since=None, until=None,
             page: int = 1, page_size: int = 20) -> Page:
        return self._page(all_of(_scoped(by_register), one_of("entry_id", [entry_id]), one_of("kind", kind),
                                   between("delivered_at", since, until)),
                          [("delivered_at", -1), ("_id", 1)], page, page_size)

    def in_period(self, org_path: str, since: str | None, until: str | None) -> list[dict]:
        """Services below an org unit delivered between `since` and `until` (the counts read no notes)."""
        return self.collection.find(all_of(within([org_path]), between("delivered_at", since, until)),
                                    projection={"register": 1, "kind": 1, "worker_id": 1, "worker_name": 1,
                                                "money_fen": 1})


