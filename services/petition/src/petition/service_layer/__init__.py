"""The petition service's use cases, one module per group; `UseCases` holds one of each for the routes."""
from __future__ import annotations

from dataclasses import dataclass

from .cases import Cases
from .deadlines import DeadlineScan
from .intake import Intake
from .lists import Lists
from .open311 import Open311
from .open311_keys import Open311Keys
from .roster import Roster
from .taxonomy import Taxonomy
from .transitions import Transitions


@dataclass(frozen=True)
class UseCases:
    cases: Cases
    intake: Intake
    transitions: Transitions
    scan_deadlines: DeadlineScan
    lists: Lists
    roster: Roster
    taxonomy: Taxonomy
    open311: Open311
    keys: Open311Keys

    @classmethod
    def of(cls, deps) -> "UseCases":
        """Every use case of the service on one `Dependencies`."""
        cases = Cases(deps)
        intake = Intake(cases)
        return cls(cases, intake, Transitions(cases), DeadlineScan(cases), Lists(cases), Roster(cases),
                   Taxonomy(cases), Open311(cases, intake), Open311Keys(deps))

    @property
    def repo(self):
        return self.cases.repo
