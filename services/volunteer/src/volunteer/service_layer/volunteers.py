"""Use cases of volunteers: registration, the list, one volunteer with their totals, profile and status,
their love-coin statement and the reminders sent to them."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import Conflict, Forbidden, ValidationFailed
from liandong.ids import new_id
from liandong.repository import change

from ..adapters.stores import OPENING
from ..domain import model
from ..domain.ledger import volunteer_account
from .access import MANAGE, READ, SELF, Access, Stores
from .views import volunteer_view

CONFLICT_ATTEMPTS = 8  # a busy record (sign-ups to a popular activity) may meet several concurrent writers


class Volunteers:
    def __init__(self, stores: Stores, access: Access):
        self.s, self.access = stores, access
        self.clock = stores.deps.clock

    def register(self, p: Principal, data: dict) -> dict:
        """Staff register anyone they manage; a resident registers themselves (linking their login)."""
        path = self.s.deps.org.path_of(data["org_unit_id"])
        if not p.can(MANAGE, path):
            if not p.can(SELF, path):
                raise Forbidden(f"{MANAGE} is not granted here")
            data["user_id"] = p.user_id
            self.access.own_or_none(p)  # a record staff registered for them becomes theirs: no second one
        elif data.get("user_id") and data["user_id"] != p.user_id:
            # The service learns nothing about logins (no user events): it cannot tell whose login an id
            # is or where that person lives, so only its owner links it, by registering themselves.
            raise ValidationFailed("a login is linked only by its owner", {
                "user_id": ["only your own: a resident links their login by registering themselves"]})
        return volunteer_view(p, self._register(data, path))

    def _register(self, data: dict, org_path: str) -> model.Volunteer:
        earlier = self.s.volunteers.stored_by_this_request()
        if earlier is not None:  # a retry (same Idempotency-Key): the volunteer its first attempt registered
            self.s.ledger.open_account(volunteer_account(earlier.id), earlier.org_path, earlier.id)
            return earlier
        if data.get("user_id") and self.s.volunteers.user_registered(data["user_id"]):
            raise Conflict("this user is registered as a volunteer already")
        # `id`: given by a roster's import (the same for the same person and community, whichever job writes)
        v = model.Volunteer.register(id=data.pop("id", None) or new_id(), org_path=org_path, now=self.clock.now_iso(),
                                     **data)
        self.s.volunteers.add(v)
        self.s.ledger.open_account(volunteer_account(v.id), v.org_path, v.id)
        return v

    def listing(self, p: Principal, q: dict) -> dict:
        paths = self.access.list_scope(p, READ, q["org_unit"])
        members = self.access.readable_team(p, q["team_id"]).member_ids if q.get("team_id") else None
        page = self.s.volunteers.listing(paths, q, members)
        return page.body(lambda v: volunteer_view(p, v))

    def with_totals(self, p: Principal, v: model.Volunteer) -> dict:
        rows = self.s.attendance.of_volunteer(v.id)
        minutes = sum(r["minutes"] for r in rows)  # with the hours carried forward on rollout day
        opening = sum(r["minutes"] for r in rows if r["source"] == OPENING)
        totals = {"activities": sum(1 for r in rows if r["source"] != OPENING), "minutes": minutes,
                  "hours": round(minutes / 60, 2), "opening_hours": round(opening / 60, 2),
                  "coins_earned": sum(r["coins"] for r in rows), **self.s.ledger.balance(v.id)}
        return {**volunteer_view(p, v), "totals": totals, "teams": self.s.teams.of_member(v.id)}

    def mine(self, p: Principal) -> dict:
        return self.with_totals(p, self.access.own_volunteer(p))

    def one(self, p: Principal, volunteer_id: str) -> dict:
        return self.with_totals(p, self.access.readable_volunteer(p, volunteer_id))

    def update_profile(self, p: Principal, volunteer_id: str, changes: dict) -> dict:
        self.access.own_or_managed(p, volunteer_id)
        v = change(self.s.volunteers, volunteer_id, lambda v: v.update_profile(**changes), CONFLICT_ATTEMPTS)
        return volunteer_view(p, v)

    def set_status(self, p: Principal, volunteer_id: str, status: str) -> dict:
        self.access.managed_volunteer(p, volunteer_id)
        v = change(self.s.volunteers, volunteer_id, lambda v: v.set_status(status, self.clock.now_iso()),
                   CONFLICT_ATTEMPTS)
        return volunteer_view(p, v)

    def statement(self, p: Principal, volunteer_id: str, q: dict) -> dict:
        self.access.readable_volunteer(p, volunteer_id)
        return self.s.ledger.statement(volunteer_id, self._in_unit(q)).body()

    def reminders(self, p: Principal, volunteer_id: str, q: dict) -> dict:
        self.access.readable_volunteer(p, volunteer_id)
        return self.s.reminders.page(volunteer_id, self._in_unit(q)).body()

    def _in_unit(self, q: dict) -> dict:
        """A volunteer's own list narrowed to one org unit's subtree (`org_unit`), if asked."""
        return {**q, "org_unit_path": self.s.deps.org.path_of(q["org_unit"])} if q["org_unit"] else q
