"""What the security routes share: the service context, views of aggregates, paging, periods."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from flask import request

from liandong.auth import current_principal, out_of_scope
from liandong.clock import from_iso, to_iso
from liandong.errors import NotFound, ValidationFailed
from liandong.repository import OutboxRepository
from liandong.logs import correlation_id

from ..adapters.audit import AuditLog
from ..adapters.repositories import Repositories


class Context:
    def __init__(self, platform, repos: Repositories):
        self.platform = platform
        self.repos = repos
        self.clock = platform.clock
        self.audit = AuditLog(repos.audit, platform.clock)

    def now(self) -> str:
        return self.clock.now_iso()

    def path_of(self, org_unit_id: str) -> str:
        return self.platform.org.path_of(org_unit_id)

    def community_of(self, org_unit_id: str) -> str:
        """The community (社区) an org unit lies in: itself, or the community above its grid or building."""
        path = self.path_of(org_unit_id)
        for unit_id in reversed([s for s in path.split("/") if s]):
            unit = self.platform.org.get(unit_id)
            if unit and unit.get("level") == "community":
                return unit_id
        raise ValidationFailed("not inside a community", {"org_unit_id": ["must be a community or lie inside one"]})

    def audit_read(self, principal, action: str, org_path: str, record_id: str | None, allowed: bool) -> None:
        self.audit.record(principal, action, org_path, record_id, allowed, correlation_id.get())


def view(aggregate, **extra) -> dict:
    out = {"id": aggregate.id}
    for f in dataclasses.fields(aggregate):
        if f.name not in ("id", "events"):
            out[f.name] = getattr(aggregate, f.name)
    out.update(extra)
    return out


def page() -> tuple[int, int]:
    try:
        limit = int(request.args.get("limit", 100))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise ValidationFailed("limit and offset are integers", {"limit": ["an integer"]}) from None
    if not 1 <= limit <= 500 or offset < 0:
        raise ValidationFailed("limit is 1..500 and offset >= 0", {"limit": ["1..500"]})
    return limit, offset


def _time_arg(name: str, default: str, end_of_day: bool = False) -> str:
    raw = request.args.get(name)
    if not raw:
        return default
    try:
        if len(raw) == 10:
            return raw + ("T23:59:59.999999Z" if end_of_day else "T00:00:00.000000Z")
        return to_iso(from_iso(raw))
    except ValueError:
        raise ValidationFailed("not a date or time", {name: ["a date YYYY-MM-DD or an ISO-8601 time"]}) from None


def period(now: datetime) -> tuple[str, str]:
    """`from`/`to` query arguments (dates or times); by default the current calendar year up to now."""
    start = datetime(now.year, 1, 1, tzinfo=timezone.utc)
    date_from = _time_arg("from", to_iso(start))
    date_to = _time_arg("to", to_iso(now), end_of_day=True)
    if date_to < date_from:
        raise ValidationFailed("the period ends before it starts", {"to": ["must not be before from"]})
    return date_from, date_to


READ = "security:read"  # whoever holds it over a record sees that the record exists


def stored(repo, record_id: str):
    """The aggregate or document with this id, or None: a repository or a plain collection alike."""
    if isinstance(repo, OutboxRepository):
        try:
            return repo.get(record_id)
        except NotFound:
            return None
    return repo.find_one({"_id": record_id})


def in_sight(record, permission: str, what: str, record_id: str, *, own: bool = False):
    """`record` if the caller may do `permission` on it; else the one rule of `Principal.authorize`:
    a record out of the caller's sight (or none at all) is 404 in the same words, one they can see
    but not act on is 403, and neither names where it lives."""
    if record is None:
        raise out_of_scope(what, record_id)
    path = record["org_path"] if isinstance(record, dict) else record.org_path
    current_principal().authorize(permission, path, read=READ, what=what, record_id=record_id, own=own)
    return record


def load(repo, record_id: str, permission: str, what: str, *, own=None, own_may: bool = False):
    """Load a record by id for `permission`. `own(record)`: whether it is the caller's own (a resident's
    report): they see it, so a refusal is 403; with `own_may` their own is theirs to do this on."""
    record = stored(repo, record_id)
    mine = record is not None and own is not None and own(record)
    if mine and own_may:
        return record
    return in_sight(record, permission, what, record_id, own=mine)
