"""Storage of the security service's aggregates with their named queries, and the one mapping from
domain events to contracts."""
from __future__ import annotations

import dataclasses
from typing import Any

from liandong.audit import AccessTrail
from liandong import outbox
from liandong.errors import Conflict, NotFound
from liandong.imports.jobs import ImportJobs
from liandong.listing import Page, day_of
from liandong.personal import BlindIndex, PersonalFields
from liandong.storage import subtree
from liandong.repository import OutboxRepository
from liandong.storage.base import DuplicateKeyError
from liandong.storage.filters import all_of, between, one_of, within

from ..domain.corrections import SupervisedPerson, VisitOverdue
from ..domain.disputes import Dispute, DisputeMediated
from ..domain.incidents import Incident, IncidentReported, IncidentResolved
from ..domain.migrants import Migrant, MigrantMovedOut, MigrantRegistered, PermitExpiring, PermitLapsed, PermitRenewed
from ..domain.patrols import PatrolRun, PatrolRunCompleted
from .queries import paged

_NOT_STORED = {"id", "version", "events"}


class DataclassRepository(OutboxRepository):
    """Aggregates are dataclasses: every field but id/version/events is one document field."""

    aggregate: type = object

    def to_document(self, aggregate) -> dict:
        return {f.name: getattr(aggregate, f.name) for f in dataclasses.fields(aggregate) if f.name not in _NOT_STORED}

    def from_document(self, document: dict):
        names = {f.name for f in dataclasses.fields(self.aggregate)} - _NOT_STORED
        return self.aggregate(id=document["_id"], **{k: v for k, v in document.items() if k in names})

    def prepare(self) -> None:
        blind = self.personal.blind if self.personal else ()
        if blind and self.collection.find_one({blind[0].field: {"$exists": False}}):  # once, for data from before
            from liandong.reencrypt import reencrypt
            reencrypt(self.collection, self.personal, self.deps.cipher)
        super().prepare()

    def first(self, filter: dict):
        """The one aggregate matching a named query's filter, or None."""
        document = self.collection.find_one(filter)  # not a cursor: one round trip (FerretDB: 8 ms, not 48)
        return None if document is None else self.restored(document)

    def restored(self, document: dict):
        """The aggregate of a stored document, at its stored version (so a save of it is guarded)."""
        aggregate = self.loaded(document)
        aggregate.version = document[outbox.VERSION]
        return aggregate

    def get_or_none(self, aggregate_id: str):
        """The aggregate, or None when there is none: the use case decides the words of a 404."""
        try:
            return self.get(aggregate_id)
        except NotFound:
            return None

    def _page(self, query: dict, terms: list, sort: list) -> Page:
        return paged(self.collection, query, terms, sort, load=self.restored)


class IncidentRepository(DataclassRepository):
    collection_name = "incidents"
    aggregate = Incident
    personal = PersonalFields.of("address")
    indexes = [([("org_path", 1), ("reported_at", 1)], {"name": "org_path_reported"}),
               ([("reporter_user_id", 1)], {"name": "reporter"}),
               ([("status", 1)], {"name": "status"})]

    def page(self, query: dict, paths: list[str] | None, reporter_user_id: str | None = None) -> Page:
        """Incidents in these subtrees (None: anywhere) and, for a resident, of their own reports; newest first."""
        scope = [within(paths) if paths is not None else None, one_of("reporter_user_id", reporter_user_id)]
        if not any(scope):
            raise ValueError("an incident list needs a scope: subtrees or a reporter")  # never the whole collection
        return self._page(query, [*scope, one_of("status", query.get("status")), one_of("type", query.get("type")),
                                  one_of("severity", query.get("severity")), one_of("emergency", query.get("emergency")),
                                  between("reported_at", query.get("from_"), query.get("to"))],
                          [("reported_at", -1)])

    def reported_in(self, path: str, start: str, end: str) -> list[Incident]:
        return self.find(all_of(subtree(path), between("reported_at", start, end)))

    def publish(self, i: Incident, event: Any):
        if isinstance(event, IncidentReported):
            return "security.incident.reported", {
                "incident_id": i.id, "org_unit_id": i.org_unit_id, "type": i.type, "severity": i.severity,
                "emergency": i.emergency, "building": i.building, "injured": i.injured, "affected": i.affected,
                "reported_by_kind": i.reported_by_kind, "reported_at": i.reported_at}
        if isinstance(event, IncidentResolved):
            return "security.incident.resolved", {
                "incident_id": i.id, "org_unit_id": i.org_unit_id, "type": i.type, "severity": i.severity,
                "emergency": i.emergency, "reported_at": i.reported_at, "resolved_at": i.resolved_at,
                "response_minutes": None if i.response_minutes is None else round(i.response_minutes, 1),
                "verified": i.verified}
        return None


class PatrolRunRepository(DataclassRepository):
    collection_name = "patrol_runs"
    aggregate = PatrolRun
    indexes = [([("org_path", 1), ("started_at", 1)], {"name": "org_path_started"}),
               ([("route_id", 1)], {"name": "route"}), ([("shift_id", 1)], {"name": "shift"})]

    def page(self, query: dict, paths: list[str]) -> Page:
        return self._page(query, [within(paths), one_of("status", query.get("status")),
                                  between("started_at", query.get("from_"), query.get("to"))], [("started_at", -1)])

    def started_in(self, path: str, start: str, end: str) -> list[PatrolRun]:
        return self.find(all_of(subtree(path), between("started_at", start, end)))

    def publish(self, run: PatrolRun, event: Any):
        if isinstance(event, PatrolRunCompleted):
            return "security.patrol.completed", {
                "patrol_run_id": run.id, "route_id": run.route_id, "org_unit_id": run.org_unit_id,
                "started_at": run.started_at, "ended_at": run.ended_at,
                "checkpoints_total": len(run.checkpoints), "checkpoints_checked": len(run.checked_ids),
                "findings": len(run.findings), "participants": run.participant_minutes()}
        return None


class MigrantRepository(DataclassRepository):
    collection_name = "migrants"
    aggregate = Migrant
    # a migrant and the landlord, named with numbers and an address: encrypted at rest
    personal = PersonalFields.of("name", "id_number", "address", "landlord_name", "landlord_mobile",
                                 "permit_number", "verifications[].note",
                                 blind=(BlindIndex("id_index", "id_number", "migrant.id_number"),))
    # 不漏登、错登: the store itself refuses a second registration of one ID number in one community
    # (on the ID number's blind index: the number itself is stored only encrypted).
    indexes = [([("community_id", 1), ("id_index", 1)], {"unique": True, "name": "community_id_index"}),
               ([("org_path", 1), ("status", 1)], {"name": "org_path_status"}),
               ([("status", 1), ("permit_expires_on", 1)], {"name": "status_expiry"})]

    def registration(self, community_id: str, id_number: str) -> Migrant | None:
        """The registration of this ID number in this community (found by its blind index), or None."""
        return self.first({"community_id": community_id,
                           "id_index": self.deps.cipher.blind_match(id_number, "migrant.id_number")})

    def page(self, query: dict, paths: list[str]) -> Page:
        return self._page(query, [within(paths), one_of("status", query.get("status")),
                                  between("registered_at", query.get("from_"), query.get("to"))],
                          [("registered_at", 1)])

    def expiring_page(self, query: dict, paths: list[str], horizon: str) -> Page:
        """Active registrations whose permit expires on or before `horizon` (a date), soonest first;
        from/to bound the expiry date."""
        start, end = (day_of(query.get(k)) for k in ("from_", "to"))
        return self._page(query, [within(paths), self._expiring_by(horizon),
                                  between("permit_expires_on", start and start.isoformat(), end and end.isoformat())],
                          [("permit_expires_on", 1)])

    def expiring_by(self, horizon: str, paths: list[str] | None = None) -> list[Migrant]:
        return self.find(all_of(within(paths) if paths is not None else None, self._expiring_by(horizon)))

    def lapsing_before(self, today: str, paths: list[str] | None = None) -> list[Migrant]:
        """Active registrations whose permit expired before `today` and is not yet recorded as lapsed."""
        return self.find(all_of(within(paths) if paths is not None else None, {
            "status": "active", "permit_expires_on": {"$lt": today}, "permit_lapsed": {"$ne": True}}))

    @staticmethod
    def _expiring_by(horizon: str) -> dict:
        return {"status": "active", "permit_expires_on": {"$lte": horizon}}

    def unverified_page(self, query: dict, paths: list[str], since: str) -> Page:
        """Active registrations last checked before `since`, oldest check first; from/to bound that check."""
        return self._page(query, [within(paths), {"status": "active"},
                                  between("last_verified_at", query.get("from_"), query.get("to"), before=since)],
                          [("last_verified_at", 1)])

    def active_in(self, path: str) -> list[Migrant]:
        return self.find(all_of(subtree(path), {"status": "active"}))

    def add(self, aggregate: Migrant) -> Migrant:
        try:
            return super().add(aggregate)
        except Conflict as exc:
            if isinstance(exc.__cause__, DuplicateKeyError) and self.collection.find_one({"_id": aggregate.id}) is None:
                raise Conflict("this ID number is registered in this community already",
                               {"id_number": ["already registered in this community"]}) from exc
            raise

    def publish(self, m: Migrant, event: Any):
        if isinstance(event, MigrantRegistered):
            return "security.migrant.registered", {
                "migrant_id": m.id, "org_unit_id": m.org_unit_id, "community_id": m.community_id,
                "origin": m.origin, "permit_expires_on": m.permit_expires_on, "registered_at": m.registered_at}
        if isinstance(event, PermitExpiring):
            return "security.migrant.permit_expiring", {
                # not the permit number: it names the person, and no consumer needs it
                "migrant_id": m.id, "org_unit_id": m.org_unit_id, "community_id": m.community_id,
                "permit_expires_on": m.permit_expires_on,
                "days_left": event.days_left}
        fact = {"migrant_id": m.id, "org_unit_id": m.org_unit_id, "community_id": m.community_id}
        if isinstance(event, MigrantMovedOut):
            return "security.migrant.moved_out", {**fact, "moved_out_at": event.moved_out_at,
                                                  "permit_lapsed": event.permit_lapsed}
        if isinstance(event, PermitLapsed):
            return "security.migrant.permit_lapsed", {**fact, "expired_on": event.expired_on}
        if isinstance(event, PermitRenewed):
            return "security.migrant.permit_renewed", {**fact, "permit_expires_on": m.permit_expires_on,
                                                       "was_lapsed": event.was_lapsed}
        return None


class CorrectionsRepository(DataclassRepository):
    collection_name = "corrections"
    aggregate = SupervisedPerson
    # 矫正对象 / 安置帮教: who, and what each visit found
    personal = PersonalFields.of("name", "id_number", "visits[].note",
                                 blind=(BlindIndex("id_index", "id_number", "corrections.id_number"),))
    indexes = [([("org_path", 1), ("next_visit_due", 1)], {"name": "org_path_due"}),
               ([("next_visit_due", 1)], {"name": "due"}),
               ([("id_index", 1)], {"name": "id_index"})]  # an import finds a person by the ID number

    def enrolled(self, path: str, id_number: str) -> SupervisedPerson | None:
        """The record of this ID number at or below `path` (found by its blind index), or None."""
        return self.first(all_of(subtree(path),
                                 {"id_index": self.deps.cipher.blind_match(id_number, "corrections.id_number")}))

    def page(self, query: dict, paths: list[str], now: str) -> Page:
        """People under supervision, the next visit due first; `overdue` true/false: due before `now` or not."""
        overdue = query.get("overdue")
        due = None if overdue is None else (between("next_visit_due", before=now) if overdue
                                            else between("next_visit_due", now))
        return self._page(query, [within(paths), due, between("enrolled_at", query.get("from_"), query.get("to"))],
                          [("next_visit_due", 1)])

    def everyone(self) -> list[SupervisedPerson]:
        """Every person under supervision (a few hundred in a district): the register's daily review."""
        return self.find({})

    def due_before(self, now: str, paths: list[str] | None = None) -> list[SupervisedPerson]:
        return self.find(all_of(within(paths) if paths is not None else None, between("next_visit_due", before=now)))

    def publish(self, p: SupervisedPerson, event: Any):
        if isinstance(event, VisitOverdue):
            return "security.corrections.visit_overdue", {
                "person_id": p.id, "org_unit_id": p.org_unit_id, "category": p.category,
                "responsible_worker_id": p.responsible_worker_id, "due_at": p.next_visit_due,
                "days_overdue": event.days_overdue}
        return None


class DisputeRepository(DataclassRepository):
    collection_name = "disputes"
    aggregate = Dispute
    personal = PersonalFields.of("parties", "sessions[].note", "outcome_note", "follow_ups[].note")
    indexes = [([("org_path", 1), ("mediated_at", 1)], {"name": "org_path_mediated"}),
               ([("petition_id", 1)], {"name": "petition"})]

    def page(self, query: dict, paths: list[str]) -> Page:
        return self._page(query, [within(paths), *(one_of(k, query.get(k)) for k in ("status", "outcome", "type",
                                                                                     "petition_id")),
                                  between("registered_at", query.get("from_"), query.get("to"))],
                          [("registered_at", -1)])

    def outcomes_mediated_in(self, path: str, start: str, end: str) -> list[str]:
        """The outcome of every mediation concluded in the period (no party's name is read for it)."""
        return [d["outcome"] for d in self.collection.find(all_of(subtree(path), {"status": "mediated"},
                                                                  between("mediated_at", start, end)))]

    def publish(self, d: Dispute, event: Any):
        if isinstance(event, DisputeMediated):
            return "security.dispute.mediated", {
                "dispute_id": d.id, "org_unit_id": d.org_unit_id, "type": d.type, "outcome": d.outcome,
                "sessions": len(d.sessions), "petition_id": d.petition_id, "mediated_at": d.mediated_at}
        return None


class Repositories:
    """Every store of the service, built once per process from its dependencies."""

    def __init__(self, deps):
        from .register import HouseholdRepository, KeyGroupFacts, Marks, Memberships
        from .stores import KnownPetitions, PatrolRouteStore, PatrolShiftStore

        self.deps = deps
        self.incidents = IncidentRepository(deps)
        self.runs = PatrolRunRepository(deps)
        self.migrants = MigrantRepository(deps)
        self.corrections = CorrectionsRepository(deps)
        self.disputes = DisputeRepository(deps)
        self.routes = PatrolRouteStore(deps)
        self.shifts = PatrolShiftStore(deps)
        self.audit = AccessTrail(deps, "audit")  # reads of sensitive records (corrections, unmasked IDs)
        self.petitions = KnownPetitions(deps)
        self.imports = ImportJobs(deps)  # the offices' ledgers imported (liandong.imports)
        self.households = HouseholdRepository(deps)
        self.memberships = Memberships(deps)
        self.key_group_facts = KeyGroupFacts(deps)
        self.register_marks = Marks(deps)

    @property
    def aggregates(self) -> list[OutboxRepository]:
        return [self.incidents, self.runs, self.migrants, self.corrections, self.disputes, self.households,
                self.imports]

    def prepare(self) -> None:
        for store in (*self.aggregates, self.routes, self.shifts, self.audit):
            store.prepare()
