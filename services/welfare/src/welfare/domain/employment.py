"""Employment and social insurance (就业 / 社保), the 保障员's work: unemployment registration (失业登记),
re-employment certificates (再就业优惠证), placements (就业安置), zero-employment households (零就业家庭)
followed until a member works, and resident medical-insurance enrolment (城镇居民医保参保). No I/O."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from liandong.domain import DomainEvent
from liandong.idnumbers import age_on, sex_of
from liandong.errors import InvalidTransition, ValidationFailed

# codes and the offices' words for them (GET /employment/vocabulary answers these)
CATEGORIES = {"laid_off": "下岗职工", "unemployed": "失业人员"}
PLACEMENT_KINDS = {"enterprise": "企业就业", "public_welfare_post": "公益性岗位", "flexible": "灵活就业",
                   "self_employed": "自主创业"}
END_REASONS = {"moved_away": "迁出", "retired": "退休", "enrolled_in_school": "升学", "deceased": "死亡",
               "other": "其他"}
MEMBER_STATUSES = {"employed": "在业", "unemployed": "失业", "laid_off": "下岗", "retired": "退休",
                   "student": "在校", "unable_to_work": "丧失劳动能力"}
INSURANCE_CATEGORIES = {"adult": "城镇居民", "minor": "未成年人", "student": "在校学生", "elderly": "老年居民"}

# 劳动年龄: men 16 to 59, women 16 to 54, as the community's employment statistics count it
WORKING_AGE = {"male": (16, 59), "female": (16, 54)}


def of_working_age(id_number: str, day: date) -> bool:
    low, high = WORKING_AGE[sex_of(id_number)]
    age = age_on(id_number, day)
    return age is not None and low <= age <= high


def days_between(first: str, last: str) -> int:
    """Whole days from one date (YYYY-MM-DD) to another."""
    return (date.fromisoformat(last) - date.fromisoformat(first)).days


# -- domain events (the repositories map them to contracts)

class JobSeekerRegistered(DomainEvent):
    pass


class JobSeekerPlaced(DomainEvent):
    pass


class JobSeekerEnded(DomainEvent):
    pass


class CertificateIssued(DomainEvent):
    pass


class HouseholdIdentified(DomainEvent):
    pass


class HouseholdCleared(DomainEvent):
    pass


class InsuranceEnrolled(DomainEvent):
    pass


def _not_after(day: str, today: str, field_name: str) -> None:
    if day > today:
        raise ValidationFailed("a date in the future", {field_name: ["must not be after today"]})


@dataclass
class _Resident:
    """A record about one resident of an org unit: who (encrypted at rest), and their key for events."""

    id: str
    org_path: str
    org_unit_id: str
    name: str
    id_number: str
    phone: str
    person_key: str


@dataclass
class JobSeeker(_Resident):
    """One registration as unemployed or laid off (失业登记), open until the person is placed or leaves."""

    household_key: str
    category: str
    skills: list
    wished_work: str
    registered_on: str
    registered_at: str
    registered_by: str
    status: str = "registered"  # registered -> placed | ended
    # while registered, the person's key (a unique index: one open registration per person); once closed,
    # this registration's own id, so that the person may register again later
    open_person: str = ""
    placement: dict | None = None
    ended: dict | None = None
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def register(cls, *, today: str, **kw) -> "JobSeeker":
        _not_after(kw["registered_on"], today, "registered_on")
        seeker = cls(**kw, open_person=kw["person_key"])
        seeker.events.append(JobSeekerRegistered())
        return seeker

    def _close(self, status: str) -> None:
        if self.status != "registered":
            raise InvalidTransition(f"the registration is {self.status} already")
        self.status = status
        self.open_person = f"closed:{self.id}"

    def _on_or_after_registration(self, day: str, today: str, field_name: str) -> None:
        _not_after(day, today, field_name)
        if day < self.registered_on:
            raise ValidationFailed("before the registration", {field_name: ["must not be before registered_on"]})

    def place(self, kind: str, employer: str, placed_on: str, on_site: bool, today: str, at: str, by: str) -> None:
        """就业安置: the person works (a job fair's 现场安置 when `on_site`); the registration ends."""
        self._on_or_after_registration(placed_on, today, "placed_on")
        self._close("placed")
        self.placement = {"kind": kind, "employer": employer, "placed_on": placed_on, "on_site": on_site,
                          "recorded_at": at, "recorded_by": by}
        self.events.append(JobSeekerPlaced())

    def end(self, reason: str, ended_on: str, note: str, today: str, at: str, by: str) -> None:
        """The registration ends otherwise (moved away, retired…)."""
        self._on_or_after_registration(ended_on, today, "ended_on")
        self._close("ended")
        self.ended = {"reason": reason, "ended_on": ended_on, "note": note, "recorded_at": at, "recorded_by": by}
        self.events.append(JobSeekerEnded())

    def may_get_certificate(self) -> None:
        if self.status != "registered":
            raise InvalidTransition(f"the registration is {self.status}: a certificate goes to a registered person")


@dataclass
class ReemploymentCertificate:
    """再就业优惠证: issued once per person, to a registered job seeker."""

    id: str
    org_path: str
    org_unit_id: str
    jobseeker_id: str
    person_key: str
    number: str
    issued_on: str
    issued_at: str
    issued_by: str
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def issue(cls, seeker: JobSeeker, *, today: str, **kw) -> "ReemploymentCertificate":
        seeker.may_get_certificate()
        seeker._on_or_after_registration(kw["issued_on"], today, "issued_on")
        cert = cls(org_path=seeker.org_path, org_unit_id=seeker.org_unit_id, jobseeker_id=seeker.id,
                   person_key=seeker.person_key, **kw)
        cert.events.append(CertificateIssued())
        return cert


@dataclass
class ZeroEmploymentHousehold:
    """零就业家庭: a household whose working-age members all lack work, followed (visits) until one is placed."""

    id: str
    org_path: str
    org_unit_id: str
    household_key: str
    members: list  # [{name, id_number, status}]
    member_keys: list  # the members' person keys: a placement of any of them clears the household
    identified_on: str
    identified_at: str
    identified_by: str
    status: str = "open"  # open -> cleared
    open_household: str = ""  # while open, the household's key in its community (unique): one open record
    visits: list = field(default_factory=list)
    cleared: dict | None = None
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def identify(cls, *, today: str, **kw) -> "ZeroEmploymentHousehold":
        _not_after(kw["identified_on"], today, "identified_on")
        day = date.fromisoformat(kw["identified_on"])
        working = [m for m in kw["members"] if of_working_age(m["id_number"], day)]
        if not working:
            raise ValidationFailed("no member of working age", {"members": [
                "a zero-employment household has members of working age (men 16-59, women 16-54)"]})
        if any(m["status"] == "employed" for m in working):
            raise ValidationFailed("a member works", {"members": [
                "a member of working age is employed: the household is not a zero-employment household"]})
        household = cls(**kw, open_household=f"{kw['org_unit_id']}:{kw['household_key']}")
        household.events.append(HouseholdIdentified())
        return household

    @property
    def working_age_members(self) -> int:
        day = date.fromisoformat(self.identified_on)
        return sum(1 for m in self.members if of_working_age(m["id_number"], day))

    def log_visit(self, visited_on: str, note: str, today: str, by: str, by_name: str) -> None:
        if self.status != "open":
            raise InvalidTransition("the household is cleared: it is no longer followed")
        _not_after(visited_on, today, "visited_on")
        self.visits.append({"visited_on": visited_on, "note": note, "by": by, "by_name": by_name})

    def clear(self, jobseeker_id: str, person_key: str, placed_on: str, at: str) -> bool:
        """A member was placed: the household leaves the list (once; False when it had left already)."""
        if self.status != "open":
            return False
        self.status = "cleared"
        self.open_household = f"cleared:{self.id}"
        self.cleared = {"cleared_on": max(placed_on, self.identified_on), "jobseeker_id": jobseeker_id,
                        "person_key": person_key, "at": at}
        self.events.append(HouseholdCleared())
        return True

    def days_open(self, today: str) -> int:
        return days_between(self.identified_on, self.cleared["cleared_on"] if self.cleared else today)


@dataclass
class MedicalInsuranceEnrolment(_Resident):
    """城镇居民医保参保登记: a person enrolled for one year (once per person and year)."""

    year: int
    category: str
    enrolled_on: str
    enrolled_at: str
    enrolled_by: str
    person_year: str = ""  # unique: the person's key and the year
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def enrol(cls, *, today: str, **kw) -> "MedicalInsuranceEnrolment":
        _not_after(kw["enrolled_on"], today, "enrolled_on")
        if not int(today[:4]) - 1 <= kw["year"] <= int(today[:4]) + 1:
            raise ValidationFailed("a year too far", {"year": ["last year, this year or next year"]})
        enrolment = cls(**kw, person_year=f"{kw['person_key']}:{kw['year']}")
        enrolment.events.append(InsuranceEnrolled())
        return enrolment
