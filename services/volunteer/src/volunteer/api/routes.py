"""Routes of the volunteer service under /api/v1/volunteer: parse, check access, call the use case."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint

from liandong.auth import Principal, current_principal, out_of_scope
from liandong.errors import Forbidden, NotFound, ValidationFailed
from liandong.idnumbers import mask_mobile
from liandong.openapi import api
from liandong.storage import subtree
from liandong.web import load_json, load_query

from ..domain import model
from ..service_layer import VolunteerService
from . import schemas as s

READ, MANAGE, SELF = "volunteer:read", "volunteer:manage", "volunteer:self"
TAGS = ["volunteer"]


def _can_read(p: Principal, org_path: str) -> bool:
    return p.can(READ, org_path) or p.can(MANAGE, org_path)


def _find(repo, what: str, record_id: str):
    """A stored record, or 404 in the same words `Principal.authorize` uses for one out of sight."""
    try:
        return repo.get(record_id)
    except NotFound:
        raise out_of_scope(what, record_id) from None


def blueprint(svc: VolunteerService) -> Blueprint:
    bp = Blueprint("volunteer", __name__, url_prefix="/api/v1/volunteer")
    org = svc.platform.org

    def own_volunteer(p: Principal) -> model.Volunteer:
        if not p.has(SELF):
            raise Forbidden(f"{SELF} is not granted")
        v = svc.volunteer_of_user(p.user_id)
        if v is None:
            raise NotFound("you are not registered as a volunteer")
        return v

    def acting_for(p: Principal, volunteer_id: str | None, org_path: str) -> str:
        """Staff who manage here act for a volunteer they manage; a resident only for themselves."""
        if p.can(MANAGE, org_path):
            if volunteer_id:
                return managed_volunteer(p, volunteer_id).id
            if not p.has(SELF):
                raise ValidationFailed("name the volunteer", {"volunteer_id": ["required"]})
        own = own_volunteer(p)
        if volunteer_id and volunteer_id != own.id:
            raise Forbidden("residents act only for themselves")
        return own.id

    def readable_volunteer(p: Principal, volunteer_id: str) -> model.Volunteer:
        v = _find(svc.volunteers, "volunteer", volunteer_id)
        if p.has(SELF) and v.user_id == p.user_id:
            return v
        p.authorize(READ, v.org_path, read=MANAGE, what="volunteer", record_id=volunteer_id)
        return v

    def managed_volunteer(p: Principal, volunteer_id: str) -> model.Volunteer:
        """A volunteer named in a request (a member, a leader, a sign-up, a payee): one the caller manages.

        Another community's volunteer is 404, as if there were none: naming them changes nothing."""
        v = _find(svc.volunteers, "volunteer", volunteer_id)
        p.authorize(MANAGE, v.org_path, read=READ, what="volunteer", record_id=volunteer_id)
        return v

    def readable_team(p: Principal, team_id: str) -> model.Team:
        t = _find(svc.teams, "team", team_id)
        p.authorize(READ, t.org_path, read=MANAGE, what="team", record_id=team_id)
        return t

    def managed_team(p: Principal, team_id: str) -> model.Team:
        t = _find(svc.teams, "team", team_id)
        p.authorize(MANAGE, t.org_path, read=READ, what="team", record_id=team_id)
        return t

    def same_community(own: model.Volunteer, volunteer_id: str) -> model.Volunteer:
        """A resident names another volunteer (a payee, a substitute) only within their own community."""
        v = _find(svc.volunteers, "volunteer", volunteer_id)
        if not v.org_path.startswith(own.org_path):
            raise out_of_scope("volunteer", volunteer_id)
        return v

    def volunteer_view(p: Principal, v: model.Volunteer, totals: bool = False) -> dict:
        out = {k: getattr(v, k) for k in ("id", "name", "kind", "org_unit_id", "org_path", "mobile", "skills",
                                          "availability", "unit_name", "user_id", "status", "consent_at",
                                          "registered_at")}
        if not (p.can("personal_data:read", v.org_path) or v.user_id == p.user_id):
            out["mobile"] = mask_mobile(v.mobile)
        if totals:
            out["totals"] = svc.totals(v.id)
            out["teams"] = [t["_id"] for t in svc.teams.collection.find({"member_ids": {"$all": [v.id]}})]
        return out

    def activity_view(p: Principal, a: model.Activity) -> dict:
        out = {k: getattr(a, k) for k in ("id", "title", "type", "org_unit_id", "org_path", "place", "starts_at",
                                          "ends_at", "capacity", "skills_wanted", "team_id", "status",
                                          "coins_per_hour", "organiser_id", "reminded_at")}
        out.update(taken=a.taken, waitlist=a.waitlist)
        if p.can(MANAGE, a.org_path) or _can_read(p, a.org_path):
            out["signups"] = a.signups
            out["attendance"] = {vid: asdict(att) for vid, att in a.attendance.items()}
        if p.can(MANAGE, a.org_path):
            out["checkin_code"] = a.checkin_code
        return out

    def scope(p: Principal, perm: str, org_unit_id: str | None) -> dict:
        if org_unit_id:
            path = org.path_of(org_unit_id)
            p.require(perm, path)
            return subtree(path)
        return p.scope_filter(perm)

    def report_path(p: Principal, org_unit_id: str | None) -> str:
        if org_unit_id:
            path = org.path_of(org_unit_id)
            p.require(READ, path)
            return path
        scopes = p.scopes(READ)
        if not scopes:
            raise Forbidden(f"{READ} is not granted")
        if len(scopes) != 1:
            raise ValidationFailed("name the org unit", {"org_unit_id": ["required"]})
        return scopes[0]

    # -- volunteers

    @bp.post("/volunteers")
    @api("Register a volunteer (staff for anyone; a resident for themselves)", body=s.RegisterVolunteerSchema,
         response=s.VolunteerSchema, status=201, tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def register():
        p = current_principal()
        data = load_json(s.RegisterVolunteerSchema)
        path = org.path_of(data["org_unit_id"])
        if not p.can(MANAGE, path):
            if not p.can(SELF, path):
                raise Forbidden(f"{MANAGE} is not granted here")
            data["user_id"] = p.user_id
        elif data.get("user_id") and data["user_id"] != p.user_id:
            # The service learns nothing about logins (no user events): it cannot tell whose login an id
            # is or where that person lives, so only its owner links it, by registering themselves.
            raise ValidationFailed("a login is linked only by its owner", {
                "user_id": ["only your own: a resident links their login by registering themselves"]})
        return volunteer_view(p, svc.register(data)), 201

    @bp.get("/volunteers")
    @api("List volunteers in the caller's scope", query=s.ListQuerySchema, response=s.VolunteerSchema, many=True,
         tags=TAGS, permission=READ)
    def list_volunteers():
        p = current_principal()
        q = load_query(s.ListQuerySchema)
        flt = scope(p, READ, q["org_unit_id"])
        for key in ("status", "kind"):
            if q[key]:
                flt[key] = q[key]
        if q["skill"]:
            flt["skills"] = {"$all": [q["skill"]]}
        if q["team_id"]:
            flt["_id"] = {"$in": readable_team(p, q["team_id"]).member_ids}
        found = svc.volunteers.find(flt, sort=[("registered_at", 1), ("_id", 1)], skip=q["offset"], limit=q["limit"])
        return {"items": [volunteer_view(p, v) for v in found],
                "total": svc.volunteers.collection.count_documents(flt)}

    @bp.get("/volunteers/me")
    @api("The caller's own volunteer record with totals and balance", response=s.VolunteerSchema, tags=TAGS,
         permission=SELF)
    def me():
        p = current_principal()
        return volunteer_view(p, own_volunteer(p), totals=True)

    @bp.get("/volunteers/<volunteer_id>")
    @api("One volunteer with hours, activities and love-coin balance", response=s.VolunteerSchema, tags=TAGS,
         permission=READ)
    def get_volunteer(volunteer_id: str):
        p = current_principal()
        return volunteer_view(p, readable_volunteer(p, volunteer_id), totals=True)

    @bp.patch("/volunteers/<volunteer_id>")
    @api("Update skills, availability or contact (staff, or the volunteer themselves)", body=s.ProfileSchema,
         response=s.VolunteerSchema, tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def update_profile(volunteer_id: str):
        p = current_principal()
        data = load_json(s.ProfileSchema)
        v = _find(svc.volunteers, "volunteer", volunteer_id)
        if not (p.has(SELF) and v.user_id == p.user_id):
            managed_volunteer(p, volunteer_id)
        return volunteer_view(p, svc.update_profile(volunteer_id, data))

    @bp.post("/volunteers/<volunteer_id>/status")
    @api("Pause, resume or record that a volunteer left", body=s.StatusSchema, response=s.VolunteerSchema,
         tags=TAGS, permission=MANAGE)
    def set_status(volunteer_id: str):
        p = current_principal()
        data = load_json(s.StatusSchema)
        managed_volunteer(p, volunteer_id)
        return volunteer_view(p, svc.set_status(volunteer_id, data["status"]))

    @bp.get("/volunteers/<volunteer_id>/statement")
    @api("A volunteer's love-coin statement (every entry with the running balance)", response=s.StatementSchema,
         tags=TAGS, permission=f"{READ} or {SELF}")
    def statement(volunteer_id: str):
        p = current_principal()
        readable_volunteer(p, volunteer_id)
        return svc.ledger.statement(volunteer_id)

    @bp.get("/volunteers/<volunteer_id>/reminders")
    @api("Reminders sent to a volunteer before their activities", tags=TAGS, permission=f"{READ} or {SELF}")
    def reminders(volunteer_id: str):
        p = current_principal()
        readable_volunteer(p, volunteer_id)
        return {"items": svc.reminders.find({"volunteer_id": volunteer_id}, sort=[("starts_at", 1)])}

    # -- types and rates

    @bp.get("/types")
    @api("Team and activity types (built-in and configured) with their coin rates", tags=TAGS, permission=READ)
    def types():
        current_principal().require(READ)
        rates = {r["type"]: r["coins_per_hour"] for r in svc.all_rates()}
        return {"items": [{**t, "coins_per_hour": rates[t["type"]]} for t in svc.types()],
                "patrol_coins_per_hour": svc.rate("patrol")}

    @bp.post("/types")
    @api("Configure another team type", body=s.TypeSchema, status=201, tags=TAGS, permission=MANAGE)
    def add_type():
        # types (and the rates below) hold for every community: changed only at the district
        current_principal().require_district(MANAGE, org.root_paths())
        data = load_json(s.TypeSchema)
        return svc.add_type(data["type"], data["name"]), 201

    @bp.put("/rates/<type_key>")
    @api("Set the love coins credited per hour of an activity type", body=s.RateSchema, tags=TAGS,
         permission=MANAGE)
    def set_rate(type_key: str):
        p = current_principal()
        p.require_district(MANAGE, org.root_paths())
        data = load_json(s.RateSchema)
        return svc.set_rate(type_key, data["coins_per_hour"], p.user_id)

    # -- teams

    @bp.post("/teams")
    @api("Form a volunteer service team (志愿服务队)", body=s.TeamSchema, response=s.TeamOutSchema, status=201,
         tags=TAGS, permission=MANAGE)
    def create_team():
        p = current_principal()
        data = load_json(s.TeamSchema)
        p.require(MANAGE, org.path_of(data["org_unit_id"]))
        for vid in [*data["member_ids"], *([data["leader_id"]] if data["leader_id"] else [])]:
            managed_volunteer(p, vid)
        return _team(svc.create_team(data)), 201

    @bp.get("/teams")
    @api("List teams in the caller's scope", query=s.ListQuerySchema, response=s.TeamOutSchema, many=True,
         tags=TAGS, permission=READ)
    def list_teams():
        p = current_principal()
        q = load_query(s.ListQuerySchema)
        flt = scope(p, READ, q["org_unit_id"])
        if q["type"]:
            flt["type"] = q["type"]
        return {"items": [_team(t) for t in svc.teams.find(flt, sort=[("name", 1)], skip=q["offset"],
                                                           limit=q["limit"])]}

    @bp.get("/teams/<team_id>")
    @api("One team", response=s.TeamOutSchema, tags=TAGS, permission=READ)
    def get_team(team_id: str):
        return _team(readable_team(current_principal(), team_id))

    def team_change(team_id: str, fn):
        managed_team(current_principal(), team_id)
        return _team(svc.change_team(team_id, fn))

    @bp.post("/teams/<team_id>/members")
    @api("Add a member", body=s.MemberSchema, response=s.TeamOutSchema, tags=TAGS, permission=MANAGE)
    def add_member(team_id: str):
        p = current_principal()
        data = load_json(s.MemberSchema)
        managed_team(p, team_id)
        vid = managed_volunteer(p, data["volunteer_id"]).id
        return team_change(team_id, lambda t: t.add_member(vid))

    @bp.delete("/teams/<team_id>/members/<volunteer_id>")
    @api("Remove a member", response=s.TeamOutSchema, tags=TAGS, permission=MANAGE)
    def remove_member(team_id: str, volunteer_id: str):
        return team_change(team_id, lambda t: t.remove_member(volunteer_id))

    @bp.post("/teams/<team_id>/leader")
    @api("Name the team leader", body=s.MemberSchema, response=s.TeamOutSchema, tags=TAGS, permission=MANAGE)
    def set_leader(team_id: str):
        p = current_principal()
        data = load_json(s.MemberSchema)
        managed_team(p, team_id)
        vid = managed_volunteer(p, data["volunteer_id"]).id
        return team_change(team_id, lambda t: t.set_leader(vid))

    # -- activities

    @bp.post("/activities")
    @api("Create (and optionally publish) an activity", body=s.ActivitySchema, response=s.ActivityOutSchema,
         status=201, tags=TAGS, permission=MANAGE)
    def create_activity():
        p = current_principal()
        data = load_json(s.ActivitySchema)
        p.require(MANAGE, org.path_of(data["org_unit_id"]))
        if data.get("team_id"):
            managed_team(p, data["team_id"])
        return activity_view(p, svc.create_activity(data, p.user_id)), 201

    @bp.get("/activities")
    @api("List activities in scope (residents see published ones)", query=s.ListQuerySchema,
         response=s.ActivityOutSchema, many=True, tags=TAGS, permission=f"{READ} or {SELF}")
    def list_activities():
        p = current_principal()
        q = load_query(s.ListQuerySchema)
        if p.scopes(READ):
            flt = scope(p, READ, q["org_unit_id"])
        else:
            flt = scope(p, SELF, q["org_unit_id"])
            flt["status"] = "published"
        if q["status"]:
            flt["status"] = q["status"]
        if q["type"]:
            flt["type"] = q["type"]
        if q["from_"] or q["to"]:
            flt["starts_at"] = {**({"$gte": q["from_"]} if q["from_"] else {}), **({"$lt": q["to"]} if q["to"] else {})}
        found = svc.activities.find(flt, sort=[("starts_at", 1), ("_id", 1)], skip=q["offset"], limit=q["limit"])
        return {"items": [activity_view(p, a) for a in found]}

    def visible_activity(p: Principal, activity_id: str) -> model.Activity:
        a = _find(svc.activities, "activity", activity_id)
        if _can_read(p, a.org_path) or (p.can(SELF, a.org_path) and a.status != "draft"):
            return a
        raise out_of_scope("activity", activity_id)

    @bp.get("/activities/<activity_id>")
    @api("One activity with its sign-ups, waitlist and attendance", response=s.ActivityOutSchema, tags=TAGS,
         permission=f"{READ} or {SELF}")
    def get_activity(activity_id: str):
        p = current_principal()
        return activity_view(p, visible_activity(p, activity_id))

    def managed_activity(p: Principal, activity_id: str) -> model.Activity:
        a = _find(svc.activities, "activity", activity_id)
        p.authorize(MANAGE, a.org_path, read=READ, what="activity", record_id=activity_id)
        return a

    def manage_activity(activity_id: str, fn):
        p = current_principal()
        managed_activity(p, activity_id)
        a, result = svc.change_activity(activity_id, fn)
        return p, a, result

    @bp.post("/activities/<activity_id>/publish")
    @api("Open the activity for sign-up", response=s.ActivityOutSchema, tags=TAGS, permission=MANAGE)
    def publish(activity_id: str):
        p, a, _ = manage_activity(activity_id, lambda a: a.publish())
        return activity_view(p, a)

    @bp.post("/activities/<activity_id>/cancel")
    @api("Call the activity off", response=s.ActivityOutSchema, tags=TAGS, permission=MANAGE)
    def cancel(activity_id: str):
        p, a, _ = manage_activity(activity_id, lambda a: a.cancel())
        return activity_view(p, a)

    @bp.post("/activities/<activity_id>/complete")
    @api("Close the activity; those holding a place who never checked in are no-shows",
         response=s.ActivityOutSchema, tags=TAGS, permission=MANAGE)
    def complete(activity_id: str):
        p, a, no_shows = manage_activity(activity_id, lambda a: a.complete())
        return {**activity_view(p, a), "no_shows": no_shows}

    @bp.post("/activities/<activity_id>/signups")
    @api("Sign up (a full activity puts the volunteer on the waitlist)", body=s.SignUpSchema, status=201,
         tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def sign_up(activity_id: str):
        p = current_principal()
        data = load_json(s.SignUpSchema)
        a = visible_activity(p, activity_id)
        vid = svc.active_volunteer(acting_for(p, data["volunteer_id"], a.org_path)).id
        a, status = svc.change_activity(activity_id, lambda x: x.sign_up(vid, svc.clock.now_iso()))
        return {"activity_id": a.id, "volunteer_id": vid, "status": status, "taken": a.taken,
                "waitlist_position": a.waitlist.index(vid) + 1 if status == "waitlisted" else None}, 201

    @bp.post("/activities/<activity_id>/signups/<volunteer_id>/cancel")
    @api("Give up a place (the first on the waitlist is promoted)", tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def cancel_signup(activity_id: str, volunteer_id: str):
        p = current_principal()
        a = visible_activity(p, activity_id)
        vid = acting_for(p, volunteer_id, a.org_path)
        a, promoted = svc.change_activity(activity_id, lambda x: x.cancel_signup(vid, svc.clock.now_iso()))
        return {"activity_id": a.id, "volunteer_id": vid, "status": "cancelled", "promoted": promoted,
                "taken": a.taken, "waitlist": a.waitlist}

    @bp.post("/activities/<activity_id>/signups/<volunteer_id>/substitute")
    @api("Hand one's place to a substitute", body=s.SubstituteSchema, tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def substitute(activity_id: str, volunteer_id: str):
        p = current_principal()
        data = load_json(s.SubstituteSchema)
        a = visible_activity(p, activity_id)
        vid = acting_for(p, volunteer_id, a.org_path)
        # the substitute is someone the caller manages, or (a resident handing on) one of the same community
        if p.can(MANAGE, a.org_path):
            managed_volunteer(p, data["substitute_id"])
        else:
            same_community(own_volunteer(p), data["substitute_id"])
        sub = svc.active_volunteer(data["substitute_id"]).id
        a, _ = svc.change_activity(activity_id, lambda x: x.substitute(vid, sub, svc.clock.now_iso()))
        return {"activity_id": a.id, "volunteer_id": vid, "substitute_id": sub, "taken": a.taken}

    def check(activity_id: str, out: bool):
        p = current_principal()
        data = load_json(s.CheckSchema)
        a = visible_activity(p, activity_id)
        if p.can(MANAGE, a.org_path) and data["volunteer_id"]:
            vid, code, at = managed_volunteer(p, data["volunteer_id"]).id, None, data["at"] or svc.clock.now_iso()
        else:
            vid = acting_for(p, data["volunteer_id"], a.org_path)
            if not data["code"]:
                raise ValidationFailed("the code shown at the place is required", {"code": ["required"]})
            code, at = data["code"], svc.clock.now_iso()  # a resident cannot choose the time
        fn = (lambda x: x.check_out(vid, at, code)) if out else (lambda x: x.check_in(vid, at, code))
        a, _ = svc.change_activity(activity_id, fn)
        return {"activity_id": a.id, "volunteer_id": vid, **asdict(a.attendance[vid])}

    @bp.post("/activities/<activity_id>/check-in")
    @api("Check in (the organiser, or the volunteer with the code shown at the place)", body=s.CheckSchema,
         tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def check_in(activity_id: str):
        return check(activity_id, out=False)

    @bp.post("/activities/<activity_id>/check-out")
    @api("Check out: the minutes between check-in and check-out become hours and coins", body=s.CheckSchema,
         tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def check_out(activity_id: str):
        return check(activity_id, out=True)

    @bp.post("/activities/<activity_id>/attendance")
    @api("The organiser records a volunteer's check-in and check-out times", body=s.AttendanceSchema,
         status=201, tags=TAGS, permission=MANAGE)
    def record_attendance(activity_id: str):
        data = load_json(s.AttendanceSchema)
        p = current_principal()
        managed_activity(p, activity_id)
        managed_volunteer(p, data["volunteer_id"])
        _, a, att = manage_activity(activity_id, lambda x: x.record(data["volunteer_id"], data["checked_in_at"],
                                                                    data["checked_out_at"]))
        return {"activity_id": a.id, **asdict(att)}, 201

    @bp.post("/activities/<activity_id>/attendance/<volunteer_id>/correction")
    @api("Correct recorded minutes (logged with the reason; coins follow)", body=s.CorrectionSchema, tags=TAGS,
         permission=MANAGE)
    def correct(activity_id: str, volunteer_id: str):
        data = load_json(s.CorrectionSchema)
        p = current_principal()
        managed_activity(p, activity_id)
        managed_volunteer(p, volunteer_id)
        _, a, att = manage_activity(activity_id, lambda x: x.correct(volunteer_id, data["minutes"], data["reason"],
                                                                     p.user_id, svc.clock.now_iso()))
        return {"activity_id": a.id, **asdict(att)}

    # -- the love bank

    @bp.post("/coins/adjustments")
    @api("Adjust a balance by an entry with a reason (positive credits, negative debits)",
         body=s.AdjustmentSchema, response=s.EntrySchema, status=201, tags=TAGS, permission=MANAGE)
    def adjust():
        p = current_principal()
        data = load_json(s.AdjustmentSchema)
        managed_volunteer(p, data["volunteer_id"])
        return _entry(svc.adjust(data["volunteer_id"], data["coins"], data["reason"], p.user_id,
                                 data["request_id"])), 201

    @bp.post("/coins/time-bank")
    @api("Pay another volunteer in love coins for their help (时间银行)", body=s.TimeBankSchema,
         response=s.EntrySchema, status=201, tags=TAGS, permission=f"{MANAGE} or {SELF}")
    def time_bank():
        p = current_principal()
        data = load_json(s.TimeBankSchema)
        if data["from_volunteer_id"]:
            named = _find(svc.volunteers, "volunteer", data["from_volunteer_id"])
            if not (p.has(SELF) and named.user_id == p.user_id):
                managed_volunteer(p, named.id)
            payer = named.id
        else:
            payer = own_volunteer(p).id
        # the payee: one the caller manages, or (a resident paying) a member of the payer's own community
        payee = _find(svc.volunteers, "volunteer", data["to_volunteer_id"])
        if not p.can(MANAGE, payee.org_path):
            same_community(svc.volunteer(payer), payee.id)
        return _entry(svc.time_bank(payer, data["to_volunteer_id"], data["coins"], data["reason"],
                                    data["request_id"])), 201

    @bp.get("/coins/check")
    @api("Do the stored balances equal the sum of the ledger?", response=s.LedgerCheckSchema, tags=TAGS,
         permission=MANAGE)
    def ledger_check():
        # every account of the district, with its id: a district-level look
        current_principal().require_district(MANAGE, org.root_paths())
        return svc.ledger.check()

    # -- reports

    @bp.get("/stats")
    @api("Statistics of an org unit for a period: volunteers, teams, activities, 人次, hours, coins",
         query=s.PeriodQuerySchema, response=s.StatsSchema, tags=TAGS, permission=READ)
    def stats():
        p = current_principal()
        q = load_query(s.PeriodQuerySchema)
        return svc.stats(report_path(p, q["org_unit_id"]), q["from_"], q["to"])

    @bp.get("/recognition")
    @api("Per-volunteer and per-team totals for a period, ranked", query=s.PeriodQuerySchema,
         response=s.RecognitionSchema, tags=TAGS, permission=READ)
    def recognition():
        p = current_principal()
        q = load_query(s.PeriodQuerySchema)
        return svc.recognition(report_path(p, q["org_unit_id"]), q["from_"], q["to"], q["limit"])

    return bp


def _team(t: model.Team) -> dict:
    return {"id": t.id, "name": t.name, "type": t.type, "org_unit_id": t.org_unit_id, "org_path": t.org_path,
            "leader_id": t.leader_id, "member_ids": t.member_ids}


def _entry(doc: dict) -> dict:
    return {"entry_id": doc["_id"], **{k: doc[k] for k in ("from_account", "to_account", "coins", "kind", "reason",
                                                           "time", "status")}}
