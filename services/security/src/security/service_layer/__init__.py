"""Use cases of the security service, one module per use-case group; every access check is here."""
from __future__ import annotations

from dataclasses import dataclass

from ..adapters.repositories import Repositories
from ..config import SecuritySettings
from .audit import AuditTrail
from .corrections import Corrections
from .incidents import Incidents
from .mediation import Mediation
from .migrants import Migrants
from .patrols import Patrols
from .register import Register
from .stats import Statistics
from .visits import GridVisits


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
    register: Register
    visits: GridVisits

    @classmethod
    def build(cls, deps, repos: Repositories, settings: SecuritySettings | None = None) -> "SecurityService":
        rules = (settings or SecuritySettings()).visit_rules
        register = Register(deps, repos, rules)
        return cls(Incidents(deps, repos), Patrols(deps, repos), Migrants(deps, repos),
                   Corrections(deps, repos, register), Mediation(deps, repos), Statistics(deps, repos),
                   AuditTrail(deps, repos), register, GridVisits(deps, repos, rules))
