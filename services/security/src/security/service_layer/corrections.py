"""Corrections and released-person support (矫正对象 / 安置帮教): only the roles that work them; every
access, allowed or refused, is written to the audit trail under the record's office."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import DomainError, Forbidden
from liandong.idnumbers import mask
from liandong.ids import new_id
from liandong.listing import Page
from liandong.personal import person_key

from ..domain.corrections import SupervisedPerson
from .base import UseCases, in_sight, record_of
from .jobs import flag_overdue_visits
from .key_groups import KeyGroups
from .migrants import PERSONAL

PERMISSION = "security:corrections"


def caller_path(principal: Principal) -> str:
    """Where a refusal with no record to name is filed: the caller's widest unit."""
    return min((g.org_path for g in principal.grants), key=len, default="/")


class Corrections(UseCases):
    def __init__(self, deps, repos, key_groups: KeyGroups | None = None):
        super().__init__(deps, repos)
        self.key_groups = key_groups  # a person under supervision is 矫正对象 in the household register

    def _audit(self, principal: Principal, action: str, org_path: str, record_id: str | None, allowed: bool) -> None:
        self.repos.audit.record(principal, action, org_path, record_id, allowed)

    def _allow(self, principal: Principal, action: str, org_path: str, record_id: str | None) -> None:
        """Check the permission at `org_path` and write the audit entry, allowed or refused."""
        ok = principal.can(PERMISSION, org_path)
        self._audit(principal, action, org_path, record_id, ok)
        if not ok:
            raise Forbidden(f"{PERMISSION} is not granted here")  # never where: a refusal names no org path

    def _person(self, principal: Principal, action: str, person_id: str) -> SupervisedPerson:
        """The person's record for `action`, audited allowed or refused (the entry goes to the record's
        office, which sees who tried); out of the caller's sight, or missing, it is 404 in the same words.
        Callers without the role anywhere are refused before the lookup, so a 404 tells them nothing."""
        if not principal.scopes(PERMISSION):
            self._allow(principal, action, caller_path(principal), person_id)
        person = self.repos.corrections.get_or_none(person_id)
        try:
            in_sight(principal, person, PERMISSION, "corrections record", person_id)
        except DomainError:
            self._audit(principal, action, person.org_path if person else caller_path(principal), person_id, False)
            raise
        self._audit(principal, action, person.org_path, person.id, True)
        return person

    def _paths(self, principal: Principal, action: str, org_unit: str | None) -> list[str]:
        if org_unit:
            path = self.path_of(org_unit, "org_unit")
            self._allow(principal, action, path, None)
            return [path]
        if not principal.scopes(PERMISSION):
            self._allow(principal, action, caller_path(principal), None)
        return principal.scopes(PERMISSION)

    def shown(self, principal: Principal, person: SupervisedPerson) -> dict:
        now = self.clock.now()
        out = record_of(person, overdue=person.is_overdue(now), days_overdue=person.days_overdue(now))
        if not principal.can(PERSONAL, person.org_path):
            out["id_number"] = mask(person.id_number)
        return out

    def enrol(self, principal: Principal, data: dict) -> dict:
        path = self.path_of(data["org_unit_id"])
        self._allow(principal, "corrections.enrol", path, None)
        person = self.repos.corrections.add(SupervisedPerson.enrol(id=new_id(), org_path=path, now=self.now(), **data))
        if self.key_groups is not None:
            self.key_groups.learn(person_key(self.deps.cipher, person.id_number), f"corrections:{person.id}",
                                  "correction", f"corrections.enrolled:{person.id}")
        return self.shown(principal, person)

    def may_import(self, principal: Principal) -> None:
        """Sending a corrections ledger: refused without the role anywhere, and the attempt audited like any
        refused access (an allowed import is audited row by row: each enrolment, each record found)."""
        if not principal.scopes(PERMISSION):
            self._allow(principal, "corrections.import", caller_path(principal), None)

    def enrolled_in(self, principal: Principal, org_unit_id: str, id_number: str) -> SupervisedPerson | None:
        """The record of this ID number at or below `org_unit_id` (an import's natural key); finding it is a
        read of it, audited."""
        path = self.path_of(org_unit_id)
        if not principal.can(PERMISSION, path):
            self._allow(principal, "corrections.read", path, None)
        person = self.repos.corrections.enrolled(path, id_number)
        if person is not None:
            self._audit(principal, "corrections.read", person.org_path, person.id, True)
        return person

    def page(self, principal: Principal, query: dict) -> Page:
        """Every record listed is a read of it, audited."""
        page = self.repos.corrections.page(query, self._paths(principal, "corrections.list", query.get("org_unit")),
                                           self.now())
        for person in page.items:
            self._audit(principal, "corrections.read", person.org_path, person.id, True)
        page.items = [self.shown(principal, p) for p in page.items]
        return page

    def get(self, principal: Principal, person_id: str) -> dict:
        return self.shown(principal, self._person(principal, "corrections.read", person_id))

    def log_visit(self, principal: Principal, person_id: str, visited_at: str | None, note: str) -> dict:
        def visit(person: SupervisedPerson) -> None:
            person.log_visit(self.at_or_now(visited_at, "visited_at"), principal.user_id, principal.name, note)

        return self.shown(principal, self.change(
            self.repos.corrections, lambda: self._person(principal, "corrections.visit", person_id), visit))

    def scan_overdue(self, principal: Principal, org_unit: str | None = None) -> list[str]:
        return flag_overdue_visits(self.repos, self.clock, self._paths(principal, "corrections.scan", org_unit))
