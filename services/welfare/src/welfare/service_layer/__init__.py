"""The welfare use cases, one module per use-case group; `Welfare` holds one of each for the routes and
handlers (made in bootstrap from the service's `Dependencies`)."""
from __future__ import annotations

from ..adapters.stores import WelfareStores
from ..domain.programmes import Catalogue
from .applications import Applications
from .disbursements import Disbursements
from .employment import Employment
from .fund import Fund
from .goods import Goods
from .grants import Grants
from .redemptions import Redemptions
from .statistics import Statistics
from .visits import Visits
from ..adapters.registers import load_registers
from ..domain.registers import Registers
from .registers import PersonRegisters


class Welfare:
    def __init__(self, deps, catalogue: Catalogue, registers: Registers | None = None):
        self.deps = deps
        self.catalogue = catalogue
        self.stores = WelfareStores(deps, lambda code: (p := catalogue.get(code)) and p.name)
        groups = (deps, self.stores, catalogue)
        self.applications = Applications(*groups)
        self.grants = Grants(*groups)
        self.disbursements = Disbursements(*groups)
        self.goods = Goods(*groups)
        self.redemptions = Redemptions(*groups)
        self.fund = Fund(*groups)
        self.visits = Visits(*groups)
        self.statistics = Statistics(*groups)
        self.employment = Employment(*groups)  # 就业 / 社保 (#20): its own stores
        self.registers = PersonRegisters(*groups, registers or load_registers())  # 退管 / 老龄, 残联, 优抚 (#20)

    def prepare(self) -> None:
        self.stores.prepare()
        self.employment.prepare()
