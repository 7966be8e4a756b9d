"""Employment and social insurance (就业 / 社保), the 保障员's work: unemployment registration, re-employment
certificates, placements, zero-employment households, resident medical-insurance enrolment.

Employment status and health insurance are sensitive personal data (PIPL): every record is reached only with
`welfare:employment` (the 保障员's duty, social_security; sub-district officers hold it). Without it anywhere
the caller is refused (403) and the refusal is written to the audit trail; a record out of the caller's sight
is 404 in a missing one's words (the attempt audited too). Names, ID numbers and phones are masked unless the
caller holds personal_data:read over the record; each unmasked read is audited."""
from __future__ import annotations

from dataclasses import asdict

from liandong.auth import Principal, out_of_scope
from liandong.errors import Conflict, Forbidden, NotFound, ValidationFailed
from liandong.idnumbers import mask, mask_mobile
from liandong.ids import new_id
from liandong.listing import Page
from liandong.personal import person_key
from liandong.repository import retry_on_conflict

from ..adapters.employment import EmploymentStores
from ..domain import employment as e
from .common import CHINA, UseCases

PERMISSION = "welfare:employment"
PERSONAL = "personal_data:read"
AUDIT = "audit:read"


def caller_path(p: Principal) -> str:
    """Where a refusal with no record to name is filed: the caller's widest unit."""
    return min((g.org_path for g in p.grants), key=len, default="/")


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def _masked_person(doc: dict) -> dict:
    return {**doc, "name": _mask_name(doc["name"]), "id_number": mask(doc["id_number"]),
            **({"phone": mask_mobile(doc["phone"])} if doc.get("phone") else {})}


def _record(aggregate) -> dict:
    """A record as answered: without its bookkeeping (uniqueness guards, version, events) and the person's key."""
    return {k: v for k, v in asdict(aggregate).items()
            if k not in ("events", "version", "org_path", "open_person", "open_household", "person_year",
                         "member_keys", "person_key")}


class Employment(UseCases):
    def __init__(self, deps, stores, catalogue):
        super().__init__(deps, stores, catalogue)
        self.records = EmploymentStores(deps)

    def prepare(self) -> None:
        self.records.prepare()

    # -- the days of the offices' calendar

    def today(self) -> str:
        return self.clock.now().astimezone(CHINA).date().isoformat()

    def day_or_today(self, given: str | None) -> str:
        return given or self.today()

    # -- who may reach what, every access audited

    def _audit(self, p: Principal, action: str, org_path: str, record_id: str | None, allowed: bool) -> None:
        self.records.audit.record(p, action, org_path, record_id, allowed)

    def _allow(self, p: Principal, action: str, org_path: str, record_id: str | None = None) -> None:
        ok = p.can(PERMISSION, org_path)
        self._audit(p, action, org_path, record_id, ok)
        if not ok:
            raise Forbidden(f"{PERMISSION} is not granted here")  # a refusal names no org path

    def _unit(self, p: Principal, action: str, org_unit_id: str) -> str:
        path = self.org.path_of(org_unit_id)
        self._allow(p, action, path)
        return path

    def _reach(self, p: Principal, action: str, repo, what: str, record_id: str):
        """The record for `action`, audited allowed or refused. Callers without the duty anywhere are refused
        before the lookup (a 404 would tell them nothing either)."""
        if not p.scopes(PERMISSION):
            self._allow(p, action, caller_path(p), record_id)
        try:
            record = repo.get(record_id)
        except NotFound:
            record = None
        if record is None or not p.can(PERMISSION, record.org_path):
            self._audit(p, action, record.org_path if record else caller_path(p), record_id, False)
            raise out_of_scope(what, record_id)
        self._audit(p, action, record.org_path, record.id, True)
        return record

    def _paths(self, p: Principal, action: str, org_unit: str | None) -> list[str]:
        if org_unit:
            path = self.org.path_of(org_unit, "org_unit")
            self._allow(p, action, path)
            return [path]
        if not p.scopes(PERMISSION):
            self._allow(p, action, caller_path(p))
        return p.scopes(PERMISSION)

    def _shown(self, p: Principal, record, doc: dict, masked=_masked_person) -> dict:
        """`doc` as the caller may see it: masked without personal_data:read over the record."""
        return doc if p.can(PERSONAL, record.org_path) else masked(doc)

    def _listed(self, p: Principal, page: Page, present) -> Page:
        """A page presented; each record shown unmasked is a read of it, audited (a single record's access is
        audited as it is reached)."""
        for record in page.items:
            if p.can(PERSONAL, record.org_path):
                self._audit(p, "employment.read", record.org_path, record.id, True)
        page.items = [present(p, record) for record in page.items]
        return page

    def _added(self, repo, record, refusal: str):
        """Store a new record once: a retry (same Idempotency-Key) answers the stored one; a second record
        the uniqueness forbids (one open registration, one certificate…) is a 409 saying which."""
        try:
            return repo.add(record)
        except Conflict:
            raise Conflict(refusal) from None

    def _changed(self, p: Principal, action: str, repo, what: str, record_id: str, mutate):
        def attempt():
            record = self._reach(p, action, repo, what, record_id)
            mutate(record)
            return repo.save(record)

        return retry_on_conflict(attempt)

    # -- 失业登记: unemployment registration

    def jobseeker_view(self, p: Principal, s: e.JobSeeker) -> dict:
        return self._shown(p, s, _record(s))

    def register(self, p: Principal, body: dict) -> dict:
        path = self._unit(p, "employment.register", body["org_unit_id"])
        key = person_key(self.deps.cipher, body["id_number"])
        seeker = e.JobSeeker.register(
            today=self.today(), id=new_id(), org_path=path, org_unit_id=body["org_unit_id"], name=body["name"],
            id_number=body["id_number"], phone=body.get("phone", ""), person_key=key,
            household_key=body.get("household_key", ""), category=body["category"], skills=body.get("skills", []),
            wished_work=body.get("wished_work", ""), registered_on=self.day_or_today(body.get("registered_on")),
            registered_at=self.clock.now_iso(), registered_by=p.user_id)
        return self.jobseeker_view(p, self._added(
            self.records.jobseekers, seeker,
            "this person has an open unemployment registration already: end it (placed or otherwise) first"))

    def jobseekers(self, p: Principal, q: dict) -> Page:
        page = self.records.jobseekers.search(self._paths(p, "employment.list", q.get("org_unit")), q)
        return self._listed(p, page, self.jobseeker_view)

    def jobseeker(self, p: Principal, jobseeker_id: str) -> dict:
        seeker = self._reach(p, "employment.read", self.records.jobseekers, "job seeker", jobseeker_id)
        certificate = self.records.certificates.of_person(seeker.person_key)
        return {**self.jobseeker_view(p, seeker),
                "certificate": certificate and self.certificate_view(p, certificate)}

    def place(self, p: Principal, jobseeker_id: str, body: dict) -> dict:
        """就业安置: the registration ends; a zero-employment household the person belongs to is cleared."""
        seeker = self._changed(p, "employment.place", self.records.jobseekers, "job seeker", jobseeker_id,
                               lambda s: s.place(body["kind"], body.get("employer", ""),
                                                 self.day_or_today(body.get("placed_on")), body.get("on_site", False),
                                                 self.today(), self.clock.now_iso(), p.user_id))
        cleared = self.clear_households_of(seeker)
        return {**self.jobseeker_view(p, seeker), "cleared_households": cleared}

    def clear_households_of(self, seeker: e.JobSeeker) -> list[str]:
        """The open zero-employment households of a placed person leave the list (also run by the worker on
        `welfare.jobseeker.placed`, should a crash have come between the placement and this); answers the ids
        of the households this placement cleared (whichever of the two got there first)."""
        if seeker.status != "placed":
            return []
        households = self.records.households

        def clear(household_id: str) -> None:
            household = households.get(household_id)
            if household.clear(seeker.id, seeker.person_key, seeker.placement["placed_on"], self.clock.now_iso()):
                households.save(household)

        for household in households.open_with(seeker.person_key, seeker.org_unit_id, seeker.household_key):
            retry_on_conflict(lambda household_id=household.id: clear(household_id))
        return households.cleared_by(seeker.id)

    def on_placed(self, data: dict) -> None:
        try:
            self.clear_households_of(self.records.jobseekers.get(data["jobseeker_id"]))
        except NotFound:
            return

    def end(self, p: Principal, jobseeker_id: str, body: dict) -> dict:
        return self.jobseeker_view(p, self._changed(
            p, "employment.end", self.records.jobseekers, "job seeker", jobseeker_id,
            lambda s: s.end(body["reason"], self.day_or_today(body.get("ended_on")), body.get("note", ""),
                            self.today(), self.clock.now_iso(), p.user_id)))

    # -- 再就业优惠证

    def certificate_view(self, p: Principal, c: e.ReemploymentCertificate) -> dict:
        return self._shown(p, c, _record(c), masked=lambda d: {**d, "number": mask(d["number"])})

    def issue_certificate(self, p: Principal, jobseeker_id: str, body: dict) -> dict:
        earlier = self.records.certificates.stored_by_this_request()
        if earlier is not None:  # a retry: the registration may be placed meanwhile
            return self.certificate_view(p, earlier)
        seeker = self._reach(p, "employment.certify", self.records.jobseekers, "job seeker", jobseeker_id)
        certificate = e.ReemploymentCertificate.issue(
            seeker, today=self.today(), id=new_id(), number=body["number"],
            issued_on=self.day_or_today(body.get("issued_on")), issued_at=self.clock.now_iso(), issued_by=p.user_id)
        return self.certificate_view(p, self._added(self.records.certificates, certificate,
                                                    "a re-employment certificate was issued to this person already"))

    def certificates(self, p: Principal, q: dict) -> Page:
        page = self.records.certificates.page(self._paths(p, "employment.list", q.get("org_unit")), q)
        return self._listed(p, page, self.certificate_view)

    # -- 零就业家庭

    def household_view(self, p: Principal, h: e.ZeroEmploymentHousehold) -> dict:
        doc = {**_record(h), "days_open": h.days_open(self.today()), "working_age_members": h.working_age_members}
        if h.cleared:  # the placed member's key is for events and lookups, never shown
            doc["cleared"] = {k: v for k, v in h.cleared.items() if k != "person_key"}
        return self._shown(p, h, doc, masked=lambda d: {**d, "members": [_masked_person(m) for m in d["members"]],
                                                         "visits": [{**v, "note": None} for v in d["visits"]]})

    def identify_household(self, p: Principal, body: dict) -> dict:
        path = self._unit(p, "employment.identify", body["org_unit_id"])
        numbers = [m["id_number"] for m in body["members"]]
        if len(set(numbers)) != len(numbers):
            raise ValidationFailed("a member twice", {"members": ["each member once (ID numbers repeat)"]})
        household = e.ZeroEmploymentHousehold.identify(
            today=self.today(), id=new_id(), org_path=path, org_unit_id=body["org_unit_id"],
            household_key=body["household_key"],
            members=[{"name": m["name"], "id_number": m["id_number"], "status": m["status"]} for m in body["members"]],
            member_keys=sorted(person_key(self.deps.cipher, n) for n in numbers),
            identified_on=self.day_or_today(body.get("identified_on")), identified_at=self.clock.now_iso(),
            identified_by=p.user_id)
        return self.household_view(p, self._added(
            self.records.households, household, "this household is on the zero-employment list already"))

    def households(self, p: Principal, q: dict) -> Page:
        page = self.records.households.search(self._paths(p, "employment.list", q.get("org_unit")), q)
        return self._listed(p, page, self.household_view)

    def household(self, p: Principal, household_id: str) -> dict:
        return self.household_view(p, self._reach(p, "employment.read", self.records.households,
                                                  "zero-employment household", household_id))

    def visit_household(self, p: Principal, household_id: str, body: dict) -> dict:
        return self.household_view(p, self._changed(
            p, "employment.visit", self.records.households, "zero-employment household", household_id,
            lambda h: h.log_visit(self.day_or_today(body.get("visited_on")), body["note"], self.today(), p.user_id,
                                  p.name)))

    # -- 城镇居民医保参保登记

    def enrolment_view(self, p: Principal, m: e.MedicalInsuranceEnrolment) -> dict:
        return self._shown(p, m, _record(m))

    def enrol(self, p: Principal, body: dict) -> dict:
        path = self._unit(p, "employment.enrol", body["org_unit_id"])
        enrolment = e.MedicalInsuranceEnrolment.enrol(
            today=self.today(), id=new_id(), org_path=path, org_unit_id=body["org_unit_id"], name=body["name"],
            id_number=body["id_number"], phone=body.get("phone", ""),
            person_key=person_key(self.deps.cipher, body["id_number"]), year=body["year"],
            category=body.get("category", "adult"), enrolled_on=self.day_or_today(body.get("enrolled_on")),
            enrolled_at=self.clock.now_iso(), enrolled_by=p.user_id)
        return self.enrolment_view(p, self._added(self.records.enrolments, enrolment,
                                                  f"this person is enrolled for {body['year']} already"))

    def enrolments(self, p: Principal, q: dict) -> Page:
        page = self.records.enrolments.search(self._paths(p, "employment.list", q.get("org_unit")), q)
        return self._listed(p, page, self.enrolment_view)

    # -- the vocabulary, figures and the audit trail

    def vocabulary(self, p: Principal) -> dict:
        p.require("welfare:read")
        return {"categories": e.CATEGORIES, "placement_kinds": e.PLACEMENT_KINDS, "end_reasons": e.END_REASONS,
                "member_statuses": e.MEMBER_STATUSES, "insurance_categories": e.INSURANCE_CATEGORIES}

    def figures(self, p: Principal, q: dict) -> dict:
        """Now: registered job seekers and open zero-employment households; enrolments per year."""
        paths = self._paths(p, "employment.figures", q.get("org_unit"))
        if len(paths) != 1:
            raise ValidationFailed("name the org unit", {"org_unit": ["required: the figures of which org unit?"]})
        r = self.records
        return {"org_unit_id": q.get("org_unit") or next(g.org_unit for g in p.grants if g.org_path == paths[0]),
                "jobseekers_registered": r.jobseekers.open_under(paths[0]),
                "zero_employment_households_open": r.households.open_under(paths[0]),
                "medical_insurance_enrolled": {str(y): n for y, n in sorted(r.enrolments.count_by_year(paths[0]).items())}}

    def audit_trail(self, p: Principal, q: dict) -> dict:
        paths = p.list_paths(AUDIT, self.org.path_of(q["org_unit"], "org_unit") if q.get("org_unit") else None)
        return self.records.audit.page(paths, q).body()

