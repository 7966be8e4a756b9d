"""The welfare service's repositories, made once per process from its dependencies."""
from __future__ import annotations

from liandong.audit import AccessTrail
from liandong.imports.jobs import ImportJobs

from .firsts import FirstsInYear
from .registers import RegisterEntryRepository, RegisterServiceRepository
from .fund import FundRepository
from .ledgers import FundLedger, GoodsLedger, StockRepository
from .repositories import ApplicationRepository, GrantRepository, PaymentRepository, RedemptionRepository
from .visits import PairingRepository, VisitRepository


class WelfareStores:
    def __init__(self, deps, programme_name=None):
        """`programme_name(code)`: the programme's name in the configuration, carried on the events that
        name a programme so a consumer (the gateway's reports) names one it has never heard of."""
        self.applications = ApplicationRepository(deps)
        self.grants = GrantRepository(deps, programme_name)
        self.payments = PaymentRepository(deps, programme_name)
        self.redemptions = RedemptionRepository(deps)
        self.visits = VisitRepository(deps)
        self.pairings = PairingRepository(deps)
        self.movements = GoodsLedger(deps)
        self.stock = StockRepository(deps, self.movements)
        self.fund_entries = FundLedger(deps)
        self.fund = FundRepository(deps, self.fund_entries)
        self.import_jobs = ImportJobs(deps)  # the offices' ledgers imported (liandong.imports)
        # the person registers (退管 / 老龄, 残联, 优抚, #20)
        self.register_entries = RegisterEntryRepository(deps)
        self.register_services = RegisterServiceRepository(deps)
        self.firsts_in_year = FirstsInYear(deps)
        # every access to a register's records, allowed or refused (as security's corrections trail)
        self.register_audit = AccessTrail(deps, "register_audit")

    def _all(self):
        return (self.applications, self.grants, self.payments, self.redemptions, self.visits, self.pairings,
                self.movements, self.stock, self.fund_entries, self.fund, self.import_jobs,
                self.register_entries, self.register_services, self.firsts_in_year, self.register_audit)

    def prepare(self) -> None:
        for store in self._all():
            store.prepare()

    def outbox_collections(self) -> list:
        """Where events wait for the relay: the aggregates' and the ledgers' records (and the stock and fund
        balances, which carried their events before #17: what a stopped release left there still goes out)."""
        return [self.applications.collection, self.grants.collection, self.payments.collection,
                self.redemptions.collection, self.visits.collection, self.movements.collection,
                self.fund_entries.collection, self.stock.collection, self.fund.collection,
                self.import_jobs.collection, self.register_entries.collection, self.register_services.collection,
                self.pairings.collection]
