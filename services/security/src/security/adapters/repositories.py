"""Storage of the security service's aggregates, and the one mapping from domain events to contracts."""
from __future__ import annotations

import dataclasses
from typing import Any

from liandong.errors import Conflict
from liandong.personal import BlindIndex, PersonalFields
from liandong.repository import OutboxRepository
from liandong.storage.base import DuplicateKeyError

from ..domain.corrections import SupervisedPerson, VisitOverdue
from ..domain.disputes import Dispute, DisputeMediated
from ..domain.incidents import Incident, IncidentReported, IncidentResolved
from ..domain.migrants import Migrant, MigrantRegistered, PermitExpiring
from ..domain.patrols import PatrolRun, PatrolRunCompleted

_NOT_STORED = {"id", "version", "events"}


class DataclassRepository(OutboxRepository):
    """Aggregates are dataclasses: every field but id/version/events is one document field."""

    aggregate: type = object

    def to_document(self, aggregate) -> dict:
        return {f.name: getattr(aggregate, f.name) for f in dataclasses.fields(aggregate) if f.name not in _NOT_STORED}

    def from_document(self, document: dict):
        names = {f.name for f in dataclasses.fields(self.aggregate)} - _NOT_STORED
        return self.aggregate(id=document["_id"], **{k: v for k, v in document.items() if k in names})


class IncidentRepository(DataclassRepository):
    collection_name = "incidents"
    aggregate = Incident
    personal = PersonalFields.of("address")
    indexes = [([("org_path", 1), ("reported_at", 1)], {"name": "org_path_reported"}),
               ([("reporter_user_id", 1)], {"name": "reporter"}),
               ([("status", 1)], {"name": "status"})]

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

    def prepare(self) -> None:
        if self.collection.find_one({"id_index": {"$exists": False}}):  # once, for data from before
            from liandong.reencrypt import reencrypt
            reencrypt(self.collection, self.personal, self.platform.cipher)
        super().prepare()

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
        return None


class CorrectionsRepository(DataclassRepository):
    collection_name = "corrections"
    aggregate = SupervisedPerson
    # 矫正对象 / 安置帮教: who, and what each visit found
    personal = PersonalFields.of("name", "id_number", "visits[].note")
    indexes = [([("org_path", 1), ("next_visit_due", 1)], {"name": "org_path_due"}),
               ([("next_visit_due", 1)], {"name": "due"})]

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

    def publish(self, d: Dispute, event: Any):
        if isinstance(event, DisputeMediated):
            return "security.dispute.mediated", {
                "dispute_id": d.id, "org_unit_id": d.org_unit_id, "type": d.type, "outcome": d.outcome,
                "sessions": len(d.sessions), "petition_id": d.petition_id, "mediated_at": d.mediated_at}
        return None


class Repositories:
    """Every store of the service, built once per process from the platform."""

    def __init__(self, platform):
        self.incidents = IncidentRepository(platform)
        self.runs = PatrolRunRepository(platform)
        self.migrants = MigrantRepository(platform)
        self.corrections = CorrectionsRepository(platform)
        self.disputes = DisputeRepository(platform)
        self.routes = platform.db.collection("patrol_routes")
        self.shifts = platform.db.collection("patrol_shifts")
        self.audit = platform.db.collection("audit")
        self.petitions = platform.db.collection("known_petitions")

    @property
    def aggregates(self) -> list[OutboxRepository]:
        return [self.incidents, self.runs, self.migrants, self.corrections, self.disputes]

    def prepare(self) -> None:
        for repo in self.aggregates:
            repo.prepare()
        self.routes.create_index([("org_path", 1)], name="org_path")
        self.shifts.create_index([("org_path", 1), ("ends_at", 1)], name="org_path_ends")
        self.shifts.create_index([("route_id", 1)], name="route")
        self.audit.create_index([("org_path", 1), ("at", 1)], name="org_path_at")
