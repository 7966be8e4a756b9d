"""Applications and grants: the review workflow and periodic re-review (动态管理) as state machines."""
from __future__ import annotations

from liandong.domain import DomainEvent
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from liandong.errors import InvalidTransition

from .programmes import Eligibility


# -- domain events (the repository maps them to contracts)

class ApplicationSubmitted(DomainEvent):
    pass


class ApplicationApproved(DomainEvent):
    grant_id: str
    monthly_amount_fen: int


class ApplicationRejected(DomainEvent):
    stage: str
    reason: str


class CommunityReviewed(DomainEvent):
    notice_ends_at: str


class GrantStarted(DomainEvent):
    pass


class GrantSuspended(DomainEvent):
    reason: str


class GrantResumed(DomainEvent):
    pass


class GrantEnded(DomainEvent):
    reason: str


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Application:
    """One household's application for one programme (申请)."""

    id: str
    org_path: str
    org_unit_id: str
    programme: str
    household: dict
    channel: str  # window | visit | online
    submitted_by: str
    submitted_at: str
    applicant_user_id: str | None = None
    eligibility: dict = field(default_factory=dict)
    status: str = "submitted"  # submitted -> in_notice -> approved | rejected
    notice_days: int = 0
    notice_ends_at: str | None = None
    objections: list = field(default_factory=list)
    history: list = field(default_factory=list)
    grant_id: str | None = None
    rejection: dict | None = None
    version: int = 0
    events: list = field(default_factory=list)

    TERMINAL = ("approved", "rejected")

    @classmethod
    def submit(cls, id: str, org_path: str, org_unit_id: str, programme: str, household: dict, channel: str,
               by: str, at: str, eligibility: Eligibility, applicant_user_id: str | None = None) -> "Application":
        app = cls(id, org_path, org_unit_id, programme, household, channel, by, at, applicant_user_id,
                  eligibility.to_dict())
        app._log("submitted", by, at)
        app.events.append(ApplicationSubmitted())
        return app

    def _log(self, step: str, by: str, at: str, note: str = "") -> None:
        self.history.append({"step": step, "by": by, "at": at, "note": note})

    def _require(self, *states: str, action: str) -> None:
        if self.status not in states:
            raise InvalidTransition(f"cannot {action} an application that is {self.status} "
                                    f"(only when {' or '.join(states)})")

    def community_review(self, passed: bool, by: str, at: datetime, notice_days: int, note: str = "") -> None:
        """社区审核: pass starts the public notice (公示); fail rejects with the reason given."""
        self._require("submitted", action="review")
        if not passed:
            self._reject("community_review", note or "not passed at community review", by, _iso(at))
            return
        self.status = "in_notice"
        self.notice_days = notice_days
        self.notice_ends_at = _iso(at + timedelta(days=notice_days))
        self._log("community_reviewed", by, _iso(at), note)
        self.events.append(CommunityReviewed(self.notice_ends_at))

    def object(self, objection_id: str, text: str, by: str, at: str) -> dict:
        """An objection raised during the notice period (公示异议) is recorded; approval waits for it."""
        self._require("in_notice", action="record an objection on")
        if self.notice_ends_at and at > self.notice_ends_at:
            raise InvalidTransition("the notice period is over; objections are no longer taken")
        objection = {"id": objection_id, "text": text, "by": by, "at": at, "resolution": None}
        self.objections.append(objection)
        self._log("objection", by, at, text)
        return objection

    def resolve_objection(self, objection_id: str, upheld: bool, note: str, by: str, at: str) -> None:
        self._require("in_notice", action="resolve an objection on")
        for o in self.objections:
            if o["id"] == objection_id:
                if o["resolution"] is not None:
                    raise InvalidTransition("the objection is resolved already")
                o["resolution"] = {"upheld": upheld, "note": note, "by": by, "at": at}
                self._log("objection_resolved", by, at, note)
                if upheld:
                    self._reject("notice", f"objection upheld: {note}", by, at)
                return
        raise InvalidTransition(f"no objection {objection_id!r} on this application")

    def open_objections(self) -> list[dict]:
        return [o for o in self.objections if o["resolution"] is None]

    def approve(self, grant_id: str, eligibility: Eligibility, by: str, at: str) -> None:
        """街道审批: only after the community review and a notice period without open objections."""
        self._require("in_notice", action="approve")
        if at < self.notice_ends_at:
            raise InvalidTransition(f"the notice period runs until {self.notice_ends_at}")
        if self.open_objections():
            raise InvalidTransition("objections raised during the notice period are not resolved")
        if not eligibility.eligible:
            raise InvalidTransition("the household does not meet the programme's rules: "
                                    + "; ".join(r.explanation for r in eligibility.failed()))
        self.eligibility = eligibility.to_dict()
        self.status = "approved"
        self.grant_id = grant_id
        self._log("approved", by, at)
        self.events.append(ApplicationApproved(grant_id, eligibility.monthly_amount_fen))

    def reject(self, stage: str, reason: str, by: str, at: str) -> None:
        self._require("submitted", "in_notice", action="reject")
        self._reject(stage, reason, by, at)

    def _reject(self, stage: str, reason: str, by: str, at: str) -> None:
        self.status = "rejected"
        self.rejection = {"stage": stage, "reason": reason, "by": by, "at": at}
        self._log("rejected", by, at, reason)
        self.events.append(ApplicationRejected(stage, reason))


def add_months(period: str, months: int) -> str:
    y, m = map(int, period.split("-"))
    idx = y * 12 + (m - 1) + months
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def _next_on_cycle(start: str, every_months: int, not_before: str) -> str | None:
    """The first re-review month on the grant's cycle (every `every_months` from its start) from `not_before`."""
    if not every_months:
        return None
    period = add_months(start, every_months)
    while period < not_before:
        period = add_months(period, every_months)
    return period


@dataclass
class Grant:
    """A household's running benefit from one programme (救助待遇), paid monthly or once."""

    id: str
    application_id: str
    org_path: str
    org_unit_id: str
    programme: str
    schedule: str
    household: dict
    household_size: int
    monthly_amount_fen: int
    start_period: str  # YYYY-MM, the first month paid
    started_at: str
    status: str = "active"  # active <-> suspended; -> ended
    next_review_period: str | None = None
    reviews: list = field(default_factory=list)
    end_reason: str | None = None
    suspend_reason: str | None = None
    # a grant running before the platform, taken from the office's roster: {at, by, paid_from, note}; the
    # months before `paid_from` (the month it was imported) were paid outside the platform
    imported: dict | None = None
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def start(cls, id: str, application: Application, schedule: str, amount_fen: int, at: str,
              review_every_months: int) -> "Grant":
        period = at[:7]
        grant = cls(id, application.id, application.org_path, application.org_unit_id, application.programme,
                    schedule, application.household, len(application.household["members"]), amount_fen, period, at,
                    next_review_period=add_months(period, review_every_months) if review_every_months else None)
        grant.events.append(GrantStarted())
        return grant

    @classmethod
    def from_roster(cls, id: str, org_path: str, org_unit_id: str, programme: str, schedule: str, household: dict,
                    household_size: int, amount_fen: int, start_period: str, started_at: str, imported: dict,
                    review_every_months: int) -> "Grant":
        """A grant approved and started before the platform (救助对象花名册): its community review, 公示 and
        approval happened on paper, so it starts here as it stands, with the same event as any grant's start.
        `imported`: {at, by, paid_from, note}. A one-off programme's grant on a roster was paid already: it ends
        at once (as a paid one-off does)."""
        grant = cls(id, "", org_path, org_unit_id, programme, schedule, household, household_size, amount_fen,
                    start_period, started_at, imported=imported,
                    next_review_period=_next_on_cycle(start_period, review_every_months, imported["paid_from"]))
        grant.events.append(GrantStarted())
        if schedule == "once":
            grant._end("one-off paid before the platform (imported from the roster)")
        return grant

    def amend_from_roster(self, household: dict, note: str) -> bool:
        """The contact details a roster gives again (address, phone, remark), on a grant imported from one;
        False if they are as stored. Amount and household size change only by re-review (动态管理)."""
        if self.imported is None or (self.household == household and self.imported.get("note") == note):
            return False
        self.household, self.imported = household, {**self.imported, "note": note}
        return True

    def payable(self, period: str) -> bool:
        paid_before = self.imported and period < self.imported["paid_from"]  # paid outside the platform
        return self.status == "active" and period >= self.start_period and not paid_before

    def rereview(self, household: dict, eligibility: Eligibility, by: str, at: str, review_every_months: int,
                 if_failed: str = "suspend") -> str:
        """动态管理: re-check the household; suspend or end when it no longer qualifies. Returns the outcome."""
        if self.status == "ended":
            raise InvalidTransition("an ended grant is not re-reviewed")
        self.household = household
        self.household_size = len(household["members"])
        if eligibility.eligible:
            outcome = "continued"
            self.monthly_amount_fen = eligibility.monthly_amount_fen
            if self.status == "suspended":
                self.status, self.suspend_reason, outcome = "active", None, "resumed"
                self.events.append(GrantResumed())
        else:
            # the rules' names, not their explanations: the reason is shown (and sent in events) to
            # people who may not see the household's incomes the explanations quote
            reason = "re-review: not met: " + ", ".join(r.rule for r in eligibility.failed())
            if if_failed == "end":
                outcome = "ended"
                self._end(reason)
            elif self.status == "active":
                outcome = "suspended"
                self.status, self.suspend_reason = "suspended", reason
                self.events.append(GrantSuspended(reason))
            else:
                outcome = "still_suspended"
        if review_every_months:
            self.next_review_period = add_months(at[:7], review_every_months)
        self.reviews.append({"at": at, "by": by, "eligibility": eligibility.to_dict(), "outcome": outcome})
        return outcome

    def end(self, reason: str) -> None:
        if self.status == "ended":
            raise InvalidTransition("the grant has ended already")
        self._end(reason)

    def _end(self, reason: str) -> None:
        self.status, self.end_reason = "ended", reason
        self.events.append(GrantEnded(reason))
