"""The charity-supermarket saga (welfare asks, the volunteer's coins are reserved, then spent or released)."""
from __future__ import annotations

import logging

from liandong.errors import Conflict, NotFound

from ..domain.ledger import Transfer, supermarket_account, volunteer_account
from ..domain.redemption import Redemption

log = logging.getLogger(__name__)


def handlers(stores) -> dict:
    org, clock = stores.deps.org, stores.deps.clock

    def path_or_root(org_unit_id: str) -> str:
        unit = org.get(org_unit_id)
        return unit["path"] if unit else "/"

    def on_redemption_requested(event) -> None:
        d = event.data
        rid = d["redemption_id"]
        if stores.redemptions.exists(rid):
            return  # decided before: a duplicate never reserves twice
        vol = stores.volunteers.plain_one(d["volunteer_id"])
        # the welfare worker who asked may spend only the coins of a volunteer inside their own scope;
        # one outside is refused in the words of an unknown one (the answer goes back to that worker)
        scopes = d.get("initiator_scopes") or [event.orgpath]
        if vol is not None and not any(vol["org_path"].startswith(s) for s in scopes):
            vol = None
        # a resident redeeming at their own door spends their own coins only (#22), never a neighbour's
        if vol is not None and d.get("resident_user_id") and vol.get("user_id") != d["resident_user_id"]:
            vol = None
        kw = dict(id=rid, volunteer_id=d["volunteer_id"], coins=d["coins"], org_unit_id=d["org_unit_id"],
                  org_path=vol["org_path"] if vol else path_or_root(d["org_unit_id"]), requested_at=event.time)
        if vol is None:
            r = Redemption.refused("unknown_volunteer", **kw)
        elif vol["status"] != "active":
            r = Redemption.refused("inactive_volunteer", **kw)
        elif stores.ledger.reserve(d["volunteer_id"], d["coins"], f"reserve:{rid}"):
            r = Redemption.reserved(stores.ledger.balance(d["volunteer_id"])["available"], **kw)
        else:
            r = Redemption.refused("insufficient_balance", **kw)
        try:
            stores.redemptions.add(r)
        except Conflict:
            pass

    def reserved(event) -> Redemption | None:
        """The redemption the event is about, if its coins are still reserved (else it is settled)."""
        try:
            r = stores.redemptions.get(event.data["redemption_id"])
        except NotFound:
            log.warning("%s for unknown redemption %s", event.type, event.data["redemption_id"])
            return None
        return r if r.status == "reserved" else None

    def on_goods_handed_out(event) -> None:
        r = reserved(event)
        if r is None:
            return
        t = Transfer(f"redeem:{r.id}", volunteer_account(r.volunteer_id), supermarket_account(r.org_unit_id),
                     r.coins, "redemption", "爱心超市兑换 charity supermarket", r.org_path, clock.now_iso(),
                     {"redemption_id": r.id})
        stores.ledger.transfer(t, from_bucket="reserved")
        r.redeem()
        stores.redemptions.save(r)

    def on_redemption_cancelled(event) -> None:
        r = reserved(event)
        if r is None:
            return  # nothing was reserved (refused) or it is settled already
        stores.ledger.release(r.volunteer_id, r.coins, f"release:{r.id}")
        r.release()
        stores.redemptions.save(r)

    return {"liandong.welfare.redemption.requested.v1": on_redemption_requested,
            "liandong.welfare.redemption.goods_handed_out.v1": on_goods_handed_out,
            "liandong.welfare.redemption.cancelled.v1": on_redemption_cancelled}
