"""Floating population (流动人口): register, read (masked unless allowed, audited), verify, permits."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal as caller
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_query

from ..service_layer import SecurityService
from . import schemas as s

TAGS = ["floating population"]


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("migrants", __name__)
    migrants = service.migrants
    routes = Records(bp, TAGS)
    read = dict(response=s.MigrantOut, permission="security:read")
    work = dict(response=s.MigrantOut, permission="security:migrants")

    routes.create("/migrants", "register_migrant", "Register a non-local resident; the same ID number twice in one "
                  "community is refused (409)", migrants.register, body=s.MigrantIn, **work)
    routes.listing("/migrants", "list_migrants", "List registered non-local residents (?status=active,moved_out), "
                   "oldest registration first; from/to: registered", migrants.page, query=s.MigrantQuery, **read)
    routes.listing("/migrants/expiring", "expiring_permits", "Residence permits (临时居住证) expiring within "
                   "?within_days= (default 7), soonest first; from/to: the expiry date", migrants.expiring,
                   query=s.ExpiringPermitsQuery, **read)
    routes.listing("/migrants/verification-due", "verification_due", "Active registrations not checked for ?days= "
                   "(default 90): the next round of 核查, oldest check first; from/to: the last check",
                   migrants.verification_due, query=s.VerificationDueQuery, **read)

    @bp.post("/migrants/expiry-scan")
    @api("Run the permit expiry scan now (the worker runs it periodically); announces each permit once",
         query=s.ScanQuery, tags=TAGS, permission="security:migrants")
    def scan_expiring():
        return {"announced": migrants.scan_expiring(caller(), load_query(s.ScanQuery)["org_unit"])}

    routes.read("/migrants/<migrant_id>", "get_migrant", "Read one registration", migrants.get, **read)
    routes.step("/migrants/<migrant_id>/verify", "verify_migrant", "Record a periodic check (核查): still present, "
                "or moved out", migrants.verify, body=s.VerifyMigrantIn, takes=("result", "note"), **work)
    routes.step("/migrants/<migrant_id>/permit", "renew_permit", "Record a renewed residence permit",
                migrants.renew_permit, body=s.ResidencePermitIn, takes=("permit_number", "permit_expires_on"),
                **work)
    return bp
