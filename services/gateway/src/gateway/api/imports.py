"""The gateway's imports (组织架构, 工作人员账号) under /api/v1/gateway/imports, the routes every service has
(liandong.imports.routes): kinds, template, preview, import, jobs, rows to fix."""
from __future__ import annotations

from flask import Blueprint

from liandong.imports import routes

from .. import SERVICE


def blueprint(deps, kinds) -> Blueprint:
    bp = Blueprint("imports", __name__, url_prefix=f"/api/v1/{SERVICE}")
    routes.install(bp, deps, kinds, tag="imports")
    return bp
