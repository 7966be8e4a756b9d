"""Party building (党建): branches, members and their 《党员告知书》, in-service members reporting (党员报到).

Party membership is sensitive personal data (PIPL: political affiliation), so the registers are reached only
with `volunteer:party` (duty party_affairs 党建专干; sub-district officers hold it), never with the general
`volunteer:read`. Following the corrections duty in security, every access, allowed or refused, is written to
the party audit trail under the record's office: a caller without the duty anywhere is refused (403) before any
lookup, so the answer tells them nothing; a record out of their sight is 404 in a missing record's words.
Names, ID numbers and mobiles show masked unless the caller holds `personal_data:read` there; an unmasked read
is marked so in the trail.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from liandong.auth import Principal, out_of_scope
from liandong.clock import LOCAL_TZ, to_iso
from liandong.errors import Conflict, Forbidden
from liandong.idnumbers import mask, mask_mobile
from liandong.ids import new_id
from liandong.listing import Page
from liandong.repository import change

from ..domain import party
from .access import Stores

PARTY = "volunteer:party"
PERSONAL = "personal_data:read"
AUDIT = "audit:read"

BRANCH_FIELDS = ("id", "name", "org_unit_id", "org_path", "secretary", "founded_on", "status", "dissolved_on")
MEMBER_FIELDS = ("id", "branch_id", "org_unit_id", "org_path", "name", "id_number", "mobile", "kind", "joined_on",
                 "registered_at", "floating", "hardship", "notice_signed_on", "status", "ended_on")
REPORT_FIELDS = ("id", "org_unit_id", "org_path", "name", "id_number", "mobile", "workplace", "reported_on",
                 "volunteer_id", "linked", "recorded_at")


def mask_name(name: str) -> str:
    """张建国 → 张**: the surname only (a register's list is not to say who is a party member)."""
    return name[:1] + "*" * max(len(name) - 1, 1)


MASKS = {"name": mask_name, "secretary": mask_name, "id_number": mask, "mobile": mask_mobile}
# a branch's `name` is the branch's (家园社区第一党支部), not a person's: only its secretary is masked
BRANCH_MASKS = {"secretary": mask_name}


def caller_path(p: Principal) -> str:
    """Where a refusal with no record to name is filed: the caller's widest unit."""
    return min((g.org_path for g in p.grants), key=len, default="/")


def year_bounds(year: int) -> tuple[str, str]:
    """A year of the offices' calendar (China Standard Time) as UTC times, both ends inclusive."""
    return (to_iso(datetime(year, 1, 1, tzinfo=LOCAL_TZ)),
            to_iso(datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ) - timedelta(microseconds=1)))


class Party:
    def __init__(self, stores: Stores, volunteers):
        """`volunteers`: the registration use case a reporting member goes through."""
        self.s, self.volunteers = stores, volunteers
        self.p = stores.party
        self.org, self.clock = stores.deps.org, stores.deps.clock

    # -- who may: every access audited

    def _audit(self, p: Principal, action: str, org_path: str, record_id: str | None, allowed: bool,
               unmasked: bool = False) -> None:
        self.p.audit.record(p, action, org_path, record_id, allowed, unmasked=unmasked)

    def _allow(self, p: Principal, action: str, org_path: str, record_id: str | None = None) -> None:
        ok = p.can(PARTY, org_path)
        self._audit(p, action, org_path, record_id, ok)
        if not ok:
            raise Forbidden(f"{PARTY} is not granted here")  # never where: a refusal names no org path

    def _record(self, p: Principal, action: str, repo, what: str, record_id: str):
        """The record for `action`, audited allowed or refused; out of sight or missing: 404 in the same words."""
        if not p.scopes(PARTY):
            self._allow(p, action, caller_path(p), record_id)
        record = repo.get_or_none(record_id)
        if record is None or not p.can(PARTY, record.org_path):
            self._audit(p, action, record.org_path if record else caller_path(p), record_id, False)
            raise out_of_scope(what, record_id)
        self._audit(p, action, record.org_path, record.id, True, p.can(PERSONAL, record.org_path))
        return record

    def _paths(self, p: Principal, action: str, org_unit: str | None) -> list[str]:
        if org_unit:
            path = self.org.path_of(org_unit)
            self._allow(p, action, path)
            return [path]
        if not p.scopes(PARTY):
            self._allow(p, action, caller_path(p))
        return p.scopes(PARTY)

    def _shown(self, p: Principal, record, names: tuple[str, ...], action: str | None = None) -> dict:
        out = {k: getattr(record, k) for k in names}
        if p.can(PERSONAL, record.org_path):
            if action:  # a list's unmasked record is a read of it
                self._audit(p, action, record.org_path, record.id, True, True)
            return out
        masks = BRANCH_MASKS if isinstance(record, party.Branch) else MASKS
        return {k: (masks[k](v) if k in masks and v else v) for k, v in out.items()}

    def _page(self, p: Principal, page: Page, names: tuple[str, ...], action: str) -> Page:
        page.items = [self._shown(p, r, names, action) for r in page.items]
        return page

    # -- branches (党支部)

    def found_branch(self, p: Principal, data: dict) -> dict:
        path = self.org.path_of(data["org_unit_id"])
        self._allow(p, "party.branch.found", path)
        b = self.p.branches.add(party.Branch.found(id=new_id(), org_path=path, **data))
        return self._shown(p, b, BRANCH_FIELDS)

    def branches(self, p: Principal, q: dict) -> Page:
        page = self.p.branches.listing(self._paths(p, "party.branch.list", q["org_unit"]), q)
        return self._page(p, page, BRANCH_FIELDS, "party.branch.read")

    def branch(self, p: Principal, branch_id: str) -> dict:
        return self._shown(p, self._record(p, "party.branch.read", self.p.branches, "party branch", branch_id),
                           BRANCH_FIELDS)

    def update_branch(self, p: Principal, branch_id: str, changes: dict) -> dict:
        self._record(p, "party.branch.update", self.p.branches, "party branch", branch_id)
        return self._shown(p, change(self.p.branches, branch_id, lambda b: b.update(**changes)), BRANCH_FIELDS)

    def dissolve_branch(self, p: Principal, branch_id: str, dissolved_on: str) -> dict:
        self._record(p, "party.branch.dissolve", self.p.branches, "party branch", branch_id)
        members = self.p.members.members_of(branch_id)
        return self._shown(p, change(self.p.branches, branch_id, lambda b: b.dissolve(dissolved_on, members)),
                           BRANCH_FIELDS)

    # -- members (党员)

    def register_member(self, p: Principal, data: dict) -> dict:
        branch = self._record(p, "party.member.register", self.p.branches, "party branch", data.pop("branch_id"))
        earlier = self.p.members.stored_by_this_request()
        if earlier is not None:  # a retry (same Idempotency-Key): the membership its first attempt registered
            return self._shown(p, earlier, MEMBER_FIELDS)
        if self.p.members.is_member(data["id_number"]):
            raise Conflict("this person is a party member already: one membership per person (转入 after 转出)")
        m = party.Member.register(id=new_id(), branch=branch, now=self.clock.now_iso(), **data)
        try:
            self.p.members.add(m)
        except Conflict:  # registered at the same moment by another request: the unique membership key held
            raise Conflict("this person is a party member already: one membership per person") from None
        return self._shown(p, m, MEMBER_FIELDS)

    def members(self, p: Principal, q: dict) -> Page:
        page = self.p.members.listing(self._paths(p, "party.member.list", q["org_unit"]), q)
        return self._page(p, page, MEMBER_FIELDS, "party.member.read")

    def member(self, p: Principal, member_id: str) -> dict:
        return self._shown(p, self._member(p, "party.member.read", member_id), MEMBER_FIELDS)

    def _member(self, p: Principal, action: str, member_id: str) -> party.Member:
        return self._record(p, action, self.p.members, "party member", member_id)

    def _change_member(self, p: Principal, action: str, member_id: str, mutate) -> dict:
        self._member(p, action, member_id)
        return self._shown(p, change(self.p.members, member_id, mutate), MEMBER_FIELDS)

    def update_member(self, p: Principal, member_id: str, changes: dict) -> dict:
        return self._change_member(p, "party.member.update", member_id, lambda m: m.update(**changes))

    def sign_notice(self, p: Principal, member_id: str, signed_on: str) -> dict:
        return self._change_member(p, "party.member.notice", member_id, lambda m: m.sign_notice(signed_on))

    def end_member(self, p: Principal, member_id: str, reason: str, ended_on: str) -> dict:
        return self._change_member(p, "party.member.end", member_id, lambda m: m.end(reason, ended_on))

    # -- 党员报到: in-service members reporting to the community they live in

    def report(self, p: Principal, data: dict) -> dict:
        """The report, and the member registered as the community's volunteer through the registration use case
        (linked, not registered again, if they are a volunteer there already)."""
        path = self.org.path_of(data["org_unit_id"])
        self._allow(p, "party.report", path)
        earlier = self.p.reports.stored_by_this_request()
        if earlier is not None:
            return self._report_shown(p, earlier)
        if self.p.reports.reported(data["id_number"], data["org_unit_id"], data["reported_on"][:4]):
            raise Conflict(f"this member reported to the community in {data['reported_on'][:4]} already")
        ours = self.s.volunteers.stored_by_this_request()  # a retry after the volunteer, before the report
        here = [] if ours else [d["_id"] for d in self.s.volunteers.registered_with(data["id_number"])
                                if d["org_unit_id"] == data["org_unit_id"]]
        volunteer_id = here[0] if here else ours.id if ours else self.volunteers.register(p, {
            "name": data["name"], "kind": "party_member", "org_unit_id": data["org_unit_id"],
            "mobile": data.get("mobile"), "skills": data.get("skills") or [], "consent": data["consent"],
            "id_number": data["id_number"]})["id"]
        r = party.Report.record(id=new_id(), org_unit_id=data["org_unit_id"], org_path=path, name=data["name"],
                                id_number=data["id_number"], mobile=data.get("mobile"),
                                workplace=data["workplace"], reported_on=data["reported_on"],
                                volunteer_id=volunteer_id, linked=bool(here), recorded_at=self.clock.now_iso())
        try:
            self.p.reports.add(r)
        except Conflict:
            raise Conflict(f"this member reported to the community in {r.year} already") from None
        return self._report_shown(p, r)

    def _report_shown(self, p: Principal, r: party.Report, action: str | None = None,
                      minutes: dict | None = None) -> dict:
        out = self._shown(p, r, REPORT_FIELDS, action)
        if minutes is None:
            minutes = self._minutes_this_year([r.id])
        out["hours_this_year"] = round(minutes.get(r.id, 0) / 60, 2)
        return out

    def _minutes_this_year(self, report_ids: list[str]) -> dict[str, int]:
        since, until = year_bounds(self.clock.today().year)
        return self.p.service.minutes(report_ids, since, until)

    def reports(self, p: Principal, q: dict) -> Page:
        """The members who reported, each with the hours served this year (after reporting)."""
        page = self.p.reports.page(self._paths(p, "party.report.list", q["org_unit"]), q)
        minutes = self._minutes_this_year([r.id for r in page.items])
        page.items = [self._report_shown(p, r, "party.report.read", minutes) for r in page.items]
        page.extra["year"] = self.clock.today().year
        return page

    def one_report(self, p: Principal, report_id: str) -> dict:
        return self._report_shown(p, self._record(p, "party.report.read", self.p.reports, "party report", report_id))

    # -- the audit trail

    def audit(self, p: Principal, q: dict) -> Page:
        paths = p.list_paths(AUDIT, self.org.path_of(q["org_unit"]) if q["org_unit"] else None)
        return self.p.audit.page(paths, q)
