"""Periodic scans: residence permits about to expire or lapsed, corrections visits overdue. Safe to run twice."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Callable

from liandong.clock import to_iso
from liandong.errors import ConcurrencyConflict
from liandong.repository import retry_on_conflict

from ..adapters.repositories import Repositories
from ..domain.migrants import EXPIRY_NOTICE_DAYS

log = logging.getLogger(__name__)


def _noted_once(repo, candidates: list, note: Callable) -> list[str]:
    """Let the domain record each candidate's notice (`note(aggregate)` says whether it did) and save it;
    on a concurrent change the aggregate is loaded again and asked again. Returns the ids noted."""
    noted = []
    for candidate in candidates:
        first = [candidate]

        def attempt() -> bool:
            aggregate = first.pop() if first else repo.get(candidate.id)
            if not note(aggregate):
                return False
            repo.save(aggregate)
            return True

        try:
            if retry_on_conflict(attempt):
                noted.append(candidate.id)
        except ConcurrencyConflict:
            log.info("%s %s kept changing during the scan; the next scan looks again", repo.collection_name, candidate.id)
    return noted


def announce_expiring_permits(repos: Repositories, clock, paths: list[str] | None = None) -> list[str]:
    """One `security.migrant.permit_expiring` per permit and expiry date; returns the migrant ids announced."""
    now = clock.now()
    horizon = (now + timedelta(days=EXPIRY_NOTICE_DAYS)).date().isoformat()
    return _noted_once(repos.migrants, repos.migrants.expiring_by(horizon, paths), lambda m: m.announce_expiry(now))


def record_lapsed_permits(repos: Repositories, clock, paths: list[str] | None = None) -> list[str]:
    """One `security.migrant.permit_lapsed` per permit that expired unrenewed; returns the migrant ids."""
    now = clock.now()
    return _noted_once(repos.migrants, repos.migrants.lapsing_before(now.date().isoformat(), paths),
                       lambda m: m.lapse(now))


def flag_overdue_visits(repos: Repositories, clock, paths: list[str] | None = None) -> list[str]:
    """One `security.corrections.visit_overdue` per person and missed due date."""
    now = clock.now()
    return _noted_once(repos.corrections, repos.corrections.due_before(to_iso(now), paths),
                       lambda p: p.flag_overdue(now))
