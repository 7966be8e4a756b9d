"""Statistics per org unit and period, with the same figures for each unit directly below; and the audit trail."""
from __future__ import annotations

from flask import request

from liandong.auth import current_principal
from liandong.openapi import api
from liandong.storage import subtree

from ..domain import statistics
from . import schemas as s
from .common import Context, page, period

STATS_TAGS = ["statistics"]


def register(bp, ctx: Context) -> None:
    repos = ctx.repos

    def figures(path: str, date_from: str, date_to: str) -> dict:
        within = subtree(path)
        incidents = repos.incidents.find({"$and": [within, {"reported_at": {"$gte": date_from, "$lte": date_to}}]})
        runs = repos.runs.find({"$and": [within, {"started_at": {"$gte": date_from, "$lte": date_to}}]})
        migrants = repos.migrants.find({"$and": [within, {"status": "active"}]})
        mediated = repos.disputes.collection.find(
            {"$and": [within, {"status": "mediated"}, {"mediated_at": {"$gte": date_from, "$lte": date_to}}]})
        return {"incidents": statistics.incident_figures(incidents),
                "patrols": statistics.patrol_figures(runs),
                "migrants": statistics.migrant_figures(migrants, date_from),
                "mediation": statistics.mediation_figures(d["outcome"] for d in mediated)}

    @bp.get("/stats")
    @api("Figures for an org unit and period (?org_unit_id=&from=&to=): incidents by type and mean response "
         "time, patrols and checkpoint coverage, floating population and verification coverage, mediation "
         "count and success rate (from summed cases)", query=s.SecurityStatsQuery, response=s.SecurityStatsOut,
         tags=STATS_TAGS, permission="security:read")
    def stats():
        p = current_principal()
        unit_id = request.args.get("org_unit_id") or min(p.grants, key=lambda g: len(g.org_path)).org_unit
        path = ctx.path_of(unit_id)
        p.require("security:read", path)
        date_from, date_to = period(ctx.clock.now())
        by_unit = []
        for child in ctx.platform.org.children(unit_id):
            by_unit.append({"org_unit_id": child["_id"], "name": child["name"],
                            **figures(child["path"], date_from, date_to)})
        unit = ctx.platform.org.get(unit_id)
        return {"org_unit_id": unit_id, "name": unit["name"], "period": {"from": date_from, "to": date_to},
                **figures(path, date_from, date_to), "by_unit": by_unit}

    @bp.get("/audit")
    @api("The audit trail of sensitive reads (corrections records, unmasked ID numbers)", response=s.SecurityAuditOut,
         many=True, tags=["audit"], permission="audit:read")
    def audit_trail():
        p = current_principal()
        limit, offset = page()
        flt = p.scope_filter("audit:read")
        for key in ("action", "record_id", "user_id"):
            if request.args.get(key):
                flt = {"$and": [flt, {key: request.args[key]}]}
        if request.args.get("allowed") in ("true", "false"):
            flt = {"$and": [flt, {"allowed": request.args["allowed"] == "true"}]}
        docs = repos.audit.find(flt, sort=[("at", -1)], skip=offset, limit=limit)
        return {"items": [{"id": d.pop("_id"), **{k: v for k, v in d.items()}} for d in docs],
                "limit": limit, "offset": offset}
