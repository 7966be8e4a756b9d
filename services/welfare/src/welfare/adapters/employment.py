"""Storage of employment and social insurance (就业 / 社保): the registrations, certificates, zero-employment
households and insurance enrolments (outbox repositories with their named queries and their events'
contracts), and the audit trail of who reached these records (or was refused)."""
from __future__ import annotations

from liandong.audit import AccessTrail
from liandong.listing import Page, day_of
from liandong.personal import PersonalFields

from ..domain import employment as e
from liandong.storage.filters import all_of, between, one_of, within
from .repositories import _DataclassRepository

# a resident's name, ID number and phone; what an office writes about them (an ending's note, a visit's)
PERSON = ("name", "id_number", "phone")


class _EmploymentRepository(_DataclassRepository):
    """Lists newest first by the record's own date (`dated`), within org paths, with the list's filters."""

    dated = ""

    def page(self, scope: list[str], q: dict, *filters: dict) -> Page:
        since, until = (day_of(q.get(b)) for b in ("from_", "to"))  # a record's date is an office's day
        return self._page(all_of(within(scope), between(self.dated, since and since.isoformat(),
                                                          until and until.isoformat()), *filters),
                          [(self.dated, -1), ("_id", 1)], q["page"], q["page_size"])

    def _base(self, record) -> dict:
        return {"org_unit_id": record.org_unit_id, "person_key": record.person_key}


class JobSeekerRepository(_EmploymentRepository):
    collection_name = "jobseekers"
    aggregate_class = e.JobSeeker
    personal = PersonalFields.of(*PERSON, "ended.note")
    dated = "registered_on"
    indexes = [([("org_path", 1), ("registered_on", 1)], {"name": "org_day"}),
               # one open registration per person: a closed one holds its own id here instead
               ([("open_person", 1)], {"name": "open_person", "unique": True}),
               ([("household_key", 1)], {"name": "household"})]

    def publish(self, s: e.JobSeeker, ev):
        base = {"jobseeker_id": s.id, **self._base(s)}
        if isinstance(ev, e.JobSeekerRegistered):
            return "welfare.jobseeker.registered", {**base, "category": s.category, "registered_on": s.registered_on}
        if isinstance(ev, e.JobSeekerPlaced):
            return "welfare.jobseeker.placed", {**base, "kind": s.placement["kind"], "on_site": s.placement["on_site"],
                                                "placed_on": s.placement["placed_on"]}
        if isinstance(ev, e.JobSeekerEnded):
            return "welfare.jobseeker.ended", {**base, "reason": s.ended["reason"], "ended_on": s.ended["ended_on"]}
        return None

    def open_of(self, person_key: str) -> e.JobSeeker | None:
        found = self.find({"open_person": person_key}, limit=1)
        return found[0] if found else None

    def open_under(self, org_path: str) -> int:
        return self.collection.count_documents(all_of(within([org_path]), {"status": "registered"}))

    def search(self, scope: list[str], q: dict) -> Page:
        return self.page(scope, q, one_of("status", q.get("status")), one_of("category", q.get("category")),
                         one_of("household_key", [q.get("household_key")]))


class CertificateRepository(_EmploymentRepository):
    collection_name = "reemployment_certificates"
    aggregate_class = e.ReemploymentCertificate
    personal = PersonalFields.of("number")  # the certificate's number names its holder
    dated = "issued_on"
    indexes = [([("org_path", 1), ("issued_on", 1)], {"name": "org_day"}),
               ([("person_key", 1)], {"name": "once_per_person", "unique": True})]

    def publish(self, c: e.ReemploymentCertificate, ev):
        return "welfare.reemployment_certificate.issued", {
            "certificate_id": c.id, "jobseeker_id": c.jobseeker_id, **self._base(c), "issued_on": c.issued_on}

    def of_person(self, person_key: str) -> e.ReemploymentCertificate | None:
        found = self.find({"person_key": person_key}, limit=1)
        return found[0] if found else None


class HouseholdRepository(_EmploymentRepository):
    collection_name = "zero_employment_households"
    aggregate_class = e.ZeroEmploymentHousehold
    personal = PersonalFields.of("members", "visits[].note")
    dated = "identified_on"
    indexes = [([("org_path", 1), ("identified_on", 1)], {"name": "org_day"}),
               ([("open_household", 1)], {"name": "open_household", "unique": True}),
               ([("status", 1), ("member_keys", 1)], {"name": "open_member"})]

    def publish(self, h: e.ZeroEmploymentHousehold, ev):
        base = {"household_id": h.id, "org_unit_id": h.org_unit_id}
        if isinstance(ev, e.HouseholdIdentified):
            return "welfare.zero_employment_household.identified", {
                **base, "identified_on": h.identified_on, "working_age_members": h.working_age_members}
        if isinstance(ev, e.HouseholdCleared):
            return "welfare.zero_employment_household.cleared", {
                **base, "cleared_on": h.cleared["cleared_on"], "jobseeker_id": h.cleared["jobseeker_id"],
                "person_key": h.cleared["person_key"], "days_open": h.days_open(h.cleared["cleared_on"])}
        return None

    def open_with(self, person_key: str, org_unit_id: str, household_key: str) -> list[e.ZeroEmploymentHousehold]:
        """The open households a placed person belongs to: by their key among the members, or by the household
        number their registration gives (in the same community)."""
        by_member = self.find({"status": "open", "member_keys": {"$all": [person_key]}})
        by_number = self.find({"open_household": f"{org_unit_id}:{household_key}"}) if household_key else []
        return list({h.id: h for h in by_member + by_number}.values())

    def open_under(self, org_path: str) -> int:
        return self.collection.count_documents(all_of(within([org_path]), {"status": "open"}))

    def cleared_by(self, jobseeker_id: str) -> list[str]:
        """The households a placement cleared."""
        return [d["_id"] for d in self.collection.find({"cleared.jobseeker_id": jobseeker_id}, projection={"_id": 1},
                                                       sort=[("_id", 1)])]

    def search(self, scope: list[str], q: dict) -> Page:
        return self.page(scope, q, one_of("status", q.get("status")))


class EnrolmentRepository(_EmploymentRepository):
    collection_name = "medical_insurance_enrolments"
    aggregate_class = e.MedicalInsuranceEnrolment
    personal = PersonalFields.of(*PERSON)
    dated = "enrolled_on"
    indexes = [([("org_path", 1), ("year", 1)], {"name": "org_year"}),
               ([("person_year", 1)], {"name": "once_per_person_and_year", "unique": True})]

    def publish(self, m: e.MedicalInsuranceEnrolment, ev):
        return "welfare.medical_insurance.enrolled", {"enrolment_id": m.id, **self._base(m), "year": m.year,
                                                      "category": m.category, "enrolled_on": m.enrolled_on}

    def of_person_in(self, person_year: str) -> e.MedicalInsuranceEnrolment | None:
        found = self.find({"person_year": person_year}, limit=1)
        return found[0] if found else None

    def search(self, scope: list[str], q: dict) -> Page:
        return self.page(scope, q, one_of("year", [q.get("year")]), one_of("category", q.get("category")))

    def count_by_year(self, org_path: str) -> dict[int, int]:
        counts: dict[int, int] = {}
        for doc in self.collection.find(within([org_path]), projection={"year": 1}):
            counts[doc["year"]] = counts.get(doc["year"], 0) + 1
        return counts


class EmploymentStores:
    def __init__(self, deps):
        self.jobseekers = JobSeekerRepository(deps)
        self.certificates = CertificateRepository(deps)
        self.households = HouseholdRepository(deps)
        self.enrolments = EnrolmentRepository(deps)
        # who reached an employment record, or was refused (PIPL: employment status, health insurance)
        self.audit = AccessTrail(deps, "employment_audit")

    def repositories(self) -> tuple:
        return self.jobseekers, self.certificates, self.households, self.enrolments

    def prepare(self) -> None:
        for store in (*self.repositories(), self.audit):
            store.prepare()

    def outbox_collections(self) -> list:
        return [r.collection for r in self.repositories()]
