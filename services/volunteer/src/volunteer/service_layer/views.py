"""What a caller sees of a record: its mobile and ID number masked unless they may read personal data or it is their
own; an activity's sign-ups for staff, its check-in code only for those who manage it."""
from __future__ import annotations

from dataclasses import asdict

from liandong.auth import Principal
from liandong.idnumbers import mask, mask_mobile

from ..domain import model
from .access import MANAGE, can_read

VOLUNTEER_FIELDS = ("id", "name", "kind", "org_unit_id", "org_path", "mobile", "id_number", "skills",
                    "availability", "unit_name", "user_id", "status", "consent_at", "registered_at")
ACTIVITY_FIELDS = ("id", "title", "type", "org_unit_id", "org_path", "place", "starts_at", "ends_at", "capacity",
                   "skills_wanted", "team_id", "status", "coins_per_hour", "organiser_id", "reminded_at")
TEAM_FIELDS = ("id", "name", "type", "org_unit_id", "org_path", "leader_id", "member_ids", "formed_on", "status",
               "dissolved_on")


def volunteer_view(p: Principal, v: model.Volunteer) -> dict:
    out = {k: getattr(v, k) for k in VOLUNTEER_FIELDS}
    if not (p.can("personal_data:read", v.org_path) or v.user_id == p.user_id):
        out.update(mobile=mask_mobile(v.mobile), id_number=mask(v.id_number))
    return out


def activity_view(p: Principal, a: model.Activity, own_id: str | None = None) -> dict:
    """`own_id`: a resident's own volunteer record, whose sign-up they see — and no neighbour's (#22)."""
    out = {k: getattr(a, k) for k in ACTIVITY_FIELDS}
    out.update(taken=a.taken, waitlist=a.waitlist)
    if can_read(p, a.org_path):
        out["signups"] = a.signups
        out["attendance"] = {vid: asdict(att) for vid, att in a.attendance.items()}
    else:
        out["waitlist"] = [v for v in a.waitlist if v == own_id]
        out["signups"] = [s for s in a.signups if own_id is not None and s["volunteer_id"] == own_id]
    if p.can(MANAGE, a.org_path):
        out["checkin_code"] = a.checkin_code
    return out


def team_view(t: model.Team) -> dict:
    return {k: getattr(t, k) for k in TEAM_FIELDS}


def entry_view(doc: dict) -> dict:
    return {"entry_id": doc["_id"], **{k: doc[k] for k in ("from_account", "to_account", "coins", "kind", "reason",
                                                           "time", "status")}}
