"""Use cases of the district's configuration: team and activity types, and the coins an hour earns."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import ValidationFailed
from liandong.listing import Page

from ..domain import model
from .access import READ, Access, Stores

PATROL = "patrol"  # the rate of security's patrols, which are no configured type


class Configure:
    def __init__(self, stores: Stores, access: Access):
        self.s, self.access = stores, access

    def check_type(self, type_key: str, field: str = "type") -> None:
        if type_key in model.BUILTIN_TEAM_TYPES or self.s.configuration.has_type(type_key):
            return
        raise ValidationFailed("unknown type", {field: [f"{type_key!r} is not a configured type"]})

    def types(self, p: Principal, q: dict) -> Page:
        """`q`: the loaded `TypeListQuery`. Every type with its rate (a page of them) and, beside the page,
        the rate of security's patrols and the kinds of volunteer with their names."""
        if q["org_unit"]:
            p.require(READ, self.access.org.path_of(q["org_unit"], "org_unit"))
        else:
            p.require(READ)
        configured = self.s.configuration.configured_types()
        found = [(t, True, model.BUILTIN_TEAM_TYPE_NAMES[t]) for t in model.BUILTIN_TEAM_TYPES] + [
            (k, False, name) for k, name in sorted(configured.items()) if k not in model.BUILTIN_TEAM_TYPES]
        rate = self.s.configuration.rate
        return Page.of_all([{"type": t, "builtin": builtin, "name": name, "coins_per_hour": rate(t)}
                            for t, builtin, name in found], q["page"], q["page_size"],
                           patrol_coins_per_hour=rate(PATROL),
                           kinds=[{"kind": k, "name": n} for k, n in model.VOLUNTEER_KIND_NAMES.items()])

    def add_type(self, p: Principal, type_key: str, name: str) -> dict:
        self.access.district(p)
        self.s.configuration.add_type(type_key, name)
        return {"type": type_key, "name": name}

    def set_rate(self, p: Principal, type_key: str, coins_per_hour: int) -> dict:
        self.access.district(p)
        if type_key != PATROL:
            self.check_type(type_key)
        self.s.configuration.set_rate(type_key, coins_per_hour, p.user_id)
        return {"type": type_key, "coins_per_hour": coins_per_hour}
