"""The person registers (退管 / 老龄, 残联, 优抚) as configuration, and their two aggregates: a register entry
(a resident entered into one register at an org unit, updated, ended) and a service delivered to one. No I/O."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from liandong.domain import DomainEvent
from liandong.errors import InvalidTransition, ValidationFailed

from .programmes import ConfigurationError

DETAIL_TYPES = ("text", "date", "flag", "choice")


@dataclass(frozen=True)
class Detail:
    """One thing a register records about a person (原工作单位, 残疾类别 …)."""

    code: str
    label: str
    type: str
    required: bool = False
    choices: dict = field(default_factory=dict)  # code -> label, for a choice

    def problem(self, value) -> str | None:
        """Why `value` does not fit, or None."""
        if self.type == "flag":
            return None if isinstance(value, bool) else "true or false"
        if self.type == "choice":
            return None if isinstance(value, str) and value in self.choices else "one of " + ", ".join(self.choices)
        if not isinstance(value, str) or not value.strip():
            return "a text"
        if self.type == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                return "a date YYYY-MM-DD"
            return None
        return None if len(value) <= 200 else "200 characters at most"

    def to_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "type": self.type, "required": self.required,
                **({"choices": dict(self.choices)} if self.choices else {})}


@dataclass(frozen=True)
class Register:
    code: str
    name: str
    permission: str  # the one permission that reaches the register (its office's duty)
    details: tuple[Detail, ...]
    services: dict  # service kind -> label

    def problems(self, details: dict, partial: bool = False) -> dict[str, list[str]]:
        """Field messages for `details` (under `details.<code>`); `partial`: an update names only what changes."""
        known = {d.code: d for d in self.details}
        out = {f"details.{k}": [f"not recorded in the {self.code} register"] for k in details if k not in known}
        for d in self.details:
            if d.code in details:
                why = d.problem(details[d.code])
                if why:
                    out[f"details.{d.code}"] = [why]
            elif d.required and not partial:
                out[f"details.{d.code}"] = ["Missing data for required field."]
        return out

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "permission": self.permission,
                "details": [d.to_dict() for d in self.details],
                "services": [{"code": k, "name": v} for k, v in self.services.items()]}


class Registers:
    """The configured registers and the reasons an entry ends."""

    def __init__(self, config: dict):
        try:
            self.registers = {
                code: Register(code, r["name"], r["permission"],
                               tuple(Detail(k, d["label"], d.get("type", "text"), bool(d.get("required")),
                                            {str(c): v for c, v in (d.get("choices") or {}).items()})
                                     for k, d in (r.get("details") or {}).items()),
                               dict(r.get("services") or {}))
                for code, r in (config.get("registers") or {}).items()}
            self.end_reasons = dict(config["end_reasons"])
        except (KeyError, TypeError, AttributeError) as exc:
            raise ConfigurationError(f"bad register configuration: {exc}") from exc
        for r in self.registers.values():
            for d in r.details:
                if d.type not in DETAIL_TYPES or (d.type == "choice") != bool(d.choices):
                    raise ConfigurationError(f"{r.code}.{d.code}: type must be one of {DETAIL_TYPES}, "
                                             "a choice with its choices")
            if not r.services:
                raise ConfigurationError(f"{r.code}: no services configured")

    def get(self, code: str) -> Register | None:
        return self.registers.get(code)

    def permissions(self) -> set[str]:
        return {r.permission for r in self.registers.values()}


# -- the register entry


class EntryRegistered(DomainEvent):
    pass


class EntryUpdated(DomainEvent):
    changed: tuple[str, ...]


class EntryEnded(DomainEvent):
    pass


@dataclass
class RegisterEntry:
    """A resident in one register at one org unit. `person` (name, ID number, phone, address, the household
    head's ID number) and `details` are personal (encrypted at rest). `open_key` is unique while the entry is
    active (the register and the blind index of the ID number): one entry per person per register; an ended
    entry's is its own id, so the person may be entered again later (back from elsewhere)."""

    id: str
    register: str
    org_path: str
    org_unit_id: str
    person: dict
    details: dict
    open_key: str
    person_key: str | None  # the platform's pseudonym (events, the household file's link); never the ID number
    household_key: str | None  # the household head's pseudonym (the person's own when they head it)
    status: str  # active | ended
    registered_on: str
    registered_at: str
    registered_by: str
    ended_on: str | None = None
    end_reason: str | None = None
    end_note: str = ""
    history: list = field(default_factory=list)  # [{at, by, changed: [field names]}]: what changed, not values
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def enter(cls, **kw) -> "RegisterEntry":
        entry = cls(status="active", **kw)
        entry.events.append(EntryRegistered())
        return entry

    def update(self, person: dict, details: dict, at: str, by: str) -> list[str]:
        """Apply the fields given; returns the names of those that changed (none: nothing recorded)."""
        if self.status != "active":
            raise InvalidTransition("the entry has ended: enter the person again to change it")
        changed = [f"person.{k}" for k, v in person.items() if self.person.get(k) != v]
        changed += [f"details.{k}" for k, v in details.items() if self.details.get(k) != v]
        if changed:
            self.person = {**self.person, **person}
            self.details = {**self.details, **details}
            self.history.append({"at": at, "by": by, "changed": changed})
            self.events.append(EntryUpdated(tuple(changed)))
        return changed

    def end(self, reason: str, on: str, note: str, at: str, by: str) -> None:
        if self.status != "active":
            raise InvalidTransition(f"the entry has ended already ({self.end_reason}, {self.ended_on})")
        if on < self.registered_on:
            raise ValidationFailed("an entry ends after it began", {"ended_on": [f"not before {self.registered_on}"]})
        self.status, self.end_reason, self.ended_on, self.end_note = "ended", reason, on, note
        self.open_key = f"ended:{self.id}"
        self.history.append({"at": at, "by": by, "changed": ["status"]})
        self.events.append(EntryEnded())


# -- a service delivered to an entry


class ServiceDelivered(DomainEvent):
    pass


@dataclass
class RegisterService:
    """看望住院, 走访, 康复服务, 安置 …: delivered to the person of an entry, by a worker, on a day. `first_for_person`
    / `first_for_household`: the first service of this kind to the person / their household in that calendar
    year, so a year's sum of them is the distinct people / households served ("为50个家庭的54名残疾人提供康复")."""

    id: str
    entry_id: str
    register: str
    org_path: str
    org_unit_id: str
    kind: str
    delivered_at: str
    worker_id: str
    worker_name: str
    money_fen: int
    goods: str
    notes: str
    first_for_person: bool
    first_for_household: bool
    person_key: str | None
    recorded_at: str
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def deliver(cls, **kw) -> "RegisterService":
        service = cls(**kw)
        service.events.append(ServiceDelivered())
        return service


def public_fields(record) -> dict:
    return {k: v for k, v in dataclasses.asdict(record).items() if k not in ("events", "version", "org_path",
                                                                          "open_key")}
