"""Corrections and released-person support (矫正对象 / 安置帮教): only the roles that work them; every access audited."""
from __future__ import annotations

from flask import request

from liandong.auth import current_principal
from liandong.errors import DomainError, Forbidden
from liandong.idnumbers import mask
from liandong.ids import new_id
from liandong.openapi import api
from liandong.storage import subtree
from liandong.web import load_json

from ..domain.base import require_not_future
from ..domain.corrections import SupervisedPerson
from ..service_layer.jobs import flag_overdue_visits
from . import schemas as s
from .common import Context, in_sight, page, stored, view

TAGS = ["corrections"]
PERMISSION = "security:corrections"


def register(bp, ctx: Context) -> None:
    repo = ctx.repos.corrections

    def caller_path(p) -> str:
        return min((g.org_path for g in p.grants), key=len, default="/")

    def allow(action: str, org_path: str, record_id: str | None) -> None:
        """Check security:corrections at the record and write the audit entry, allowed or refused."""
        p = current_principal()
        ok = p.can(PERMISSION, org_path)
        ctx.audit_read(p, action, org_path, record_id, ok)
        if not ok:
            raise Forbidden(f"{PERMISSION} is not granted here")  # never where: a refusal names no org path

    def person_for(action: str, person_id: str) -> SupervisedPerson:
        """The person's record for `action`, audited allowed or refused (the entry goes to the record's
        office, which sees who tried); out of the caller's sight, or missing, it is 404 in the same words."""
        p = current_principal()
        person = stored(repo, person_id)
        try:
            in_sight(person, PERMISSION, "corrections record", person_id)
        except DomainError:
            ctx.audit_read(p, action, person.org_path if person else caller_path(p), person_id, False)
            raise
        ctx.audit_read(p, action, person.org_path, person.id, True)
        return person

    def refuse_without_any_scope(action: str, record_id: str) -> None:
        """Callers without the role anywhere are refused before the lookup, so a 404 tells them nothing."""
        p = current_principal()
        if not p.scopes(PERMISSION):
            allow(action, caller_path(p), record_id)

    def shown(person: SupervisedPerson) -> dict:
        now = ctx.clock.now()
        out = view(person, overdue=person.is_overdue(now), days_overdue=person.days_overdue(now))
        if not current_principal().can("personal_data:read", person.org_path):
            out["id_number"] = mask(person.id_number)
        return out

    def scoped(action: str) -> dict:
        p = current_principal()
        if request.args.get("org_unit_id"):
            path = ctx.path_of(request.args["org_unit_id"])
            allow(action, path, None)
            return subtree(path)
        if not p.scopes(PERMISSION):
            allow(action, caller_path(p), None)
        return p.scope_filter(PERMISSION)

    @bp.post("/corrections/people")
    @api("Enrol a person under community correction or released-person support", body=s.SupervisedPersonIn,
         response=s.SupervisedPersonOut, status=201, tags=TAGS, permission=PERMISSION)
    def enrol_person():
        data = load_json(s.SupervisedPersonIn)
        path = ctx.path_of(data["org_unit_id"])
        allow("corrections.enrol", path, None)
        person = SupervisedPerson.enrol(id=new_id(), org_path=path, now=ctx.now(), **data)
        repo.add(person)
        return shown(person), 201

    @bp.get("/corrections/people")
    @api("List people under supervision (?overdue=true for overdue visits)", response=s.SupervisedPersonOut,
         many=True, tags=TAGS, permission=PERMISSION)
    def list_people():
        limit, offset = page()
        flt = scoped("corrections.list")
        if request.args.get("overdue") == "true":
            flt = {"$and": [flt, {"next_visit_due": {"$lt": ctx.now()}}]}
        found = repo.find(flt, sort=[("next_visit_due", 1)], skip=offset, limit=limit)
        p = current_principal()
        for person in found:
            ctx.audit_read(p, "corrections.read", person.org_path, person.id, True)
        return {"items": [shown(x) for x in found], "limit": limit, "offset": offset}

    @bp.get("/corrections/people/<person_id>")
    @api("Read one person's record and visit log", response=s.SupervisedPersonOut, tags=TAGS,
         permission=PERMISSION)
    def get_person(person_id: str):
        refuse_without_any_scope("corrections.read", person_id)
        return shown(person_for("corrections.read", person_id))

    @bp.post("/corrections/people/<person_id>/visits")
    @api("Log a visit by the responsible worker (走访)", body=s.CorrectionsVisitIn, response=s.SupervisedPersonOut,
         tags=TAGS, permission=PERMISSION)
    def log_visit(person_id: str):
        refuse_without_any_scope("corrections.visit", person_id)
        person = person_for("corrections.visit", person_id)
        data = load_json(s.CorrectionsVisitIn)
        at = require_not_future(data["visited_at"], ctx.clock.now(), "visited_at") if data["visited_at"] else ctx.now()
        p = current_principal()
        person.log_visit(at, p.user_id, p.name, data["note"])
        repo.save(person)
        return shown(person)

    @bp.post("/corrections/overdue-scan")
    @api("Run the overdue-visit scan now (the worker runs it periodically); flags each missed visit once",
         tags=TAGS, permission=PERMISSION)
    def scan_overdue():
        return {"flagged": flag_overdue_visits(ctx.repos, ctx.clock, scoped("corrections.scan"))}
