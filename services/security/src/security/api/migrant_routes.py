"""Floating population (流动人口): register, read (masked unless allowed, audited), verify, permits."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal as caller
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer import SecurityService
from . import schemas as s

TAGS = ["floating population"]


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("migrants", __name__)
    migrants = service.migrants

    @bp.post("/migrants")
    @api("Register a non-local resident; the same ID number twice in one community is refused (409)",
         body=s.MigrantIn, response=s.MigrantOut, status=201, tags=TAGS, permission="security:migrants")
    def register_migrant():
        return migrants.register(caller(), load_json(s.MigrantIn)), 201

    @bp.get("/migrants")
    @api("List registered non-local residents (?status=active,moved_out), oldest registration first; from/to: "
         "registered", query=s.MigrantQuery, response=s.MigrantOut, many=True, tags=TAGS, permission="security:read")
    def list_migrants():
        return migrants.page(caller(), load_query(s.MigrantQuery)).body()

    @bp.get("/migrants/expiring")
    @api("Residence permits (临时居住证) expiring within ?within_days= (default 7), soonest first; from/to: the "
         "expiry date", query=s.ExpiringPermitsQuery, response=s.MigrantOut, many=True, tags=TAGS,
         permission="security:read")
    def expiring_permits():
        return migrants.expiring(caller(), load_query(s.ExpiringPermitsQuery)).body()

    @bp.get("/migrants/verification-due")
    @api("Active registrations not checked for ?days= (default 90): the next round of 核查, oldest check first; "
         "from/to: the last check", query=s.VerificationDueQuery, response=s.MigrantOut, many=True, tags=TAGS,
         permission="security:read")
    def verification_due():
        return migrants.verification_due(caller(), load_query(s.VerificationDueQuery)).body()

    @bp.post("/migrants/expiry-scan")
    @api("Run the permit expiry scan now (the worker runs it periodically); announces each permit once",
         query=s.ScanQuery, tags=TAGS, permission="security:migrants")
    def scan_expiring():
        return {"announced": migrants.scan_expiring(caller(), load_query(s.ScanQuery)["org_unit"])}

    @bp.get("/migrants/<migrant_id>")
    @api("Read one registration", query=s.NoQuery, response=s.MigrantOut, tags=TAGS, permission="security:read")
    def get_migrant(migrant_id: str):
        load_query(s.NoQuery)
        return migrants.get(caller(), migrant_id)

    @bp.post("/migrants/<migrant_id>/verify")
    @api("Record a periodic check (核查): still present, or moved out", body=s.VerifyMigrantIn,
         response=s.MigrantOut, tags=TAGS, permission="security:migrants")
    def verify_migrant(migrant_id: str):
        data = load_json(s.VerifyMigrantIn)
        return migrants.verify(caller(), migrant_id, data["result"], data["note"])

    @bp.post("/migrants/<migrant_id>/permit")
    @api("Record a renewed residence permit", body=s.ResidencePermitIn, response=s.MigrantOut, tags=TAGS,
         permission="security:migrants")
    def renew_permit(migrant_id: str):
        data = load_json(s.ResidencePermitIn)
        return migrants.renew_permit(caller(), migrant_id, data["permit_number"], data["permit_expires_on"])

    return bp
