"""People's mediation (人民调解): register a dispute, sessions, outcome, follow-ups."""
from __future__ import annotations

from flask import Blueprint

from liandong.routes import Records

from ..service_layer import SecurityService
from ..service_layer.base import record_of
from . import schemas as s


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("mediation", __name__)
    mediation = service.mediation
    routes = Records(bp, ["mediation"], record_of)
    one = dict(response=s.DisputeOut, permission="security:mediate")

    routes.create("/disputes", "register_dispute", "Register a dispute for mediation (optionally from a petition, "
                  "by its id)", mediation.register, body=s.DisputeIn, **one)
    routes.listing("/disputes", "list_disputes", "List disputes (?status=open,mediated, ?outcome=, ?type=, "
                   "?petition_id=), newest first; from/to: registered", mediation.page, query=s.DisputeQuery,
                   response=s.DisputeOut, permission="security:read")
    routes.read("/disputes/<dispute_id>", "get_dispute", "Read one dispute", mediation.get, response=s.DisputeOut,
                permission="security:read")
    routes.step("/disputes/<dispute_id>/sessions", "hold_session", "Record a mediation session",
                mediation.hold_session, body=s.MediationSessionIn, takes=("held_at", "note"), **one)
    routes.step("/disputes/<dispute_id>/outcome", "conclude", "Record the outcome (agreement, failed, "
                "referred_to_court): announces security.dispute.mediated", mediation.conclude,
                body=s.MediationOutcomeIn, takes=("outcome", "note"), **one)
    routes.step("/disputes/<dispute_id>/follow-ups", "follow_up", "Record a follow-up visit (回访) after mediation",
                mediation.follow_up, body=s.MediationFollowUpIn, takes=("note", "agreement_holding"), **one)
    return bp
