"""Routes of volunteer service teams (志愿服务队)."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..service_layer.access import MANAGE, READ
from . import PREFIX, TAGS, schemas as s


def blueprint(svc) -> Blueprint:
    bp = Blueprint("teams", __name__, url_prefix=PREFIX)
    uc = svc.teams
    routes = Records(bp, TAGS)

    routes.create("/teams", "create_team", "Form a volunteer service team (志愿服务队)", uc.create, body=s.TeamSchema,
                  response=s.TeamOutSchema, permission=MANAGE)

    @bp.get("/teams")
    @api("List teams in the caller's scope", query=s.TeamListQuery, response=s.TeamOutSchema, many=True,
         tags=TAGS, permission=READ)
    def list_teams():
        return uc.listing(current_principal(), load_query(s.TeamListQuery))

    routes.read("/teams/<team_id>", "get_team", "One team", uc.one, response=s.TeamOutSchema, permission=READ)

    routes.step("/teams/<team_id>/dissolve", "dissolve_team", "Dissolve a team (解散): no longer among the teams "
                "from that day", uc.dissolve, body=s.TeamDissolveSchema, takes=("dissolved_on",),
                response=s.TeamOutSchema, permission=MANAGE)

    @bp.post("/teams/<team_id>/members")
    @api("Add a member", body=s.MemberSchema, response=s.TeamOutSchema, tags=TAGS, permission=MANAGE)
    def add_member(team_id: str):
        return uc.add_member(current_principal(), team_id, load_json(s.MemberSchema)["volunteer_id"])

    @bp.delete("/teams/<team_id>/members/<volunteer_id>")
    @api("Remove a member", response=s.TeamOutSchema, tags=TAGS, permission=MANAGE)
    def remove_member(team_id: str, volunteer_id: str):
        return uc.remove_member(current_principal(), team_id, volunteer_id)

    @bp.post("/teams/<team_id>/leader")
    @api("Name the team leader", body=s.MemberSchema, response=s.TeamOutSchema, tags=TAGS, permission=MANAGE)
    def set_leader(team_id: str):
        return uc.set_leader(current_principal(), team_id, load_json(s.MemberSchema)["volunteer_id"])

    return bp
