"""Use cases of volunteer service teams (志愿服务队): form one, list them, members and the leader."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import ValidationFailed
from liandong.ids import new_id
from liandong.repository import change

from ..domain import model
from .access import READ, Access, Stores
from .configuration import Configure
from .views import team_view
from .volunteers import CONFLICT_ATTEMPTS


class Teams:
    def __init__(self, stores: Stores, access: Access, configure: Configure):
        self.s, self.access, self.configure = stores, access, configure

    def create(self, p: Principal, data: dict) -> dict:
        org_path = self.access.may_manage_at(p, data["org_unit_id"])
        for vid in [*data["member_ids"], *([data["leader_id"]] if data.get("leader_id") else [])]:
            self.access.managed_volunteer(p, vid)
        self.configure.check_type(data["type"])
        today = self.s.deps.clock.today().isoformat()
        formed_on = data.get("formed_on") or today
        if formed_on > today:
            raise ValidationFailed("a team is recorded once formed", {"formed_on": ["not in the future"]})
        team = model.Team.form(formed_on, id=new_id(), name=data["name"], type=data["type"],
                               org_unit_id=data["org_unit_id"], org_path=org_path)
        for vid in data["member_ids"]:
            team.add_member(vid)
        if data.get("leader_id"):
            team.set_leader(data["leader_id"])
        return team_view(self.s.teams.add(team))

    def listing(self, p: Principal, q: dict) -> dict:
        return self.s.teams.listing(self.access.list_scope(p, READ, q["org_unit"]), q).body(team_view)

    def one(self, p: Principal, team_id: str) -> dict:
        return team_view(self.access.readable_team(p, team_id))

    def add_member(self, p: Principal, team_id: str, volunteer_id: str) -> dict:
        self.access.managed_team(p, team_id)
        vid = self.access.managed_volunteer(p, volunteer_id).id
        return self._change(team_id, lambda t: t.add_member(vid))

    def remove_member(self, p: Principal, team_id: str, volunteer_id: str) -> dict:
        self.access.managed_team(p, team_id)
        return self._change(team_id, lambda t: t.remove_member(volunteer_id))

    def set_leader(self, p: Principal, team_id: str, volunteer_id: str) -> dict:
        self.access.managed_team(p, team_id)
        vid = self.access.managed_volunteer(p, volunteer_id).id
        return self._change(team_id, lambda t: t.set_leader(vid))

    def dissolve(self, p: Principal, team_id: str, dissolved_on: str | None) -> dict:
        """解散: the team leaves the teams' stock from that day (today when not given)."""
        self.access.managed_team(p, team_id)
        today = self.s.deps.clock.today().isoformat()
        on = dissolved_on or today
        if on > today:
            raise ValidationFailed("a team is dissolved once it is", {"dissolved_on": ["not in the future"]})
        return self._change(team_id, lambda t: t.dissolve(on))

    def _change(self, team_id: str, fn) -> dict:
        return team_view(change(self.s.teams, team_id, fn, CONFLICT_ATTEMPTS))
