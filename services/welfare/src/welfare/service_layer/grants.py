"""Grants (在保): reading them, the periodic re-review (动态管理), ending one."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import Conflict, ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page
from liandong.repository import retry_on_conflict

from ..domain.cases import Grant
from ..domain.money import fen_to_yuan
from .common import UseCases, current_period, found, household_from, month_start

ROSTER_PERMISSION = "welfare:review"  # a community's 民政 worker reviews its cases, and so takes in its roster
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class Grants(UseCases):
    def search(self, p: Principal, q: dict) -> Page:
        return self.stores.grants.page(scope=self.scope(p, "welfare:read", q.get("org_unit")), status=q.get("status"),
                                       programme=q.get("programme"), since=q.get("from_"), until=q.get("to"),
                                       page=q["page"], page_size=q["page_size"])

    def get(self, p: Principal, grant_id: str) -> Grant:
        grant = found(self.stores.grants, "grant", grant_id)
        if p.has("welfare:read_own") and self.stores.applications.filed_by(grant.application_id, p.user_id):
            return grant
        p.authorize("welfare:read", grant.org_path, read="welfare:read", what="grant", record_id=grant_id)
        return grant

    def _change(self, p: Principal, grant_id: str, permission: str, mutate) -> tuple[Grant, object]:
        """Load, check access, change, save — again on a concurrent change; (grant, what `mutate` said)."""
        said: list = [None]

        def attempt() -> Grant:
            grant = found(self.stores.grants, "grant", grant_id)
            p.authorize(permission, grant.org_path, read="welfare:read", what="grant", record_id=grant_id)
            said[0] = mutate(grant)
            return self.stores.grants.save(grant)

        return retry_on_conflict(attempt), said[0]

    def rereview(self, p: Principal, grant_id: str, body: dict) -> tuple[Grant, str]:
        def rereview(grant):
            programme = self.programme(grant.programme)
            eligibility = self.catalogue.check(programme, household_from(body["household"]), grant.org_path,
                                               self.year(), self.today())
            return grant.rereview(body["household"], eligibility, p.user_id, self.clock.now_iso(),
                                  programme.review_every_months, body.get("if_failed", "suspend"))

        grant, outcome = self._change(p, grant_id, "welfare:review", rereview)
        return grant, outcome or _outcome_of(grant)

    def end(self, p: Principal, grant_id: str, reason: str) -> Grant:
        return self._change(p, grant_id, "welfare:approve", lambda grant: grant.end(reason))[0]

    def roster_index(self) -> dict:
        """Who has which grant (by the blind index of ID numbers), for `import_grant` over a whole roster."""
        return self.stores.grants.people()

    def import_grant(self, p: Principal, body: dict, people: dict | None = None) -> tuple[Grant, str]:
        """A grant the office ran before the platform, from its roster (救助对象花名册): {org_unit_id, programme,
        head_name, id_number, household_size, amount_fen, start_period, phone?, address?, note?}. It starts as
        approved (the community review, 公示 and approval happened on paper; the grant says it was imported)
        with the event any grant's start sends. A row names one record by programme and ID number: the same
        row again is `unchanged`; new contact details on an imported grant `updated`; another amount, household
        size or start month is refused, since only a re-review (动态管理) changes a running grant's amount.
        `people` (`roster_index()`, kept over a roster's rows) finds the grants of a row's person without a query
        per row; the grants made are added to it."""
        org_path = self.unit_path(p, ROSTER_PERMISSION, body["org_unit_id"])
        programme = self.programme(body["programme"])
        this_month = current_period(self.clock.now())
        if body["start_period"] > this_month:
            raise ValidationFailed("起始月份在本月之后", {"start_period": [f"不能晚于本月 {this_month}"]})
        if body["amount_fen"] <= 0:
            raise ValidationFailed("金额应大于 0", {"amount_fen": ["金额应大于 0"]})
        residence = next((r["residence"] for r in programme.rules if r.get("rule") == "residence"), "urban")
        household = {"members": [{"name": body["head_name"], "id_number": body["id_number"], "relation": "applicant"}],
                     "residence": residence, "address": body.get("address") or "", "phone": body.get("phone") or ""}
        note = body.get("note") or ""
        same = self._on_roster(p, programme, body, people)
        if same is None:
            now = self.clock.now_iso()
            grant = Grant.from_roster(
                f"g-{new_id()}", org_path, body["org_unit_id"], programme.code, programme.schedule, household,
                body["household_size"], body["amount_fen"], body["start_period"], month_start(body["start_period"]),
                {"at": now, "by": p.user_id, "paid_from": this_month, "note": note}, programme.review_every_months)
            grant = self.stores.grants.add(grant)
            if people is not None:
                key = (programme.code, self.stores.grants.person_key(body["id_number"]))
                people.setdefault(key, []).append(grant.id)
            return grant, CREATED
        differs = {field: [f"{label}:平台记录为 {ours},表中为 {theirs}"] for field, label, ours, theirs in (
            ("amount_fen", "金额", fen_to_yuan(same.monthly_amount_fen), fen_to_yuan(body["amount_fen"])),
            ("household_size", "家庭人口", same.household_size, body["household_size"]),
            ("start_period", "起始月份", same.start_period, body["start_period"])) if ours != theirs}
        if differs:
            raise Conflict("此人已享受该救助,平台记录与表中不同:金额和家庭人口只能通过复核(动态管理)调整,"
                           "起始月份以平台记录为准", differs)
        if not same.amend_from_roster(household, note):  # the loaded copy: as stored, nothing to write
            return same, UNCHANGED
        grant, amended = self._change(p, same.id, ROSTER_PERMISSION,
                                      lambda g: g.amend_from_roster(household, note))
        return grant, UPDATED if amended else UNCHANGED

    def _on_roster(self, p: Principal, programme, body: dict, people: dict | None) -> Grant | None:
        """The grant a roster's row names: of the programme, with this ID number in the household; a running
        one, else one that started in the row's month (a one-off: only that)."""
        repo = self.stores.grants
        grants = repo.of_person(programme.code, body["id_number"]) if people is None else \
            repo.of_ids(people.get((programme.code, repo.person_key(body["id_number"])), []))
        same_month = [g for g in grants if g.start_period == body["start_period"]]
        running = [g for g in grants if g.status != "ended"] if programme.schedule == "monthly" else []
        grant = (running or same_month or [None])[0]
        if grant is None:
            return None
        if not p.can(ROSTER_PERMISSION, grant.org_path) or grant.org_unit_id != body["org_unit_id"]:
            # not named: the office may not see the other unit's record, only that this person is on it
            raise Conflict("此人已在其他社区享受该救助,请先核实并办理迁移或终止", {"id_number": ["已在其他社区在保"]})
        return grant

    def reviews_due(self, p: Principal, q: dict) -> Page:
        """Running grants whose re-review is due by the month asked (default: this month)."""
        period = q.get("period") or current_period(self.clock.now())
        return self.stores.grants.reviews_due(self.scope(p, "welfare:read", q.get("org_unit")), period,
                                              q["page"], q["page_size"])


def _outcome_of(grant: Grant) -> str:
    """What a re-review decided, read off the grant (a retried request's answer: its first attempt decided)."""
    return (grant.reviews[-1] if grant.reviews else {}).get("outcome", "continued")
