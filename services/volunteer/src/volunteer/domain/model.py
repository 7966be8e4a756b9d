"""Volunteers, teams and activities: the rules of sign-up, the waitlist, attendance and hours."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from liandong.clock import from_iso
from liandong.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from liandong.domain import DomainEvent

VOLUNTEER_KINDS = ("resident", "party_member", "cobuilding_member")  # 居民, 党员报到, 共建单位
VOLUNTEER_STATUSES = ("active", "paused", "left")
# 志愿服务队: 治安巡逻/护巷, 敬老, 义诊, 法律援助, 扫雪保洁, 计生协会; others are configured per deployment.
BUILTIN_TEAM_TYPES = ("patrol", "elderly_care", "health_clinic", "legal_aid", "snow_cleaning",
                      "family_planning")
# their names in the offices' words: the one place (the gateway's reports and exports and the console read
# them from GET /api/v1/volunteer/types)
VOLUNTEER_KIND_NAMES = {"resident": "居民志愿者", "party_member": "在职党员（党员报到）", "cobuilding_member": "共建单位"}
BUILTIN_TEAM_TYPE_NAMES = {"patrol": "治安巡逻队", "elderly_care": "敬老助老", "health_clinic": "义诊服务",
                           "legal_aid": "法律援助", "snow_cleaning": "扫雪保洁", "family_planning": "计生协会"}
assert tuple(VOLUNTEER_KIND_NAMES) == VOLUNTEER_KINDS and tuple(BUILTIN_TEAM_TYPE_NAMES) == BUILTIN_TEAM_TYPES
MAX_ATTENDANCE_MINUTES = 24 * 60


# -- domain events (mapped to contracts by the repositories)

class VolunteerRegistered(DomainEvent):
    volunteer_id: str


class VolunteerLeft(DomainEvent):
    volunteer_id: str
    left_at: str


class ActivityPublished(DomainEvent):
    activity_id: str


class TeamFormed(DomainEvent):
    team_id: str


class TeamDissolved(DomainEvent):
    team_id: str


class SignedUp(DomainEvent):
    volunteer_id: str
    status: str  # signed_up | waitlisted | promoted | substitute


class AttendanceRecorded(DomainEvent):
    volunteer_id: str
    minutes: int
    delta_minutes: int
    coins: int
    delta_coins: int
    started_at: str
    correction_reason: str | None = None


def coins_for(minutes: int, coins_per_hour: int) -> int:
    """Coins earned for `minutes` of service at a rate per hour (whole coins, rounded down)."""
    return (minutes * coins_per_hour) // 60


def minutes_between(start: str, end: str) -> int:
    seconds = (from_iso(end) - from_iso(start)).total_seconds()
    if seconds <= 0:
        raise ValidationFailed("check-out must be after check-in", {"checked_out_at": ["not after check-in"]})
    minutes = int(seconds // 60)
    if minutes > MAX_ATTENDANCE_MINUTES:
        raise ValidationFailed("attendance longer than a day", {"checked_out_at": ["more than 24 hours"]})
    return minutes


@dataclass
class Volunteer:
    """A registered volunteer (志愿者); `user_id` links a resident's login so they can act as themselves."""

    id: str
    name: str
    kind: str
    org_unit_id: str
    org_path: str
    mobile: str | None
    skills: list[str]
    availability: str
    consent_at: str
    registered_at: str
    unit_name: str | None = None  # 共建单位 name for co-building members
    user_id: str | None = None
    status: str = "active"
    # 身份证号, optional (#19): who the volunteer is as a resident, so their hours reach their household's file
    id_number: str | None = None
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def register(cls, *, id: str, name: str, kind: str, org_unit_id: str, org_path: str, consent: bool,
                 now: str, mobile: str | None = None, skills=(), availability: str = "",
                 unit_name: str | None = None, user_id: str | None = None,
                 id_number: str | None = None, registered_at: str | None = None) -> "Volunteer":
        """`registered_at`: when the office registered them, if before now (a roster imported on rollout day)."""
        if not consent:
            raise ValidationFailed("the volunteer must consent to the use of their data",
                                   {"consent": ["consent is required"]})
        if kind not in VOLUNTEER_KINDS:
            raise ValidationFailed("unknown kind", {"kind": [f"one of {', '.join(VOLUNTEER_KINDS)}"]})
        if kind == "cobuilding_member" and not unit_name:
            raise ValidationFailed("co-building members name their unit", {"unit_name": ["required"]})
        v = cls(id=id, name=name, kind=kind, org_unit_id=org_unit_id, org_path=org_path, mobile=mobile,
                skills=sorted(set(skills)), availability=availability, consent_at=now,
                registered_at=registered_at or now, unit_name=unit_name, user_id=user_id, id_number=id_number)
        v.events.append(VolunteerRegistered(id))
        return v

    def update_profile(self, **changes) -> None:
        """Skills, availability and contact change over time; who the volunteer is does not."""
        if self.status == "left":
            raise InvalidTransition("a volunteer who left cannot be edited")
        for key in ("mobile", "availability", "unit_name"):
            if key in changes:
                setattr(self, key, changes[key])
        if "skills" in changes:
            self.skills = sorted(set(changes["skills"]))

    def set_status(self, status: str, now: str) -> None:
        """Active or paused (still registered), or left (退出: no longer counted among the registered)."""
        if status not in VOLUNTEER_STATUSES:
            raise ValidationFailed("unknown status", {"status": [f"one of {', '.join(VOLUNTEER_STATUSES)}"]})
        if self.status == "left" and status != "left":
            raise InvalidTransition("a volunteer who left registers again")
        if status == "left" and self.status != "left":
            self.events.append(VolunteerLeft(self.id, now))
        self.status = status

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass
class Team:
    """A volunteer service team (志愿服务队) with a leader and members."""

    id: str
    name: str
    type: str
    org_unit_id: str
    org_path: str
    leader_id: str | None = None
    member_ids: list[str] = field(default_factory=list)
    # 组建 / 解散 (#21): counted from the day formed to the day dissolved (one stored before #21 has no day: never)
    formed_on: str | None = None
    status: str = "active"  # active | dissolved
    dissolved_on: str | None = None
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def form(cls, formed_on: str, **fields) -> "Team":
        team = cls(formed_on=formed_on, **fields)
        team.events.append(TeamFormed(team.id))
        return team

    def dissolve(self, on: str) -> None:
        """A team is dissolved (解散); its members stay volunteers."""
        if self.status != "active":
            raise InvalidTransition("the team is dissolved already")
        if self.formed_on and on < self.formed_on:
            raise ValidationFailed("a team is dissolved after it was formed", {"dissolved_on": [f">= {self.formed_on}"]})
        self.status, self.dissolved_on = "dissolved", on
        self.events.append(TeamDissolved(self.id))

    def _active(self) -> None:
        if self.status != "active":
            raise InvalidTransition("a dissolved team is not changed")

    def add_member(self, volunteer_id: str) -> None:
        self._active()
        if volunteer_id not in self.member_ids:
            self.member_ids.append(volunteer_id)

    def remove_member(self, volunteer_id: str) -> None:
        self._active()
        if volunteer_id == self.leader_id:
            raise Conflict("name another leader before removing this one")
        if volunteer_id in self.member_ids:
            self.member_ids.remove(volunteer_id)

    def set_leader(self, volunteer_id: str) -> None:
        self.add_member(volunteer_id)
        self.leader_id = volunteer_id


@dataclass
class Attendance:
    volunteer_id: str
    checked_in_at: str | None = None
    checked_out_at: str | None = None
    minutes: int = 0
    coins: int = 0
    no_show: bool = False
    corrections: list[dict] = field(default_factory=list)


@dataclass
class Activity:
    """A volunteer activity: published, signed up for (with a waitlist), attended, completed."""

    id: str
    title: str
    type: str
    org_unit_id: str
    org_path: str
    place: str
    starts_at: str
    ends_at: str
    capacity: int
    organiser_id: str
    checkin_code: str
    coins_per_hour: int
    skills_wanted: list[str] = field(default_factory=list)
    team_id: str | None = None
    status: str = "draft"  # draft -> published -> completed | cancelled
    signups: list[dict] = field(default_factory=list)  # {volunteer_id, status, at}, in arrival order
    attendance: dict[str, Attendance] = field(default_factory=dict)
    reminded_at: str | None = None
    version: int = 0
    events: list = field(default_factory=list)

    def __post_init__(self):
        if from_iso(self.ends_at) <= from_iso(self.starts_at):
            raise ValidationFailed("an activity ends after it starts", {"ends_at": ["not after starts_at"]})

    # -- publishing

    def publish(self) -> None:
        if self.status != "draft":
            raise InvalidTransition(f"a {self.status} activity cannot be published")
        self.status = "published"
        self.events.append(ActivityPublished(self.id))

    def cancel(self) -> None:
        if self.status not in ("draft", "published"):
            raise InvalidTransition(f"a {self.status} activity cannot be cancelled")
        self.status = "cancelled"

    # -- sign-up and the waitlist

    def _find(self, volunteer_id: str) -> dict | None:
        for s in self.signups:
            if s["volunteer_id"] == volunteer_id and s["status"] in ("signed_up", "waitlisted"):
                return s
        return None

    @property
    def taken(self) -> int:
        return sum(1 for s in self.signups if s["status"] == "signed_up")

    @property
    def waitlist(self) -> list[str]:
        return [s["volunteer_id"] for s in self.signups if s["status"] == "waitlisted"]

    def status_of(self, volunteer_id: str) -> str | None:
        s = self._find(volunteer_id)
        return s["status"] if s else None

    def _open(self) -> None:
        if self.status != "published":
            raise InvalidTransition(f"the activity is {self.status}, not open for sign-up")

    def sign_up(self, volunteer_id: str, now: str) -> str:
        """Take a place, or the next place on the waitlist when the activity is full."""
        self._open()
        if self._find(volunteer_id):
            raise Conflict("already signed up for this activity")
        status = "signed_up" if self.taken < self.capacity else "waitlisted"
        self.signups.append({"volunteer_id": volunteer_id, "status": status, "at": now})
        self.events.append(SignedUp(volunteer_id, status))
        return status

    def cancel_signup(self, volunteer_id: str, now: str) -> str | None:
        """Give up a place; the first on the waitlist is promoted to it. Returns who was promoted."""
        self._open()
        s = self._find(volunteer_id)
        if s is None:
            raise NotFound("not signed up for this activity")
        was = s["status"]
        s["status"], s["cancelled_at"] = "cancelled", now
        if was == "signed_up":
            return self._promote(now)
        return None

    def _promote(self, now: str) -> str | None:
        for s in self.signups:
            if s["status"] == "waitlisted" and self.taken < self.capacity:
                s["status"], s["promoted_at"] = "signed_up", now
                self.events.append(SignedUp(s["volunteer_id"], "promoted"))
                return s["volunteer_id"]
        return None

    def substitute(self, volunteer_id: str, substitute_id: str, now: str) -> None:
        """A volunteer who cannot come hands their place to someone else (bypassing the waitlist)."""
        self._open()
        s = self._find(volunteer_id)
        if s is None or s["status"] != "signed_up":
            raise Conflict("only a volunteer holding a place can hand it on")
        other = self._find(substitute_id)
        if other is not None and other["status"] == "signed_up":
            raise Conflict("the substitute holds a place already")
        if other is not None:
            other["status"] = "cancelled"  # leaves the waitlist for the handed-on place
        s["status"], s["substituted_by"] = "substituted", substitute_id
        self.signups.append({"volunteer_id": substitute_id, "status": "signed_up", "at": now,
                             "substitute_for": volunteer_id})
        self.events.append(SignedUp(substitute_id, "substitute"))

    # -- attendance

    def _holder(self, volunteer_id: str) -> None:
        if self.status not in ("published", "completed"):
            raise InvalidTransition(f"attendance cannot be recorded for a {self.status} activity")
        s = self._find(volunteer_id)
        if s is None or s["status"] != "signed_up":
            raise Conflict("the volunteer holds no place in this activity")

    def check_in(self, volunteer_id: str, at: str, code: str | None = None) -> None:
        if code is not None and code != self.checkin_code:
            raise ValidationFailed("wrong check-in code", {"code": ["does not match the code shown at the place"]})
        self._holder(volunteer_id)
        att = self.attendance.setdefault(volunteer_id, Attendance(volunteer_id))
        if att.checked_in_at:
            raise Conflict("already checked in")
        att.checked_in_at, att.no_show = at, False

    def check_out(self, volunteer_id: str, at: str, code: str | None = None) -> Attendance:
        if code is not None and code != self.checkin_code:
            raise ValidationFailed("wrong check-in code", {"code": ["does not match the code shown at the place"]})
        att = self.attendance.get(volunteer_id)
        if att is None or not att.checked_in_at:
            raise Conflict("not checked in")
        if att.checked_out_at:
            raise Conflict("already checked out")
        return self._set_minutes(att, at, minutes_between(att.checked_in_at, at), None)

    def record(self, volunteer_id: str, checked_in_at: str, checked_out_at: str) -> Attendance:
        """The organiser records both times at once (e.g. from a paper sign-in sheet)."""
        self._holder(volunteer_id)
        att = self.attendance.setdefault(volunteer_id, Attendance(volunteer_id))
        if att.checked_out_at:
            raise Conflict("attendance is recorded already; correct it instead")
        minutes = minutes_between(checked_in_at, checked_out_at)
        att.checked_in_at, att.no_show = checked_in_at, False
        return self._set_minutes(att, checked_out_at, minutes, None)

    def correct(self, volunteer_id: str, minutes: int, reason: str, by: str, now: str) -> Attendance:
        """The organiser corrects recorded minutes; the correction is logged with its reason."""
        att = self.attendance.get(volunteer_id)
        if att is None or not att.checked_out_at:
            raise Conflict("there is no recorded attendance to correct")
        if not 0 <= minutes <= MAX_ATTENDANCE_MINUTES:
            raise ValidationFailed("minutes out of range", {"minutes": ["0 to 1440"]})
        if not reason.strip():
            raise ValidationFailed("a correction needs a reason", {"reason": ["required"]})
        att.corrections.append({"from_minutes": att.minutes, "to_minutes": minutes, "reason": reason,
                                "by": by, "at": now})
        return self._set_minutes(att, att.checked_out_at, minutes, reason)

    def _set_minutes(self, att: Attendance, out_at: str, minutes: int, reason: str | None) -> Attendance:
        coins = coins_for(minutes, self.coins_per_hour)
        delta_m, delta_c = minutes - att.minutes, coins - att.coins
        att.checked_out_at, att.minutes, att.coins = out_at, minutes, coins
        self.events.append(AttendanceRecorded(att.volunteer_id, minutes, delta_m, coins, delta_c,
                                              att.checked_in_at or self.starts_at, reason))
        return att

    def complete(self) -> list[str]:
        """Close the activity: everyone holding a place who never checked in is a no-show."""
        if self.status != "published":
            raise InvalidTransition(f"a {self.status} activity cannot be completed")
        self.status = "completed"
        no_shows = []
        for s in self.signups:
            if s["status"] != "signed_up":
                continue
            att = self.attendance.get(s["volunteer_id"])
            if att is None or not att.checked_in_at:
                self.attendance[s["volunteer_id"]] = Attendance(s["volunteer_id"], no_show=True)
                no_shows.append(s["volunteer_id"])
        return no_shows

    def due_for_reminder(self, now: datetime, hours_before: int = 24) -> bool:
        if self.status != "published" or self.reminded_at:
            return False
        seconds = (from_iso(self.starts_at) - now).total_seconds()
        return 0 < seconds <= hours_before * 3600
