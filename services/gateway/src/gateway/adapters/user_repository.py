"""Stores users, their login sessions (hashed refresh tokens) and token revocations."""
from __future__ import annotations

from liandong import idempotency, outbox
from liandong.errors import Conflict, NotFound
from liandong.ids import new_id
from liandong.listing import Page, page_of
from liandong.personal import PersonalFields
from liandong.storage import DuplicateKeyError
from liandong.storage.filters import all_of, within

from ..domain.identity import RoleGrant, User


class UserRepository:
    personal = PersonalFields.of("mobile")

    def __init__(self, deps):
        self.users = deps.db.collection("users")
        self.cipher = deps.cipher

    def prepare(self) -> None:
        self.users.create_index([("username", 1)], unique=True, name="username")
        self.users.create_index([("org_path", 1)], name="org_path")
        self.users.create_index([("person_key", 1)], name="person_key")  # one resident account per person (#22)
        idempotency.prepare(self.users)

    def _from(self, doc: dict) -> User:
        doc = self.personal.decrypt(doc, self.cipher)
        return User(doc["_id"], doc["username"], doc["name"],
                    [RoleGrant(g["role"], g["org_unit"], tuple(g.get("duties") or ())) for g in doc["grants"]],
                    doc["password_hash"], doc.get("active", True), doc.get("failed_logins", 0),
                    doc.get("locked_until"), doc.get("org_path", "/"), doc.get("_v", 1), doc.get("mobile"),
                    doc.get("person_key"), doc.get("identity_confirmed_at"), doc.get("identity_confirmed_by"))

    def _fields(self, user: User) -> dict:
        return self.personal.encrypt(
            {"username": user.username, "name": user.name, "grants": [g.to_dict() for g in user.grants],
             "password_hash": user.password_hash, "active": user.active, "failed_logins": user.failed_logins,
             "locked_until": user.locked_until, "org_path": user.org_path, "mobile": user.mobile,
             "person_key": user.person_key, "identity_confirmed_at": user.identity_confirmed_at,
             "identity_confirmed_by": user.identity_confirmed_by}, self.cipher)

    def add(self, user: User) -> None:
        try:
            stored = idempotency.insert(self.users, {"_id": user.id, **self._fields(user), "_v": 1})
        except DuplicateKeyError:
            raise Conflict(f"the username {user.username!r} is taken") from None
        if idempotency.stored_before(self.users.name, stored["_id"]):  # a retry: the account its first attempt created
            vars(user).update(vars(self._from(stored)))
            return
        user.version = 1

    def save(self, user: User) -> None:
        res = self.users.update_one({"_id": user.id, "_v": user.version},
                                    {"$set": self._fields(user), "$inc": {"_v": 1}})
        if not res.matched_count:
            from liandong.errors import ConcurrencyConflict

            raise ConcurrencyConflict(f"user {user.id} was changed by someone else; reload and retry")
        user.version += 1

    # -- the lock-out count: each a single atomic update, so parallel guesses cannot share one snapshot
    # (SQLite: one write transaction; FerretDB: the adapter's per-document lock; MongoDB: natively)
    @staticmethod
    def _unlocked(now: str) -> dict:
        return {"$or": [{"locked_until": None}, {"locked_until": {"$lte": now}}]}

    def count_failure(self, user_id: str, now: str) -> int | None:
        """Add one failed login; the count after it, or None if the account is locked already."""
        doc = self.users.find_one_and_update({"_id": user_id, **self._unlocked(now)},
                                             {"$inc": {"failed_logins": 1, "_v": 1}})
        return None if doc is None else doc["failed_logins"]

    def lock(self, user_id: str, threshold: int, until: str) -> None:
        """Lock once the count reached `threshold` (whoever reached it first writes it; the rest match nothing)."""
        self.users.update_one({"_id": user_id, "failed_logins": {"$gte": threshold}},
                              {"$set": {"locked_until": until, "failed_logins": 0}, "$inc": {"_v": 1}})

    def clear_failures(self, user_id: str, threshold: int, now: str) -> bool:
        """A right password: reset the count, only if the account is not locked at this instant."""
        doc = self.users.find_one_and_update(
            {"_id": user_id, "failed_logins": {"$lt": threshold}, **self._unlocked(now)},
            {"$set": {"failed_logins": 0, "locked_until": None}, "$inc": {"_v": 1}})
        return doc is not None

    def get(self, user_id: str) -> User:
        doc = self.users.find_one({"_id": user_id})
        if doc is None:
            raise NotFound(f"no user {user_id!r}")
        return self._from(doc)

    def by_username(self, username: str) -> User | None:
        doc = self.users.find_one({"username": username})
        return self._from(doc) if doc else None

    def by_person_key(self, key: str) -> User | None:
        doc = self.users.find_one({"person_key": key})
        return self._from(doc) if doc else None

    def page(self, paths: list[str], page: int = 1, page_size: int = 20) -> Page:
        """One page of the accounts whose unit lies under any of `paths`, by username."""
        return page_of(self.users, within(paths), page=page, page_size=page_size,
                       sort=[("username", 1)], load=self._from)

    def residents(self, paths: list[str], confirmed: bool | None, page: int = 1, page_size: int = 20) -> Page:
        """One page of the door's accounts (those with a person key) under any of `paths`; `confirmed`: only
        those the office has (True) or has not yet (False) confirmed (实名核验), by username."""
        where = all_of({"person_key": {"$ne": None}}, within(paths))
        if confirmed is not None:
            where["identity_confirmed_at"] = {"$ne": None} if confirmed else None
        return page_of(self.users, where, page=page, page_size=page_size, sort=[("username", 1)], load=self._from)

    def count(self) -> int:
        return self.users.count_documents({})


class SessionStore:
    """One login session per document: the current refresh token's hash and the access token ids issued."""

    def __init__(self, deps):
        self.sessions = deps.db.collection("sessions")

    def prepare(self) -> None:
        self.sessions.create_index([("user_id", 1)], name="user")
        self.sessions.create_index([("jtis", 1)], name="jtis")

    def open(self, user_id: str, refresh_digest: str, jti: str, access_expires: str, expires_at: str,
             now: str) -> str:
        sid = new_id()
        self.sessions.insert_one({"_id": sid, "user_id": user_id, "refresh": refresh_digest, "previous": [],
                                  "jtis": [jti], "access_expires": access_expires, "expires_at": expires_at,
                                  "created_at": now, "revoked": False})
        return sid

    def get(self, sid: str) -> dict | None:
        return self.sessions.find_one({"_id": sid})

    def rotate(self, sid: str, old_digest: str, new_digest: str, jti: str, access_expires: str) -> bool:
        """Swap the refresh token if it is still the current one (a single conditional write)."""
        doc = self.sessions.find_one_and_update(
            {"_id": sid, "refresh": old_digest, "revoked": False},
            {"$set": {"refresh": new_digest, "access_expires": access_expires},
             "$push": {"jtis": {"$each": [jti], "$slice": -50}, "previous": {"$each": [old_digest], "$slice": -20}}})
        return doc is not None

    def revoke(self, sid: str) -> dict | None:
        return self.sessions.find_one_and_update({"_id": sid, "revoked": False}, {"$set": {"revoked": True}})

    def by_token(self, jti: str) -> dict | None:
        return self.sessions.find_one({"jtis": {"$all": [jti]}})

    def open_for(self, user_id: str) -> list[dict]:
        return self.sessions.find({"user_id": user_id, "revoked": False})

    def purge_expired(self, now: str) -> int:
        return self.sessions.delete_many({"expires_at": {"$lt": now}})


class RevocationLog:
    """Revoked access token ids: written here (the gateway refuses them at once) and announced via the outbox."""

    def __init__(self, deps):
        self.events = deps.events
        self.clock = deps.clock
        self.revoked = deps.db.collection("revoked_tokens")
        self.announcements = deps.db.collection("session_revocations")

    def prepare(self) -> None:
        outbox.prepare(self.announcements)

    def purge_expired(self, now: str) -> int:
        """Forget revocations of tokens that have expired anyway."""
        return self.revoked.delete_many({"expires_at": {"$lt": now}})

    def revoke(self, user_id: str, token_ids: list[str], expires_at: str, reason: str) -> None:
        if not token_ids:
            return
        for jti in token_ids:
            self.revoked.update_one({"_id": jti}, {"$set": {"user_id": user_id, "expires_at": expires_at}},
                                    upsert=True)
        rid = new_id()
        data = {"user_id": user_id, "token_ids": list(token_ids), "expires_at": expires_at, "reason": reason}
        event = self.events.new("gateway.session.revoked", user_id, data, "/", sequence=1)
        outbox.insert_with_events(self.announcements, {"_id": rid, "user_id": user_id, "reason": reason,
                                                       "at": self.clock.now_iso()}, [event])
