"""The petition service's use cases, one module per group; `UseCases` holds one of each for the routes."""
from __future__ import annotations

from dataclasses import dataclass

from ..adapters.hall import load_catalogue

from .cases import Cases
from .deadlines import DeadlineScan
from .hall import Hall
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
    hall: Hall

    @classmethod
    def of(cls, deps, catalogue=None) -> "UseCases":
        """Every use case of the service on one `Dependencies`; `catalogue`: the hall's (default: PETITION_HALL_FILE
        or the one shipped, `adapters.hall.load_catalogue`)."""
        cases = Cases(deps)
        intake = Intake(cases)
        hall = Hall(cases, catalogue or load_catalogue())
        return cls(cases, intake, Transitions(cases), DeadlineScan(cases, hall.matters), Lists(cases), Roster(cases),
                   Taxonomy(cases, hall.catalogue), Open311(cases, intake), Open311Keys(deps), hall)

    @property
    def repo(self):
        return self.cases.repo
