"""Aggregates stored with their outgoing events in one document (outbox), and the wire mapping."""
from __future__ import annotations

from dataclasses import asdict

from liandong.personal import PersonalFields
from liandong.repository import OutboxRepository

from ..domain import model, redemption as rd


def _plain(doc: dict, names) -> dict:
    return {k: doc.get(k) for k in names}


class VolunteerRepository(OutboxRepository[model.Volunteer]):
    collection_name = "volunteers"
    personal = PersonalFields.of("mobile")  # the name stays readable: the recognition lists show it
    indexes = [([("org_path", 1)], {"name": "org_path"}), ([("user_id", 1)], {"name": "user_id"}),
               ([("status", 1)], {"name": "status"})]
    FIELDS = ("name", "kind", "org_unit_id", "org_path", "mobile", "skills", "availability", "consent_at",
              "registered_at", "unit_name", "user_id", "status")

    def to_document(self, v: model.Volunteer) -> dict:
        return {k: getattr(v, k) for k in self.FIELDS}

    def from_document(self, doc: dict) -> model.Volunteer:
        return model.Volunteer(id=doc["_id"], **_plain(doc, self.FIELDS))

    def publish(self, v: model.Volunteer, ev):
        if isinstance(ev, model.VolunteerRegistered):
            return "volunteer.registered", {"volunteer_id": v.id, "name": v.name, "kind": v.kind,
                                            "org_unit_id": v.org_unit_id, "skills": v.skills,
                                            "user_id": v.user_id, "registered_at": v.registered_at}
        return None


class TeamRepository(OutboxRepository[model.Team]):
    collection_name = "teams"
    indexes = [([("org_path", 1)], {"name": "org_path"}), ([("member_ids", 1)], {"name": "members"})]
    FIELDS = ("name", "type", "org_unit_id", "org_path", "leader_id", "member_ids")

    def to_document(self, t: model.Team) -> dict:
        return {k: getattr(t, k) for k in self.FIELDS}

    def from_document(self, doc: dict) -> model.Team:
        return model.Team(id=doc["_id"], **_plain(doc, self.FIELDS))

    def publish(self, t, ev):
        return None


class ActivityRepository(OutboxRepository[model.Activity]):
    collection_name = "activities"
    indexes = [([("org_path", 1)], {"name": "org_path"}), ([("starts_at", 1)], {"name": "starts_at"}),
               ([("status", 1), ("starts_at", 1)], {"name": "status_starts"})]
    FIELDS = ("title", "type", "org_unit_id", "org_path", "place", "starts_at", "ends_at", "capacity",
              "organiser_id", "checkin_code", "coins_per_hour", "skills_wanted", "team_id", "status",
              "signups", "reminded_at")

    def to_document(self, a: model.Activity) -> dict:
        doc = {k: getattr(a, k) for k in self.FIELDS}
        doc["attendance"] = {vid: asdict(att) for vid, att in a.attendance.items()}
        return doc

    def from_document(self, doc: dict) -> model.Activity:
        a = model.Activity(id=doc["_id"], **_plain(doc, self.FIELDS))
        a.attendance = {vid: model.Attendance(**att) for vid, att in (doc.get("attendance") or {}).items()}
        return a

    def publish(self, a: model.Activity, ev):
        if isinstance(ev, model.ActivityPublished):
            return "volunteer.activity.published", {
                "activity_id": a.id, "title": a.title, "type": a.type, "org_unit_id": a.org_unit_id,
                "place": a.place, "starts_at": a.starts_at, "ends_at": a.ends_at, "capacity": a.capacity,
                "team_id": a.team_id}
        if isinstance(ev, model.SignedUp):
            return "volunteer.activity.signed_up", {"activity_id": a.id, "volunteer_id": ev.volunteer_id,
                                                    "status": ev.status, "org_unit_id": a.org_unit_id}
        if isinstance(ev, model.AttendanceRecorded):
            return "volunteer.attendance.recorded", {
                "attendance_id": f"{a.id}:{ev.volunteer_id}", "source": "activity", "activity_id": a.id,
                "patrol_run_id": None, "volunteer_id": ev.volunteer_id, "activity_type": a.type,
                "org_unit_id": a.org_unit_id, "started_at": ev.started_at, "minutes": ev.minutes,
                "delta_minutes": ev.delta_minutes, "coins": ev.coins, "delta_coins": ev.delta_coins,
                "correction_reason": ev.correction_reason}
        return None


class RedemptionRepository(OutboxRepository[rd.Redemption]):
    collection_name = "redemptions"
    indexes = [([("org_path", 1)], {"name": "org_path"}), ([("volunteer_id", 1)], {"name": "volunteer"})]
    FIELDS = ("volunteer_id", "coins", "org_unit_id", "org_path", "status", "requested_at", "reason")

    def to_document(self, r: rd.Redemption) -> dict:
        return {k: getattr(r, k) for k in self.FIELDS}

    def from_document(self, doc: dict) -> rd.Redemption:
        return rd.Redemption(id=doc["_id"], **_plain(doc, self.FIELDS))

    def publish(self, r: rd.Redemption, ev):
        base = {"redemption_id": r.id, "volunteer_id": r.volunteer_id, "coins": r.coins}
        if isinstance(ev, rd.CoinsReserved):
            return "volunteer.coins.reserved", {**base, "balance_after": ev.balance_after}
        if isinstance(ev, rd.ReservationRefused):
            return "volunteer.coins.reservation_refused", {**base, "reason": ev.reason}
        if isinstance(ev, rd.CoinsRedeemed):
            return "volunteer.coins.redeemed", {**base, "org_unit_id": r.org_unit_id}
        if isinstance(ev, rd.CoinsReleased):
            return "volunteer.coins.released", base
        return None
