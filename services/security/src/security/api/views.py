"""How the API shows the security service's records (the use cases decide what a caller may see)."""
from __future__ import annotations

from ..domain.incidents import Incident
from ..domain.patrols import PatrolRun
from ..service_layer.base import record_of


def incident_view(i: Incident) -> dict:
    return record_of(i, response_minutes=None if i.response_minutes is None else round(i.response_minutes, 1))


def run_view(run: PatrolRun) -> dict:
    return record_of(run, missed_checkpoints=run.missed_checkpoints, minutes=run.minutes if run.ended_at else None)
