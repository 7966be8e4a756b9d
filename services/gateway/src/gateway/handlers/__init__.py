"""Every reaction of the gateway to the services' events (docs/service-shape.md).

- `handlers(audit)`: the personal-data reads each domain service reports, and every service's imports
  (`<service>.import.completed`) → the one audit trail
  (run by the worker's consumer, like every service's handlers);
- `reports_projector.ReportsProjector`: every service's facts → the reports read model (its own
  consumer groups per read-model generation, so that a rebuild can replay the topics).
"""
from __future__ import annotations

from liandong.contracts import CONTRACTS
from liandong.registry import AUDITED_SERVICES, IMPORTING_SERVICES


def handlers(audit) -> dict:
    """{event type: handler} for the worker: `audit` is the gateway's `AuditLog`: the personal-data reads
    each domain service reports, and every service's imports (the gateway's own among them)."""
    return {**{CONTRACTS.by_name(f"{s}.personal_data.accessed").type: audit.on_personal_data_accessed
               for s in AUDITED_SERVICES},
            **{CONTRACTS.by_name(f"{s}.import.completed").type: audit.on_import_completed
               for s in IMPORTING_SERVICES}}
