"""The one-stop service hall (一站式服务大厅): its catalogue of matters (服务事项), a resident's matter (办件)
from the window to 办结 or 退件 within the item's time limit (承诺时限, in working days), and the window's
quick services (窗口服务) that are not matters. No I/O.

A matter whose materials are incomplete is not refused: the resident is told once what is missing
(一次性告知) and the matter waits as `pending_materials` (补齐材料) — no time limit runs and no figure counts
it — until the rest is brought; then it is accepted (受理), its due date counted from that day."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from liandong.clock import to_iso
from liandong.domain import DomainEvent
from liandong.errors import InvalidTransition, ValidationFailed

from . import rules
from .model import Actor

PENDING_MATERIALS, ACCEPTED, IN_PROGRESS, REFERRED = "pending_materials", "accepted", "in_progress", "referred"
COMPLETED, RETURNED = "completed", "returned"
STATES = (PENDING_MATERIALS, ACCEPTED, IN_PROGRESS, REFERRED, COMPLETED, RETURNED)
ACTIVE = (ACCEPTED, IN_PROGRESS, REFERRED)  # the time limit runs: the overdue scan looks at these
OPEN = (PENDING_MATERIALS, *ACTIVE)
STATUS_ZH = {PENDING_MATERIALS: "补齐材料", ACCEPTED: "受理", IN_PROGRESS: "办理中", REFERRED: "转办",
             COMPLETED: "办结", RETURNED: "退件"}
# action -> the states it may start from
TRANSITIONS = {"materials": (PENDING_MATERIALS,), "progress": (ACCEPTED, REFERRED), "refer": (ACCEPTED, IN_PROGRESS),
               "complete": ACTIVE, "return": OPEN}

# what a window contact that is not a matter may be (窗口服务)
WINDOW_KINDS = {"consultation": "咨询", "policy_explanation": "政策解答", "form_filling": "代填表格",
                "certificate": "开具证明", "referral": "引导分流", "other": "其他"}


class Catalogue:
    """The hall's items and the offices behind them, as configured (hall.yaml or a deployment's own file)."""

    def __init__(self, config: dict):
        self.offices: dict[str, str] = {str(k): str(v) for k, v in (config.get("offices") or {}).items()}
        self.items: dict[str, dict] = {}
        problems = []
        for code, item in (config.get("items") or {}).items():
            office, days = item.get("office"), item.get("time_limit_days")
            if office not in self.offices:
                problems.append(f"{code}: office {office!r} is not one of the offices")
            if not isinstance(days, int) or days < 1:
                problems.append(f"{code}: time_limit_days must be a whole number of working days ≥ 1")
            if not item.get("name"):
                problems.append(f"{code}: a name is required")
            self.items[str(code)] = {"code": str(code), "name": str(item.get("name", "")), "office": office,
                                     "office_name": self.offices.get(office, office),
                                     "materials": [str(m) for m in item.get("materials") or []],
                                     "time_limit_days": days, "on_behalf": bool(item.get("on_behalf"))}
        if problems:
            raise ValueError("the hall's catalogue is not valid: " + "; ".join(problems))

    def item(self, code: str) -> dict:
        if code not in self.items:
            raise ValidationFailed("no such item in the hall's catalogue", {"item": ["not an item of the catalogue"]})
        return self.items[code]

    def office(self, code: str) -> str:
        if code not in self.offices:
            raise ValidationFailed("no such office", {"office": [f"one of {', '.join(self.offices)}"]})
        return code


# the domain events (mapped to contracts by the repositories)
class MatterAccepted(DomainEvent):
    at: str


class MatterCompleted(DomainEvent):
    at: str


class MatterReturned(DomainEvent):
    had_been_accepted: bool
    at: str


class MatterOverdue(DomainEvent):
    at: str


class WindowServiceLogged(DomainEvent):
    pass


def _missing(required: list[str], received: list[str]) -> list[str]:
    have = set(received)
    return [m for m in required if m not in have]


@dataclass
class HallMatter:
    """One resident's matter (办件) at the hall, taken at a window by a worker."""

    id: str
    org_unit_id: str
    org_path: str
    item: str
    office: str
    resident: dict  # name, id_number, mobile (encrypted at rest)
    on_behalf: bool  # 全程代办: the hall carries it through to the office for the resident
    received_at: str
    received_by: dict
    materials_required: list[str] = field(default_factory=list)
    materials_received: list[str] = field(default_factory=list)
    materials_missing: list[str] = field(default_factory=list)  # 一次性告知: told once, all of it
    state: str = PENDING_MATERIALS
    accepted_at: str | None = None
    time_limit_days: int = 0
    due_date: str | None = None  # local date YYYY-MM-DD
    due_at: str | None = None  # the end of that day, UTC
    overdue: bool = False
    referred_to: str | None = None
    completed_at: str | None = None
    on_time: bool | None = None
    returned_at: str | None = None
    return_reason: str | None = None
    note: str = ""
    timeline: list[dict] = field(default_factory=list)
    updated_at: str = ""
    version: int = 0
    events: list = field(default_factory=list, repr=False)

    @classmethod
    def receive(cls, *, matter_id: str, org_unit_id: str, org_path: str, item: dict, resident: dict,
                materials: list[str], on_behalf: bool, note: str, actor: Actor, now: datetime,
                calendar: rules.Calendar) -> "HallMatter":
        """At the window: the materials are checked against the item's list; complete, the matter is accepted
        (受理) and its due date set; incomplete, the resident is told what is missing (一次性告知)."""
        if on_behalf and not item["on_behalf"]:
            raise ValidationFailed("this item is not carried through on the resident's behalf",
                                   {"on_behalf": [f"{item['name']} offers no 全程代办"]})
        when = to_iso(now)
        received = list(dict.fromkeys(m.strip() for m in materials if m.strip()))
        matter = cls(id=matter_id, org_unit_id=org_unit_id, org_path=org_path, item=item["code"], office=item["office"],
                     resident=dict(resident), on_behalf=on_behalf, received_at=when, received_by=asdict(actor),
                     materials_required=list(item["materials"]), materials_received=received,
                     time_limit_days=item["time_limit_days"], note=note.strip(), updated_at=when)
        matter.materials_missing = _missing(matter.materials_required, received)
        matter._log(now, actor, "receive", None, PENDING_MATERIALS, {"materials_missing": matter.materials_missing})
        if not matter.materials_missing:
            matter._accept(now, actor, calendar)
        return matter

    @property
    def status(self) -> str:
        return STATUS_ZH[self.state]

    def add_materials(self, *, materials: list[str], actor: Actor, now: datetime, calendar: rules.Calendar) -> None:
        """The resident brings what was missing (补齐材料); with nothing missing any more the matter is accepted."""
        self._guard("materials")
        added = [m.strip() for m in materials if m.strip() and m.strip() not in self.materials_received]
        self.materials_received = [*self.materials_received, *added]
        self.materials_missing = _missing(self.materials_required, self.materials_received)
        self._log(now, actor, "materials", self.state, self.state,
                  {"added": added, "materials_missing": self.materials_missing})
        if not self.materials_missing:
            self._accept(now, actor, calendar)

    def progress(self, *, note: str, actor: Actor, now: datetime) -> None:
        """办理中: the hall (or the office it referred the matter to) is working on it."""
        self._guard("progress")
        self._move(IN_PROGRESS, "progress", actor, now, {"note": note.strip()})

    def refer(self, *, note: str, actor: Actor, now: datetime) -> None:
        """转办: handed to the item's office (代办: the hall carries the papers there for the resident)."""
        self._guard("refer")
        self.referred_to = self.office
        self._move(REFERRED, "refer", actor, now, {"office": self.office, "note": note.strip()})

    def complete(self, *, note: str, actor: Actor, now: datetime) -> None:
        """办结: on time if done by the end of the due date."""
        self._guard("complete")
        self.completed_at = to_iso(now)
        self.on_time = self.completed_at <= self.due_at
        self.overdue = False
        self._move(COMPLETED, "complete", actor, now, {"on_time": self.on_time, "note": note.strip()})
        self.events.append(MatterCompleted(self.completed_at))

    def give_back(self, *, reason: str, actor: Actor, now: datetime) -> None:
        """退件: the hall cannot take the matter further, and says why."""
        self._guard("return")
        if not (reason or "").strip():
            raise ValidationFailed("a reason is required", {"reason": ["required"]})
        had_been_accepted = self.accepted_at is not None
        self.returned_at, self.return_reason, self.overdue = to_iso(now), reason.strip(), False
        self._move(RETURNED, "return", actor, now, {"reason": self.return_reason})
        self.events.append(MatterReturned(had_been_accepted, self.returned_at))

    def mark_overdue(self, *, now: datetime) -> bool:
        """The due date passed with the matter unfinished: flagged once (the scan and a retry change nothing)."""
        if self.state not in ACTIVE or self.overdue or not self.due_at or to_iso(now) <= self.due_at:
            return False
        self.overdue = True
        self._log(now, Actor("system", "承诺时限"), "overdue", self.state, self.state, {"due_date": self.due_date})
        self.events.append(MatterOverdue(to_iso(now)))
        return True

    # -- helpers
    def _accept(self, now: datetime, actor: Actor, calendar: rules.Calendar) -> None:
        due = calendar.add_working_days(rules.local_date(now), self.time_limit_days)
        self.accepted_at = to_iso(now)
        self.due_date, self.due_at = due.isoformat(), to_iso(rules.end_of_day(due))
        self._move(ACCEPTED, "accept", actor, now, {"due_date": self.due_date, "on_behalf": self.on_behalf})
        self.events.append(MatterAccepted(self.accepted_at))

    def _guard(self, action: str) -> None:
        allowed = TRANSITIONS[action]
        if self.state not in allowed:
            raise InvalidTransition(f"cannot {action} a matter that is {self.state}; allowed from: {', '.join(allowed)}",
                                    {"state": [f"is {self.state}"]})

    def _move(self, target: str, action: str, actor: Actor, now: datetime, details: dict[str, Any]) -> None:
        before, self.state = self.state, target
        self._log(now, actor, action, before, target, details)

    def _log(self, now: datetime, actor: Actor, action: str, from_state: str | None, to_state: str | None,
             details: dict[str, Any]) -> None:
        self.updated_at = to_iso(now)
        self.timeline.append({"at": self.updated_at, "action": action, "by": asdict(actor), "from_state": from_state,
                              "to_state": to_state, "details": details})


@dataclass
class WindowService:
    """A window contact that is not a matter (咨询, 政策解答, 代填表格, 开具证明…): one line of a worker's tally."""

    id: str
    org_unit_id: str
    org_path: str
    office: str
    kind: str
    worker: dict  # the worker at the window (user id and name)
    served_at: str
    note: str = ""
    version: int = 0
    events: list = field(default_factory=list, repr=False)

    @classmethod
    def log(cls, *, service_id: str, org_unit_id: str, org_path: str, office: str, kind: str, note: str,
            actor: Actor, now: datetime) -> "WindowService":
        if kind not in WINDOW_KINDS:
            raise ValidationFailed("unknown kind of window service", {"kind": [f"one of {', '.join(WINDOW_KINDS)}"]})
        entry = cls(id=service_id, org_unit_id=org_unit_id, org_path=org_path, office=office, kind=kind,
                    worker=asdict(actor), served_at=to_iso(now), note=note.strip())
        entry.events.append(WindowServiceLogged())
        return entry
