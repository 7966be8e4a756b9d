"""The welfare API under /api/v1/welfare: one blueprint per use-case group."""
from __future__ import annotations

from flask import Blueprint

from ..service_layer import Welfare
from . import applications, employment, fund, goods, grants, imports, registers, resident_routes, visits


def blueprints(welfare: Welfare) -> list[Blueprint]:
    return [module.blueprint(welfare) for module in (applications, grants, goods, fund, visits, imports,
                                                    registers,  # the person registers (#20)
                                                    employment,  # 就业 / 社保 (#20)
                                                    resident_routes)]  # the residents' door (#22)
