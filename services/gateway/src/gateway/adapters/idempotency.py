"""Idempotency-Key records: (user, key) -> the first response, so a retried POST creates nothing twice.

This is the gateway's cache of answers. It cannot be the only guard: when the gateway does not
learn the outcome (the connection reset after the service stored the record, a read timeout) it
cannot know whether the service acted. The service itself deduplicates by the same key, scoped by
the same user, in the record's own write (liandong.idempotency); so an unknown outcome leaves the
key `unknown`: a retry with the same request is forwarded again and the service answers it as
the first time, a different request under that key is still refused.
"""
from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from liandong.clock import to_iso
from liandong.personal import PersonalFields
from liandong.storage import DuplicateKeyError

KEEP_HOURS = 24
# a key's first attempt is answered within this or has died with its process (or its outcome could not be
# recorded: the gateway's database was down): longer than a proxied write can take (connect 1 s + read 10 s,
# never retried). Holding it longer only keeps a client from completing its write: a retry let through
# while the first attempt still runs meets the key in the owning record and applies nothing twice.
IN_FLIGHT_SECONDS = 15
# the first response is kept whole for a day: a welfare application's comes back with the household's
# ID numbers and incomes in it, so it is stored encrypted
PERSONAL = PersonalFields.of("body", names={"body": "idempotency.body"})


class IdempotencyStore:
    personal = PERSONAL

    def __init__(self, deps):
        self.clock = deps.clock
        self.cipher = deps.cipher
        self.records = deps.db.collection("idempotency_keys")

    def prepare(self) -> None:
        self.records.create_index([("expires_at", 1)], name="expires")

    @staticmethod
    def fingerprint(method: str, path: str, body: bytes) -> str:
        return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + (body or b"")).hexdigest()

    def begin(self, user_id: str, key: str, fingerprint: str) -> tuple[str, dict | None]:
        """('new', None) if this request should run; ('replay', record), ('in_flight', _) or ('mismatch', _)."""
        rid = f"{user_id}:{key}"
        now = self.clock.now()
        doc = {"_id": rid, "state": "in_flight", "fingerprint": fingerprint, "started_at": to_iso(now),
               "expires_at": to_iso(now + timedelta(hours=KEEP_HOURS))}
        try:
            self.records.insert_one(doc)
            return "new", None
        except DuplicateKeyError:
            pass
        found = self.records.find_one({"_id": rid})
        if found is None or found["expires_at"] < to_iso(now):
            self.records.delete_one({"_id": rid, "expires_at": {"$lt": to_iso(now)}})
            return self.begin(user_id, key, fingerprint)
        if found["fingerprint"] != fingerprint:
            return "mismatch", found
        if found["state"] == "unknown":
            # the first attempt's outcome was not seen: forward this one; the service will not apply it twice
            taken = self.records.update_one({"_id": rid, "state": "unknown"}, {"$set": {
                "state": "in_flight", "started_at": to_iso(now)}})
            return ("new", None) if taken.matched_count else self.begin(user_id, key, fingerprint)
        if found["state"] == "in_flight":
            stale = to_iso(now - timedelta(seconds=IN_FLIGHT_SECONDS))
            # a gateway that died mid-request must not block the key for a day
            if found["started_at"] < stale and self.records.delete_one({"_id": rid, "started_at": found["started_at"]}):
                return self.begin(user_id, key, fingerprint)
            return "in_flight", found
        return "replay", found

    def finish(self, user_id: str, key: str, status: int, body: bytes, headers: dict) -> None:
        self.records.update_one({"_id": f"{user_id}:{key}"}, {"$set": {
            "state": "done", "status": status, "headers": headers,
            **PERSONAL.encrypt({"body": base64.b64encode(body).decode()}, self.cipher)}})

    def abandon(self, user_id: str, key: str) -> None:
        """The request failed before anything was done (refused before it was handled): the key is free again."""
        self.records.delete_one({"_id": f"{user_id}:{key}", "state": "in_flight"})

    def unknown(self, user_id: str, key: str) -> None:
        """The outcome was not seen (reset, timeout, a 5xx): the next attempt with this request is
        forwarded, and the owning service, which recorded the key with what it did, answers it."""
        self.records.update_one({"_id": f"{user_id}:{key}", "state": "in_flight"}, {"$set": {"state": "unknown"}})

    def body_of(self, record: dict) -> bytes:
        return base64.b64decode(PERSONAL.decrypt(record, self.cipher)["body"])

    def purge_expired(self, now: str) -> int:
        """Forget the answers kept longer than a day."""
        return self.records.delete_many({"expires_at": {"$lt": now}})
