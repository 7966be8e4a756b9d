"""Statistics per org unit and period, with the same figures for each unit directly below; and the audit trail."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal as caller
from liandong.openapi import api
from liandong.web import load_query

from ..service_layer import SecurityService
from . import schemas as s


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("figures", __name__)
    @bp.get("/stats")
    @api("Figures for an org unit and period (?org_unit=&from=&to=; by default the caller's unit, this year): "
         "incidents by type and mean response time, patrols and checkpoint coverage, floating population and "
         "verification coverage, mediation count and success rate; rates are fractions 0..1 from summed cases",
         query=s.PeriodQuery, response=s.SecurityStatsOut, tags=["statistics"], permission="security:read")
    def stats():
        return service.statistics.figures(caller(), load_query(s.PeriodQuery))

    @bp.get("/audit")
    @api("The audit trail of sensitive reads (corrections records, unmasked ID numbers), newest first; from/to: at",
         query=s.AuditQuery, response=s.SecurityAuditOut, many=True, tags=["audit"], permission="audit:read")
    def audit_trail():
        return service.audit.page(caller(), load_query(s.AuditQuery)).body()

    return bp
