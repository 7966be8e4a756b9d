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

    def record(self, principal, method: str, path: str, status: int, fields: list[str]) -> None:
        data = {"user_id": principal.user_id, "name": principal.name or "", "roles": sorted(principal.roles),
                "org_path": reader_org_path(principal), "action": "read", "method": method, "path": path[:2000],
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
