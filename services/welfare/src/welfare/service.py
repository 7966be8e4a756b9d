"""The welfare use cases: load, call the domain, save with events. Routes and handlers call these."""
from __future__ import annotations

import logging
from datetime import timedelta, timezone
from decimal import Decimal

from liandong import idempotency, outbox
from liandong.auth import Principal, out_of_scope
from liandong.consumer import insert_once
from liandong.errors import ConcurrencyConflict, Conflict, InvalidTransition, NotFound, ValidationFailed
from liandong.idempotency import AlreadyApplied
from liandong.ids import new_id
from liandong.storage.base import subtree

from .adapters.ledgers import FundStore, StockStore
from .adapters.repositories import (PAIRING, ApplicationRepository, GrantRepository, Payment, PaymentRepository,
                                    RedemptionRepository, Visit, VisitRepository)
from .domain.cases import Application, Grant
from .domain.money import fen_to_yuan
from .domain.programmes import Catalogue, Household, Member
from .domain.reports import payment_totals
from .domain.supermarket import Redemption, stocktake_lines

log = logging.getLogger(__name__)


def household_from(data: dict) -> Household:
    members = tuple(Member(m["name"], m["id_number"], m["relation"], m.get("monthly_income_fen", 0),
                           m.get("disability_grade", 0), m.get("employment", "unemployed"),
                           m.get("college_admitted", False)) for m in data["members"])
    return Household(members, data.get("residence", "urban"), data.get("financial_assets_fen", 0),
                     Decimal(str(data.get("housing_area_m2", "0"))), data.get("medical_expenses_fen", 0),
                     data.get("emergency_reason", ""), data.get("requested_amount_fen", 0))


def _stock_id(org_unit_id: str, sku: str) -> str:
    return f"{org_unit_id}:{sku}"


def _find(repo, what: str, record_id: str):
    """A stored record, or 404 in the same words `Principal.authorize` uses for one out of sight."""
    try:
        return repo.get(record_id)
    except NotFound:
        raise out_of_scope(what, record_id) from None


CHINA = timezone(timedelta(hours=8))  # a month is the offices' month


def current_period(now) -> str:
    return now.astimezone(CHINA).strftime("%Y-%m")


class Welfare:
    def __init__(self, platform, catalogue: Catalogue):
        self.platform = platform
        self.clock = platform.clock
        self.catalogue = catalogue
        self.applications = ApplicationRepository(platform)
        self.grants = GrantRepository(platform)
        self.payments = PaymentRepository(platform)
        self.redemptions = RedemptionRepository(platform)
        self.visits = VisitRepository(platform)
        self.stock = StockStore(platform.db)
        self.fund = FundStore(platform.db, platform.cipher)
        self.pairings = platform.db.collection("pairings")

    def prepare(self) -> None:
        for repo in (self.applications, self.grants, self.payments, self.redemptions, self.visits):
            repo.prepare()
        self.stock.prepare()
        self.fund.prepare()
        self.pairings.create_index([("org_path", 1)], name="org")

    def outbox_collections(self) -> list:
        return [self.applications.collection, self.grants.collection, self.payments.collection,
                self.redemptions.collection, self.visits.collection, self.stock.items, self.fund.accounts]

    def programme(self, code: str):
        p = self.catalogue.get(code)
        if p is None:
            raise ValidationFailed("unknown programme", {"programme": [f"no programme {code!r}"]})
        return p

    def _year(self) -> int:
        return self.clock.now().year

    # -- eligibility and applications

    def check(self, programme: str, org_unit_id: str, household: dict):
        org_path = self.platform.org.path_of(org_unit_id)
        return self.catalogue.check(self.programme(programme), household_from(household), org_path, self._year())

    def submit(self, p: Principal, body: dict) -> Application:
        org_path = self.platform.org.path_of(body["org_unit_id"])
        p.require("welfare:apply", org_path)
        programme = self.programme(body["programme"])
        eligibility = self.catalogue.check(programme, household_from(body["household"]), org_path, self._year())
        resident = "resident" in p.roles and not p.can("welfare:review", org_path)
        app = Application.submit(new_id(), org_path, body["org_unit_id"], programme.code, body["household"],
                                 "online" if resident else body.get("channel", "window"), p.user_id,
                                 self.clock.now_iso(), eligibility, p.user_id if resident else None)
        return self.applications.add(app)

    def get_application(self, p: Principal, app_id: str) -> Application:
        app = _find(self.applications, "application", app_id)
        if app.applicant_user_id == p.user_id and p.has("welfare:read_own"):
            return app
        p.authorize("welfare:read", app.org_path, read="welfare:read", what="application", record_id=app_id)
        return app

    def _application_for(self, p: Principal, app_id: str, permission: str) -> Application:
        app = _find(self.applications, "application", app_id)
        p.authorize(permission, app.org_path, read="welfare:read", what="application", record_id=app_id)
        return app

    def _update_application(self, app_id: str, permission: str, p: Principal, change) -> Application:
        app = self._application_for(p, app_id, permission)
        result = change(app)
        self.applications.save(app)
        return result if result is not None else app

    def review(self, p: Principal, app_id: str, body: dict) -> Application:
        def change(app):
            configured = self.programme(app.programme).notice_days
            notice = body.get("notice_days")
            if notice is None:
                notice = configured
            elif notice < configured:
                # the 公示 is the programme's (policy), not the reviewer's: it may be longer, never shorter
                raise ValidationFailed("the public notice is shorter than the programme's", {
                    "notice_days": [f"at least {configured} days for {app.programme}"]})
            app.community_review(body["decision"] == "pass", p.user_id, self.clock.now(), notice,
                                 body.get("note", ""))
        return self._update_application(app_id, "welfare:review", p, change)

    def object(self, p: Principal, app_id: str, body: dict) -> dict:
        return self._update_application(app_id, "welfare:review", p, lambda app: app.object(
            new_id(), body["text"], body.get("raised_by") or p.user_id, self.clock.now_iso()))

    def resolve_objection(self, p: Principal, app_id: str, objection_id: str, body: dict) -> Application:
        return self._update_application(app_id, "welfare:review", p, lambda app: app.resolve_objection(
            objection_id, body["upheld"], body["note"], p.user_id, self.clock.now_iso()))

    def reject(self, p: Principal, app_id: str, body: dict) -> Application:
        app = self._application_for(p, app_id, "welfare:read")
        stage = "community_review" if app.status == "submitted" else "subdistrict_approval"
        permission = "welfare:review" if stage == "community_review" else "welfare:approve"
        return self._update_application(app_id, permission, p, lambda a: a.reject(
            stage, body["reason"], p.user_id, self.clock.now_iso()))

    def approve(self, p: Principal, app_id: str) -> tuple[Application, Grant]:
        try:
            app = self._application_for(p, app_id, "welfare:approve")
        except AlreadyApplied as done:  # a retry (same Idempotency-Key): approved already, the grant follows it
            return done.aggregate, self.start_grant(done.aggregate)
        programme = self.programme(app.programme)
        # the household is re-checked against the line of the year it is approved in
        eligibility = self.catalogue.check(programme, household_from(app.household), app.org_path, self._year())
        app.approve(f"g-{app.id}", eligibility, p.user_id, self.clock.now_iso())
        self.applications.save(app)
        return app, self.start_grant(app)

    def start_grant(self, app: Application) -> Grant:
        """The grant of an approved application (called again by the worker if a crash came between)."""
        try:
            return self.grants.get(app.grant_id)
        except NotFound:
            pass
        programme = self.programme(app.programme)
        grant = Grant.start(app.grant_id, app, programme.schedule, app.eligibility["amount_fen"],
                            self.clock.now_iso(), programme.review_every_months)
        try:
            return self.grants.add(grant)
        except Conflict:
            return self.grants.get(app.grant_id)

    # -- grants and re-review

    def get_grant(self, p: Principal, grant_id: str) -> Grant:
        grant = _find(self.grants, "grant", grant_id)
        if p.has("welfare:read_own") and self.applications.collection.count_documents(
                {"_id": grant.application_id, "applicant_user_id": p.user_id}):
            return grant
        p.authorize("welfare:read", grant.org_path, read="welfare:read", what="grant", record_id=grant_id)
        return grant

    def _grant_for(self, p: Principal, grant_id: str, permission: str) -> Grant:
        grant = _find(self.grants, "grant", grant_id)
        p.authorize(permission, grant.org_path, read="welfare:read", what="grant", record_id=grant_id)
        return grant

    def rereview(self, p: Principal, grant_id: str, body: dict) -> tuple[Grant, str]:
        grant = self._grant_for(p, grant_id, "welfare:review")
        programme = self.programme(grant.programme)
        household = body["household"]
        eligibility = self.catalogue.check(programme, household_from(household), grant.org_path, self._year())
        outcome = grant.rereview(household, eligibility, p.user_id, self.clock.now_iso(),
                                 programme.review_every_months, body.get("if_failed", "suspend"))
        self.grants.save(grant)
        return grant, outcome

    def end_grant(self, p: Principal, grant_id: str, reason: str) -> Grant:
        grant = self._grant_for(p, grant_id, "welfare:approve")
        grant.end(reason)
        return self.grants.save(grant)

    def reviews_due(self, p: Principal, org_unit_id: str, period: str) -> list[Grant]:
        org_path = self.platform.org.path_of(org_unit_id)
        p.require("welfare:read", org_path)
        return self.grants.find({**subtree(org_path), "status": {"$in": ["active", "suspended"]},
                                 "next_review_period": {"$lte": period}}, sort=[("next_review_period", 1)])

    # -- disbursements (发放)

    def disburse(self, p: Principal, body: dict) -> dict:
        org_path = self.platform.org.path_of(body["org_unit_id"])
        p.require("welfare:disburse", org_path)
        period = body["period"]
        # this month, or a month missed before (each grant pays only from its first month); never ahead
        if period > current_period(self.clock.now()):
            raise ValidationFailed("a month not begun yet is not paid", {
                "period": [f"at most the current month {current_period(self.clock.now())}"]})
        flt = {**subtree(org_path), "status": "active"}
        if body.get("programme"):
            flt["programme"] = body["programme"]
        paid, skipped, total = 0, 0, 0
        for grant in self.grants.find(flt, sort=[("_id", 1)]):
            if not grant.payable(period):
                continue
            key = period if grant.schedule == "monthly" else "once"
            payment = Payment(f"{grant.id}:{key}", grant.id, grant.org_path, grant.org_unit_id, grant.programme,
                              period, grant.monthly_amount_fen, grant.household_size, self.clock.now_iso(),
                              p.user_id, events=["disbursed"])
            try:
                self.payments.add(payment)
            except Conflict:
                skipped += 1  # paid already: a second run for the same month pays nobody twice
                continue
            paid += 1
            total += payment.amount_fen
            if grant.schedule == "once":
                self._end_quietly(grant.id, "one-off payment made")
        return {"period": period, "org_unit_id": body["org_unit_id"], "payments": paid, "already_paid": skipped,
                "total_fen": total, "total_yuan": fen_to_yuan(total)}

    def _end_quietly(self, grant_id: str, reason: str) -> None:
        for _ in range(5):
            grant = self.grants.get(grant_id)
            if grant.status == "ended":
                return
            grant.end(reason)
            try:
                self.grants.save(grant)
                return
            except ConcurrencyConflict:
                continue

    def payments_in(self, org_path: str, period_from: str, period_to: str, programme: str | None = None) -> list[dict]:
        flt = {**subtree(org_path), "period": {"$gte": period_from, "$lte": period_to}}
        if programme:
            flt["programme"] = programme
        return self.platform.db.collection("payments").find(flt, sort=[("period", 1), ("_id", 1)])

    def totals(self, p: Principal, org_unit_id: str, period_from: str, period_to: str,
               programme: str | None = None) -> dict:
        org_path = self.platform.org.path_of(org_unit_id)
        p.require("welfare:read", org_path)
        return {"org_unit_id": org_unit_id, "from": period_from, "to": period_to,
                **payment_totals(self.payments_in(org_path, period_from, period_to, programme), org_path)}

    # -- charity supermarket (爱心超市)

    def donate_goods(self, p: Principal, body: dict) -> dict:
        org_path = self.platform.org.path_of(body["org_unit_id"])
        p.require("welfare:goods", org_path)
        stock_id = _stock_id(body["org_unit_id"], body["sku"])
        existing = self.stock.items.find_one({"_id": stock_id})
        unit_value = body.get("unit_value_fen", existing.get("unit_value_fen") if existing else None)
        if unit_value is None:
            raise ValidationFailed("the first donation of an item sets its in-kind value",
                                   {"unit_value_fen": ["required for a new item"]})
        item = {"org_path": org_path, "org_unit_id": body["org_unit_id"], "sku": body["sku"], "name": body["name"],
                "unit": body["unit"], "unit_value_fen": unit_value}
        for key in ("coin_price", "low_stock_at"):
            if key in body:
                item[key] = body[key]
            elif not existing:
                item[key] = 0
        movement = {"_id": idempotency.derived_id("movement") or new_id(), "kind": "donation", "org_path": org_path, "org_unit_id": body["org_unit_id"],
                    "item_id": stock_id, "name": body["name"], "unit": body["unit"], "quantity": body["quantity"],
                    "value_fen": unit_value * body["quantity"], "donor": body["donor"],
                    "donor_kind": body.get("donor_kind", "resident"), "recipient": None,
                    "at": self.clock.now_iso(), "by": p.user_id}
        ev = self.platform.new_event("welfare.goods.donated", stock_id, {
            "movement_id": movement["_id"], "org_unit_id": body["org_unit_id"], "item_id": stock_id,
            "name": body["name"], "quantity": body["quantity"], "unit": body["unit"], "donor": body["donor"],
            "value_fen": movement["value_fen"]}, org_path)
        self.stock.receive(stock_id, item, body["quantity"], ev)
        return self._recorded(movement)

    def _recorded(self, movement: dict) -> dict:
        """The movement as stored (a retried request's first attempt may have stored it already)."""
        if self.stock.record_movement(movement):
            return movement
        return self.stock.movements.find_one({"_id": movement["_id"]}) or movement

    def hand_out(self, p: Principal, body: dict) -> dict:
        p.require("welfare:goods")
        stock = _find(self.stock, "stock item", body["item_id"])
        p.authorize("welfare:goods", stock["org_path"], read="welfare:read", what="stock item",
                    record_id=body["item_id"])
        recipient = f"household:{body['household_id']}"
        if body.get("grant_id"):
            # eligible households are those with a running grant in the same community subtree
            grant = _find(self.grants, "grant", body["grant_id"])
            p.authorize("welfare:goods", grant.org_path, read="welfare:read", what="grant",
                        record_id=body["grant_id"])
            if not grant.org_path.startswith(stock["org_path"]):
                raise ValidationFailed("the grant is not of this supermarket's community",
                                       {"grant_id": ["a grant of the community whose stock this is"]})
            if grant.status != "active":
                raise Conflict(f"grant {grant.id} is {grant.status}: the household is not eligible now")
        movement = {"_id": idempotency.derived_id("movement") or new_id(), "kind": "handout", "org_path": stock["org_path"],
                    "org_unit_id": stock["org_unit_id"], "item_id": stock["_id"], "name": stock["name"],
                    "unit": stock["unit"], "quantity": body["quantity"],
                    "value_fen": stock["unit_value_fen"] * body["quantity"], "donor": None, "recipient": recipient,
                    "recipient_name": body.get("recipient_name", ""), "grant_id": body.get("grant_id"),
                    "at": self.clock.now_iso(), "by": p.user_id}
        ev = self._handed_out_event(movement)
        self.stock.take(stock["_id"], body["quantity"], ev)
        return self._recorded(movement)

    def _handed_out_event(self, movement: dict):
        return self.platform.new_event("welfare.goods.handed_out", movement["item_id"], {
            "movement_id": movement["_id"], "org_unit_id": movement["org_unit_id"], "item_id": movement["item_id"],
            "name": movement["name"], "quantity": movement["quantity"], "unit": movement["unit"],
            "recipient": movement["recipient"], "value_fen": movement["value_fen"]}, movement["org_path"])

    def stock_list(self, p: Principal, org_unit_id: str, low_only: bool = False) -> list[dict]:
        org_path = self.platform.org.path_of(org_unit_id)
        p.require("welfare:read", org_path)
        out = []
        for doc in self.stock.items.find(subtree(org_path), sort=[("_id", 1)]):
            row = {k: doc.get(k) for k in ("org_unit_id", "sku", "name", "unit", "quantity", "held", "issued_total",
                                           "donated_total", "unit_value_fen", "coin_price", "low_stock_at")}
            row["item_id"] = doc["_id"]
            row["low_stock"] = doc["quantity"] <= (doc.get("low_stock_at") or 0)
            row["stock_value_fen"] = doc["quantity"] * doc["unit_value_fen"]
            if row["low_stock"] or not low_only:
                out.append(row)
        return out

    def stocktake(self, p: Principal, body: dict) -> dict:
        org_path = self.platform.org.path_of(body["org_unit_id"])
        p.require("welfare:goods", org_path)
        ids = [line["item_id"] for line in body["lines"]]
        docs = {d["_id"]: d for d in self.stock.items.find({"_id": {"$in": ids}, "org_unit_id": body["org_unit_id"]})}
        lines = stocktake_lines({k: d["quantity"] for k, d in docs.items()}, body["lines"])
        applied = []
        for line in lines:
            if line["difference"] and not self.stock.set_counted(line["item_id"], line["expected"], line["counted"]):
                raise Conflict(f"{line['item_id']} moved while it was being counted; count it again",
                               {"lines": [f"{line['item_id']} changed"]})
            line["value_fen"] = line["difference"] * docs[line["item_id"]]["unit_value_fen"]
            applied.append(line)
        record = {"_id": new_id(), "org_path": org_path, "org_unit_id": body["org_unit_id"],
                  "at": self.clock.now_iso(), "by": p.user_id, "lines": applied,
                  "difference_value_fen": sum(line["value_fen"] for line in applied)}
        # a retry (same Idempotency-Key): the stock-take its first attempt stored
        return outbox.strip(idempotency.insert(self.stock.stocktakes, record))

    # -- love-coin redemptions (爱心币兑换): welfare's side of the saga

    def request_redemption(self, p: Principal, body: dict) -> Redemption:
        org_path = self.platform.org.path_of(body["org_unit_id"])
        p.require("welfare:goods", org_path)
        wanted = Redemption.merge_lines(body["items"])
        lines = []
        for w in wanted:
            doc = self.stock.items.find_one({"_id": w["item_id"], "org_unit_id": body["org_unit_id"]})
            if doc is None:
                raise ValidationFailed("unknown item", {"items": [f"no item {w['item_id']!r} in this community"]})
            if not doc.get("coin_price"):
                raise ValidationFailed("not for love coins", {"items": [f"{doc['name']} has no coin price"]})
            lines.append({"item_id": w["item_id"], "name": doc["name"], "quantity": w["quantity"],
                          "coins": doc["coin_price"] * w["quantity"]})
        earlier = self.redemptions.stored_by_this_request()
        if earlier is not None:  # a retry (same Idempotency-Key): the redemption its first attempt asked for
            return earlier
        redemption = Redemption(new_id(), org_path, body["org_unit_id"], body["volunteer_id"], lines,
                                self.clock.now_iso(), p.user_id, initiator_scopes=p.scopes("welfare:goods"))
        # stored first (holding), so a crash while holding leaves a record the sweep cancels and releases
        self.redemptions.add(redemption)
        return self._hold_and_ask(redemption)

    def _hold_and_ask(self, redemption: Redemption) -> Redemption:
        for line in redemption.lines:
            if not self.stock.hold(line["item_id"], line["quantity"], redemption.id):
                self._cancel(redemption, "out_of_stock")
                raise Conflict(f"not enough {line['name']} in stock for this redemption",
                               {"items": [f"{line['item_id']}: short"]})
        redemption.request_coins()
        return self.redemptions.save(redemption)

    # The redemption's state decides (one version-guarded write: of a hand-out and a cancellation
    # racing, one wins); the stock then follows it, idempotently per redemption. `settle` is also
    # run by the sweep, so a crash between the two steps leaves no goods held for a finished redemption.

    def settle(self, redemption: Redemption) -> None:
        for line in redemption.lines:
            if redemption.status == "handed_out":
                movement = self._redemption_movement(redemption, line)
                if self.stock.issue_held(line["item_id"], line["quantity"], redemption.id,
                                         self._handed_out_event(movement)):
                    self.stock.record_movement(movement)
            elif redemption.status == "cancelled":
                self.stock.release(line["item_id"], line["quantity"], redemption.id)

    def on_coins_reserved(self, event) -> None:
        """Coins are set aside: the redemption is handed out and its held goods issued (idempotent)."""
        redemption = self._redemption_for(event)
        if redemption is None:
            return
        if redemption.status != "awaiting_coins":
            self.settle(redemption)  # handed out already, or cancelled (our cancellation releases the coins)
            return
        held = self.stock.items.find({"holds": {"$all": [redemption.id]}})
        if {d["_id"] for d in held} != {line["item_id"] for line in redemption.lines}:
            self._cancel(redemption, "out_of_stock")  # the goods are gone: the coins go back
            return
        redemption.hand_out({"event_id": event.id, "balance_after": event.data["balance_after"]},
                            self.clock.now_iso())
        self.redemptions.save(redemption)
        self.settle(redemption)

    def _redemption_movement(self, redemption: Redemption, line: dict) -> dict:
        stock = self.stock.get(line["item_id"])
        return {"_id": f"{redemption.id}:{line['item_id']}", "kind": "redemption", "org_path": redemption.org_path,
                "org_unit_id": redemption.org_unit_id, "item_id": line["item_id"], "name": line["name"],
                "unit": stock["unit"], "quantity": line["quantity"],
                "value_fen": stock["unit_value_fen"] * line["quantity"], "donor": None,
                "recipient": f"volunteer:{redemption.volunteer_id}", "coins": line["coins"],
                "redemption_id": redemption.id, "at": self.clock.now_iso(), "by": "love-coin redemption"}

    def on_coins_refused(self, event) -> None:
        """Compensate: the redemption is cancelled and the held goods go back on the shelf."""
        redemption = self._redemption_for(event)
        if redemption is None:
            return
        if redemption.status in ("holding", "awaiting_coins"):
            self._cancel(redemption, "coins_refused")
        else:
            self.settle(redemption)

    def _cancel(self, redemption: Redemption, reason: str) -> Redemption:
        redemption.cancel(reason, self.clock.now_iso())
        self.redemptions.save(redemption)
        self.settle(redemption)
        return redemption

    def redemption_for(self, p: Principal, redemption_id: str, permission: str = "welfare:read") -> Redemption:
        redemption = _find(self.redemptions, "redemption", redemption_id)
        p.authorize(permission, redemption.org_path, read="welfare:read", what="redemption", record_id=redemption_id)
        return redemption

    def cancel_redemption(self, p: Principal, redemption_id: str) -> Redemption:
        redemption = self.redemption_for(p, redemption_id, "welfare:goods")
        if redemption.status not in ("holding", "awaiting_coins"):
            raise InvalidTransition(f"cannot cancel a redemption that is {redemption.status}")
        return self._cancel(redemption, "cancelled_by_staff")

    def _redemption_for(self, event) -> Redemption | None:
        try:
            return self.redemptions.get(event.data["redemption_id"])
        except NotFound:
            log.warning("coins event %s for an unknown redemption %s", event.id, event.data["redemption_id"])
            return None

    def sweep_redemptions(self, older_than_iso: str) -> int:
        """Cancel redemptions whose coins never came (timed_out); settle holds of finished ones."""
        n = 0
        for r in self.redemptions.find({"status": {"$in": ["holding", "awaiting_coins"]},
                                        "created_at": {"$lt": older_than_iso}}, limit=200):
            try:
                self._cancel(r, "timed_out")
                n += 1
            except ConcurrencyConflict:
                continue  # the coins arrived meanwhile
        for item in self.stock.items.find({"held": {"$gt": 0}}, limit=500):
            for holder in item.get("holds", []):
                try:
                    redemption = self.redemptions.get(holder)
                except NotFound:
                    continue
                if redemption.status in ("handed_out", "cancelled"):
                    self.settle(redemption)
        return n

    # -- charity fund (爱心基金)

    def fund_id(self, org_unit_id: str) -> str:
        return f"fund:{org_unit_id}"

    def donate_money(self, p: Principal, body: dict) -> dict:
        org_path = self.platform.org.path_of(body["org_unit_id"])
        p.require("welfare:fund", org_path)
        fund_id = self.fund_id(body["org_unit_id"])
        self.fund.open(fund_id, body["org_unit_id"], org_path)
        entry_id = idempotency.derived_id("fund_entry") or new_id()  # the fund takes an entry once

        def event(after):
            return self.platform.new_event("welfare.fund.donation_received", fund_id, {
                "entry_id": entry_id, "fund_id": fund_id, "org_unit_id": body["org_unit_id"], "donor": body["donor"],
                "donor_kind": body["donor_kind"], "amount_fen": body["amount_fen"], "balance_after_fen": after},
                org_path)
        after, _ = self.fund.move(fund_id, entry_id, body["amount_fen"], event)
        entry = {"_id": entry_id, "fund_id": fund_id, "org_path": org_path, "kind": "donation",
                 "amount_fen": body["amount_fen"], "balance_after_fen": after, "party": body["donor"],
                 "donor_kind": body["donor_kind"], "at": self.clock.now_iso(), "by": p.user_id}
        if not self.fund.record_entry(entry):  # a retry: the entry as its first attempt recorded it
            return next(iter(self.fund.entries_of({"_id": entry_id})), entry)
        return entry

    def request_fund_grant(self, p: Principal, body: dict) -> dict:
        org_path = self.platform.org.path_of(body["org_unit_id"])
        if not (p.can("welfare:review", org_path) or p.can("welfare:fund", org_path)):
            p.require("welfare:fund", org_path)
        grant = {"_id": idempotency.derived_id("fund_grant") or new_id(), "fund_id": self.fund_id(body["org_unit_id"]),
                 "org_path": org_path,
                 "org_unit_id": body["org_unit_id"], "recipient": body["recipient"], "reason": body["reason"],
                 "amount_fen": body["amount_fen"], "status": "requested", "requested_by": p.user_id,
                 "requested_at": self.clock.now_iso(), "decided_by": None, "decided_at": None}
        if not self.fund.add_grant(grant):  # a retry: the request its first attempt stored
            return self.fund.grant(grant["_id"])
        return grant

    def decide_fund_grant(self, p: Principal, grant_id: str, approve: bool, note: str = "") -> dict:
        grant = self.fund.grant(grant_id)
        if grant is None:
            raise out_of_scope("fund grant", grant_id)
        p.authorize("welfare:fund", grant["org_path"], read="welfare:read", what="fund grant", record_id=grant_id)
        if idempotency.applied_before(self.fund.grants, grant_id):  # a retry: decided already, as asked
            return grant
        now = self.clock.now_iso()
        if not approve:
            decided = self.fund.set_grant({"_id": grant_id, "status": "requested"}, {
                "status": "rejected", "decided_by": p.user_id, "decided_at": now, "note": note})
            if not decided.matched_count:
                raise InvalidTransition(f"the fund grant is {grant['status']}: only a requested one can be rejected")
            return self.fund.grant(grant_id)
        # claimed first, so a rejection racing this approval cannot win after the money has gone;
        # "paying" left by a crash is finished by approving again (the fund pays an entry only once)
        claimed = self.fund.grants.update_one({"_id": grant_id, "status": {"$in": ["requested", "paying"]}},
                                              {"$set": {"status": "paying"}})
        if not claimed.matched_count:
            raise InvalidTransition(f"the fund grant is {grant['status']} already")

        def event(after):
            return self.platform.new_event("welfare.fund.grant_paid", grant["fund_id"], {
                # not the recipient (personal): the ledger's own copy is recovered from the stored grant
                "entry_id": grant_id, "fund_id": grant["fund_id"], "org_unit_id": grant["org_unit_id"],
                "amount_fen": grant["amount_fen"], "balance_after_fen": after},
                grant["org_path"])
        try:
            if self.fund.account(grant["fund_id"]) is None:
                raise Conflict("the fund holds nothing yet", {"amount_fen": ["at most 0"]})
            after, _ = self.fund.move(grant["fund_id"], grant_id, -grant["amount_fen"], event)
        except Conflict:
            self.fund.grants.update_one({"_id": grant_id, "status": "paying"}, {"$set": {"status": "requested"}})
            raise
        self.fund.record_entry({"_id": grant_id, "fund_id": grant["fund_id"], "org_path": grant["org_path"],
                                "kind": "grant", "amount_fen": -grant["amount_fen"], "balance_after_fen": after,
                                "party": grant["recipient"], "at": now, "by": p.user_id})
        self.fund.set_grant({"_id": grant_id, "status": "paying"}, {
            "status": "paid", "decided_by": p.user_id, "decided_at": now, "note": note})
        return self.fund.grant(grant_id)

    def fund_ledger(self, p: Principal, org_unit_id: str) -> dict:
        unit = self.platform.org.get(org_unit_id)
        if unit is None or unit.get("retired"):
            raise out_of_scope("charity fund", org_unit_id)
        org_path = unit["path"]
        p.authorize("welfare:read", org_path, read="welfare:read", what="charity fund", record_id=org_unit_id)
        fund_id = self.fund_id(org_unit_id)
        account = self.fund.account(fund_id) or {"balance_fen": 0, "total_in_fen": 0, "total_out_fen": 0}
        entries = self.fund.entries_of({"fund_id": fund_id}, sort=[("at", 1), ("_id", 1)])
        return {"fund_id": fund_id, "balance_fen": account["balance_fen"], "balance_yuan": fen_to_yuan(account["balance_fen"]),
                "total_in_fen": account["total_in_fen"], "total_out_fen": account["total_out_fen"],
                "ledger_sum_fen": sum(e["amount_fen"] for e in entries),
                "entries": [{k: v for k, v in e.items() if k != "_handled"} for e in entries]}

    # -- pairing support (结对帮扶) and visits (走访 / 慰问)

    def pair(self, p: Principal, body: dict) -> dict:
        org_path = self.platform.org.path_of(body["org_unit_id"])
        p.require("welfare:visit", org_path)
        doc = {"_id": idempotency.derived_id("pairing") or new_id(), "org_path": org_path,
               "org_unit_id": body["org_unit_id"], "helper_id": body["helper_id"], "helper_name": body["helper_name"],
               "helper_kind": body["helper_kind"], "household": body["household"], "plan": body["plan"],
               "goals": body.get("goals", []), "status": "active", "created_at": self.clock.now_iso(),
               "created_by": p.user_id}
        if not insert_once(self.pairings, PAIRING.encrypt(doc, self.platform.cipher)):
            # a retry: the pairing its first attempt stored
            return PAIRING.decrypt(self.pairings.find_one({"_id": doc["_id"]}), self.platform.cipher)
        return doc

    def get_pairing(self, p: Principal, pairing_id: str) -> dict:
        doc = PAIRING.decrypt(self.pairings.find_one({"_id": pairing_id}), self.platform.cipher)
        if doc is None:
            raise out_of_scope("pairing", pairing_id)
        p.authorize("welfare:read", doc["org_path"], read="welfare:read", what="pairing", record_id=pairing_id)
        doc["visits"] = [self.visit_view(v) for v in self.visits.find({"pairing_id": pairing_id},
                                                                      sort=[("visited_at", 1)])]
        return doc

    def record_visit(self, p: Principal, body: dict) -> Visit:
        org_path = self.platform.org.path_of(body["org_unit_id"])
        p.require("welfare:visit", org_path)
        pairing_id = body.get("pairing_id")
        if pairing_id:
            pairing = self.pairings.find_one({"_id": pairing_id})
            if pairing is None:
                raise out_of_scope("pairing", pairing_id)
            p.authorize("welfare:visit", pairing["org_path"], read="welfare:read", what="pairing",
                        record_id=pairing_id)
            if pairing["org_unit_id"] != body["org_unit_id"]:
                raise ValidationFailed("the pairing is of another org unit",
                                       {"pairing_id": ["a pairing of the org unit visited"]})
        kind = "pairing" if pairing_id else body.get("kind", "home")
        visit = Visit(new_id(), org_path, body["org_unit_id"], kind, body.get("visitor_id") or p.user_id,
                      body.get("visitor_name") or p.name, body["visited"],
                      body.get("visited_at") or self.clock.now_iso(), body.get("money_fen", 0),
                      body.get("goods", ""), body.get("notes", ""), body.get("follow_up", ""), pairing_id,
                      self.clock.now_iso(), events=["recorded"])
        return self.visits.add(visit)

    @staticmethod
    def visit_view(v: Visit) -> dict:
        return {"id": v.id, "org_unit_id": v.org_unit_id, "kind": v.kind, "visitor_id": v.visitor_id,
                "visitor_name": v.visitor_name, "visited": v.visited, "visited_at": v.visited_at,
                "money_fen": v.money_fen, "goods": v.goods, "notes": v.notes, "follow_up": v.follow_up,
                "pairing_id": v.pairing_id}

    def visit_counts(self, p: Principal, org_unit_id: str, since: str, until: str) -> dict:
        org_path = self.platform.org.path_of(org_unit_id)
        p.require("welfare:read", org_path)
        per_worker: dict[str, dict] = {}
        total, money = 0, 0
        for v in self.visits.find({**subtree(org_path), "visited_at": {"$gte": since, "$lt": until}}):
            row = per_worker.setdefault(v.visitor_id, {"visitor_name": v.visitor_name, "visits": 0, "by_kind": {}})
            row["visits"] += 1
            row["by_kind"][v.kind] = row["by_kind"].get(v.kind, 0) + 1
            total += 1
            money += v.money_fen
        return {"org_unit_id": org_unit_id, "since": since, "until": until, "visits": total, "money_fen": money,
                "per_worker": per_worker}

    # -- statistics per org unit and period

    def statistics(self, p: Principal, org_unit_id: str, period_from: str, period_to: str) -> dict:
        org_path = self.platform.org.path_of(org_unit_id)
        p.require("welfare:read", org_path)
        since, until = f"{period_from}-01T00:00:00.000000Z", _after_period(period_to)
        programmes: dict[str, dict] = {}
        seen: dict[str, set] = {}
        for pay in self.payments_in(org_path, period_from, period_to):
            row = programmes.setdefault(pay["programme"], {"households": 0, "people": 0, "amount_fen": 0})
            row["amount_fen"] += pay["amount_fen"]
            if pay["grant_id"] not in seen.setdefault(pay["programme"], set()):
                seen[pay["programme"]].add(pay["grant_id"])
                row["households"] += 1
                row["people"] += pay["household_size"]
        for row in programmes.values():
            row["amount_yuan"] = fen_to_yuan(row["amount_fen"])
        active_now: dict[str, int] = {}
        for g in self.grants.collection.find({**subtree(org_path), "status": "active"}):
            active_now[g["programme"]] = active_now.get(g["programme"], 0) + 1
        in_period = {**subtree(org_path), "at": {"$gte": since, "$lt": until}}
        moves = self.stock.movements.find(in_period)
        out_moves = [m for m in moves if m["kind"] in ("handout", "redemption")]
        entries = self.fund.entries.find(in_period)
        fund_in = sum(e["amount_fen"] for e in entries if e["amount_fen"] > 0)
        fund_out = -sum(e["amount_fen"] for e in entries if e["amount_fen"] < 0)
        visits = self.visits.find({**subtree(org_path), "visited_at": {"$gte": since, "$lt": until}})
        disbursed = sum(r["amount_fen"] for r in programmes.values())
        goods_value = sum(m["value_fen"] for m in out_moves)
        return {"org_unit_id": org_unit_id, "from": period_from, "to": period_to,
                "programmes": dict(sorted(programmes.items())), "active_grants_now": active_now,
                "disbursed_fen": disbursed, "disbursed_yuan": fen_to_yuan(disbursed),
                "goods": {"handouts": len(out_moves), "households": len({m["recipient"] for m in out_moves}),
                          "quantity": sum(m["quantity"] for m in out_moves), "value_fen": goods_value,
                          "value_yuan": fen_to_yuan(goods_value),
                          "donations": sum(1 for m in moves if m["kind"] == "donation")},
                "fund": {"in_fen": fund_in, "out_fen": fund_out, "in_yuan": fen_to_yuan(fund_in),
                         "out_yuan": fen_to_yuan(fund_out)},
                "visits": {"count": len(visits), "money_fen": sum(v.money_fen for v in visits)}}


def _after_period(period: str) -> str:
    y, m = map(int, period.split("-"))
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return f"{y:04d}-{m:02d}-01T00:00:00.000000Z"
