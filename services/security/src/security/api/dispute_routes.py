"""People's mediation (人民调解): register a dispute, sessions, outcome, follow-ups."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal as caller
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer import SecurityService
from ..service_layer.base import record_of
from . import schemas as s

TAGS = ["mediation"]


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("mediation", __name__)
    mediation = service.mediation

    @bp.post("/disputes")
    @api("Register a dispute for mediation (optionally from a petition, by its id)", body=s.DisputeIn,
         response=s.DisputeOut, status=201, tags=TAGS, permission="security:mediate")
    def register_dispute():
        return record_of(mediation.register(caller(), load_json(s.DisputeIn))), 201

    @bp.get("/disputes")
    @api("List disputes (?status=open,mediated, ?outcome=, ?type=, ?petition_id=), newest first; from/to: "
         "registered", query=s.DisputeQuery, response=s.DisputeOut, many=True, tags=TAGS, permission="security:read")
    def list_disputes():
        return mediation.page(caller(), load_query(s.DisputeQuery)).body(record_of)

    @bp.get("/disputes/<dispute_id>")
    @api("Read one dispute", query=s.NoQuery, response=s.DisputeOut, tags=TAGS, permission="security:read")
    def get_dispute(dispute_id: str):
        load_query(s.NoQuery)
        return record_of(mediation.get(caller(), dispute_id))

    @bp.post("/disputes/<dispute_id>/sessions")
    @api("Record a mediation session", body=s.MediationSessionIn, response=s.DisputeOut, tags=TAGS,
         permission="security:mediate")
    def hold_session(dispute_id: str):
        data = load_json(s.MediationSessionIn)
        return record_of(mediation.hold_session(caller(), dispute_id, data["held_at"], data["note"]))

    @bp.post("/disputes/<dispute_id>/outcome")
    @api("Record the outcome (agreement, failed, referred_to_court): announces security.dispute.mediated",
         body=s.MediationOutcomeIn, response=s.DisputeOut, tags=TAGS, permission="security:mediate")
    def conclude(dispute_id: str):
        data = load_json(s.MediationOutcomeIn)
        return record_of(mediation.conclude(caller(), dispute_id, data["outcome"], data["note"]))

    @bp.post("/disputes/<dispute_id>/follow-ups")
    @api("Record a follow-up visit (回访) after mediation", body=s.MediationFollowUpIn, response=s.DisputeOut, tags=TAGS,
         permission="security:mediate")
    def follow_up(dispute_id: str):
        data = load_json(s.MediationFollowUpIn)
        return record_of(mediation.follow_up(caller(), dispute_id, data["note"], data["agreement_holding"]))

    return bp
