"""Reads of personal data, recorded by the service that answered them (个人信息访问记录).

Every domain service's app records, after each GET it answers with personal fields (ID or phone numbers,
addresses, incomes, corrections records; recognised by their keys, `personal_fields`), who read which
fields through which route: one document in its own `personal_data_reads` collection with the event
`liandong.<service>.personal_data.accessed.v1` in its outbox, so the record and the event are one write.
The gateway's worker keeps these events in the one audit trail (`GET /api/v1/audit`), so a read on a
service's own port inside the cluster is accounted for like one through the gateway. Answers without
personal fields write nothing (intake and most traffic pay only the key scan of a GET's JSON answer).
"""
from __future__ import annotations

import json
import logging
import re

from flask import Flask, g, request

from . import outbox
from .ids import new_id
from .listing import DEFAULT_PAGE_SIZE, Page, page_of
from .logs import correlation_id
from .storage.filters import all_of, between, one_of, within

log = logging.getLogger(__name__)

# Field names that carry personal data in any service's JSON; matched on the key, so new services and
# new records are covered when they use these names.
PERSONAL_KEYS = re.compile(r"(id_number|id_no|idcard|phone|mobile|address|income|corrections|correction_)",
                           re.IGNORECASE)


_PERSONAL_BYTES = re.compile(PERSONAL_KEYS.pattern.encode(), re.IGNORECASE)


def personal_fields(value, found: set | None = None, depth: int = 0) -> set[str]:
    found = set() if found is None else found
    if depth > 8:
        return found
    if isinstance(value, dict):
        for k, v in value.items():
            if PERSONAL_KEYS.search(str(k)):
                found.add(str(k))
            personal_fields(v, found, depth + 1)
    elif isinstance(value, list):
        for item in value[:500]:
            personal_fields(item, found, depth + 1)
    return found


def reader_org_path(principal) -> str:
    return principal.grants[0].org_path if principal.grants else "/"


# set by a route answering a file with personal data in it (comma-separated field names); taken off the answer
PERSONAL_FILE_HEADER = "X-Liandong-Personal-Fields"


class PersonalDataReads:
    """A service's own record of reads of its personal data, each with its event in the outbox."""

    COLLECTION = "personal_data_reads"

    def __init__(self, platform):
        self.platform = platform
        self.reads = platform.db.collection(self.COLLECTION)

    def prepare(self) -> None:
        outbox.prepare(self.reads)
        self.reads.create_index([("at", -1)], name="at")

    def record(self, principal, method: str, path: str, status: int, fields: list[str],
               action: str = "read") -> None:
        """`action`: "read", or "remove" (an attachment taken off its record: who removed which file, #22)."""
        data = {"user_id": principal.user_id, "name": principal.name or "", "roles": sorted(principal.roles),
                "org_path": reader_org_path(principal), "action": action, "method": method, "path": path[:2000],
                "status": status, "fields": sorted(fields), "at": self.platform.clock.now_iso()}
        read_id = new_id()
        event = self.platform.new_event(f"{self.platform.service}.personal_data.accessed", principal.user_id, data,
                                        data["org_path"], event_id=read_id)
        outbox.insert_with_events(self.reads, {"_id": read_id, **data,
                                               "correlation_id": g.get("correlation_id")}, [event])


def install(app: Flask, reads: PersonalDataReads) -> None:
    @app.after_request
    def _audit_personal_reads(response):
        if request.method != "GET" or response.status_code >= 400:
            return response
        principal = g.get("principal")
        if principal is None:
            return response
        declared = response.headers.pop(PERSONAL_FILE_HEADER, None)
        if declared:  # a file (an import's rows to fix) says which personal columns it holds
            reads.record(principal, request.method, request.path, response.status_code, declared.split(","))
            return response
        if response.mimetype != "application/json":
            return response
        body = response.get_data()
        if not _PERSONAL_BYTES.search(body):  # most answers: no such name anywhere, nothing to parse
            return response
        try:
            found = personal_fields(json.loads(body))
        except ValueError:
            return response
        if found:
            # the path without the query string: a search by ID number must not copy it into the audit
            # recorded before the answer leaves: a read that cannot be audited is not answered
            reads.record(principal, request.method, request.path, response.status_code, sorted(found))
        return response


class AccessTrail:
    """Who reached a service's sensitive records, or was refused (PIPL art. 28: corrections files, the welfare
    registers of disability and employment, party membership): one entry per access, filed under the record's
    org path — or, for a refusal with no record to name, the caller's widest unit — so each office sees who
    read its people, and who tried. One class for every service's trail; each keeps its own collection, and an
    entry may carry what the trail needs beside (`register`, `unmasked`)."""

    def __init__(self, deps, collection: str):
        self.entries = deps.db.collection(collection)
        self.clock = deps.clock

    def prepare(self) -> None:
        self.entries.create_index([("org_path", 1), ("at", 1)], name="org_path_at")

    def record(self, principal, action: str, org_path: str, record_id: str | None, allowed: bool, **beside) -> None:
        self.entries.insert_one({
            "_id": new_id(), "user_id": principal.user_id, "name": principal.name,
            "roles": sorted(principal.roles), "org_units": sorted({g.org_unit for g in principal.grants}),
            "action": action, "record_id": record_id, "allowed": allowed, "org_path": org_path,
            "at": self.clock.now_iso(), "correlation_id": correlation_id.get(), **beside})

    def page(self, paths: list[str], query: dict, filters: tuple[str, ...] = ("action", "record_id", "user_id")):
        """Entries in the auditor's subtrees, newest first: `query` a loaded list query (its `from`/`to` bound
        the time of access; `allowed` true/false; each of `filters` one value or several)."""
        if not paths:
            return Page([], 0, query.get("page", 1), query.get("page_size", DEFAULT_PAGE_SIZE))
        terms = [within(paths), *(one_of(name, query.get(name)) for name in filters),
                 {"allowed": query["allowed"]} if query.get("allowed") is not None else None,
                 between("at", query.get("from_"), query.get("to"))]
        return page_of(self.entries, all_of(*terms), page=query.get("page", 1),
                       page_size=query.get("page_size", DEFAULT_PAGE_SIZE), sort=[("at", -1), ("_id", 1)],
                       load=lambda d: {"id": d["_id"], **{k: v for k, v in d.items() if k != "_id"}})
