"""What every welfare use-case group shares: the repositories, the programme catalogue, the caller's scope."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from liandong.auth import Principal, out_of_scope
from liandong.errors import NotFound, ValidationFailed

from ..adapters.stores import WelfareStores
from ..domain.programmes import Catalogue, Household, Member

CHINA = timezone(timedelta(hours=8))  # a month is the offices' month


def current_period(now) -> str:
    return now.astimezone(CHINA).strftime("%Y-%m")


def day_start(day: str) -> str:
    """The beginning of a day (YYYY-MM-DD) of the offices' calendar, as the UTC time records keep."""
    start = datetime.fromisoformat(day).replace(tzinfo=CHINA).astimezone(timezone.utc)
    return start.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def year_of(at: str) -> int:
    """The offices' calendar year (China time) of a UTC time as records keep it."""
    return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(CHINA).year


def month_start(period: str) -> str:
    """The beginning of a month (YYYY-MM) of the offices' calendar, as the UTC time records keep."""
    return day_start(f"{period}-01")


def month_of(bound: str | None) -> str | None:
    """The month (YYYY-MM) of a loaded `from`/`to` bound, for figures kept by month (payments)."""
    return bound[:7] if bound else None


def household_from(data: dict) -> Household:
    members = tuple(Member(m["name"], m["id_number"], m["relation"], m.get("monthly_income_fen", 0),
                           m.get("disability_grade", 0), m.get("employment", "unemployed"),
                           m.get("college_admitted", False)) for m in data["members"])
    return Household(members, data.get("residence", "urban"), data.get("financial_assets_fen", 0),
                     Decimal(str(data.get("housing_area_m2", "0"))), data.get("medical_expenses_fen", 0),
                     data.get("emergency_reason", ""), data.get("requested_amount_fen", 0),
                     tuple(data.get("stated_statuses") or ()), tuple(data.get("documents_provided") or ()))


def found(repo, what: str, record_id: str):
    """A stored record, or 404 in the same words `Principal.authorize` uses for one out of sight."""
    try:
        return repo.get(record_id)
    except NotFound:
        raise out_of_scope(what, record_id) from None


class UseCases:
    """The base of each use-case group: dependencies (`Dependencies`), repositories, the catalogue."""

    def __init__(self, deps, stores: WelfareStores, catalogue: Catalogue):
        self.deps = deps
        self.clock = deps.clock
        self.org = deps.org
        self.stores = stores
        self.catalogue = catalogue

    def programme(self, code: str):
        p = self.catalogue.get(code)
        if p is None:
            raise ValidationFailed("unknown programme", {"programme": [f"no programme {code!r}"]})
        return p

    def year(self) -> int:
        return self.clock.now().year

    def today(self):
        """The offices' today (a resident's age for the 高龄津贴 is counted on it)."""
        return self.clock.now().astimezone(CHINA).date()

    def unit_path(self, p: Principal, permission: str, org_unit_id: str, field: str = "org_unit_id") -> str:
        """The org path of a unit the caller names, which they must hold `permission` over."""
        path = self.org.path_of(org_unit_id, field)
        p.require(permission, path)
        return path

    def scope(self, p: Principal, permission: str, org_unit: str | None) -> list[str]:
        """The org paths a list covers: the `org_unit` filter's subtree (within the caller's sight), or
        everything the caller holds `permission` over."""
        if org_unit:
            return [self.unit_path(p, permission, org_unit, "org_unit")]
        p.require(permission)
        return p.scopes(permission)

    def figures_root(self, p: Principal, permission: str, org_unit: str | None) -> tuple[str, str]:
        """(org unit id, org path) figures are worked out for: the `org_unit` asked, or the caller's one unit."""
        if org_unit:
            return org_unit, self.unit_path(p, permission, org_unit, "org_unit")
        p.require(permission)
        paths = p.scopes(permission)
        if len(paths) != 1:
            raise ValidationFailed("name the org unit", {"org_unit": ["required: the figures of which org unit?"]})
        return next(g.org_unit for g in p.grants if g.org_path == paths[0]), paths[0]
