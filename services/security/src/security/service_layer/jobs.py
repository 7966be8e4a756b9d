"""Periodic scans: residence permits about to expire, corrections visits overdue. Safe to run twice."""
from __future__ import annotations

import logging
from datetime import timedelta

from liandong.clock import to_iso
from liandong.errors import ConcurrencyConflict

from ..adapters.repositories import Repositories
from ..domain.migrants import EXPIRY_NOTICE_DAYS

log = logging.getLogger(__name__)


def announce_expiring_permits(repos: Repositories, clock, scope: dict | None = None) -> list[str]:
    """One `security.migrant.permit_expiring` per permit and expiry date; returns the migrant ids announced."""
    now = clock.now()
    horizon = (now + timedelta(days=EXPIRY_NOTICE_DAYS)).date().isoformat()
    announced = []
    flt = {"status": "active", "permit_expires_on": {"$lte": horizon}}
    for migrant in repos.migrants.find({"$and": [flt, scope]} if scope else flt):
        if migrant.announce_expiry(now):
            try:
                repos.migrants.save(migrant)
                announced.append(migrant.id)
            except ConcurrencyConflict:
                log.info("migrant %s changed during the expiry scan; the next scan looks again", migrant.id)
    return announced


def flag_overdue_visits(repos: Repositories, clock, scope: dict | None = None) -> list[str]:
    """One `security.corrections.visit_overdue` per person and missed due date."""
    now = clock.now()
    flagged = []
    flt = {"next_visit_due": {"$lt": to_iso(now)}}
    for person in repos.corrections.find({"$and": [flt, scope]} if scope else flt):
        if person.flag_overdue(now):
            try:
                repos.corrections.save(person)
                flagged.append(person.id)
            except ConcurrencyConflict:
                log.info("person %s changed during the overdue scan; the next scan looks again", person.id)
    return flagged
