"""Read the org tree: the whole tree or a subtree, and one unit."""
from __future__ import annotations

from flask import Blueprint, request

from liandong.errors import NotFound

from ..adapters.org_repository import OrgRepository


def blueprint(repo: OrgRepository) -> Blueprint:
    bp = Blueprint("org", __name__, url_prefix="/api/v1/org")

    @bp.get("/units/<unit_id>")
    def get_unit(unit_id: str):
        found = repo.get(unit_id)
        if found is None:
            raise NotFound(f"no org unit {unit_id!r}")
        unit, version = found
        return {**unit.snapshot(), "retired": unit.retired, "version": version}

    @bp.get("/tree")
    def tree():
        root = request.args.get("root")
        path = "/"
        if root:
            found = repo.get(root)
            if found is None:
                raise NotFound(f"no org unit {root!r}")
            path = found[0].path
        units = repo.subtree(path) if path != "/" else repo.subtree_all()
        return {"units": [{"id": u["_id"], "name": u["name"], "level": u["level"], "parent_id": u["parent_id"],
                           "path": u["path"], "retired": u.get("retired", False)} for u in units]}

    return bp
