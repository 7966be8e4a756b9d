"""Party building (党建): the community's party branches (党支部), its party members (党员) with their
《党员告知书》, and in-service members reporting to the community they live in (在职党员到社区报到).

Party membership is sensitive personal data (PIPL: political affiliation): names, ID numbers and mobiles are
encrypted at rest and the registers are reached only through the duty that keeps them (`volunteer:party`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from liandong.domain import DomainEvent
from liandong.errors import Conflict, InvalidTransition, ValidationFailed

MEMBER_KINDS = ("full", "probationary")  # 正式党员, 预备党员
MEMBER_KIND_NAMES = {"full": "正式党员", "probationary": "预备党员"}
END_REASONS = ("transferred_out", "deceased")  # 组织关系转出, 去世
END_REASON_NAMES = {"transferred_out": "组织关系转出", "deceased": "去世"}
assert tuple(MEMBER_KIND_NAMES) == MEMBER_KINDS and tuple(END_REASON_NAMES) == END_REASONS


class BranchFounded(DomainEvent):
    branch_id: str


class BranchDissolved(DomainEvent):
    branch_id: str


class MemberRegistered(DomainEvent):
    member_id: str


class MemberEnded(DomainEvent):
    member_id: str


class NoticeSigned(DomainEvent):
    member_id: str


class MemberReported(DomainEvent):
    report_id: str


def _not_before(later: str, earlier: str, name: str, what: str) -> None:
    if later < earlier:
        raise ValidationFailed(f"{name} is before {what}", {name: [f"not before {what} ({earlier})"]})


@dataclass
class Branch:
    """A party branch (党支部) of a community (or of the sub-district's own organisation)."""

    id: str
    name: str
    org_unit_id: str
    org_path: str
    secretary: str  # 支部书记's name (personal: a party office tells the holder's affiliation)
    founded_on: str
    status: str = "active"  # active | dissolved
    dissolved_on: str | None = None
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def found(cls, *, id: str, name: str, org_unit_id: str, org_path: str, secretary: str,
              founded_on: str) -> "Branch":
        b = cls(id=id, name=name, org_unit_id=org_unit_id, org_path=org_path, secretary=secretary,
                founded_on=founded_on)
        b.events.append(BranchFounded(id))
        return b

    def update(self, **changes) -> None:
        if self.status != "active":
            raise InvalidTransition("a dissolved branch is not changed")
        for key in ("name", "secretary"):
            if changes.get(key):
                setattr(self, key, changes[key])

    def dissolve(self, on: str, members: int) -> None:
        """A branch is dissolved (撤销) once its members have moved to another branch or left."""
        if self.status != "active":
            raise InvalidTransition("the branch is dissolved already")
        if members:
            raise Conflict(f"the branch still has {members} members: move them first")
        _not_before(on, self.founded_on, "dissolved_on", "the founding")
        self.status, self.dissolved_on = "dissolved", on
        self.events.append(BranchDissolved(self.id))


@dataclass
class Member:
    """A party member (党员) registered with a branch: one membership per person (by ID number)."""

    id: str
    branch_id: str
    org_unit_id: str
    org_path: str
    name: str
    id_number: str
    kind: str
    joined_on: str
    registered_at: str
    mobile: str | None = None
    floating: bool = False  # 流动党员: away from the community, kept in touch (the seeds' QQ group)
    hardship: bool = False  # 困难党员: the sub-district's hardship help reaches them (welfare's programme)
    notice_signed_on: str | None = None  # 《党员告知书》 signed
    status: str = "active"  # active | transferred_out | deceased
    ended_on: str | None = None
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def register(cls, *, id: str, branch: Branch, name: str, id_number: str, kind: str, joined_on: str,
                 now: str, mobile: str | None = None, floating: bool = False, hardship: bool = False) -> "Member":
        if branch.status != "active":
            raise InvalidTransition("the branch is dissolved")
        m = cls(id=id, branch_id=branch.id, org_unit_id=branch.org_unit_id, org_path=branch.org_path, name=name,
                id_number=id_number, kind=kind, joined_on=joined_on, registered_at=now, mobile=mobile,
                floating=floating, hardship=hardship)
        m.events.append(MemberRegistered(id))
        return m

    @property
    def active(self) -> bool:
        return self.status == "active"

    def update(self, **changes) -> None:
        """Contact, kind (预备党员 becomes 正式党员 on 转正) and the 流动/困难 marks change; who it is does not."""
        if not self.active:
            raise InvalidTransition("an ended membership is not changed")
        for key in ("mobile", "kind", "floating", "hardship"):
            if key in changes:
                setattr(self, key, changes[key])

    def sign_notice(self, on: str) -> None:
        if not self.active:
            raise InvalidTransition("an ended membership signs nothing")
        if self.notice_signed_on:
            raise Conflict(f"the 党员告知书 was signed on {self.notice_signed_on}")
        self.notice_signed_on = on
        self.events.append(NoticeSigned(self.id))

    def end(self, reason: str, on: str) -> None:
        if not self.active:
            raise InvalidTransition(f"the membership ended already ({self.status})")
        _not_before(on, self.joined_on, "ended_on", "joining")
        self.status, self.ended_on = reason, on
        self.events.append(MemberEnded(self.id))


@dataclass
class Report:
    """An in-service party member (在职党员: their membership kept by their workplace's organisation) reporting
    to the community they live in (党员报到), to serve there as a volunteer. Once per person, community and year."""

    id: str
    org_unit_id: str
    org_path: str
    name: str
    id_number: str
    workplace: str  # 工作单位党组织 (where the membership is kept)
    reported_on: str
    volunteer_id: str
    linked: bool  # the person was a volunteer of the community already: linked, not registered again
    recorded_at: str
    mobile: str | None = None
    version: int = 0
    events: list = field(default_factory=list)

    @classmethod
    def record(cls, **kw) -> "Report":
        r = cls(**kw)
        r.events.append(MemberReported(r.id))
        return r

    @property
    def year(self) -> str:
        return self.reported_on[:4]
