"""The love-bank ledger on the storage port: append-only entries plus guarded balance documents.

No multi-document transactions are available (FerretDB, standalone MongoDB), so a transfer is a
short sequence of single-document writes, each idempotent by the entry id: the entry is stored
`pending`; the debit is a guarded `$inc` that only matches when the account holds enough (two
racing debits cannot both pass); the credit follows; the entry becomes `posted`. A crash in
between leaves a `pending` entry that `recover()` finishes (each account records the entry ids it
has applied, so nothing is applied twice).
"""
from __future__ import annotations

from dataclasses import replace

from liandong import outbox
from liandong.clock import from_iso, to_iso
from liandong.consumer import HANDLED
from liandong.errors import Conflict
from liandong.listing import Page
from liandong.storage.base import DuplicateKeyError
from liandong.storage.filters import all_of, between, within

from ..domain.ledger import (OPENING_REASON, Transfer, balances_from, issuer_account, may_go_negative,
                             opening_account, opening_entry_id, volunteer_account)
from .repositories import in_period

KEEP = 1000


class InsufficientCoins(Conflict):
    code = "insufficient_coins"


class LedgerStore:
    def __init__(self, deps):
        self.deps = deps
        self.entries = deps.db.collection("ledger_entries")
        self.accounts = deps.db.collection("accounts")

    def prepare(self) -> None:
        outbox.prepare(self.entries)
        for keys, name in (([("from_account", 1), ("time", 1)], "from"), ([("to_account", 1), ("time", 1)], "to"),
                           ([("org_path", 1)], "org_path"), ([("status", 1)], "status"),
                           ([("kind", 1), ("time", 1)], "kind_time")):
            self.entries.create_index(keys, name=name)
        self.accounts.create_index([("org_path", 1)], name="org_path")

    # -- accounts

    def open_account(self, account: str, org_path: str, owner: str | None = None) -> None:
        kind = account.split(":", 1)[0]
        try:
            self.accounts.update_one({"_id": account}, {"$setOnInsert": {
                "kind": kind, "owner": owner or account.split(":", 1)[1], "org_path": org_path,
                "available": 0, "reserved": 0, HANDLED: []}}, upsert=True)
        except DuplicateKeyError:
            pass  # opened by a racing request

    def account(self, account: str) -> dict:
        doc = self.accounts.find_one({"_id": account})
        if doc is None:
            return {"_id": account, "available": 0, "reserved": 0}
        return doc

    def balance(self, volunteer_id: str) -> dict:
        doc = self.account(volunteer_account(volunteer_id))
        return {"available": doc["available"], "reserved": doc["reserved"],
                "total": doc["available"] + doc["reserved"]}

    def _applied(self, account: str, key: str) -> bool:
        return self.accounts.find_one({"_id": account, HANDLED: {"$all": [key]}}) is not None

    def _guarded_move(self, account: str, key: str, inc: dict, need: dict) -> bool:
        """Apply `inc` once (keyed by `key`) if the account holds at least `need`; True if done now or before."""
        flt = {"_id": account, HANDLED: {"$ne": key}, **{f: {"$gte": n} for f, n in need.items()}}
        upd = {"$inc": inc, "$push": {HANDLED: {"$each": [key], "$slice": -KEEP}}}
        if self.accounts.update_one(flt, upd).matched_count:
            return True
        return self._applied(account, key)

    # -- transfers

    def transfer(self, t: Transfer, events=(), from_bucket: str = "available") -> dict:
        """Post one transfer (idempotent by `t.id`); raises InsufficientCoins if the payer lacks coins."""
        doc = {"_id": t.id, "from_account": t.from_account, "to_account": t.to_account, "coins": t.coins,
               "kind": t.kind, "reason": t.reason, "org_path": t.org_path, "time": t.time, "refs": t.refs,
               "from_bucket": from_bucket, "status": "pending"}
        self.open_account(t.to_account, t.org_path)
        try:  # a retried request (same Idempotency-Key) gets the entry its first attempt stored
            doc = outbox.insert_with_events(self.entries, doc, events)
        except DuplicateKeyError:
            doc = self.entries.find_one({"_id": t.id})
        return self._apply(doc)

    def credit(self, entry_id: str, volunteer_id: str, coins: int, kind: str, reason: str, org_unit_id: str,
               org_path: str, refs: dict, payer: str | None = None, at: str | None = None) -> dict:
        """Coins from the org unit's issuer (or `payer`) to a volunteer, with `volunteer.coins.credited` in the
        entry's own write (the outbox): the credit and its event are one record. `at`: when the coins were
        earned (the attendance's or patrol's start), which dates the entry and the event — the figures count
        the coins on the day of the service, as its hours, however late the worker handles it (an attendance
        recorded for a past day, a history imported); now when not given."""
        when = to_iso(from_iso(at)) if at else self.deps.clock.now_iso()
        t = Transfer(entry_id, payer or issuer_account(org_unit_id), volunteer_account(volunteer_id), coins, kind,
                     reason, org_path, when, refs)
        ev = self.deps.events.new("volunteer.coins.credited", volunteer_id, {
            "entry_id": entry_id, "volunteer_id": volunteer_id, "coins": coins, "reason": kind,
            "activity_id": refs.get("activity_id"), "org_unit_id": org_unit_id}, org_path)
        return self.transfer(t, [replace(ev, time=when)])

    def carry_forward(self, volunteer_id: str, coins: int, org_unit_id: str, org_path: str, refs: dict) -> dict:
        """A volunteer's opening balance (期初结转) from the community's opening-balances account: posted once
        per volunteer (the entry id), with `volunteer.coins.credited` (reason `opening`)."""
        return self.credit(opening_entry_id(volunteer_id), volunteer_id, coins, "opening", OPENING_REASON,
                           org_unit_id, org_path, refs, payer=opening_account(org_unit_id))

    def opening_of(self, volunteer_id: str) -> dict | None:
        """The volunteer's opening entry, if one was posted (or is being posted)."""
        return self.entries.find_one({"_id": opening_entry_id(volunteer_id)})

    def opening_coins(self) -> dict[str, int]:
        """Every opening entry's coins, by volunteer (one read for a whole roster)."""
        return {d["to_account"].split(":", 1)[1]: d["coins"] for d in self.entries.find(
            {"kind": "opening"}, projection={"to_account": 1, "coins": 1})}

    def _apply(self, doc: dict) -> dict:
        if doc["status"] == "posted":
            return doc
        if doc["status"] == "refused":
            raise InsufficientCoins("not enough love coins", {"coins": ["more than the balance"]})
        n, payer, bucket = doc["coins"], doc["from_account"], doc.get("from_bucket", "available")
        if may_go_negative(payer):
            self.open_account(payer, doc["org_path"])
            ok = self._guarded_move(payer, doc["_id"], {bucket: -n}, {})
        else:
            ok = self._guarded_move(payer, doc["_id"], {bucket: -n}, {bucket: n})
        if not ok:
            self.entries.update_one({"_id": doc["_id"], "status": "pending"}, {"$set": {"status": "refused"}})
            raise InsufficientCoins("not enough love coins", {"coins": ["more than the balance"]})
        self._guarded_move(doc["to_account"], doc["_id"], {"available": n}, {})
        self.entries.update_one({"_id": doc["_id"]}, {"$set": {"status": "posted"}})
        doc["status"] = "posted"
        return doc

    def recover(self) -> int:
        """Finish transfers a crash left half-done; returns how many were finished."""
        done = 0
        for doc in self.entries.find({"status": "pending"}, limit=500):
            try:
                self._apply(doc)
            except InsufficientCoins:
                pass
            done += 1
        return done

    # -- reservations (the saga): coins stay in the account, moved from available to reserved

    def reserve(self, volunteer_id: str, coins: int, key: str) -> bool:
        return self._guarded_move(volunteer_account(volunteer_id), key,
                                  {"available": -coins, "reserved": coins}, {"available": coins})

    def release(self, volunteer_id: str, coins: int, key: str) -> bool:
        return self._guarded_move(volunteer_account(volunteer_id), key,
                                  {"available": coins, "reserved": -coins}, {"reserved": coins})

    # -- reading

    def statement(self, volunteer_id: str, q: dict) -> Page:
        """A page of a volunteer's posted entries in time order, each with the running balance from the
        first entry on (so a page of a period or of one org unit still shows the balance as it stood),
        and the balance now. `org_unit_path`: only entries booked in that subtree."""
        acct = volunteer_account(volunteer_id)
        docs = self.entries.find({"$or": [{"from_account": acct}, {"to_account": acct}], "status": "posted"},
                                 sort=[("time", 1), ("_id", 1)])
        running, lines = 0, []
        for d in docs:
            amount = d["coins"] if d["to_account"] == acct else -d["coins"]
            running += amount
            if (q.get("from_") or q.get("to")) and not in_period(d["time"], q.get("from_"), q.get("to")):
                continue
            if q.get("org_unit_path") and not d["org_path"].startswith(q["org_unit_path"]):
                continue
            lines.append({"entry_id": d["_id"], "time": d["time"], "kind": d["kind"], "reason": d["reason"],
                          "amount": amount, "balance": running, "counterparty":
                          d["from_account"] if amount > 0 else d["to_account"], "refs": d.get("refs") or {}})
        return Page.of_all(lines, q["page"], q["page_size"], volunteer_id=volunteer_id,
                           balance=self.balance(volunteer_id))

    def entries_in(self, org_path: str, since: str | None = None, until: str | None = None) -> list[dict]:
        flt = all_of(within([org_path]), {"status": "posted"}, between("time", since, until))
        return [outbox.strip(d) for d in self.entries.find(flt)]

    def check(self) -> dict:
        """Do the stored balances equal what the ledger says? (Run when no transfer is in flight.)"""
        entries = self.entries.find({"status": "posted"})
        expected = balances_from(entries)
        mismatches, negative, checked, total = [], [], 0, 0
        for acct in self.accounts.find({}):
            held = acct["available"] + acct["reserved"]
            total += held
            checked += 1
            if held != expected.get(acct["_id"], 0):
                mismatches.append({"account": acct["_id"], "stored": held, "ledger": expected.get(acct["_id"], 0)})
            if not may_go_negative(acct["_id"]) and (acct["available"] < 0 or acct["reserved"] < 0):
                negative.append(acct["_id"])
        pending = self.entries.count_documents({"status": "pending"})
        return {"consistent": not mismatches and not negative and total == 0 and pending == 0,
                "accounts": checked, "entries": len(entries), "sum_of_balances": total,
                "mismatches": mismatches, "negative": negative, "pending_entries": pending}
