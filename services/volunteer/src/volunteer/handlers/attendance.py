"""Our own fact, hours recorded for an activity: keep the attendance read model and move the coins."""
from __future__ import annotations

import logging

from ..adapters.ledger_store import InsufficientCoins
from ..domain.ledger import Transfer, issuer_account, volunteer_account

log = logging.getLogger(__name__)


def handlers(stores) -> dict:
    clock = stores.deps.clock

    def on_attendance_recorded(event) -> None:
        d = event.data
        if d["source"] != "activity":
            return  # a patrol's row and coins were written with the event (handlers/patrols.py)
        stores.attendance.follow_activity(event)
        refs = {"activity_id": d["activity_id"], "event_id": event.id}
        if d["delta_coins"] > 0:
            # dated by the attendance (its start, as its hours are), not by when this worker got to it
            stores.ledger.credit(f"att:{event.id}", d["volunteer_id"], d["delta_coins"], "attendance",
                                 "志愿服务时长 attendance", d["org_unit_id"], event.orgpath, refs, at=d["started_at"])
        elif d["delta_coins"] < 0:
            t = Transfer(f"att:{event.id}", volunteer_account(d["volunteer_id"]), issuer_account(d["org_unit_id"]),
                         -d["delta_coins"], "adjustment", f"attendance corrected: {d['correction_reason']}",
                         event.orgpath, clock.now_iso(), refs)
            try:
                stores.ledger.transfer(t)
            except InsufficientCoins:
                log.warning("correction of %s could not take back %s coins: already spent",
                            d["attendance_id"], -d["delta_coins"])

    return {"liandong.volunteer.attendance.recorded.v1": on_attendance_recorded}
