"""What the other services' events say a resident takes part in, kept by their `person_key` (#19: 一户一档).

The one file per household shows its members' grants and payments (welfare), petitions (petition) and
volunteer hours (volunteer) without reading those services' databases: their events name the resident
by the platform's pseudonym (`liandong.personal.person_key`), and this projection keeps, per grant,
petition and volunteer, the pseudonym with ids, codes, amounts and times only — never a name or an ID
number (a `volunteer.registered` carries the volunteer's name: it is not kept).

Every change is applied once per event (`liandong.consumer.apply_once`: the event's id recorded in the
same write), a payment once per payment id and love coins once per ledger entry, so a redelivered event
counts once. Events of one grant, petition or volunteer arrive in order (one subject, one partition);
a payment or an attendance is another subject and may arrive before its grant's or volunteer's first
event, so every document is created empty first and each event adds only what it knows.
"""
from __future__ import annotations

from liandong.consumer import apply_once
from liandong.events.envelope import Envelope
from liandong.storage.base import DuplicateKeyError
from liandong.storage.filters import any_of

GRANT_STATUS = {"started": "active", "resumed": "active", "suspended": "suspended", "ended": "ended"}
PETITION_STATUS = {"registered": "registered", "assigned": "assigned", "answered": "answered", "closed": "closed",
                   "escalated": "escalated"}


def _key(data: dict) -> dict:
    """The resident's pseudonym, if this event names it (earlier events do not): never unset by one without."""
    return {"person_key": data["person_key"]} if data.get("person_key") else {}


class PersonActivity:
    """The projection's three collections and their named queries."""

    def __init__(self, deps):
        db = deps.db
        self.grants = db.collection("activity_grants")  # a grant, its payments summed
        self.petitions = db.collection("activity_petitions")  # a petition with a named petitioner
        self.volunteers = db.collection("activity_volunteers")  # a volunteer, their minutes and coins summed
        self.registers = db.collection("activity_registers")  # an entry of welfare's person registers (#20)

    def prepare(self) -> None:
        self.grants.create_index([("person_key", 1)], name="person_key")
        self.petitions.create_index([("person_keys", 1)], name="person_keys")
        self.volunteers.create_index([("person_key", 1)], name="person_key")
        self.registers.create_index([("person_key", 1)], name="person_key")

    @staticmethod
    def _apply(collection, doc_id: str, once_key: str, update: dict, empty: dict) -> None:
        """Create the document if it is new (as `empty`), then apply `update` unless `once_key` was applied.

        Created apart from the change: two first events of one document from different partitions
        (a payment and its grant's start) racing to insert it would otherwise drop the loser's change."""
        try:
            collection.update_one({"_id": doc_id}, {"$setOnInsert": empty}, upsert=True)
        except DuplicateKeyError:
            pass  # inserted by the other event meanwhile
        apply_once(collection, doc_id, once_key, update, upsert=False)

    # -- welfare: grants and payments

    def grant_changed(self, event: Envelope) -> None:
        d = event.data
        change = {"programme": d["programme"], "org_unit_id": d["org_unit_id"], **_key(d),
                  "status": GRANT_STATUS[event.type.split(".")[-2]]}
        if "monthly_amount_fen" in d:
            change["monthly_amount_fen"] = d["monthly_amount_fen"]
        if d.get("programme_name"):
            change["programme_name"] = d["programme_name"]
        if event.type.endswith(".started.v1"):
            change["started"] = d.get("start_period") or event.time[:7]
        self._apply(self.grants, d["grant_id"], event.id, {"$set": change}, _EMPTY_GRANT)

    def payment_disbursed(self, event: Envelope) -> None:
        """A payment adds to its grant's count and total once, whichever event carries it."""
        d = event.data
        self._apply(self.grants, d["grant_id"], f"payment:{d['payment_id']}", {
            "$set": {"programme": d["programme"], "org_unit_id": d["org_unit_id"], **_key(d)},
            "$inc": {"paid_count": 1, "paid_fen": d["amount_fen"]}, "$max": {"last_paid_period": d["period"]}},
            _EMPTY_GRANT)

    # -- petition

    def petition_registered(self, event: Envelope) -> None:
        """Kept only when a petitioner is named by their key: the file shows no one else's petitions."""
        d = event.data
        if not d.get("person_keys"):
            return
        apply_once(self.petitions, d["petition_id"], event.id, {"$set": {
            "person_keys": sorted(d["person_keys"]), "category": d["category"], "org_unit_id": d["org_unit_id"],
            "status": "registered", "filed_at": d["registered_at"]}})

    def petition_moved(self, event: Envelope) -> None:
        """A later step of a kept petition (assigned, answered, closed, escalated); others are not kept. The
        status is the last step announced (a reopening or the start of handling is not announced); a
        supervision (督办 of an overdue case, `kind` supervision) leaves the case where it was."""
        if event.data.get("kind") == "supervision":
            return
        apply_once(self.petitions, event.data["petition_id"], event.id, {"$set": {
            "status": PETITION_STATUS[event.type.split(".")[-2]]}}, upsert=False)

    # -- volunteer

    def volunteer_registered(self, event: Envelope) -> None:
        d = event.data
        self._apply(self.volunteers, d["volunteer_id"], event.id, {"$set": {"org_unit_id": d["org_unit_id"],
                                                                            **_key(d)}}, _EMPTY_VOLUNTEER)

    def attendance_recorded(self, event: Envelope) -> None:
        """Minutes served, corrections by their difference (the event's `delta_minutes`)."""
        d = event.data
        self._apply(self.volunteers, d["volunteer_id"], event.id, {"$inc": {"minutes": d["delta_minutes"]}},
                    _EMPTY_VOLUNTEER)

    def coins_credited(self, event: Envelope) -> None:
        d = event.data
        self._apply(self.volunteers, d["volunteer_id"], f"coins:{d['entry_id']}",
                    {"$inc": {"coins_credited": d["coins"]}}, _EMPTY_VOLUNTEER)

    # -- welfare's person registers (退管 / 老龄, 残联, 优抚; #20): which register, since when, until when —
    # never the category or grade (welfare keeps them, sealed, for the register's own office)

    def register_entry_changed(self, event: Envelope) -> None:
        d = event.data
        change = {"register": d["register"], "org_unit_id": d["org_unit_id"], **_key(d)}
        if event.type.endswith(".registered.v1"):
            change |= {"status": "active", "registered_on": d["registered_on"]}
        else:
            change |= {"status": "ended", "ended_on": d["ended_on"]}
        self._apply(self.registers, d["entry_id"], event.id, {"$set": change}, _EMPTY_ENTRY)

    # -- the named queries of the household file

    def grants_of(self, person_keys: list[str]) -> list[dict]:
        return self.grants.find({"person_key": {"$in": list(person_keys)}}, sort=[("started", 1), ("_id", 1)])

    def petitions_of(self, person_keys: list[str]) -> list[dict]:
        """Petitions naming any of these residents (a petition's keys are a list: one term per key)."""
        if not person_keys:
            return []
        return self.petitions.find(any_of({"person_keys": {"$all": [k]}} for k in person_keys),
                                   sort=[("filed_at", -1), ("_id", 1)])

    def volunteers_of(self, person_keys: list[str]) -> list[dict]:
        return self.volunteers.find({"person_key": {"$in": list(person_keys)}}, sort=[("_id", 1)])

    def registers_of(self, person_keys: list[str]) -> list[dict]:
        return self.registers.find({"person_key": {"$in": list(person_keys)}}, sort=[("registered_on", 1), ("_id", 1)])


_EMPTY_GRANT = {"person_key": None, "status": None, "started": None, "monthly_amount_fen": None,
                "programme_name": None, "paid_count": 0, "paid_fen": 0, "last_paid_period": None}
_EMPTY_VOLUNTEER = {"person_key": None, "minutes": 0, "coins_credited": 0}
_EMPTY_ENTRY = {"person_key": None, "status": None, "registered_on": None, "ended_on": None}
