"""The taxonomy: categories with deadlines per level, linked departments (联动部门), public holidays.
One for the whole district: read by everyone with petition:read, changed by a district-wide supervisor."""
from __future__ import annotations

from datetime import date

from liandong.auth import Principal
from liandong.errors import Forbidden

from ..domain import model, rules
from .cases import Cases


class Taxonomy:
    def __init__(self, cases: Cases, catalogue=None):
        self.config = cases.config
        self.catalogue = catalogue

    @staticmethod
    def _require_district_supervisor(principal: Principal) -> None:
        if not any(path.count("/") <= 2 for path in principal.scopes("petition:supervise")):
            raise Forbidden("changing the taxonomy needs petition:supervise for the whole district")

    def view(self) -> dict:
        return {**self.config.load(), "channels": rules.CHANNELS, "levels": list(rules.LEVELS),
                "handling_modes": model.HANDLING_MODES, "satisfaction": model.SATISFACTION,
                "public_status": model.PUBLIC_STATUS,
                # the hall's offices (民政, 社保, 残联…): the labels of the codes its events carry
                "hall_offices": dict(self.catalogue.offices) if self.catalogue else {}}

    def put_category(self, code: str, data: dict, principal: Principal) -> dict:
        self._require_district_supervisor(principal)
        self.config.put_category(code, data)
        return {"code": code, **data}

    def put_department(self, code: str, name: str, principal: Principal) -> dict:
        self._require_district_supervisor(principal)
        self.config.put_department(code, name)
        return {"code": code, "name": name}

    def put_holidays(self, days: list[date], principal: Principal) -> dict:
        self._require_district_supervisor(principal)
        self.config.put_holidays([d.isoformat() for d in days])
        return {"holidays": self.config.load()["holidays"]}
