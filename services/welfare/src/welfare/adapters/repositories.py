"""Storage of the welfare aggregates (outbox repositories), their named queries, and the mapping of
domain events to contracts."""
from __future__ import annotations

import dataclasses

from liandong import outbox
from liandong.listing import Page, page_of
from liandong.personal import BlindIndex, PersonalFields, person_key
from liandong.repository import OutboxRepository

from ..domain import cases, supermarket
from .applicant_keys import KeyedByApplicant
from liandong.storage.filters import all_of, between, one_of, within

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

    def _page(self, filter: dict, sort, page: int, page_size: int) -> Page:
        return page_of(self.collection, filter, page=page, page_size=page_size, sort=sort, load=self.versioned)


# A household is its members' names, ID numbers, incomes, disabilities, its address and assets: it is
# encrypted whole, and so is every eligibility check of it (its figures are the household's incomes and
# assets) and the free text written about it (notes, objections, reasons quote those figures).
HOUSEHOLD = ("household", "eligibility", "history[].note", "objections[].text", "objections[].resolution",
             "rejection")


# a charity-fund grant (爱心基金): to whom, and why (illness, hardship); its ledger entry names the party
FUND_GRANT = PersonalFields.of("recipient", "reason", "note")
FUND_ENTRY = PersonalFields.of("party")


def applicant_of(household: dict | None) -> dict:
    """The member who applied (申请人), else the first: the resident a household's case is about."""
    members = (household or {}).get("members") or [{}]
    return next((m for m in members if m.get("relation") == "applicant"), members[0])


class _NamesApplicant(_DataclassRepository):
    """A repository whose events name the household's applicant by the platform's pseudonym (#19)."""

    def applicant_key(self, household: dict | None) -> str | None:
        """`person_key` for an event: computed from the ID number here, which never goes on the wire."""
        number = applicant_of(household).get("id_number")
        return person_key(self.deps.cipher, number) if number else None


class ApplicationRepository(KeyedByApplicant, _NamesApplicant):
    collection_name = "applications"
    aggregate_class = cases.Application
    personal = PersonalFields.of(*HOUSEHOLD)
    indexes = [([("org_path", 1), ("submitted_at", 1)], {"name": "org_time"}),
               ([("status", 1)], {"name": "status"}), ([("applicant_user_id", 1)], {"name": "applicant"}),
               ([("person_key", 1), ("submitted_at", -1)], {"name": "person_key"})]

    def publish(self, a: cases.Application, ev):
        base = {"application_id": a.id, "programme": a.programme, "org_unit_id": a.org_unit_id}
        if isinstance(ev, cases.ApplicationSubmitted):
            return "welfare.application.submitted", {**base, "household_size": len(a.household["members"]),
                                                     "channel": a.channel, "person_key": self.applicant_key(a.household)}
        if isinstance(ev, cases.ApplicationApproved):
            return "welfare.application.approved", {**base, "grant_id": ev.grant_id,
                                                    "monthly_amount_fen": ev.monthly_amount_fen}
        if isinstance(ev, cases.ApplicationRejected):
            return "welfare.application.rejected", {**base, "stage": ev.stage, "reason": ev.reason}
        return None  # the community review stays inside the service

    def page(self, *, scope: list[str] | None = None, applicant: str | None = None, status=(), programme=(),
             since: str | None = None, until: str | None = None, page: int = 1, page_size: int = 20) -> Page:
        """Newest first: those in `scope` (org paths), or the ones `applicant` filed online."""
        who = within(scope) if scope is not None else {"applicant_user_id": applicant}
        return self._page(all_of(who, one_of("status", status), one_of("programme", programme),
                                   between("submitted_at", since, until)), [("submitted_at", -1), ("_id", 1)],
                          page, page_size)

    def filed_by(self, application_id: str, user_id: str) -> bool:
        return self.collection.count_documents({"_id": application_id, "applicant_user_id": user_id}) > 0


def _named(name: str | None) -> dict:
    """`programme_name` on an event, when the configuration names the programme."""
    return {"programme_name": name[:100]} if name else {}


class _NamesProgrammes(_NamesApplicant):
    """A repository whose events name a programme: `programme_name(code)` reads the configuration."""

    @staticmethod
    def programme_name(code: str) -> str | None:  # no configuration given: the events carry the code only
        return None

    def __init__(self, deps, programme_name=None):
        super().__init__(deps)
        if programme_name is not None:
            self.programme_name = programme_name


# the household's ID numbers, as a blind index: a roster's row finds the grant of the person it names
HOLDER_INDEX = BlindIndex("id_index", "household.members[].id_number", "welfare.id_number")


class GrantRepository(_NamesProgrammes):
    collection_name = "grants"
    aggregate_class = cases.Grant
    personal = PersonalFields.of("household", "reviews[].eligibility", "suspend_reason", "end_reason",
                                 "imported.note", blind=(HOLDER_INDEX,))
    indexes = [([("org_path", 1), ("status", 1)], {"name": "org_status"}),
               ([("status", 1), ("next_review_period", 1)], {"name": "review_due"}),
               ([("programme", 1), ("start_period", 1)], {"name": "programme_start"})]

    def publish(self, g: cases.Grant, ev):
        base = {"grant_id": g.id, "programme": g.programme, "org_unit_id": g.org_unit_id,
                "person_key": self.applicant_key(g.household)}
        if isinstance(ev, cases.GrantStarted):
            # the start month, and whether the grant came from a roster: opening figures of a report
            return "welfare.grant.started", {**base, **_named(self.programme_name(g.programme)),
                                             "application_id": g.application_id,
                                             "household_size": g.household_size,
                                             "monthly_amount_fen": g.monthly_amount_fen,
                                             "start_period": g.start_period,
                                             **({"imported": True} if g.imported else {})}
        if isinstance(ev, cases.GrantSuspended):
            return "welfare.grant.suspended", {**base, "reason": ev.reason[:2000]}
        if isinstance(ev, cases.GrantResumed):
            return "welfare.grant.resumed", {**base, "monthly_amount_fen": g.monthly_amount_fen}
        if isinstance(ev, cases.GrantEnded):
            return "welfare.grant.ended", {**base, "reason": ev.reason[:2000]}
        return None

    def page(self, *, scope: list[str], status=(), programme=(), since: str | None = None, until: str | None = None,
             page: int = 1, page_size: int = 20) -> Page:
        return self._page(all_of(within(scope), one_of("status", status), one_of("programme", programme),
                                   between("started_at", since, until)), [("started_at", -1), ("_id", 1)],
                          page, page_size)

    def prepare(self) -> None:
        super().prepare()
        # grants stored before the index existed get it once (a roster's row must find them too)
        for doc in self.collection.find({HOLDER_INDEX.field: {"$exists": False}}, projection={"household": 1}):
            index = self.personal.index_of(self.plain(doc), HOLDER_INDEX, self.deps.cipher)
            self.collection.update_one({"_id": doc["_id"]}, {"$set": {HOLDER_INDEX.field: index}})

    def person_key(self, id_number: str) -> str:
        return self.deps.cipher.blind_index(id_number, HOLDER_INDEX.name)

    def of_person(self, programme: str, id_number: str) -> list[cases.Grant]:
        """The grants of a programme whose household lists this ID number (found by its blind index)."""
        return self.find(all_of({"programme": programme},
                                  {HOLDER_INDEX.field: {"$all": [self.person_key(id_number)]}}),
                         sort=[("started_at", 1), ("_id", 1)])

    def people(self) -> dict[tuple[str, str], list[str]]:
        """{(programme, blind index of an ID number): grant ids}, of every grant: read once for a whole roster,
        where asking for each row's person would scan the grants row after row (FerretDB does not push `$all`)."""
        out: dict[tuple[str, str], list[str]] = {}
        for doc in self.collection.find({}, projection={"programme": 1, HOLDER_INDEX.field: 1}, sort=[("_id", 1)]):
            for index in doc.get(HOLDER_INDEX.field) or []:
                out.setdefault((doc["programme"], index), []).append(doc["_id"])
        return out

    def of_ids(self, ids: list[str]) -> list[cases.Grant]:
        # one equality per id: FerretDB walks the whole collection for an `$in`, even on `_id`
        return sorted((g for i in ids for g in self.find({"_id": i})), key=lambda g: (g.started_at, g.id))

    def active_under(self, org_path: str, programme: str | None = None) -> list[cases.Grant]:
        """The grants a disbursement run pays: active, below the org unit, of one programme if named."""
        return self.find(all_of(within([org_path]), {"status": "active"}, one_of("programme", [programme])),
                         sort=[("_id", 1)])

    def reviews_due(self, scope: list[str], period: str, page: int, page_size: int) -> Page:
        """Running grants (active or suspended) whose re-review (动态管理) is due by `period`."""
        return self._page(all_of(within(scope), {"status": {"$in": ["active", "suspended"]}},
                                   {"next_review_period": {"$lte": period}}),
                          [("next_review_period", 1), ("_id", 1)], page, page_size)

    def active_per_programme(self, org_path: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for g in self.collection.find(all_of(within([org_path]), {"status": "active"})):
            counts[g["programme"]] = counts.get(g["programme"], 0) + 1
        return counts


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
    # the grant's applicant (#19) for the event only: not stored (the ledger's records and lists stay as they were)
    person_key: str | None = None
    version: int = 0
    events: list = dataclasses.field(default_factory=list)


class PaymentRepository(_NamesProgrammes):
    collection_name = "payments"
    aggregate_class = Payment
    indexes = [([("org_path", 1), ("period", 1)], {"name": "org_period"}), ([("grant_id", 1)], {"name": "grant"})]

    def to_document(self, p: Payment) -> dict:
        return {k: v for k, v in super().to_document(p).items() if k != "person_key"}

    def of_grant(self, grant: cases.Grant, period: str, key: str, at: str, by: str) -> Payment:
        """The payment of `grant` for `period` (`key`: the month, or "once"), to be added."""
        return Payment(f"{grant.id}:{key}", grant.id, grant.org_path, grant.org_unit_id, grant.programme, period,
                       grant.monthly_amount_fen, grant.household_size, at, by,
                       person_key=self.applicant_key(grant.household), events=["disbursed"])

    def publish(self, p: Payment, ev):
        return "welfare.payment.disbursed", {"payment_id": p.id, "grant_id": p.grant_id, "programme": p.programme,
                                             **_named(self.programme_name(p.programme)),
                                             "org_unit_id": p.org_unit_id, "period": p.period,
                                             "amount_fen": p.amount_fen, "person_key": p.person_key}

    def page(self, scope: list[str], grant_id: str | None, since: str | None, until: str | None, page: int,
             page_size: int) -> Page:
        """The payment ledger below the org paths `scope` (of one grant, if `grant_id`), month by month."""
        return page_of(self.collection, all_of(within(scope), one_of("grant_id", [grant_id]),
                                                 between("disbursed_at", since, until)),
                       page=page, page_size=page_size, sort=[("period", 1), ("_id", 1)], load=outbox.strip)

    def in_periods(self, org_path: str, first: str, last: str, programme: str | None = None) -> list[dict]:
        """The payments below an org unit for the months `first`..`last` (YYYY-MM, both included)."""
        return self.collection.find(all_of(within([org_path]), between("period", first, last),
                                             one_of("programme", [programme])), sort=[("period", 1), ("_id", 1)])


class RedemptionRepository(_DataclassRepository):
    collection_name = "redemptions"
    aggregate_class = supermarket.Redemption
    indexes = [([("org_path", 1), ("created_at", 1)], {"name": "org_time"}),
               ([("status", 1), ("created_at", 1)], {"name": "status_time"}),
               ([("resident_user_id", 1), ("created_at", -1)], {"name": "resident"}),
               ([("volunteer_id", 1), ("created_at", 1)], {"name": "volunteer_time"})]

    def page(self, scope: list[str], q: dict) -> Page:
        """Redemptions below the org paths `scope`, newest first: in some states, of one volunteer."""
        return self._page(all_of(within(scope), one_of("status", q.get("status")),
                                   one_of("volunteer_id", [q.get("volunteer_id")]),
                                   between("created_at", q.get("from_"), q.get("to"))),
                          [("created_at", -1), ("_id", 1)], q["page"], q["page_size"])

    def of_resident(self, user_id: str, q: dict) -> Page:
        """A resident's own redemptions, newest first (the residents' door); `q`: org_unit_path, from_, to."""
        return self._page(all_of({"resident_user_id": user_id}, within([q["org_unit_path"]]) if q.get("org_unit_path")
                                   else {}, between("created_at", q.get("from_"), q.get("to"))),
                          [("created_at", -1)], q["page"], q["page_size"])

    def publish(self, r: supermarket.Redemption, ev):
        base = {"redemption_id": r.id, "volunteer_id": r.volunteer_id, "coins": r.coins}
        if isinstance(ev, supermarket.RedemptionRequested):
            return "welfare.redemption.requested", {**base, "org_unit_id": r.org_unit_id,
                                                    "items": [dict(line) for line in r.lines],
                                                    "initiator_scopes": r.initiator_scopes or [r.org_path],
                                                    **({"resident_user_id": r.resident_user_id}
                                                       if r.resident_user_id else {})}
        if isinstance(ev, supermarket.RedemptionHandedOut):
            return "welfare.redemption.goods_handed_out", base
        if isinstance(ev, supermarket.RedemptionCancelled):
            return "welfare.redemption.cancelled", {**base, "reason": ev.reason}
        return None

    def open_since_before(self, older_than_iso: str, limit: int = 200) -> list[supermarket.Redemption]:
        """Redemptions still waiting (holding or for coins) that were asked for before `older_than_iso`."""
        return self.find({"status": {"$in": ["holding", "awaiting_coins"]}, "created_at": {"$lt": older_than_iso}},
                         limit=limit)
