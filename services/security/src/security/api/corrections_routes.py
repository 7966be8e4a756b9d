"""Corrections and released-person support (矫正对象 / 安置帮教): only the roles that work them; every access audited."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal as caller
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer import SecurityService
from ..service_layer.corrections import PERMISSION
from . import schemas as s

TAGS = ["corrections"]


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("corrections", __name__)
    corrections = service.corrections

    @bp.post("/corrections/people")
    @api("Enrol a person under community correction or released-person support", body=s.SupervisedPersonIn,
         response=s.SupervisedPersonOut, status=201, tags=TAGS, permission=PERMISSION)
    def enrol_person():
        return corrections.enrol(caller(), load_json(s.SupervisedPersonIn)), 201

    @bp.get("/corrections/people")
    @api("List people under supervision (?overdue=true for overdue visits), the next visit due first; from/to: "
         "enrolled", query=s.SupervisedPersonQuery, response=s.SupervisedPersonOut, many=True, tags=TAGS,
         permission=PERMISSION)
    def list_people():
        return corrections.page(caller(), load_query(s.SupervisedPersonQuery)).body()

    @bp.get("/corrections/people/<person_id>")
    @api("Read one person's record and visit log", query=s.NoQuery, response=s.SupervisedPersonOut, tags=TAGS,
         permission=PERMISSION)
    def get_person(person_id: str):
        load_query(s.NoQuery)
        return corrections.get(caller(), person_id)

    @bp.post("/corrections/people/<person_id>/visits")
    @api("Log a visit by the responsible worker (走访)", body=s.CorrectionsVisitIn, response=s.SupervisedPersonOut,
         tags=TAGS, permission=PERMISSION)
    def log_visit(person_id: str):
        data = load_json(s.CorrectionsVisitIn)
        return corrections.log_visit(caller(), person_id, data["visited_at"], data["note"])

    @bp.post("/corrections/overdue-scan")
    @api("Run the overdue-visit scan now (the worker runs it periodically); flags each missed visit once",
         query=s.ScanQuery, tags=TAGS, permission=PERMISSION)
    def scan_overdue():
        return {"flagged": corrections.scan_overdue(caller(), load_query(s.ScanQuery)["org_unit"])}

    return bp
