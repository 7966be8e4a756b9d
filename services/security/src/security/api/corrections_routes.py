"""Corrections and released-person support (矫正对象 / 安置帮教): only the roles that work them; every access audited."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal as caller
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_query

from ..service_layer import SecurityService
from ..service_layer.corrections import PERMISSION
from . import schemas as s

TAGS = ["corrections"]


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("corrections", __name__)
    corrections = service.corrections
    routes = Records(bp, TAGS)
    person = dict(response=s.SupervisedPersonOut, permission=PERMISSION)

    routes.create("/corrections/people", "enrol_person", "Enrol a person under community correction or "
                  "released-person support", corrections.enrol, body=s.SupervisedPersonIn, **person)
    routes.listing("/corrections/people", "list_people", "List people under supervision (?overdue=true for overdue "
                   "visits), the next visit due first; from/to: enrolled", corrections.page,
                   query=s.SupervisedPersonQuery, **person)
    routes.read("/corrections/people/<person_id>", "get_person", "Read one person's record and visit log",
                corrections.get, **person)
    routes.step("/corrections/people/<person_id>/visits", "log_visit", "Log a visit by the responsible worker (走访)",
                corrections.log_visit, body=s.CorrectionsVisitIn, takes=("visited_at", "note"), **person)

    @bp.post("/corrections/overdue-scan")
    @api("Run the overdue-visit scan now (the worker runs it periodically); flags each missed visit once",
         query=s.ScanQuery, tags=TAGS, permission=PERMISSION)
    def scan_overdue():
        return {"flagged": corrections.scan_overdue(caller(), load_query(s.ScanQuery)["org_unit"])}

    return bp
