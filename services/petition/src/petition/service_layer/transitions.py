"""The case's moves: assign (五明确), start, answer, close, reopen, escalate, suspend, resume, supervise
(督办), a mediation's outcome, and linking cases about one matter (the linked follow their lead)."""
from __future__ import annotations

import logging

from liandong.auth import Principal
from liandong.errors import ConcurrencyConflict, InvalidTransition, NotFound, ValidationFailed
from liandong.repository import retry_on_conflict

from ..domain.model import Actor, Petition
from .cases import Cases, actor_of

log = logging.getLogger(__name__)

# What linked petitions do when their lead case does it (the petitioner of each still rates and closes).
FOLLOW_THE_LEAD = ("assign", "start", "answer")


class Transitions:
    def __init__(self, cases: Cases):
        self.cases = cases
        self.repo = cases.repo

    def act(self, petition_id: str, action: str, data: dict, principal: Principal) -> Petition:
        # the deadline scan or an event handler may save the same case in between: each attempt loads afresh;
        # a retried request (same Idempotency-Key) answers the case as it stands, not applied twice
        return retry_on_conflict(lambda: self._act(petition_id, action, data, principal))

    def _act(self, petition_id: str, action: str, data: dict, principal: Principal) -> Petition:
        permission = "petition:supervise" if action == "supervise" else "petition:handle"
        petition = self.cases.load(petition_id, principal, permission, owner_may=action in ("close", "reopen"))
        actor, now = actor_of(principal), self.cases.clock.now()
        config = self.cases.config.load()
        calendar = self.cases.config.calendar(config)
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
        unit = self.cases.unit(unit_id, "unit_id")
        if unit["level"] != kind:
            raise ValidationFailed("the unit is not of that kind", {"unit_id": [f"{unit_id} is a {unit['level']}"]})
        # 属地管理: a case goes to its own unit, one above it or one inside it — never to another
        # community's or sub-district's queue, which the caller has no say over
        if not (case_path.startswith(unit["path"]) or unit["path"].startswith(case_path)):
            raise ValidationFailed("the unit is not in this case's line", {"unit_id": [
                "not this case's own unit, one above it or one inside it"]})
        return {"kind": kind, "id": unit_id, "name": unit["name"]}

    def link(self, petition_id: str, other_id: str, principal: Principal) -> Petition:
        """Two cases about one matter: `matter_id` is the lead's; a retry (same key) links nothing twice."""
        def attempt() -> Petition:
            lead = self.cases.load(petition_id, principal, "petition:handle")
            other = self.cases.load(other_id, principal, "petition:handle")
            matter = lead.matter_id or lead.id
            actor, now = actor_of(principal), self.cases.clock.now()
            lead.link(other.id, matter, actor, now)
            other.link(lead.id, matter, actor, now)
            self.repo.save(lead)
            self.repo.save(other)
            return lead

        return retry_on_conflict(attempt, attempts=1)  # two saves: a conflict on the second is not retried
