"""Use cases of activities: create and list them, publish, cancel and complete, sign-ups and the waitlist,
substitutes, check-in and check-out, attendance and its corrections, and the reminders before them."""
from __future__ import annotations

import logging
import secrets
from dataclasses import asdict
from datetime import timedelta
from typing import Callable

from liandong import idempotency
from liandong.auth import Principal
from liandong.clock import to_iso
from liandong.errors import ConcurrencyConflict, Conflict, ValidationFailed
from liandong.ids import new_id
from liandong.repository import change, retry_on_conflict

from ..domain import model
from .access import MANAGE, READ, SELF, Access, Stores, can_read
from .configuration import Configure
from .views import activity_view
from .volunteers import CONFLICT_ATTEMPTS

log = logging.getLogger(__name__)


class Activities:
    def __init__(self, stores: Stores, access: Access, configure: Configure):
        self.s, self.access, self.configure = stores, access, configure
        self.clock = stores.deps.clock

    def _change(self, activity_id: str, fn: Callable[[model.Activity], object]):
        """Apply `fn` and save, retried on a concurrent change; answers the activity and what `fn` said.

        A retried request (same Idempotency-Key) whose change is in the record already cannot say what
        `fn` said the first time: it is answered as the platform answers such a retry (nothing applied)."""
        said: list = []

        def attempt() -> model.Activity:
            said.clear()
            a = self.s.activities.get(activity_id)
            said.append(fn(a))
            return self.s.activities.save(a)

        a = retry_on_conflict(attempt, CONFLICT_ATTEMPTS)
        if not said:
            raise idempotency.AlreadyApplied(self.s.activities.collection.name, activity_id, a)
        return a, said[0]

    def active_volunteer(self, volunteer_id: str) -> model.Volunteer:
        v = self.s.volunteers.get(volunteer_id)
        if not v.active:
            raise Conflict(f"the volunteer is {v.status}")
        return v

    # -- the organiser

    def create(self, p: Principal, data: dict) -> dict:
        org_path = self.access.may_manage_at(p, data["org_unit_id"])
        if data.get("team_id"):
            self.access.managed_team(p, data["team_id"])
        self.configure.check_type(data["type"])
        a = model.Activity(id=new_id(), title=data["title"], type=data["type"], org_unit_id=data["org_unit_id"],
                           org_path=org_path, place=data["place"], starts_at=data["starts_at"],
                           ends_at=data["ends_at"], capacity=data["capacity"], organiser_id=p.user_id,
                           checkin_code=f"{secrets.randbelow(10**6):06d}",
                           coins_per_hour=self.s.configuration.rate(data["type"]),
                           skills_wanted=data.get("skills_wanted") or [], team_id=data.get("team_id"))
        if data.get("publish"):
            a.publish()
        return activity_view(p, self.s.activities.add(a))

    def listing(self, p: Principal, q: dict) -> dict:
        """Staff list every activity in their scope; a resident the published ones of theirs."""
        staff = bool(p.scopes(READ))
        paths = self.access.list_scope(p, READ if staff else SELF, q["org_unit"])
        own = None if staff else self._own_id(p)
        return self.s.activities.listing(paths, q, only_published=not staff).body(lambda a: activity_view(p, a, own))

    def one(self, p: Principal, activity_id: str) -> dict:
        a = self.access.visible_activity(p, activity_id)
        return activity_view(p, a, None if can_read(p, a.org_path) else self._own_id(p))

    def _own_id(self, p: Principal) -> str | None:
        """A resident's own volunteer record, if they registered as one (whose sign-ups they see)."""
        own = self.access.own_or_none(p)
        return own.id if own else None

    def act(self, p: Principal, activity_id: str, action: str) -> dict:
        """publish | cancel | complete (those holding a place who never checked in are no-shows)."""
        self.access.managed_activity(p, activity_id)
        if action == "complete":
            a, no_shows = self._change(activity_id, lambda a: a.complete())
            return {**activity_view(p, a), "no_shows": no_shows}
        a = change(self.s.activities, activity_id, lambda a: getattr(a, action)(), CONFLICT_ATTEMPTS)
        return activity_view(p, a)

    # -- volunteers taking part

    def sign_up(self, p: Principal, activity_id: str, volunteer_id: str | None) -> dict:
        a = self.access.visible_activity(p, activity_id)
        vid = self.active_volunteer(self.access.acting_for(p, volunteer_id, a.org_path)).id
        a, status = self._change(activity_id, lambda x: x.sign_up(vid, self.clock.now_iso()))
        return {"activity_id": a.id, "volunteer_id": vid, "status": status, "taken": a.taken,
                "waitlist_position": a.waitlist.index(vid) + 1 if status == "waitlisted" else None}

    def cancel_signup(self, p: Principal, activity_id: str, volunteer_id: str) -> dict:
        a = self.access.visible_activity(p, activity_id)
        vid = self.access.acting_for(p, volunteer_id, a.org_path)
        a, promoted = self._change(activity_id, lambda x: x.cancel_signup(vid, self.clock.now_iso()))
        return {"activity_id": a.id, "volunteer_id": vid, "status": "cancelled", "promoted": promoted,
                "taken": a.taken, "waitlist": a.waitlist}

    def substitute(self, p: Principal, activity_id: str, volunteer_id: str, substitute_id: str) -> dict:
        a = self.access.visible_activity(p, activity_id)
        vid = self.access.acting_for(p, volunteer_id, a.org_path)
        # the substitute is someone the caller manages, or (a resident handing on) one of the same community
        if p.can(MANAGE, a.org_path):
            self.access.managed_volunteer(p, substitute_id)
        else:
            self.access.same_community(self.access.own_volunteer(p), substitute_id)
        sub = self.active_volunteer(substitute_id).id
        a, _ = self._change(activity_id, lambda x: x.substitute(vid, sub, self.clock.now_iso()))
        return {"activity_id": a.id, "volunteer_id": vid, "substitute_id": sub, "taken": a.taken}

    def check(self, p: Principal, activity_id: str, data: dict, out: bool) -> dict:
        """The organiser checks a volunteer in or out at a time; a volunteer themselves with the code
        shown at the place, at the time it is now."""
        a = self.access.visible_activity(p, activity_id)
        if p.can(MANAGE, a.org_path) and data["volunteer_id"]:
            vid = self.access.managed_volunteer(p, data["volunteer_id"]).id
            code, at = None, data["at"] or self.clock.now_iso()
        else:
            vid = self.access.acting_for(p, data["volunteer_id"], a.org_path)
            if not data["code"]:
                raise ValidationFailed("the code shown at the place is required", {"code": ["required"]})
            code, at = data["code"], self.clock.now_iso()  # a resident cannot choose the time
        fn = (lambda x: x.check_out(vid, at, code)) if out else (lambda x: x.check_in(vid, at, code))
        a, _ = self._change(activity_id, fn)
        return {"activity_id": a.id, "volunteer_id": vid, **asdict(a.attendance[vid])}

    def record_attendance(self, p: Principal, activity_id: str, data: dict) -> dict:
        self.access.managed_activity(p, activity_id)
        self.access.managed_volunteer(p, data["volunteer_id"])
        a, att = self._change(activity_id, lambda x: x.record(data["volunteer_id"], data["checked_in_at"],
                                                              data["checked_out_at"]))
        return {"activity_id": a.id, **asdict(att)}

    def correct(self, p: Principal, activity_id: str, volunteer_id: str, data: dict) -> dict:
        self.access.managed_activity(p, activity_id)
        self.access.managed_volunteer(p, volunteer_id)
        a, att = self._change(activity_id, lambda x: x.correct(volunteer_id, data["minutes"], data["reason"],
                                                               p.user_id, self.clock.now_iso()))
        return {"activity_id": a.id, **asdict(att)}

    # -- periodic

    def send_reminders(self, hours_before: int = 24) -> int:
        """Remind everyone holding a place in an activity starting within `hours_before` hours."""
        now = self.clock.now()
        sent = 0
        for a in self.s.activities.starting_between(to_iso(now), to_iso(now + timedelta(hours=hours_before))):
            if not a.due_for_reminder(now, hours_before):
                continue
            for signup in a.signups:
                if signup["status"] == "signed_up":
                    sent += self.s.reminders.send_once(a, signup["volunteer_id"])
            try:
                self._change(a.id, lambda x: setattr(x, "reminded_at", self.clock.now_iso()))
            except ConcurrencyConflict:
                log.warning("activity %s changed while reminding; next round retries", a.id)
        return sent
