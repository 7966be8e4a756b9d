"""What every use-case group of the security service shares: its dependencies, the one access rule
for a record taken by id, the subtrees a list covers, and load-change-save with retries."""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, TypeVar

from liandong.auth import Principal, out_of_scope
from liandong.errors import ValidationFailed
from liandong.repository import retry_on_conflict

from ..adapters.repositories import Repositories
from ..domain.base import require_not_future

READ = "security:read"  # whoever holds it over a record sees that the record exists
T = TypeVar("T")


def org_path_of(record) -> str:
    return record["org_path"] if isinstance(record, dict) else record.org_path


def in_sight(principal: Principal, record: T | None, permission: str, what: str, record_id: str, *,
             own: bool = False) -> T:
    """`record` if the caller may do `permission` on it; else the one rule of `Principal.authorize`:
    a record out of the caller's sight (or none at all) is 404 in the same words, one they can see
    but not act on is 403, and neither names where it lives."""
    if record is None:
        raise out_of_scope(what, record_id)
    principal.authorize(permission, org_path_of(record), read=READ, what=what, record_id=record_id, own=own)
    return record


def record_of(aggregate, **extra) -> dict:
    """An aggregate as the API shows it: its fields (not its pending events) and `extra`."""
    out = {"id": aggregate.id}
    out.update({f.name: getattr(aggregate, f.name) for f in dataclasses.fields(aggregate) if f.name not in ("id", "events")})
    out.update(extra)
    return out


class UseCases:
    def __init__(self, deps, repos: Repositories):
        self.deps = deps
        self.repos = repos
        self.clock = deps.clock
        self.org = deps.org

    def now(self) -> str:
        return self.clock.now_iso()

    def at_or_now(self, given: str | None, name: str) -> str:
        """A time the caller gives for what happened (not in the future), or now."""
        return require_not_future(given, self.clock.now(), name) if given else self.now()

    def path_of(self, org_unit_id: str, field: str = "org_unit_id") -> str:
        return self.org.path_of(org_unit_id, field)

    def community_of(self, org_unit_id: str) -> str:
        """The community (社区) an org unit lies in: itself, or the community above its grid or building."""
        for unit_id in reversed([s for s in self.path_of(org_unit_id).split("/") if s]):
            unit = self.org.get(unit_id)
            if unit and unit.get("level") == "community":
                return unit_id
        raise ValidationFailed("not inside a community", {"org_unit_id": ["must be a community or lie inside one"]})

    def paths(self, principal: Principal, permission: str, org_unit: str | None) -> list[str]:
        """The subtrees a list covers: the `org_unit` asked for (where the caller must hold `permission`),
        else every subtree where they hold it."""
        return principal.list_paths(permission, self.path_of(org_unit, "org_unit") if org_unit else None)

    @staticmethod
    def change(repo, load: Callable[[], T], mutate: Callable[[T], Any]) -> T:
        """Load (with its access check), change, save; again on a concurrent change, from the state it
        lands on; a retried request (same Idempotency-Key) answers the record as its first attempt left it."""
        def attempt() -> T:
            aggregate = load()
            mutate(aggregate)
            return repo.save(aggregate)

        return retry_on_conflict(attempt)
