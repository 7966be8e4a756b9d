"""People's mediation (人民调解): register a dispute, sessions, outcome, follow-ups."""
from __future__ import annotations

from flask import request

from liandong.auth import current_principal, out_of_scope
from liandong.errors import ValidationFailed
from liandong.ids import new_id
from liandong.openapi import api
from liandong.storage import subtree
from liandong.web import load_json

from ..domain.base import require_not_future
from ..domain.disputes import Dispute
from . import schemas as s
from .common import Context, load as load_record, page, view

TAGS = ["mediation"]


def register(bp, ctx: Context) -> None:
    repo = ctx.repos.disputes

    def load(dispute_id: str, permission: str) -> Dispute:
        return load_record(repo, dispute_id, permission, "dispute")

    def petition_for(petition_id: str, path: str) -> dict:
        """The petition a dispute comes from, as this service learned it from the petition service's events.

        One the caller does not mediate over, or not (yet) known here, answers 404 in the same words;
        it must lie inside the dispute's org unit, whose mediation outcome goes onto its timeline."""
        petition = ctx.repos.petitions.find_one({"_id": petition_id})
        if petition is None or not current_principal().sees(petition.get("org_path") or "", "security:mediate"):
            raise out_of_scope("petition", petition_id)
        if not petition["org_path"].startswith(path):
            raise ValidationFailed("the petition lies outside the dispute's org unit", {"petition_id": [
                "a petition of this org unit or of one inside it"]})
        return petition

    @bp.post("/disputes")
    @api("Register a dispute for mediation (optionally from a petition, by its id)", body=s.DisputeIn,
         response=s.DisputeOut, status=201, tags=TAGS, permission="security:mediate")
    def register_dispute():
        p = current_principal()
        data = load_json(s.DisputeIn)
        path = ctx.path_of(data["org_unit_id"])
        p.require("security:mediate", path)
        petition = petition_for(data["petition_id"], path) if data["petition_id"] else None
        dispute = Dispute(id=new_id(), org_path=path, registered_at=ctx.now(), registered_by=p.user_id,
                          petition_category=petition["category"] if petition else None, **data)
        repo.add(dispute)
        return view(dispute), 201

    @bp.get("/disputes")
    @api("List disputes (?status=open|mediated, ?outcome=, ?petition_id=)", response=s.DisputeOut, many=True,
         tags=TAGS, permission="security:read")
    def list_disputes():
        p = current_principal()
        limit, offset = page()
        flt = p.scope_filter("security:read")
        if request.args.get("org_unit_id"):
            path = ctx.path_of(request.args["org_unit_id"])
            p.require("security:read", path)
            flt = subtree(path)
        for key in ("status", "outcome", "type", "petition_id"):
            if request.args.get(key):
                flt = {"$and": [flt, {key: request.args[key]}]}
        found = repo.find(flt, sort=[("registered_at", -1)], skip=offset, limit=limit)
        return {"items": [view(d) for d in found], "limit": limit, "offset": offset}

    @bp.get("/disputes/<dispute_id>")
    @api("Read one dispute", response=s.DisputeOut, tags=TAGS, permission="security:read")
    def get_dispute(dispute_id: str):
        return view(load(dispute_id, "security:read"))

    @bp.post("/disputes/<dispute_id>/sessions")
    @api("Record a mediation session", body=s.MediationSessionIn, response=s.DisputeOut, tags=TAGS,
         permission="security:mediate")
    def hold_session(dispute_id: str):
        dispute = load(dispute_id, "security:mediate")
        data = load_json(s.MediationSessionIn)
        at = require_not_future(data["held_at"], ctx.clock.now(), "held_at") if data["held_at"] else ctx.now()
        dispute.hold_session(at, current_principal().user_id, data["note"])
        repo.save(dispute)
        return view(dispute)

    @bp.post("/disputes/<dispute_id>/outcome")
    @api("Record the outcome (agreement, failed, referred_to_court): announces security.dispute.mediated",
         body=s.MediationOutcomeIn, response=s.DisputeOut, tags=TAGS, permission="security:mediate")
    def conclude(dispute_id: str):
        dispute = load(dispute_id, "security:mediate")
        data = load_json(s.MediationOutcomeIn)
        dispute.conclude(data["outcome"], ctx.now(), data["note"])
        repo.save(dispute)
        return view(dispute)

    @bp.post("/disputes/<dispute_id>/follow-ups")
    @api("Record a follow-up visit (回访) after mediation", body=s.MediationFollowUpIn, response=s.DisputeOut, tags=TAGS,
         permission="security:mediate")
    def follow_up(dispute_id: str):
        dispute = load(dispute_id, "security:mediate")
        data = load_json(s.MediationFollowUpIn)
        dispute.follow_up(ctx.now(), current_principal().user_id, data["note"], data["agreement_holding"])
        repo.save(dispute)
        return view(dispute)
