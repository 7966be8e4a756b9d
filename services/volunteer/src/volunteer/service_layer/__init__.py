"""Use cases of the volunteer service, one module per group; `VolunteerService` holds them together
with the stores they share (built from the service's `Dependencies`, never the `Platform`)."""
from __future__ import annotations

from liandong.imports.jobs import ImportJobs

from .access import Access, Stores
from .activities import Activities
from .configuration import Configure
from .love_bank import LoveBank
from .party import Party
from .reports import Reports
from .teams import Teams
from .volunteers import Volunteers


class VolunteerService:
    def __init__(self, deps):
        self.deps = deps
        self.stores = stores = Stores.of(deps)
        self.access = Access(stores)
        self.configure = Configure(stores, self.access)
        self.volunteers = Volunteers(stores, self.access)
        self.teams = Teams(stores, self.access, self.configure)
        self.activities = Activities(stores, self.access, self.configure)
        self.love_bank = LoveBank(stores, self.access, self.activities)
        self.reports = Reports(stores, self.access)
        self.party = Party(stores, self.volunteers)  # 党建: registers behind volunteer:party
        self.import_jobs = ImportJobs(deps)  # the rosters imported (their progress, and the audit event)

    def prepare(self) -> None:
        s = self.stores
        for repo in (s.volunteers, s.teams, s.activities, s.redemptions):
            repo.prepare()
        s.ledger.prepare()
        s.attendance.prepare()
        s.reminders.prepare()
        s.party.prepare()
        self.import_jobs.prepare()

    def outbox_collections(self) -> list:
        s = self.stores
        return [r.collection for r in (s.volunteers, s.teams, s.activities, s.redemptions)] + [
            s.ledger.entries, s.attendance.rows, self.import_jobs.collection, *s.party.outbox_collections()]
