"""The monthly reports the gateway keeps (月报), in its own database on either backend: one record per unit,
month and format (`kept_reports`: who made it when, the figures' freshness then, its size and SHA-256) and its
bytes apart (`kept_report_files`, base64: the storage keeps documents, not blobs), so a list never loads them.
The record's id is the unit, month and format: a second worker, or the schedule and a caller at once, keep
each report once (the second insert is refused and its bytes are dropped)."""
from __future__ import annotations

import base64

from liandong.listing import Page, page_of
from liandong.storage import DuplicateKeyError
from liandong.storage.filters import all_of, between, one_of, within as within_paths


def report_id(unit_id: str, period: str, fmt: str) -> str:
    return f"{unit_id}.{period}.{fmt}"


def _shown(doc: dict) -> dict:
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}


class KeptReports:
    def __init__(self, deps):
        self.records = deps.db.collection("kept_reports")
        self.files = deps.db.collection("kept_report_files")

    def prepare(self) -> None:
        self.records.create_index([("org_path", 1), ("period", -1)], name="org_period")
        self.records.create_index([("period", 1), ("by", 1)], name="period_by")

    def ids_of(self, period: str) -> set[str]:
        return {d["_id"] for d in self.records.find({"period": period})}

    def earliest_scheduled(self) -> str | None:
        """The first month the schedule kept: it catches up every month from there."""
        found = self.records.find({"by": "schedule"}, sort=[("period", 1)], limit=1)
        return found[0]["period"] if found else None

    def keep(self, record: dict, body: bytes) -> bool:
        """Keep the report once: False when it was kept already (by another worker, or the same one before).
        The bytes go first, named by the record and their hash: a record is never listed without its file, and
        the record's insert decides which of two workers' bytes are the report (the other's are dropped)."""
        name = f"{record['_id']}.{record['sha256']}"
        try:
            self.files.insert_one({"_id": name, "content": base64.b64encode(body).decode("ascii")})
        except DuplicateKeyError:
            pass  # the same bytes, kept by a run that stopped before its record: this record completes it
        try:
            self.records.insert_one(record)
        except DuplicateKeyError:
            kept = self.records.find_one({"_id": record["_id"]})
            if kept is not None and kept["sha256"] != record["sha256"]:
                self.files.delete_one({"_id": name})
            return False
        return True

    def get(self, report: str) -> dict | None:
        doc = self.records.find_one({"_id": report})
        return _shown(doc) if doc else None

    def content(self, record: dict) -> bytes | None:
        doc = self.files.find_one({"_id": f"{record['id']}.{record['sha256']}"})
        return base64.b64decode(doc["content"]) if doc else None

    def page(self, paths: list[str], page: int, page_size: int, within: tuple[str | None, str | None] = (None, None),
             fmt: str | None = None) -> Page:
        """`within`: (first day, last day) the months lie in, either open."""
        where = all_of(within_paths(paths), between("starts_on", within[0]), between("ends_on", end=within[1]),
                       one_of("format", fmt))
        return page_of(self.records, where, page=page,
                       page_size=page_size, sort=[("period", -1), ("org_path", 1), ("format", 1)], load=_shown)
