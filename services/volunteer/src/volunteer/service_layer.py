"""Use cases of the volunteer service: load an aggregate, call it, save it with its events."""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Callable

from liandong import outbox
from liandong.clock import to_iso
from liandong.consumer import apply_once, insert_once
from liandong.errors import ConcurrencyConflict, Conflict, NotFound, ValidationFailed
from liandong.ids import new_id
from liandong.platform import Platform
from liandong.storage import subtree
from liandong.storage.base import DuplicateKeyError

from .adapters.ledger_store import InsufficientCoins, LedgerStore
from .adapters.repositories import (ActivityRepository, RedemptionRepository, TeamRepository,
                                    VolunteerRepository)
from .domain import model
from .domain.ledger import (DEFAULT_COINS_PER_HOUR, Transfer, issuer_account, supermarket_account,
                            volunteer_account)
from .domain.redemption import Redemption

log = logging.getLogger(__name__)

CONFLICT_RETRIES = 8


def same_branch(volunteer_path: str, org_path: str) -> bool:
    """A volunteer of the unit or below it, or registered above it (a sub-district's volunteer on a
    community's grid patrol): on the same branch of the org tree, never on a neighbouring one."""
    return volunteer_path.startswith(org_path) or org_path.startswith(volunteer_path)


class VolunteerService:
    def __init__(self, platform: Platform):
        self.platform = platform
        self.clock = platform.clock
        self.volunteers = VolunteerRepository(platform)
        self.teams = TeamRepository(platform)
        self.activities = ActivityRepository(platform)
        self.redemptions = RedemptionRepository(platform)
        self.ledger = LedgerStore(platform)
        self.attendance = platform.db.collection("attendance")  # read model: one row per volunteer per activity/patrol
        self.rates = platform.db.collection("coin_rates")
        self.team_types = platform.db.collection("team_types")
        self.reminders = platform.db.collection("reminders")

    def prepare(self) -> None:
        for repo in (self.volunteers, self.teams, self.activities, self.redemptions):
            repo.prepare()
        self.ledger.prepare()
        outbox.prepare(self.attendance)
        for keys, name in (([("org_path", 1), ("started_at", 1)], "org_time"), ([("volunteer_id", 1)], "volunteer")):
            self.attendance.create_index(keys, name=name)
        self.reminders.create_index([("volunteer_id", 1)], name="volunteer")

    def outbox_collections(self) -> list:
        return [r.collection for r in (self.volunteers, self.teams, self.activities, self.redemptions)] + [
            self.ledger.entries, self.attendance]

    # -- configuration: team/activity types and coin rates

    def types(self) -> list[dict]:
        configured = {d["_id"]: d for d in self.team_types.find({})}
        out = [{"type": t, "builtin": True, "name": t} for t in model.BUILTIN_TEAM_TYPES]
        return out + [{"type": k, "builtin": False, "name": d["name"]} for k, d in sorted(configured.items())
                      if k not in model.BUILTIN_TEAM_TYPES]

    def add_type(self, type_key: str, name: str) -> dict:
        self.team_types.update_one({"_id": type_key}, {"$set": {"name": name}}, upsert=True)
        return {"type": type_key, "name": name}

    def check_type(self, type_key: str, field: str = "type") -> None:
        if type_key in model.BUILTIN_TEAM_TYPES or self.team_types.find_one({"_id": type_key}):
            return
        raise ValidationFailed("unknown type", {field: [f"{type_key!r} is not a configured type"]})

    def rate(self, type_key: str) -> int:
        doc = self.rates.find_one({"_id": type_key})
        return doc["coins_per_hour"] if doc else DEFAULT_COINS_PER_HOUR

    def set_rate(self, type_key: str, coins_per_hour: int, by: str) -> dict:
        if type_key != "patrol":
            self.check_type(type_key)
        self.rates.update_one({"_id": type_key}, {"$set": {"coins_per_hour": coins_per_hour, "by": by,
                                                           "at": self.clock.now_iso()}}, upsert=True)
        return {"type": type_key, "coins_per_hour": coins_per_hour}

    def all_rates(self) -> list[dict]:
        return [{"type": t["type"], "coins_per_hour": self.rate(t["type"])} for t in self.types()]

    # -- volunteers

    def register(self, data: dict) -> model.Volunteer:
        org_path = self.platform.org.path_of(data["org_unit_id"])
        earlier = self.volunteers.stored_by_this_request()
        if earlier is not None:  # a retry (same Idempotency-Key): the volunteer its first attempt registered
            self.ledger.open_account(volunteer_account(earlier.id), earlier.org_path, earlier.id)
            return earlier
        if data.get("user_id") and self.volunteers.collection.find_one({"user_id": data["user_id"]}):
            raise Conflict("this user is registered as a volunteer already")
        v = model.Volunteer.register(id=new_id(), org_path=org_path, now=self.clock.now_iso(), **data)
        self.volunteers.add(v)
        self.ledger.open_account(volunteer_account(v.id), v.org_path, v.id)
        return v

    def volunteer(self, volunteer_id: str) -> model.Volunteer:
        return self.volunteers.get(volunteer_id)

    def volunteer_of_user(self, user_id: str) -> model.Volunteer | None:
        found = self.volunteers.find({"user_id": user_id}, limit=1)
        return found[0] if found else None

    def update_profile(self, volunteer_id: str, changes: dict) -> model.Volunteer:
        return self._mutate(self.volunteers, volunteer_id, lambda v: v.update_profile(**changes))

    def set_status(self, volunteer_id: str, status: str) -> model.Volunteer:
        return self._mutate(self.volunteers, volunteer_id, lambda v: v.set_status(status))

    def totals(self, volunteer_id: str) -> dict:
        rows = [r for r in self.attendance.find({"volunteer_id": volunteer_id}) if r["minutes"] > 0]
        minutes = sum(r["minutes"] for r in rows)
        return {"activities": len(rows), "minutes": minutes, "hours": round(minutes / 60, 2),
                "coins_earned": sum(r["coins"] for r in rows), **self.ledger.balance(volunteer_id)}

    # -- teams

    def create_team(self, data: dict) -> model.Team:
        self.check_type(data["type"])
        team = model.Team(id=new_id(), name=data["name"], type=data["type"], org_unit_id=data["org_unit_id"],
                          org_path=self.platform.org.path_of(data["org_unit_id"]))
        for vid in data.get("member_ids") or []:
            self.volunteer(vid)
            team.add_member(vid)
        if data.get("leader_id"):
            self.volunteer(data["leader_id"])
            team.set_leader(data["leader_id"])
        return self.teams.add(team)

    def change_team(self, team_id: str, change: Callable[[model.Team], None]) -> model.Team:
        return self._mutate(self.teams, team_id, change)

    # -- activities

    def create_activity(self, data: dict, organiser_id: str) -> model.Activity:
        self.check_type(data["type"])
        if data.get("team_id"):
            self.teams.get(data["team_id"])
        a = model.Activity(id=new_id(), title=data["title"], type=data["type"], org_unit_id=data["org_unit_id"],
                           org_path=self.platform.org.path_of(data["org_unit_id"]), place=data["place"],
                           starts_at=data["starts_at"], ends_at=data["ends_at"], capacity=data["capacity"],
                           organiser_id=organiser_id, checkin_code=f"{secrets.randbelow(10**6):06d}",
                           coins_per_hour=self.rate(data["type"]), skills_wanted=data.get("skills_wanted") or [],
                           team_id=data.get("team_id"))
        if data.get("publish"):
            a.publish()
        return self.activities.add(a)

    def change_activity(self, activity_id: str, change: Callable[[model.Activity], object]):
        """Apply `change` and save; retried when a concurrent request saved the activity first."""
        result: list = []
        act = self._mutate(self.activities, activity_id, lambda a: result.append(change(a)))
        return act, (result[-1] if result else None)

    def active_volunteer(self, volunteer_id: str) -> model.Volunteer:
        v = self.volunteer(volunteer_id)
        if not v.active:
            raise Conflict(f"the volunteer is {v.status}")
        return v

    def _mutate(self, repo, aggregate_id: str, change: Callable):
        for attempt in range(CONFLICT_RETRIES):
            agg = repo.get(aggregate_id)
            change(agg)
            try:
                return repo.save(agg)
            except ConcurrencyConflict:
                if attempt == CONFLICT_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def send_reminders(self, hours_before: int = 24) -> int:
        """Periodic: remind everyone holding a place in an activity starting within `hours_before` hours."""
        now = self.clock.now()
        horizon = to_iso(now + timedelta(hours=hours_before))
        sent = 0
        for a in self.activities.find({"status": "published", "starts_at": {"$gt": to_iso(now), "$lte": horizon}}):
            if not a.due_for_reminder(now, hours_before):
                continue
            for s in a.signups:
                if s["status"] == "signed_up":
                    sent += insert_once(self.reminders, {
                        "_id": f"{a.id}:{s['volunteer_id']}", "volunteer_id": s["volunteer_id"], "activity_id": a.id,
                        "title": a.title, "place": a.place, "starts_at": a.starts_at, "org_path": a.org_path,
                        "at": self.clock.now_iso()})
            try:
                self.change_activity(a.id, lambda x: setattr(x, "reminded_at", self.clock.now_iso()))
            except ConcurrencyConflict:
                log.warning("activity %s changed while reminding; next round retries", a.id)
        return sent

    # -- the love bank

    def _credit(self, entry_id: str, volunteer_id: str, coins: int, kind: str, reason: str, org_unit_id: str,
                org_path: str, refs: dict) -> dict:
        t = Transfer(entry_id, issuer_account(org_unit_id), volunteer_account(volunteer_id), coins, kind, reason,
                     org_path, self.clock.now_iso(), refs)
        ev = self.platform.new_event("volunteer.coins.credited", volunteer_id, {
            "entry_id": entry_id, "volunteer_id": volunteer_id, "coins": coins,
            "reason": "adjustment" if kind == "adjustment" else kind,
            "activity_id": refs.get("activity_id"), "org_unit_id": org_unit_id}, org_path)
        return self.ledger.transfer(t, [ev])

    def adjust(self, volunteer_id: str, coins: int, reason: str, by: str, request_id: str | None) -> dict:
        """A correction of a balance is itself an entry with a reason (never an edit of a balance)."""
        v = self.volunteer(volunteer_id)
        entry_id = f"adj:{v.id}:{request_id or new_id()}"
        refs = {"by": by}
        if coins > 0:
            return self._credit(entry_id, v.id, coins, "adjustment", reason, v.org_unit_id, v.org_path, refs)
        t = Transfer(entry_id, volunteer_account(v.id), issuer_account(v.org_unit_id), -coins, "adjustment",
                     reason, v.org_path, self.clock.now_iso(), refs)
        return self.ledger.transfer(t)

    def time_bank(self, payer_id: str, payee_id: str, coins: int, reason: str, request_id: str | None) -> dict:
        """时间银行: one member pays another for help with coins."""
        payer, payee = self.active_volunteer(payer_id), self.active_volunteer(payee_id)
        if payer.id == payee.id:
            raise ValidationFailed("pay another volunteer", {"to_volunteer_id": ["same as the payer"]})
        t = Transfer(f"tb:{payer.id}:{request_id or new_id()}", volunteer_account(payer.id),
                     volunteer_account(payee.id), coins, "time_bank", reason, payer.org_path, self.clock.now_iso(),
                     {"from_volunteer_id": payer.id, "to_volunteer_id": payee.id})
        return self.ledger.transfer(t)

    # -- event handlers (each idempotent)

    def on_attendance_recorded(self, event) -> None:
        """Our own fact: hours were recorded for an activity; keep the read model and credit the coins."""
        d = event.data
        if d["source"] != "activity":
            return
        apply_once(self.attendance, d["attendance_id"], event.id, {"$set": {
            "volunteer_id": d["volunteer_id"], "source": "activity", "activity_id": d["activity_id"],
            "activity_type": d["activity_type"], "org_unit_id": d["org_unit_id"], "org_path": event.orgpath,
            "started_at": d["started_at"], "minutes": d["minutes"], "coins": d["coins"]}})
        refs = {"activity_id": d["activity_id"], "event_id": event.id}
        if d["delta_coins"] > 0:
            self._credit(f"att:{event.id}", d["volunteer_id"], d["delta_coins"], "attendance",
                         "志愿服务时长 attendance", d["org_unit_id"], event.orgpath, refs)
        elif d["delta_coins"] < 0:
            t = Transfer(f"att:{event.id}", volunteer_account(d["volunteer_id"]), issuer_account(d["org_unit_id"]),
                         -d["delta_coins"], "adjustment", f"attendance corrected: {d['correction_reason']}",
                         event.orgpath, self.clock.now_iso(), refs)
            try:
                self.ledger.transfer(t)
            except InsufficientCoins:
                log.warning("correction of %s could not take back %s coins: already spent",
                            d["attendance_id"], -d["delta_coins"])

    def on_patrol_completed(self, event) -> None:
        """security.patrol.completed: volunteers among the participants earn hours and coins, once."""
        d = event.data
        rate = self.rate("patrol")
        for p in d["participants"]:
            vid = p.get("volunteer_id")
            if not vid or p["minutes"] <= 0:
                continue
            vol = self.volunteers.collection.find_one({"_id": vid})
            if vol is None or not same_branch(vol["org_path"], event.orgpath):
                # another community's volunteer is no participant of this community's patrol: the coins
                # would leave this community's issuer for them (treated as an unknown volunteer)
                log.warning("patrol %s names unknown volunteer %s", d["patrol_run_id"], vid)
                continue
            org = self.platform.org.get(d["org_unit_id"])
            org_unit_id, org_path = (d["org_unit_id"], org["path"]) if org else (vol["org_unit_id"], vol["org_path"])
            key = f"patrol:{d['patrol_run_id']}:{vid}"
            coins = model.coins_for(p["minutes"], rate)
            row = {"_id": key, "volunteer_id": vid, "source": "patrol", "patrol_run_id": d["patrol_run_id"],
                   "activity_id": None, "activity_type": "patrol", "org_unit_id": org_unit_id, "org_path": org_path,
                   "started_at": d["started_at"], "minutes": p["minutes"], "coins": coins}
            recorded = self.platform.new_event("volunteer.attendance.recorded", vid, {
                "attendance_id": key, "source": "patrol", "activity_id": None, "patrol_run_id": d["patrol_run_id"],
                "volunteer_id": vid, "activity_type": "patrol", "org_unit_id": org_unit_id,
                "started_at": d["started_at"], "minutes": p["minutes"], "delta_minutes": p["minutes"],
                "coins": coins, "delta_coins": coins, "correction_reason": None}, org_path,
                causation_id=event.id)
            try:
                outbox.insert_with_events(self.attendance, row, [recorded])
            except DuplicateKeyError:
                pass  # this patrol was counted for this volunteer before (a redelivery)
            if coins > 0:
                self._credit(key, vid, coins, "patrol", "巡逻 patrol", org_unit_id, org_path,
                             {"patrol_run_id": d["patrol_run_id"], "event_id": event.id})

    def on_redemption_requested(self, event) -> None:
        d = event.data
        rid = d["redemption_id"]
        if self.redemptions.collection.find_one({"_id": rid}):
            return  # decided before: a duplicate never reserves twice
        vol = self.volunteers.collection.find_one({"_id": d["volunteer_id"]})
        # the welfare worker who asked may spend only the coins of a volunteer inside their own scope;
        # one outside is refused in the words of an unknown one (the answer goes back to that worker)
        scopes = d.get("initiator_scopes") or [event.orgpath]
        if vol is not None and not any(vol["org_path"].startswith(s) for s in scopes):
            vol = None
        kw = dict(id=rid, volunteer_id=d["volunteer_id"], coins=d["coins"], org_unit_id=d["org_unit_id"],
                  org_path=vol["org_path"] if vol else self._path_or_root(d["org_unit_id"]),
                  requested_at=event.time)
        if vol is None:
            r = Redemption.refused("unknown_volunteer", **kw)
        elif vol["status"] != "active":
            r = Redemption.refused("inactive_volunteer", **kw)
        elif self.ledger.reserve(d["volunteer_id"], d["coins"], f"reserve:{rid}"):
            r = Redemption.reserved(self.ledger.balance(d["volunteer_id"])["available"], **kw)
        else:
            r = Redemption.refused("insufficient_balance", **kw)
        try:
            self.redemptions.add(r)
        except Conflict:
            pass

    def _path_or_root(self, org_unit_id: str) -> str:
        unit = self.platform.org.get(org_unit_id)
        return unit["path"] if unit else "/"

    def on_goods_handed_out(self, event) -> None:
        r = self._redemption(event)
        if r is None or r.status != "reserved":
            return
        t = Transfer(f"redeem:{r.id}", volunteer_account(r.volunteer_id), supermarket_account(r.org_unit_id),
                     r.coins, "redemption", "爱心超市兑换 charity supermarket", r.org_path, self.clock.now_iso(),
                     {"redemption_id": r.id})
        self.ledger.transfer(t, from_bucket="reserved")
        r.redeem()
        self.redemptions.save(r)

    def on_redemption_cancelled(self, event) -> None:
        r = self._redemption(event)
        if r is None or r.status != "reserved":
            return  # nothing was reserved (refused) or it is settled already
        self.ledger.release(r.volunteer_id, r.coins, f"release:{r.id}")
        r.release()
        self.redemptions.save(r)

    def _redemption(self, event) -> Redemption | None:
        try:
            return self.redemptions.get(event.data["redemption_id"])
        except NotFound:
            log.warning("%s for unknown redemption %s", event.type, event.data["redemption_id"])
            return None

    def handlers(self) -> dict:
        return {
            "liandong.volunteer.attendance.recorded.v1": self.on_attendance_recorded,
            "liandong.security.patrol.completed.v1": self.on_patrol_completed,
            "liandong.welfare.redemption.requested.v1": self.on_redemption_requested,
            "liandong.welfare.redemption.goods_handed_out.v1": self.on_goods_handed_out,
            "liandong.welfare.redemption.cancelled.v1": self.on_redemption_cancelled,
        }

    # -- reports

    def stats(self, org_path: str, since: str | None, until: str | None) -> dict:
        def in_period(t: str | None) -> bool:
            return t is not None and (not since or t >= since) and (not until or t < until)

        vols = self.volunteers.collection.find({**subtree(org_path), "status": {"$ne": "left"}})
        teams = self.teams.collection.find(subtree(org_path))
        acts = [a for a in self.activities.collection.find(subtree(org_path))
                if a["status"] in ("published", "completed") and in_period(a["starts_at"])]
        rows = [r for r in self.attendance.find(subtree(org_path)) if r["minutes"] > 0 and in_period(r["started_at"])]
        entries = self.ledger.entries_in(org_path, since, until)
        credited = sum(e["coins"] for e in entries if e["from_account"].startswith("issuer:")) - sum(
            e["coins"] for e in entries if e["to_account"].startswith("issuer:"))
        redeemed = sum(e["coins"] for e in entries if e["kind"] == "redemption")
        minutes = sum(r["minutes"] for r in rows)
        return {"org_path": org_path, "from": since, "to": until, "volunteers": len(vols), "teams": len(teams),
                "activities": len(acts), "participant_times": len(rows), "minutes": minutes,
                "hours": round(minutes / 60, 2), "coins_credited": credited, "coins_redeemed": redeemed,
                "volunteers_by_kind": {k: sum(1 for v in vols if v["kind"] == k) for k in model.VOLUNTEER_KINDS}}

    def recognition(self, org_path: str, since: str | None, until: str | None, limit: int) -> dict:
        rows = [r for r in self.attendance.find(subtree(org_path)) if r["minutes"] > 0
                and (not since or r["started_at"] >= since) and (not until or r["started_at"] < until)]
        per: dict[str, dict] = {}
        for r in rows:
            p = per.setdefault(r["volunteer_id"], {"volunteer_id": r["volunteer_id"], "activities": 0, "minutes": 0,
                                                   "coins": 0})
            p["activities"] += 1
            p["minutes"] += r["minutes"]
            p["coins"] += r["coins"]
        found = self.volunteers.collection.find({"_id": {"$in": list(per)}}) if per else []
        names = {v["_id"]: v["name"] for v in found}
        ranking = sorted(per.values(), key=lambda p: (-p["minutes"], -p["coins"], p["volunteer_id"]))
        for i, p in enumerate(ranking, 1):
            p.update(rank=i, name=names.get(p["volunteer_id"]), hours=round(p["minutes"] / 60, 2))
        teams = []
        for t in self.teams.collection.find(subtree(org_path)):
            members = [per[m] for m in t["member_ids"] if m in per]
            minutes = sum(m["minutes"] for m in members)
            teams.append({"team_id": t["_id"], "name": t["name"], "type": t["type"], "members": len(t["member_ids"]),
                          "activities": sum(m["activities"] for m in members), "minutes": minutes,
                          "hours": round(minutes / 60, 2), "coins": sum(m["coins"] for m in members)})
        teams.sort(key=lambda t: (-t["minutes"], t["team_id"]))
        return {"org_path": org_path, "from": since, "to": until, "volunteers": ranking[:limit], "teams": teams}
