"""Use cases of the security service, one module per use-case group; every access check is here."""
from __future__ import annotations

from dataclasses import dataclass

from ..adapters.repositories import Repositories
from .audit import AuditTrail
from .corrections import Corrections
from .incidents import Incidents
from .mediation import Mediation
from .migrants import Migrants
from .patrols import Patrols
from .stats import Statistics


@dataclass(frozen=True)
class SecurityService:
    """The use-case groups the API calls, built once from the service's dependencies."""

    incidents: Incidents
    patrols: Patrols
    migrants: Migrants
    corrections: Corrections
    mediation: Mediation
    statistics: Statistics
    audit: AuditTrail

    @classmethod
    def build(cls, deps, repos: Repositories) -> "SecurityService":
        return cls(Incidents(deps, repos), Patrols(deps, repos), Migrants(deps, repos), Corrections(deps, repos),
                   Mediation(deps, repos), Statistics(deps, repos), AuditTrail(deps, repos))
