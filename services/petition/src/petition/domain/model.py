"""The petition case (信访件) and its state machine: registered to closed, with guarded transitions."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from liandong.clock import from_iso, to_iso
from liandong.errors import InvalidTransition, ValidationFailed

from . import rules

REGISTERED, ASSIGNED, IN_HANDLING, ANSWERED, CLOSED = "registered", "assigned", "in_handling", "answered", "closed"
ESCALATED, SUSPENDED = "escalated", "suspended"
STATES = (REGISTERED, ASSIGNED, IN_HANDLING, ANSWERED, CLOSED, ESCALATED, SUSPENDED)
# States whose deadline clock runs: the overdue scan looks only at these.
ACTIVE = (REGISTERED, ASSIGNED, IN_HANDLING, ESCALATED)

PUBLIC_STATUS = {REGISTERED: "受理", ASSIGNED: "办理中", IN_HANDLING: "办理中", ESCALATED: "办理中",
                 SUSPENDED: "办理中", ANSWERED: "办结", CLOSED: "办结"}

# action -> states it may start from; the target state is decided by the action itself.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "assign": (REGISTERED, ASSIGNED, IN_HANDLING, ESCALATED),
    "start": (ASSIGNED,),
    "answer": (IN_HANDLING,),
    "close": (ANSWERED,),
    "reopen": (ANSWERED, CLOSED),
    "escalate": (REGISTERED, ASSIGNED, IN_HANDLING, ANSWERED, ESCALATED),
    "suspend": (ASSIGNED, IN_HANDLING),
    "resume": (SUSPENDED,),
    "supervise": (REGISTERED, ASSIGNED, IN_HANDLING, ESCALATED, SUSPENDED),
    "record_mediation": (ASSIGNED, IN_HANDLING, ANSWERED, CLOSED, SUSPENDED, ESCALATED),
}

HANDLING_MODES = {"mediation": "调解", "on_site_check": "现场核查", "joint_handling": "联合办理"}
SATISFACTION = {"satisfied": "满意", "basically": "基本满意", "not": "不满意"}
UNIT_KINDS = ("community", "subdistrict", "department")


@dataclass(frozen=True)
class Actor:
    user_id: str
    name: str


# the domain events a case records (mapped to contracts by the repository)
from .events import (PetitionAnswered, PetitionAssigned, PetitionClosed, PetitionEscalated,  # noqa: E402,F401
                     PetitionOverdue, PetitionRegistered, RiskFlagged)


@dataclass
class Petition:
    """One case (信访件): a complaint, request or petition from one or many residents (群体性上访)."""

    id: str
    org_unit_id: str
    org_path: str
    level: str
    category: str
    channel: str
    content: str
    registered_at: str
    first_receiver: dict  # 首问负责人: the worker who registered it
    petitioners: list[dict] = field(default_factory=list)
    headcount: int = 1
    is_group: bool = False
    anonymous: bool = False
    says_higher_level: bool = False
    attachments: list[dict] = field(default_factory=list)
    title: str = ""
    state: str = REGISTERED
    owner: dict | None = None
    risk_flags: list[str] = field(default_factory=list)
    deadline: str = ""  # local date YYYY-MM-DD
    due_at: str = ""
    remind_at: str = ""
    reminded: bool = False
    overdue: bool = False
    overdue_count: int = 0
    assignments: list[dict] = field(default_factory=list)
    handling_mode: str | None = None
    answer: dict | None = None
    answered_at: str | None = None
    answered_on_time: bool | None = None
    satisfaction: str | None = None
    closed_at: str | None = None
    escalations: list[dict] = field(default_factory=list)
    supervision: dict | None = None
    suspension: dict | None = None
    mediations: list[dict] = field(default_factory=list)
    matter_id: str | None = None
    linked_ids: list[str] = field(default_factory=list)
    reception: dict | None = None  # leader on duty (接访日) for visits
    resident_user_id: str | None = None
    source: str = "api"
    open311: dict | None = None
    reopened_count: int = 0
    timeline: list[dict] = field(default_factory=list)
    handled_events: list[str] = field(default_factory=list)
    updated_at: str = ""
    version: int = 0
    events: list = field(default_factory=list, repr=False)

    # -- creation
    @classmethod
    def register(cls, *, petition_id: str, org_unit_id: str, org_path: str, org_level: str, category: str,
                 channel: str, content: str, petitioners: list[dict], headcount: int | None, anonymous: bool,
                 actor: Actor, now: datetime, calendar: rules.Calendar, categories: dict,
                 is_group: bool = False, says_higher_level: bool = False, repeat: bool = False, title: str = "",
                 attachments: list[dict] | None = None, resident_user_id: str | None = None,
                 reception: dict | None = None, source: str = "api", open311: dict | None = None) -> "Petition":
        errors: dict[str, list[str]] = {}
        if category not in categories:
            errors["category"] = [f"unknown category; one of {', '.join(sorted(categories))}"]
        if channel not in rules.CHANNELS:
            errors["channel"] = [f"one of {', '.join(rules.CHANNELS)}"]
        if not (content or "").strip():
            errors["content"] = ["the content of the petition is required"]
        if anonymous:
            if channel not in rules.ANONYMOUS_CHANNELS:
                errors["anonymous"] = ["only letters and mailbox notes may be anonymous"]
            if petitioners:
                errors["petitioners"] = ["an anonymous petition names no petitioner"]
        elif not petitioners:
            errors["petitioners"] = ["at least one petitioner is required unless the letter is anonymous"]
        count = len(petitioners) if petitioners else 1
        headcount = headcount if headcount is not None else count
        if headcount < count:
            errors["headcount"] = [f"the headcount cannot be less than the {count} named petitioners"]
        is_group = is_group or headcount >= rules.GROUP_THRESHOLD
        if errors:
            raise ValidationFailed("the petition cannot be registered", errors)
        if is_group and petitioners and not any(p.get("representative") for p in petitioners):
            # a group speaks through named representatives; unless told otherwise, the first named person
            petitioners = [{**petitioners[0], "representative": True}, *petitioners[1:]]
        level = rules.level_of(org_level)
        when = to_iso(now)
        case = cls(id=petition_id, org_unit_id=org_unit_id, org_path=org_path, level=level, category=category,
                   channel=channel, content=content.strip(), registered_at=when,
                   first_receiver=asdict(actor), owner=asdict(actor), petitioners=list(petitioners),
                   headcount=headcount, is_group=is_group, anonymous=anonymous,
                   says_higher_level=says_higher_level, attachments=list(attachments or []), title=title,
                   resident_user_id=resident_user_id, reception=reception, source=source, open311=open311,
                   updated_at=when)
        case._set_deadline(calendar.add_working_days(rules.local_date(now),
                                                     rules.deadline_days(categories, category, level)), calendar)
        case._log(now, actor, "register", None, REGISTERED, "",
                  {"channel": channel, "headcount": headcount, "level": level, "deadline": case.deadline})
        case.events.append(PetitionRegistered())
        case.risk_flags = rules.risk_flags(is_group=is_group, headcount=headcount, repeat=repeat,
                                           says_higher_level=says_higher_level, content=content)
        if case.risk_flags:
            case._log(now, actor, "risk_flagged", None, None, "", {"flags": list(case.risk_flags)})
            case.events.append(RiskFlagged(tuple(case.risk_flags), when))
        return case

    # -- views
    @property
    def public_status(self) -> str:
        return PUBLIC_STATUS[self.state]

    @property
    def current_assignment(self) -> dict | None:
        return self.assignments[-1] if self.assignments else None

    @property
    def id_numbers(self) -> list[str]:
        return sorted({p["id_number"] for p in self.petitioners if p.get("id_number")})

    # -- transitions
    def assign(self, *, unit: dict, person: str, deadline: date, task: str, requirement: str, actor: Actor,
               now: datetime, calendar: rules.Calendar) -> None:
        """五明确: responsible unit, person, deadline, task and requirement, all named (责任书)."""
        self._guard("assign")
        errors: dict[str, list[str]] = {}
        if unit.get("kind") not in UNIT_KINDS:
            errors["unit_kind"] = [f"one of {', '.join(UNIT_KINDS)}"]
        for name, value in (("person", person), ("task", task), ("requirement", requirement)):
            if not (value or "").strip():
                errors[name] = ["required (五明确)"]
        if deadline is None:
            errors["deadline"] = ["required (五明确)"]
        elif deadline < rules.local_date(now):
            errors["deadline"] = ["the deadline cannot be in the past"]
        if errors:
            raise ValidationFailed("the assignment must name unit, person, deadline, task and requirement", errors)
        before = self.state
        assignment = {"unit": dict(unit), "person": person.strip(), "deadline": deadline.isoformat(),
                      "task": task.strip(), "requirement": requirement.strip(), "assigned_at": to_iso(now),
                      "assigned_by": asdict(actor)}
        self.assignments.append(assignment)
        self.owner = {"user_id": None, "name": person.strip(), "unit": dict(unit)}
        self._set_deadline(deadline, calendar)
        self.overdue = False
        self.state = ASSIGNED if before in (REGISTERED, ESCALATED, ASSIGNED) else before
        self._log(now, actor, "assign", before, self.state, "", {k: assignment[k] for k in
                                                                 ("unit", "person", "deadline", "task", "requirement")})
        self.events.append(PetitionAssigned(assignment))

    def start(self, *, mode: str, note: str, actor: Actor, now: datetime) -> None:
        self._guard("start")
        if mode not in HANDLING_MODES:
            raise ValidationFailed("unknown handling mode", {"mode": [f"one of {', '.join(HANDLING_MODES)}"]})
        self.handling_mode = mode
        self._move(IN_HANDLING, "start", actor, now, note, {"mode": mode})

    def answer_petitioner(self, *, text: str, actor: Actor, now: datetime) -> None:
        """The written reply (书面答复) the petitioner receives."""
        self._guard("answer")
        if not (text or "").strip():
            raise ValidationFailed("the answer is required", {"text": ["the written answer is required"]})
        when = to_iso(now)
        self.answer = {"text": text.strip(), "at": when, "by": asdict(actor)}
        self.answered_at = when
        self.answered_on_time = when <= self.due_at and self.overdue_count == 0
        self.overdue = False
        self._move(ANSWERED, "answer", actor, now, "", {"on_time": self.answered_on_time})
        self.events.append(PetitionAnswered(self.answered_on_time, when))

    def close(self, *, satisfaction: str, note: str, actor: Actor, now: datetime) -> None:
        self._guard("close")
        if satisfaction not in SATISFACTION:
            raise ValidationFailed("the petitioner's satisfaction is required",
                                   {"satisfaction": [f"one of {', '.join(SATISFACTION)}"]})
        self.satisfaction = satisfaction
        self.closed_at = to_iso(now)
        self._move(CLOSED, "close", actor, now, note, {"satisfaction": satisfaction})
        self.events.append(PetitionClosed(satisfaction, not any(e["kind"] == "escalation" for e in self.escalations),
                                          self.closed_at))

    def reopen(self, *, reason: str, actor: Actor, now: datetime, calendar: rules.Calendar,
               categories: dict) -> None:
        self._guard("reopen")
        self._require_reason(reason)
        self.reopened_count += 1
        self.satisfaction = None
        self.closed_at = None
        self.answer = None
        self.answered_at = None
        self.answered_on_time = None
        self._set_deadline(calendar.add_working_days(
            rules.local_date(now), rules.deadline_days(categories, self.category, self.level)), calendar)
        self._move(IN_HANDLING, "reopen", actor, now, reason, {"deadline": self.deadline})

    def escalate(self, *, reason: str, actor: Actor, now: datetime, calendar: rules.Calendar,
                 categories: dict) -> None:
        """To the level above (社区 → 街道 → 区); the higher level assigns it again."""
        self._guard("escalate")
        self._require_reason(reason)
        above = rules.level_above(self.level)
        if above is None:
            raise InvalidTransition(f"a {self.level}-level case has no level above it in this system")
        before_level = self.level
        self.level = above
        self.escalations.append({"kind": "escalation", "from_level": before_level, "to_level": above,
                                 "reason": reason, "at": to_iso(now), "by": asdict(actor)})
        self._set_deadline(calendar.add_working_days(
            rules.local_date(now), rules.deadline_days(categories, self.category, above)), calendar)
        self.overdue = False
        self._move(ESCALATED, "escalate", actor, now, reason, {"from_level": before_level, "to_level": above})
        self.events.append(PetitionEscalated("escalation", before_level, above, reason, to_iso(now)))

    def suspend(self, *, reason: str, actor: Actor, now: datetime) -> None:
        """挂起: the deadline clock stops until the case is resumed."""
        self._guard("suspend")
        self._require_reason(reason)
        self.suspension = {"reason": reason, "at": to_iso(now), "from_state": self.state, "by": asdict(actor)}
        self._move(SUSPENDED, "suspend", actor, now, reason, {})

    def resume(self, *, note: str, actor: Actor, now: datetime, calendar: rules.Calendar) -> None:
        self._guard("resume")
        paused = calendar.working_days_between(rules.local_date(from_iso(self.suspension["at"])),
                                               rules.local_date(now))
        target = self.suspension["from_state"]
        self._set_deadline(calendar.add_working_days(date.fromisoformat(self.deadline), paused), calendar)
        self.suspension = None
        self._move(target, "resume", actor, now, note, {"paused_working_days": paused, "deadline": self.deadline})

    def supervise(self, *, note: str, new_deadline: date | None, supervisor: Actor, now: datetime,
                  calendar: rules.Calendar) -> None:
        """督办: the supervisor's note, optionally a new deadline; the supervisor's name goes on the case."""
        self._guard("supervise")
        if not (note or "").strip():
            raise ValidationFailed("a supervision note is required", {"note": ["required"]})
        if new_deadline is not None and new_deadline < rules.local_date(now):
            raise ValidationFailed("the new deadline is in the past", {"new_deadline": ["cannot be in the past"]})
        sup = dict(self.supervision or {"required": False, "notes": []})
        sup["supervisor"] = asdict(supervisor)
        sup["notes"] = list(sup.get("notes", [])) + [{
            "note": note.strip(), "at": to_iso(now), "by": asdict(supervisor),
            "new_deadline": new_deadline.isoformat() if new_deadline else None}]
        self.supervision = sup
        if new_deadline is not None:
            self._set_deadline(new_deadline, calendar)
            self.overdue = False
        self._log(now, supervisor, "supervise", self.state, self.state, note,
                  {"new_deadline": new_deadline.isoformat() if new_deadline else None})

    def mark_overdue(self, *, now: datetime, supervisor_level: str) -> bool:
        """The deadline passed with no answer: flag it and hand it to the supervisor (督办)."""
        if self.state not in ACTIVE or self.overdue or not self.due_at or to_iso(now) <= self.due_at:
            return False
        self.overdue = True
        self.overdue_count += 1
        system = Actor("system", "限时办结")
        sup = dict(self.supervision or {"notes": []})
        sup.update({"required": True, "level": supervisor_level, "since": to_iso(now)})
        self.supervision = sup
        self.escalations.append({"kind": "supervision", "from_level": self.level, "to_level": supervisor_level,
                                 "reason": f"overdue since {self.deadline}", "at": to_iso(now), "by": asdict(system)})
        self._log(now, system, "overdue", self.state, self.state, f"deadline {self.deadline} passed",
                  {"supervisor_level": supervisor_level})
        self.events.append(PetitionOverdue(supervisor_level, self.deadline, to_iso(now)))
        self.events.append(PetitionEscalated("supervision", self.level, supervisor_level,
                                             f"overdue since {self.deadline}", to_iso(now)))
        return True

    def remind(self, *, now: datetime) -> bool:
        if self.state not in ACTIVE or self.reminded or not self.remind_at or to_iso(now) < self.remind_at:
            return False
        self.reminded = True
        self._log(now, Actor("system", "限时办结"), "reminder", self.state, self.state,
                  f"the deadline {self.deadline} is near", {})
        return True

    def record_mediation(self, *, outcome: str, source: str, note: str, actor: Actor, now: datetime,
                         event_id: str | None = None, dispute_id: str | None = None,
                         sessions: int | None = None) -> bool:
        """A mediation's outcome (调解) joins the timeline; a repeated event changes nothing."""
        if event_id is not None and event_id in self.handled_events:
            return False
        self._guard("record_mediation")
        entry = {"outcome": outcome, "source": source, "note": note, "at": to_iso(now), "dispute_id": dispute_id,
                 "sessions": sessions}
        self.mediations.append(entry)
        if event_id is not None:
            self.handled_events = (self.handled_events + [event_id])[-200:]
        self._log(now, actor, "mediation", self.state, self.state, note,
                  {k: v for k, v in entry.items() if k not in ("at", "note") and v is not None})
        return True

    def link(self, other_id: str, matter_id: str, actor: Actor, now: datetime) -> None:
        """Petitions about the same matter are handled as one (matter_id = the lead case)."""
        if other_id == self.id:
            raise ValidationFailed("a petition cannot be linked to itself", {"petition_id": ["another petition"]})
        self.matter_id = matter_id
        if other_id not in self.linked_ids:
            self.linked_ids.append(other_id)
        self._log(now, actor, "link", self.state, self.state, "", {"linked_to": other_id, "matter_id": matter_id})

    # -- helpers
    def _guard(self, action: str) -> None:
        allowed = TRANSITIONS[action]
        if self.state not in allowed:
            raise InvalidTransition(f"cannot {action.replace('_', ' ')} a petition that is {self.state}; "
                                    f"allowed from: {', '.join(allowed)}",
                                    {"state": [f"is {self.state}"]})

    @staticmethod
    def _require_reason(reason: str) -> None:
        if not (reason or "").strip():
            raise ValidationFailed("a reason is required", {"reason": ["required"]})

    def _set_deadline(self, deadline: date, calendar: rules.Calendar, reminder_days: int = 1) -> None:
        self.deadline = deadline.isoformat()
        self.due_at = to_iso(rules.end_of_day(deadline))
        self.remind_at = to_iso(rules.start_of_day(calendar.subtract_working_days(deadline, reminder_days)))
        self.reminded = False

    def _move(self, target: str, action: str, actor: Actor, now: datetime, reason: str, details: dict) -> None:
        before = self.state
        self.state = target
        self._log(now, actor, action, before, target, reason, details)

    def _log(self, now: datetime, actor: Actor, action: str, from_state: str | None, to_state: str | None,
             reason: str, details: dict[str, Any]) -> None:
        when = to_iso(now)
        self.updated_at = when
        self.timeline.append({"at": when, "action": action, "by": asdict(actor), "from_state": from_state,
                              "to_state": to_state, "reason": reason or "", "details": details})
