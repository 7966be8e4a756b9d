"""Who may see and do what in the volunteer service: the one place its access rules are written.

A record out of the caller's sight answers 404 in the words of a missing one (`Principal.authorize`,
`out_of_scope`); one they see but may not act on answers 403.
"""
from __future__ import annotations

from dataclasses import dataclass

from liandong.auth import Principal, out_of_scope
from liandong.errors import Conflict, Forbidden, NotFound, ValidationFailed
from liandong.repository import change

from ..adapters.ledger_store import LedgerStore
from ..adapters.party_store import PartyStores
from ..adapters.repositories import ActivityRepository, RedemptionRepository, TeamRepository, VolunteerRepository
from ..adapters.stores import AttendanceStore, Configuration, Reminders
from ..domain import model

READ, MANAGE, SELF = "volunteer:read", "volunteer:manage", "volunteer:self"
RESIDENT = "resident:self"  # the residents' door: the token carries the person's key (#22)


@dataclass
class Stores:
    """The service's repositories and stores, built once from its `Dependencies`."""

    deps: object
    volunteers: VolunteerRepository
    teams: TeamRepository
    activities: ActivityRepository
    redemptions: RedemptionRepository
    ledger: LedgerStore
    attendance: AttendanceStore
    configuration: Configuration
    reminders: Reminders
    party: PartyStores  # the party registers (党建): branches, members, 党员报到, their audit trail

    @classmethod
    def of(cls, deps) -> "Stores":
        return cls(deps, VolunteerRepository(deps), TeamRepository(deps), ActivityRepository(deps),
                   RedemptionRepository(deps), LedgerStore(deps), AttendanceStore(deps), Configuration(deps),
                   Reminders(deps), PartyStores(deps))


def found(repo, what: str, record_id: str):
    """A stored record, or 404 in the same words `Principal.authorize` uses for one out of sight."""
    try:
        return repo.get(record_id)
    except NotFound:
        raise out_of_scope(what, record_id) from None


def can_read(p: Principal, org_path: str) -> bool:
    return p.sees(org_path, READ, MANAGE)


def is_own(p: Principal, v: model.Volunteer) -> bool:
    return p.has(SELF) and v.user_id is not None and v.user_id == p.user_id


def _link_login(v: model.Volunteer, user_id: str) -> None:
    """A resident's login takes over the record staff registered for them; one another login holds is not taken."""
    if v.user_id not in (None, user_id):
        raise ValidationFailed("this volunteer record is another login's", {"user_id": ["linked already"]})
    v.user_id = user_id


class Access:
    def __init__(self, stores: Stores):
        self.s = stores
        self.org = stores.deps.org

    # -- volunteers

    def own_volunteer(self, p: Principal) -> model.Volunteer:
        if not p.has(SELF):
            raise Forbidden(f"{SELF} is not granted")
        v = self.own_or_none(p)
        if v is None:
            raise NotFound("you are not registered as a volunteer")
        return v

    def own_or_none(self, p: Principal) -> model.Volunteer | None:
        """The caller's own volunteer record: the one linked to their login, else (#22) one staff registered for
        them with their ID number — same `person_key` as their door token — which is linked to their login now,
        as if they had registered themselves (their sign-ups, statement and redemptions then follow the login).
        Of several such (two communities), the one where they live first. None for staff and strangers."""
        if not p.has(SELF):
            return None
        v = self.s.volunteers.of_user(p.user_id)
        key = p.person_key if p.has(RESIDENT) else None
        if v is not None or not key:
            return v
        home = p.home().org_path
        for staff_made in sorted(self.s.volunteers.unclaimed_of_person(key), key=lambda c: not c.org_path.startswith(home)):
            try:
                return change(self.s.volunteers, staff_made.id, lambda c: _link_login(c, p.user_id))
            except (Conflict, ValidationFailed):
                continue  # linked meanwhile (a second tab of the same resident): look again below
        return self.s.volunteers.of_user(p.user_id)

    def readable_volunteer(self, p: Principal, volunteer_id: str) -> model.Volunteer:
        v = self._as_own(p, found(self.s.volunteers, "volunteer", volunteer_id))
        if not is_own(p, v):
            p.authorize(READ, v.org_path, read=MANAGE, what="volunteer", record_id=volunteer_id)
        return v

    def _as_own(self, p: Principal, v: model.Volunteer) -> model.Volunteer:
        """`v`, linked to the caller's login first if staff registered it for them (`own_or_none`)."""
        if is_own(p, v) or v.user_id is not None or not (p.has(RESIDENT) and p.person_key):
            return v
        mine = self.own_or_none(p)
        return mine if mine is not None and mine.id == v.id else v

    def managed_volunteer(self, p: Principal, volunteer_id: str) -> model.Volunteer:
        """A volunteer named in a request (a member, a leader, a sign-up, a payee): one the caller manages.

        Another community's volunteer is 404, as if there were none: naming them changes nothing."""
        v = found(self.s.volunteers, "volunteer", volunteer_id)
        p.authorize(MANAGE, v.org_path, read=READ, what="volunteer", record_id=volunteer_id)
        return v

    def found_volunteer(self, volunteer_id: str) -> model.Volunteer:
        return found(self.s.volunteers, "volunteer", volunteer_id)

    def own_or_managed(self, p: Principal, volunteer_id: str) -> model.Volunteer:
        """The volunteer themselves (their own profile, their own coins), or staff who manage them."""
        v = self._as_own(p, found(self.s.volunteers, "volunteer", volunteer_id))
        return v if is_own(p, v) else self.managed_volunteer(p, volunteer_id)

    def same_community(self, own: model.Volunteer, volunteer_id: str) -> model.Volunteer:
        """A resident names another volunteer (a payee, a substitute) only within their own community."""
        v = found(self.s.volunteers, "volunteer", volunteer_id)
        if not v.org_path.startswith(own.org_path):
            raise out_of_scope("volunteer", volunteer_id)
        return v

    def acting_for(self, p: Principal, volunteer_id: str | None, org_path: str) -> str:
        """Staff who manage here act for a volunteer they manage; a resident only for themselves."""
        if p.can(MANAGE, org_path):
            if volunteer_id:
                return self.managed_volunteer(p, volunteer_id).id
            if not p.has(SELF):
                raise ValidationFailed("name the volunteer", {"volunteer_id": ["required"]})
        own = self.own_volunteer(p)
        if volunteer_id and volunteer_id != own.id:
            raise Forbidden("residents act only for themselves")
        return own.id

    # -- teams and activities

    def readable_team(self, p: Principal, team_id: str) -> model.Team:
        t = found(self.s.teams, "team", team_id)
        p.authorize(READ, t.org_path, read=MANAGE, what="team", record_id=team_id)
        return t

    def managed_team(self, p: Principal, team_id: str) -> model.Team:
        t = found(self.s.teams, "team", team_id)
        p.authorize(MANAGE, t.org_path, read=READ, what="team", record_id=team_id)
        return t

    def visible_activity(self, p: Principal, activity_id: str) -> model.Activity:
        """Staff see every activity in their scope; a resident the published (and past) ones of theirs."""
        a = found(self.s.activities, "activity", activity_id)
        if can_read(p, a.org_path) or (p.can(SELF, a.org_path) and a.status != "draft"):
            return a
        raise out_of_scope("activity", activity_id)

    def managed_activity(self, p: Principal, activity_id: str) -> model.Activity:
        a = found(self.s.activities, "activity", activity_id)
        p.authorize(MANAGE, a.org_path, read=READ, what="activity", record_id=activity_id)
        return a

    # -- where

    def may_manage_at(self, p: Principal, org_unit_id: str) -> str:
        """The org path of a unit the caller manages (to create a record there)."""
        path = self.org.path_of(org_unit_id)
        p.require(MANAGE, path)
        return path

    def district(self, p: Principal) -> None:
        """Types, rates and the whole ledger hold for every community: the district decides them."""
        p.require_district(MANAGE, self.org.root_paths())

    def list_scope(self, p: Principal, permission: str, org_unit_id: str | None) -> list[str]:
        """The subtrees a list covers: the caller's scope, or one org unit within it (`org_unit`)."""
        return p.list_paths(permission, self.org.path_of(org_unit_id) if org_unit_id else None)

    def report_path(self, p: Principal, org_unit_id: str | None) -> str:
        """The one subtree a figure is about: the unit named, or the caller's only scope."""
        if org_unit_id:
            path = self.org.path_of(org_unit_id)
            p.require(READ, path)
            return path
        scopes = p.scopes(READ)
        if not scopes:
            raise Forbidden(f"{READ} is not granted")
        if len(scopes) != 1:
            raise ValidationFailed("name the org unit", {"org_unit": ["required"]})
        return scopes[0]
