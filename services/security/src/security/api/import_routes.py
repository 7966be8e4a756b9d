"""Imports of the offices' ledgers (流动人口登记台账, 社区矫正 / 安置帮教对象台账): templates, preview, jobs
(the routes are liandong.imports.routes; the kinds and their use cases are service_layer/imports.py)."""
from __future__ import annotations

from flask import Blueprint, request

from liandong.auth import current_principal as caller
from liandong.imports import routes

from ..service_layer import SecurityService
from ..service_layer.imports import kinds

TAG = "imports"


def blueprint(deps, service: SecurityService) -> Blueprint:
    bp = Blueprint("security_imports", __name__, url_prefix="/api/v1/security")
    routes.install(bp, deps, kinds(service), TAG)

    @bp.before_request
    def corrections_attempts_audited():
        # a corrections file sent without the duty is refused in the corrections' own words, and audited
        if request.method == "POST" and (request.endpoint or "").startswith(f"{bp.name}.import_corrections_"):
            service.corrections.may_import(caller())

    return bp
