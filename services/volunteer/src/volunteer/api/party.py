"""Routes of the party registers (党建): branches (党支部), members (党员) with their 《党员告知书》, in-service
members reporting to the community (党员报到), and the registers' audit trail. Reached with volunteer:party."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json

from ..service_layer.party import AUDIT, PARTY
from . import PREFIX, TAGS, party_schemas as s


def blueprint(svc) -> Blueprint:
    bp = Blueprint("party", __name__, url_prefix=PREFIX)
    uc = svc.party
    routes = Records(bp, TAGS)

    routes.create("/party/branches", "found_branch", "Register a party branch (党支部) at an org unit", uc.found_branch,
                  body=s.PartyBranchSchema, response=s.PartyBranchOut, permission=PARTY)
    routes.listing("/party/branches", "list_branches", "Party branches in the caller's scope (from/to: founded)",
                   uc.branches, query=s.PartyBranchListQuery, response=s.PartyBranchOut, permission=PARTY)
    routes.read("/party/branches/<branch_id>", "get_branch", "One party branch", uc.branch, response=s.PartyBranchOut,
                permission=PARTY)

    @bp.patch("/party/branches/<branch_id>")
    @api("Rename a branch or change its secretary", body=s.PartyBranchChangesSchema, response=s.PartyBranchOut, tags=TAGS,
         permission=PARTY)
    def update_branch(branch_id: str):
        return uc.update_branch(current_principal(), branch_id, load_json(s.PartyBranchChangesSchema))

    routes.step("/party/branches/<branch_id>/dissolve", "dissolve_branch",
                "Dissolve a branch (撤销) that has no members left", uc.dissolve_branch, body=s.PartyDissolveSchema,
                takes=("dissolved_on",), response=s.PartyBranchOut, permission=PARTY)

    routes.create("/party/members", "register_member", "Register a party member (党员) with a branch: one membership "
                  "per person", uc.register_member, body=s.PartyMemberSchema, response=s.PartyMemberOut, permission=PARTY)
    routes.listing("/party/members", "list_members", "Party members in the caller's scope, masked unless "
                   "personal_data:read (from/to: joined)", uc.members, query=s.PartyMemberListQuery, response=s.PartyMemberOut,
                   permission=PARTY)
    routes.read("/party/members/<member_id>", "get_member", "One party member (masked unless personal_data:read; "
                "every read audited)", uc.member, response=s.PartyMemberOut, permission=PARTY)

    @bp.patch("/party/members/<member_id>")
    @api("Change a member's mobile, kind (预备 → 正式: 转正) or the 流动/困难 marks", body=s.PartyMemberChangesSchema,
         response=s.PartyMemberOut, tags=TAGS, permission=PARTY)
    def update_member(member_id: str):
        return uc.update_member(current_principal(), member_id, load_json(s.PartyMemberChangesSchema))

    routes.step("/party/members/<member_id>/notice", "sign_notice", "The member signed the 《党员告知书》",
                uc.sign_notice, body=s.PartyNoticeSchema, takes=("signed_on",), response=s.PartyMemberOut, permission=PARTY)
    routes.step("/party/members/<member_id>/end", "end_member",
                "The membership ended: transferred out (转出) or deceased", uc.end_member, body=s.PartyEndSchema,
                takes=("reason", "ended_on"), response=s.PartyMemberOut, permission=PARTY)

    routes.create("/party/reports", "report_member", "An in-service party member reports to the community they live "
                  "in (党员报到) and becomes its volunteer (linked if they are one already)", uc.report,
                  body=s.PartyReportSchema, response=s.PartyReportOut, permission=PARTY)
    routes.listing("/party/reports", "list_reports", "Members who reported, with the hours served this year "
                   "(from/to: reported)", uc.reports, query=s.PartyReportListQuery, response=s.PartyReportOut, permission=PARTY)
    routes.read("/party/reports/<report_id>", "get_report", "One report with the hours served this year",
                uc.one_report, response=s.PartyReportOut, permission=PARTY)

    routes.listing("/party/audit", "party_audit", "Every access to the party registers, allowed or refused, newest "
                   "first (from/to: the access)", uc.audit, query=s.PartyAuditListQuery, response=s.PartyAuditOut,
                   permission=AUDIT)
    return bp
