"""What the offices file with their reports, in the gateway's database: the sign-off of each unit's period
(`report_approvals`, with the filed figures), the units' dated profiles (`org_profiles`) and the narrative
sections of each unit's year (`report_narratives`). Every change is one conditional write on the record's
version (`_v`), so two officers acting at once cannot both move the same period."""
from __future__ import annotations

from liandong.errors import ConcurrencyConflict
from liandong.listing import Page, page_of
from liandong.storage import DuplicateKeyError, subtree
from liandong.storage.filters import all_of, between, one_of, within as within_paths


def _shown(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "_id"}


def _versioned_write(coll, doc_id: str, version: int, fields: dict, push: dict | None = None) -> dict:
    """Insert (version 0: no record yet) or update the record as read at `version`; a concurrent change is 409."""
    if version == 0:
        try:
            coll.insert_one({"_id": doc_id, **fields, **{k: [v] for k, v in (push or {}).items()}, "_v": 1})
        except DuplicateKeyError:
            raise ConcurrencyConflict("changed at the same time by someone else: read it again") from None
        return coll.find_one({"_id": doc_id})
    update = {"$set": fields, "$inc": {"_v": 1}}
    if push:
        update["$push"] = push
    found = coll.find_one_and_update({"_id": doc_id, "_v": version}, update)
    if found is None:
        raise ConcurrencyConflict("changed at the same time by someone else: read it again")
    return found


class Approvals:
    """One record per org unit and period: its state, who moved it when (`history`), its filed figures."""

    def __init__(self, deps):
        self.records = deps.db.collection("report_approvals")

    def prepare(self) -> None:
        self.records.create_index([("org_path", 1), ("period", 1)], name="org_period")
        self.records.create_index([("period", 1), ("state", 1)], name="period_state")

    @staticmethod
    def key(unit_id: str, period: str) -> str:
        return f"{unit_id}|{period}"

    def get(self, unit_id: str, period: str) -> dict | None:
        return self.records.find_one({"_id": self.key(unit_id, period)})

    def write(self, unit_id: str, period: str, version: int, fields: dict, step: dict) -> dict:
        return _versioned_write(self.records, self.key(unit_id, period), version, fields, {"history": step})

    def filed_under(self, path: str, period: str) -> list[dict]:
        """The filed (approved or accepted) periods of `period` at or under `path`."""
        return self.records.find(all_of(subtree(path), {"period": period}, one_of("state", ["approved", "accepted"])))

    def page(self, paths: list[str], period: str | None, states: list[str] | None, page: int, page_size: int,
             within: tuple[str | None, str | None] = (None, None)) -> Page:
        """`within`: (first day, last day) the periods lie in, either open."""
        where = all_of(within_paths(paths), one_of("period", period), between("starts_on", within[0]),
                       between("ends_on", end=within[1]), one_of("state", states))
        return page_of(self.records, where, page=page,
                       page_size=page_size, sort=[("period", -1), ("org_path", 1)], load=_shown)


class Profiles:
    """Dated profiles of an org unit (population, households, area, grids as of a date): several are kept,
    the one in force at a date is the newest not after it."""

    def __init__(self, deps):
        self.records = deps.db.collection("org_profiles")

    def prepare(self) -> None:
        self.records.create_index([("org_unit_id", 1), ("as_of", -1)], name="unit_as_of")

    def put(self, unit_id: str, as_of: str, fields: dict) -> tuple[dict, bool]:
        """Keep the profile as of `as_of` (replacing one of the same date); True when it is new."""
        doc_id = f"{unit_id}|{as_of}"
        result = self.records.update_one({"_id": doc_id}, {"$set": {"org_unit_id": unit_id, "as_of": as_of, **fields}},
                                         upsert=True)
        return _shown(self.records.find_one({"_id": doc_id})), result.upserted_id is not None

    def in_force(self, unit_id: str, on: str) -> dict | None:
        found = self.records.find({"org_unit_id": unit_id, "as_of": {"$lte": on}}, sort=[("as_of", -1)], limit=1)
        return _shown(found[0]) if found else None

    def page(self, unit_id: str, page: int, page_size: int, from_: str | None, to: str | None) -> Page:
        return page_of(self.records, all_of({"org_unit_id": unit_id}, between("as_of", from_, to)), page=page,
                       page_size=page_size, sort=[("as_of", -1)],
                       load=_shown)


class Narratives:
    """The written sections of one unit's year or month (典型案例, 下一步打算, free text), kept with its report;
    `period`: `2026` or `2026-03`."""

    def __init__(self, deps):
        self.records = deps.db.collection("report_narratives")

    def get(self, unit_id: str, period: str) -> dict | None:
        return self.records.find_one({"_id": f"{unit_id}|{period}"})

    def write(self, unit_id: str, period: str, version: int, fields: dict) -> dict:
        return _versioned_write(self.records, f"{unit_id}|{period}", version, fields)

