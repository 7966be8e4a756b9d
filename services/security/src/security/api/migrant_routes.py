"""Floating population (流动人口): register, read (masked unless allowed, audited), verify, permits."""
from __future__ import annotations

from flask import request

from liandong.auth import current_principal
from liandong.errors import ValidationFailed
from liandong.idnumbers import mask, mask_address, mask_mobile
from liandong.ids import new_id
from liandong.openapi import api
from liandong.storage import subtree
from liandong.web import load_json

from ..domain.migrants import EXPIRY_NOTICE_DAYS, VERIFY_EVERY_DAYS, Migrant
from ..service_layer.jobs import announce_expiring_permits
from . import schemas as s
from .common import Context, load, page, view

TAGS = ["floating population"]


def register(bp, ctx: Context) -> None:
    repo = ctx.repos.migrants

    def shown(migrant: Migrant) -> dict:
        """Masked ID number, address and landlord mobile unless the caller may see personal data there (audited)."""
        p = current_principal()
        out = view(migrant, days_to_expiry=migrant.days_to_expiry(ctx.clock.now()))
        if p.can("personal_data:read", migrant.org_path):
            ctx.audit_read(p, "migrant.id_number.read", migrant.org_path, migrant.id, True)
        else:
            out["id_number"] = mask(migrant.id_number)
            out["landlord_mobile"] = mask_mobile(migrant.landlord_mobile)
            out["address"] = mask_address(migrant.address)
        return out

    def scoped() -> dict:
        p = current_principal()
        if request.args.get("org_unit_id"):
            path = ctx.path_of(request.args["org_unit_id"])
            p.require("security:read", path)
            return subtree(path)
        return p.scope_filter("security:read")

    @bp.post("/migrants")
    @api("Register a non-local resident; the same ID number twice in one community is refused (409)",
         body=s.MigrantIn, response=s.MigrantOut, status=201, tags=TAGS, permission="security:migrants")
    def register_migrant():
        p = current_principal()
        data = load_json(s.MigrantIn)
        path = ctx.path_of(data["org_unit_id"])
        p.require("security:migrants", path)
        migrant = Migrant.register(id=new_id(), org_path=path, community_id=ctx.community_of(data["org_unit_id"]),
                                   registered_by=p.user_id, now=ctx.now(), **data)
        repo.add(migrant)
        return shown(migrant), 201

    @bp.get("/migrants")
    @api("List registered non-local residents (?status=active|moved_out)", response=s.MigrantOut, many=True,
         tags=TAGS, permission="security:read")
    def list_migrants():
        limit, offset = page()
        flt = scoped()
        if request.args.get("status"):
            flt = {"$and": [flt, {"status": request.args["status"]}]}
        found = repo.find(flt, sort=[("registered_at", 1)], skip=offset, limit=limit)
        return {"items": [shown(m) for m in found], "limit": limit, "offset": offset}

    @bp.get("/migrants/expiring")
    @api("Residence permits (临时居住证) expiring within ?within_days= (default 7), soonest first",
         response=s.MigrantOut, many=True, tags=TAGS, permission="security:read")
    def expiring_permits():
        from datetime import timedelta

        try:
            days = int(request.args.get("within_days", EXPIRY_NOTICE_DAYS))
        except ValueError:
            raise ValidationFailed("within_days is an integer", {"within_days": ["an integer"]}) from None
        if not 0 <= days <= 366:
            raise ValidationFailed("within_days is 0..366", {"within_days": ["0..366"]})
        now = ctx.clock.now()
        horizon = (now + timedelta(days=days)).date().isoformat()
        flt = {"$and": [scoped(), {"status": "active"}, {"permit_expires_on": {"$lte": horizon}}]}
        found = repo.find(flt, sort=[("permit_expires_on", 1)], limit=500)
        return {"items": [shown(m) for m in found if m.expiring_within(days, now)], "within_days": days}

    @bp.get("/migrants/verification-due")
    @api("Active registrations not checked for ?days= (default 90): the next round of 核查, oldest first",
         response=s.MigrantOut, many=True, tags=TAGS, permission="security:read")
    def verification_due():
        from datetime import timedelta

        from liandong.clock import to_iso

        try:
            days = int(request.args.get("days", VERIFY_EVERY_DAYS))
        except ValueError:
            raise ValidationFailed("days is an integer", {"days": ["an integer"]}) from None
        if not 1 <= days <= 3660:
            raise ValidationFailed("days is 1..3660", {"days": ["1..3660"]})
        limit, offset = page()
        since = to_iso(ctx.clock.now() - timedelta(days=days))
        flt = {"$and": [scoped(), {"status": "active"}, {"last_verified_at": {"$lt": since}}]}
        found = repo.find(flt, sort=[("last_verified_at", 1)], skip=offset, limit=limit)
        return {"items": [shown(m) for m in found], "days": days, "limit": limit, "offset": offset}

    @bp.post("/migrants/expiry-scan")
    @api("Run the permit expiry scan now (the worker runs it periodically); announces each permit once",
         tags=TAGS, permission="security:migrants")
    def scan_expiring():
        current_principal().require("security:migrants")
        return {"announced": announce_expiring_permits(ctx.repos, ctx.clock,
                                                       current_principal().scope_filter("security:migrants"))}

    @bp.get("/migrants/<migrant_id>")
    @api("Read one registration", response=s.MigrantOut, tags=TAGS, permission="security:read")
    def get_migrant(migrant_id: str):
        return shown(load(repo, migrant_id, "security:read", "migrant"))

    @bp.post("/migrants/<migrant_id>/verify")
    @api("Record a periodic check (核查): still present, or moved out", body=s.VerifyMigrantIn,
         response=s.MigrantOut, tags=TAGS, permission="security:migrants")
    def verify_migrant(migrant_id: str):
        p = current_principal()
        migrant = load(repo, migrant_id, "security:migrants", "migrant")
        data = load_json(s.VerifyMigrantIn)
        migrant.verify(data["result"], ctx.now(), p.user_id, data["note"])
        repo.save(migrant)
        return shown(migrant)

    @bp.post("/migrants/<migrant_id>/permit")
    @api("Record a renewed residence permit", body=s.ResidencePermitIn, response=s.MigrantOut, tags=TAGS,
         permission="security:migrants")
    def renew_permit(migrant_id: str):
        p = current_principal()
        migrant = load(repo, migrant_id, "security:migrants", "migrant")
        data = load_json(s.ResidencePermitIn)
        migrant.renew_permit(data["permit_number"], data["permit_expires_on"], ctx.clock.now())
        repo.save(migrant)
        return shown(migrant)
