"""Storage of the welfare aggregates (outbox repositories) and the mapping of domain events to contracts."""
from __future__ import annotations

import dataclasses

from liandong.personal import PersonalFields
from liandong.repository import OutboxRepository

from ..domain import cases, supermarket

_SKIP = {"version", "events"}


class _DataclassRepository(OutboxRepository):
    aggregate_class: type = object

    def to_document(self, aggregate) -> dict:
        return {f.name: getattr(aggregate, f.name) for f in dataclasses.fields(aggregate) if f.name not in _SKIP
                and f.name != "id"}

    def from_document(self, document: dict):
        names = {f.name for f in dataclasses.fields(self.aggregate_class)} - _SKIP
        kwargs = {k: v for k, v in document.items() if k in names}
        kwargs["id"] = document["_id"]
        return self.aggregate_class(**kwargs)

    def publish(self, aggregate, domain_event):
        return None


# A household is its members' names, ID numbers, incomes, disabilities, its address and assets: it is
# encrypted whole, and so is every eligibility check of it (its figures are the household's incomes and
# assets) and the free text written about it (notes, objections, reasons quote those figures).
HOUSEHOLD = ("household", "eligibility", "history[].note", "objections[].text", "objections[].resolution",
             "rejection")


# a pairing (结对帮扶) names the household helped and its support plan
PAIRING = PersonalFields.of("household", "plan", "goals")
# a charity-fund grant (爱心基金): to whom, and why (illness, hardship); its ledger entry names the party
FUND_GRANT = PersonalFields.of("recipient", "reason", "note")
FUND_ENTRY = PersonalFields.of("party")


class ApplicationRepository(_DataclassRepository):
    collection_name = "applications"
    aggregate_class = cases.Application
    personal = PersonalFields.of(*HOUSEHOLD)
    indexes = [([("org_path", 1), ("submitted_at", 1)], {"name": "org_time"}),
               ([("status", 1)], {"name": "status"}), ([("applicant_user_id", 1)], {"name": "applicant"})]

    def publish(self, a: cases.Application, ev):
        base = {"application_id": a.id, "programme": a.programme, "org_unit_id": a.org_unit_id}
        if isinstance(ev, cases.ApplicationSubmitted):
            return "welfare.application.submitted", {**base, "household_size": len(a.household["members"]),
                                                     "channel": a.channel}
        if isinstance(ev, cases.ApplicationApproved):
            return "welfare.application.approved", {**base, "grant_id": ev.grant_id,
                                                    "monthly_amount_fen": ev.monthly_amount_fen}
        if isinstance(ev, cases.ApplicationRejected):
            return "welfare.application.rejected", {**base, "stage": ev.stage, "reason": ev.reason}
        return None  # the community review stays inside the service


class GrantRepository(_DataclassRepository):
    collection_name = "grants"
    aggregate_class = cases.Grant
    personal = PersonalFields.of("household", "reviews[].eligibility", "suspend_reason", "end_reason")
    indexes = [([("org_path", 1), ("status", 1)], {"name": "org_status"}),
               ([("status", 1), ("next_review_period", 1)], {"name": "review_due"})]

    def publish(self, g: cases.Grant, ev):
        base = {"grant_id": g.id, "programme": g.programme, "org_unit_id": g.org_unit_id}
        if isinstance(ev, cases.GrantStarted):
            return "welfare.grant.started", {**base, "application_id": g.application_id,
                                             "household_size": g.household_size,
                                             "monthly_amount_fen": g.monthly_amount_fen}
        if isinstance(ev, cases.GrantSuspended):
            return "welfare.grant.suspended", {**base, "reason": ev.reason[:2000]}
        if isinstance(ev, cases.GrantResumed):
            return "welfare.grant.resumed", {**base, "monthly_amount_fen": g.monthly_amount_fen}
        if isinstance(ev, cases.GrantEnded):
            return "welfare.grant.ended", {**base, "reason": ev.reason[:2000]}
        return None


@dataclasses.dataclass
class Payment:
    """One payment of a grant for one month (or the one-off payment): the disbursement ledger."""

    id: str
    grant_id: str
    org_path: str
    org_unit_id: str
    programme: str
    period: str
    amount_fen: int
    household_size: int
    disbursed_at: str
    disbursed_by: str
    version: int = 0
    events: list = dataclasses.field(default_factory=list)


class PaymentRepository(_DataclassRepository):
    collection_name = "payments"
    aggregate_class = Payment
    indexes = [([("org_path", 1), ("period", 1)], {"name": "org_period"}), ([("grant_id", 1)], {"name": "grant"})]

    def publish(self, p: Payment, ev):
        return "welfare.payment.disbursed", {"payment_id": p.id, "grant_id": p.grant_id, "programme": p.programme,
                                             "org_unit_id": p.org_unit_id, "period": p.period,
                                             "amount_fen": p.amount_fen}


class RedemptionRepository(_DataclassRepository):
    collection_name = "redemptions"
    aggregate_class = supermarket.Redemption
    indexes = [([("org_path", 1), ("created_at", 1)], {"name": "org_time"}),
               ([("status", 1), ("created_at", 1)], {"name": "status_time"})]

    def publish(self, r: supermarket.Redemption, ev):
        base = {"redemption_id": r.id, "volunteer_id": r.volunteer_id, "coins": r.coins}
        if isinstance(ev, supermarket.RedemptionRequested):
            return "welfare.redemption.requested", {**base, "org_unit_id": r.org_unit_id,
                                                    "items": [dict(line) for line in r.lines],
                                                    "initiator_scopes": r.initiator_scopes or [r.org_path]}
        if isinstance(ev, supermarket.RedemptionHandedOut):
            return "welfare.redemption.goods_handed_out", base
        if isinstance(ev, supermarket.RedemptionCancelled):
            return "welfare.redemption.cancelled", {**base, "reason": ev.reason}
        return None


@dataclasses.dataclass
class Visit:
    """走访 / 慰问: who visited whom, when, what was given, what follows up."""

    id: str
    org_path: str
    org_unit_id: str
    kind: str
    visitor_id: str
    visitor_name: str
    visited: str
    visited_at: str
    money_fen: int
    goods: str
    notes: str
    follow_up: str
    pairing_id: str | None
    recorded_at: str
    version: int = 0
    events: list = dataclasses.field(default_factory=list)


class VisitRepository(_DataclassRepository):
    collection_name = "visits"
    aggregate_class = Visit
    # whom (a name with a door number), what was seen (health, living conditions) and what follows
    personal = PersonalFields.of("visited", "notes", "follow_up")
    indexes = [([("org_path", 1), ("visited_at", 1)], {"name": "org_time"}), ([("pairing_id", 1)], {"name": "pairing"})]

    def publish(self, v: Visit, ev):
        # whom was visited stays here (personal): consumers count visits and money
        return "welfare.visit.recorded", {"visit_id": v.id, "org_unit_id": v.org_unit_id, "kind": v.kind,
                                          "visitor_id": v.visitor_id,
                                          "visited_at": v.visited_at, "money_fen": v.money_fen, "goods": v.goods}
