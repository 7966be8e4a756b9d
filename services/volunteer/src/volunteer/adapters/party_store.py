"""The party registers (党建): branches, members, 党员报到, the hours reported members served, and the audit
trail of every access to them. Names, ID numbers and mobiles are encrypted (political affiliation is
sensitive personal data); one active membership per person and one report per person, community and year
are kept by unique keys derived from the ID number's blind index, never the number itself."""
from __future__ import annotations

from typing import Iterable

from liandong import outbox
from liandong.audit import AccessTrail
from liandong.clock import LOCAL_TZ, from_iso
from liandong.listing import Page
from liandong.personal import PersonalFields, person_key
from liandong.repository import OutboxRepository
from liandong.storage.base import DuplicateKeyError
from liandong.storage.filters import all_of

from ..domain import party
from .repositories import PagedRepository, _plain, in_period, listed

PARTY_ID_NUMBER = "volunteer.party.id_number"  # what the registers' uniqueness keys are keyed with


def _flags(q: dict, *names: str) -> dict:
    return {n: q[n] for n in names if q.get(n) is not None}


class PartyRepository(PagedRepository):
    """What the three registers share: the person's key for events and a blind key for uniqueness."""

    def person_key(self, record) -> str | None:
        return person_key(self.deps.cipher, record.id_number)

    def blind(self, id_number: str) -> str:
        return self.deps.cipher.blind_index(id_number, PARTY_ID_NUMBER)

    def get_or_none(self, record_id: str):
        """The record as stored, or None (an access check's look-up: no idempotency check, which `change` makes)."""
        doc = self.collection.find_one({"_id": record_id})
        return self._aggregate(doc) if doc else None


class BranchRepository(PartyRepository, OutboxRepository[party.Branch]):
    collection_name = "party_branches"
    time_field = "founded_on"
    order = [("founded_on", 1), ("_id", 1)]
    personal = PersonalFields.of("secretary")
    indexes = [([("org_path", 1)], {"name": "org_path"})]
    FIELDS = ("name", "org_unit_id", "org_path", "secretary", "founded_on", "status", "dissolved_on")

    def to_document(self, b: party.Branch) -> dict:
        return {k: getattr(b, k) for k in self.FIELDS}

    def from_document(self, doc: dict) -> party.Branch:
        return party.Branch(id=doc["_id"], **_plain(doc, self.FIELDS))

    def publish(self, b: party.Branch, ev):
        base = {"branch_id": b.id, "org_unit_id": b.org_unit_id}
        if isinstance(ev, party.BranchFounded):
            return "volunteer.party.branch_founded", {**base, "name": b.name, "founded_on": b.founded_on}
        if isinstance(ev, party.BranchDissolved):
            return "volunteer.party.branch_dissolved", {**base, "dissolved_on": b.dissolved_on}
        return None

    def listing(self, paths: Iterable[str], q: dict) -> Page:
        return self.page(paths, q, listed(q, "status"))


class MemberRepository(PartyRepository, OutboxRepository[party.Member]):
    collection_name = "party_members"
    time_field = "joined_on"
    order = [("joined_on", 1), ("_id", 1)]
    personal = PersonalFields.of("name", "id_number", "mobile")
    # `membership`: the person's blind key while the membership is active (unique: one per person), the member's
    # own id once it ended (so the person may join again, elsewhere)
    indexes = [([("org_path", 1)], {"name": "org_path"}), ([("branch_id", 1)], {"name": "branch"}),
               ([("membership", 1)], {"name": "membership", "unique": True})]
    FIELDS = ("branch_id", "org_unit_id", "org_path", "name", "id_number", "kind", "joined_on", "registered_at",
              "mobile", "floating", "hardship", "notice_signed_on", "status", "ended_on")

    def to_document(self, m: party.Member) -> dict:
        return {**{k: getattr(m, k) for k in self.FIELDS},
                "membership": self.blind(m.id_number) if m.active else f"ended:{m.id}"}

    def from_document(self, doc: dict) -> party.Member:
        return party.Member(id=doc["_id"], **_plain(doc, self.FIELDS))

    def publish(self, m: party.Member, ev):
        base = {"member_id": m.id, "branch_id": m.branch_id, "org_unit_id": m.org_unit_id,
                "person_key": self.person_key(m)}
        if isinstance(ev, party.MemberRegistered):
            return "volunteer.party.member_registered", {**base, "kind": m.kind, "joined_on": m.joined_on,
                                                         "registered_at": m.registered_at, "floating": m.floating,
                                                         "hardship": m.hardship}
        if isinstance(ev, party.NoticeSigned):
            return "volunteer.party.notice_signed", {**base, "signed_on": m.notice_signed_on}
        if isinstance(ev, party.MemberEnded):
            return "volunteer.party.member_ended", {**base, "reason": m.status, "ended_on": m.ended_on}
        return None

    def is_member(self, id_number: str) -> bool:
        return self.collection.find_one({"membership": self.blind(id_number)}) is not None

    def members_of(self, branch_id: str) -> int:
        return self.collection.count_documents({"branch_id": branch_id, "status": "active"})

    def listing(self, paths: Iterable[str], q: dict) -> Page:
        return self.page(paths, q, all_of(listed(q, "status", "kind", "branch_id"),
                                          _flags(q, "floating", "hardship")))


class ReportRepository(PartyRepository, OutboxRepository[party.Report]):
    collection_name = "party_reports"
    time_field = "reported_on"
    order = [("reported_on", 1), ("_id", 1)]
    personal = PersonalFields.of("name", "id_number", "mobile")
    indexes = [([("org_path", 1)], {"name": "org_path"}), ([("volunteer_id", 1)], {"name": "volunteer"}),
               ([("report_key", 1)], {"name": "report_key", "unique": True})]
    FIELDS = ("org_unit_id", "org_path", "name", "id_number", "workplace", "reported_on", "volunteer_id", "linked",
              "recorded_at", "mobile")

    def report_key(self, id_number: str, org_unit_id: str, year: str) -> str:
        return f"{self.blind(id_number)}:{org_unit_id}:{year}"

    def to_document(self, r: party.Report) -> dict:
        return {**{k: getattr(r, k) for k in self.FIELDS},
                "report_key": self.report_key(r.id_number, r.org_unit_id, r.year)}

    def from_document(self, doc: dict) -> party.Report:
        return party.Report(id=doc["_id"], **_plain(doc, self.FIELDS))

    def publish(self, r: party.Report, ev):
        if isinstance(ev, party.MemberReported):
            return "volunteer.party.member_reported", {
                "report_id": r.id, "volunteer_id": r.volunteer_id, "org_unit_id": r.org_unit_id,
                "person_key": self.person_key(r), "workplace": r.workplace, "reported_on": r.reported_on,
                "volunteer_linked": r.linked}
        return None

    def reported(self, id_number: str, org_unit_id: str, year: str) -> bool:
        return self.collection.find_one({"report_key": self.report_key(id_number, org_unit_id, year)}) is not None

    def counts_for(self, volunteer_id: str, started_at: str) -> dict | None:
        """The report a volunteer's service at `started_at` counts for: their latest report on or before that
        day (hours served before reporting are a resident volunteer's, not a reported member's). Plain fields
        only: no personal data is read."""
        day = from_iso(started_at).astimezone(LOCAL_TZ).date().isoformat()
        reports = [r for r in self.collection.find({"volunteer_id": volunteer_id}, projection={
            "reported_on": 1, "org_unit_id": 1, "org_path": 1}) if r["reported_on"] <= day]
        return max(reports, key=lambda r: r["reported_on"]) if reports else None


class PartyService:
    """The hours reported members served after reporting (one row per attendance event, with
    `volunteer.party.service_recorded`): what the report's list and the gateway's figure sum."""

    def __init__(self, deps):
        self.deps = deps
        self.rows = deps.db.collection("party_service")

    def prepare(self) -> None:
        outbox.prepare(self.rows)
        self.rows.create_index([("report_id", 1), ("started_at", 1)], name="report_time")

    def follow(self, event, report: dict) -> bool:
        """The attendance event's minutes as served by a reported member; False if counted before."""
        d = event.data
        row = {"_id": event.id, "report_id": report["_id"], "volunteer_id": d["volunteer_id"],
               "attendance_id": d["attendance_id"], "org_unit_id": report["org_unit_id"],
               "org_path": report["org_path"], "started_at": d["started_at"], "delta_minutes": d["delta_minutes"]}
        served = self.deps.events.new("volunteer.party.service_recorded", report["_id"], {
            k: row[k] for k in ("report_id", "volunteer_id", "attendance_id", "org_unit_id", "started_at",
                                "delta_minutes")}, report["org_path"], causation_id=event.id)
        try:
            outbox.insert_with_events(self.rows, row, [served])
        except DuplicateKeyError:
            return False
        return True

    def minutes(self, report_ids: list[str], since: str, until: str) -> dict[str, int]:
        out: dict[str, int] = {}
        if not report_ids:
            return out
        for r in self.rows.find({"report_id": {"$in": report_ids}}):
            if in_period(r["started_at"], since, until):
                out[r["report_id"]] = out.get(r["report_id"], 0) + r["delta_minutes"]
        return out


class PartyStores:
    def __init__(self, deps):
        self.branches, self.members, self.reports = BranchRepository(deps), MemberRepository(deps), ReportRepository(deps)
        self.service, self.audit = PartyService(deps), AccessTrail(deps, "party_audit")  # every access, or refusal

    def prepare(self) -> None:
        for store in (self.branches, self.members, self.reports, self.service, self.audit):
            store.prepare()

    def outbox_collections(self) -> list:
        return [self.branches.collection, self.members.collection, self.reports.collection, self.service.rows]
