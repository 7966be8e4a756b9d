"""security.patrol.completed: volunteers among the participants earn hours and coins, once."""
from __future__ import annotations

import logging

from ..domain import model
from ..service_layer.configuration import PATROL

log = logging.getLogger(__name__)


def same_branch(volunteer_path: str, org_path: str) -> bool:
    """A volunteer of the unit or below it, or registered above it (a sub-district's volunteer on a
    community's grid patrol): on the same branch of the org tree, never on a neighbouring one."""
    return volunteer_path.startswith(org_path) or org_path.startswith(volunteer_path)


def handlers(stores) -> dict:
    org = stores.deps.org

    def on_patrol_completed(event) -> None:
        d = event.data
        rate = stores.configuration.rate(PATROL)
        for p in d["participants"]:
            vid = p.get("volunteer_id")
            if not vid or p["minutes"] <= 0:
                continue
            vol = stores.volunteers.plain_one(vid)
            if vol is None or not same_branch(vol["org_path"], event.orgpath):
                # another community's volunteer is no participant of this community's patrol: the coins
                # would leave this community's issuer for them (treated as an unknown volunteer)
                log.warning("patrol %s names unknown volunteer %s", d["patrol_run_id"], vid)
                continue
            unit = org.get(d["org_unit_id"])
            org_unit_id, org_path = (d["org_unit_id"], unit["path"]) if unit else (vol["org_unit_id"], vol["org_path"])
            key = f"patrol:{d['patrol_run_id']}:{vid}"
            coins = model.coins_for(p["minutes"], rate)
            stores.attendance.record_patrol(key, {
                "source": "patrol", "activity_id": None, "patrol_run_id": d["patrol_run_id"], "volunteer_id": vid,
                "activity_type": "patrol", "org_unit_id": org_unit_id, "started_at": d["started_at"],
                "minutes": p["minutes"], "coins": coins}, org_path, event.id)
            if coins > 0:  # the ledger's entry id makes a redelivered patrol credit nothing twice
                stores.ledger.credit(key, vid, coins, "patrol", "巡逻 patrol", org_unit_id, org_path,
                                     {"patrol_run_id": d["patrol_run_id"], "event_id": event.id},
                                     at=d["started_at"])  # the patrol's day, as its hours

    return {"liandong.security.patrol.completed.v1": on_patrol_completed}
