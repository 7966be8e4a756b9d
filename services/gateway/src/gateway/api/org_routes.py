"""The org tree: read it (any signed-in user), change it and import a district (org:admin)."""
from __future__ import annotations

import yaml
from flask import Blueprint, request

from liandong.auth import current_principal
from liandong.errors import DomainError, ValidationFailed
from liandong.listing import NoQuery
from liandong.openapi import api
from liandong.routes import guarded
from liandong.web import load_json, load_query

from ..adapters.org_repository import OrgRepository
from ..domain.org_tree import OrgUnit
from ..service_layer import org as org_cases
from . import schemas


def _view(unit: OrgUnit, version: int | None = None) -> dict:
    out = {**unit.snapshot(), "id": unit.id, "retired": unit.retired}
    out.pop("org_unit_id")
    if version is not None:
        out["version"] = version
    return out


def blueprint(repo: OrgRepository) -> Blueprint:
    bp = Blueprint("org", __name__, url_prefix="/api/v1/org")

    @bp.get("/units/<unit_id>")
    @api("One org unit", query=NoQuery, response=schemas.OrgUnitSchema, tags=["org"])
    def get_unit(unit_id: str):
        load_query(NoQuery)
        unit, version = org_cases.unit_view(repo, unit_id)
        return {**unit.snapshot(), "id": unit.id, "retired": unit.retired, "version": version}

    @bp.get("/tree")
    @api("The whole org tree, or the subtree under ?root=<unit id>", query=schemas.TreeQuerySchema,
         response=schemas.OrgTreeSchema, tags=["org"])
    def tree():
        q = load_query(schemas.TreeQuerySchema)
        return {"units": [{"id": u["_id"], "name": u["name"], "level": u["level"], "parent_id": u["parent_id"],
                           "path": u["path"], "retired": u.get("retired", False)}
                          for u in org_cases.tree(repo, q.get("root"))]}

    @bp.post("/units")
    @guarded("Add an org unit under a parent", body=schemas.NewOrgUnitSchema, response=schemas.OrgUnitSchema,
             status=201, tags=["org"], permission="org:admin")
    def create():
        body = load_json(schemas.NewOrgUnitSchema)
        unit = org_cases.create_unit(repo, body["id"], body["name"], body["level"], body["parent_id"],
                                     current_principal())
        return _view(unit, 1), 201

    @bp.patch("/units/<unit_id>")
    @guarded("Rename an org unit (its id and path stay)", body=schemas.RenameSchema, response=schemas.OrgUnitSchema,
             tags=["org"], permission="org:admin")
    def rename(unit_id: str):
        body = load_json(schemas.RenameSchema)
        return _view(org_cases.rename_unit(repo, unit_id, body["name"], current_principal()))

    @bp.post("/units/<unit_id>/move")
    @guarded("Move an org unit and its subtree under another parent (one moved event per unit, with old_path)",
             body=schemas.MoveSchema, response=schemas.MovedSchema, tags=["org"], permission="org:admin")
    def move(unit_id: str):
        body = load_json(schemas.MoveSchema)
        return {"moved": [_view(u) for u in org_cases.move_unit(repo, unit_id, body["parent_id"],
                                                                current_principal())]}

    @bp.post("/units/<unit_id>/retire")
    @guarded("Retire an org unit: it keeps its history but takes no new records", response=schemas.OrgUnitSchema,
             tags=["org"], permission="org:admin")
    def retire(unit_id: str):
        return _view(org_cases.retire_unit(repo, unit_id, current_principal()))

    @bp.post("/import")
    @guarded("Import a whole district in one go from CSV (id,name,level,parent_id) or nested YAML; "
             "a file with any error changes nothing; existing units are kept", body=schemas.ImportSchema,
             response=schemas.ImportResultSchema, tags=["org"], permission="org:admin", content_type="text/csv")
    def import_file():
        return org_cases.import_rows(repo, _rows_from_request(), current_principal()), 201

    return bp


def _rows_from_request() -> list[dict]:
    upload = request.files.get("file")
    if upload is not None:
        raw, name, ctype = upload.read(), upload.filename or "", upload.mimetype or ""
    else:
        raw, name, ctype = request.get_data(), "", request.mimetype or ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("the file must be UTF-8", {"file": ["not UTF-8"]}) from None
    if not text.strip():
        raise ValidationFailed("the file is empty", {"file": ["empty"]})
    if "csv" in ctype or name.endswith(".csv"):
        return org_cases.parse_csv(text)
    if "yaml" in ctype or name.endswith((".yaml", ".yml")):
        try:
            node = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValidationFailed("the YAML cannot be read", {"file": [str(exc)[:200]]}) from None
        return org_cases.flatten_tree(node)
    raise DomainError("send the file as text/csv or application/yaml (or a multipart `file` named .csv/.yaml)")
