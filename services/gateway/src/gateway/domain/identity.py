"""Users (用户), their role grants, password hashing and the lock-out rule (no I/O).

Passwords are hashed with scrypt from the standard library (memory-hard, no native dependency);
the parameters are stored in each hash so they can be raised later without breaking old hashes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from liandong.auth import DUTIES, ROLES
from liandong.errors import ValidationFailed

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")


def hash_password(password: str, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)
    return f"scrypt${n}${r}${p}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=256 * 1024 * 1024, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


# The hash of an account that has no password yet (imported staff): no password verifies against it.
NO_PASSWORD = "unset"


# Checked against when the username is unknown, so a login costs the same either way.
DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def check_password_rules(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValidationFailed("the password is too weak",
                               {"password": [f"at least {MIN_PASSWORD} characters"]})
    if len(set(password)) < 4:
        raise ValidationFailed("the password is too weak", {"password": ["use more different characters"]})


@dataclass(frozen=True)
class RoleGrant:
    """A role the user holds at one org unit (the path is resolved from the tree when a token is issued)."""

    role: str
    org_unit: str
    duties: tuple[str, ...] = ()

    def validate(self) -> None:
        errors = []
        if self.role not in ROLES:
            errors.append(f"role must be one of {', '.join(ROLES)}")
        bad = [d for d in self.duties if d not in DUTIES]
        if bad:
            errors.append(f"unknown duties {bad}; one of {', '.join(DUTIES)}")
        if self.duties and self.role != "community_worker":
            errors.append("duties apply to community workers only")
        if errors:
            raise ValidationFailed("invalid role grant", {"grants": errors})

    def to_dict(self) -> dict:
        return {"role": self.role, "org_unit": self.org_unit, "duties": list(self.duties)}


@dataclass
class User:
    id: str
    username: str
    name: str
    grants: list[RoleGrant]
    password_hash: str
    active: bool = True
    failed_logins: int = 0
    locked_until: str | None = None
    org_path: str = "/"
    version: int = 0
    mobile: str | None = None  # a staff member's phone (from the staff import); personal data, sealed at rest
    person_key: str | None = None  # a resident's `liandong.personal.person_key` (#22): what their records match
    # 实名核验 (#22): when and by whom the community office confirmed a door account's identity on the ID card;
    # until then the account's person key reaches no record staff made (anyone may type a neighbour's number)
    identity_confirmed_at: str | None = None
    identity_confirmed_by: str | None = None
    events: list = field(default_factory=list, repr=False)

    @classmethod
    def register(cls, user_id: str, username: str, name: str, password: str | None, grants: list[RoleGrant],
                 mobile: str | None = None) -> "User":
        """`password` None: an account nobody can sign in to until an admin sets its first password."""
        if not _USERNAME.match(username or ""):
            raise ValidationFailed("invalid username",
                                   {"username": ["3-64 lower-case letters, digits, '_', '.' or '-'"]})
        if not grants:
            raise ValidationFailed("a user needs a role", {"grants": ["at least one role grant"]})
        for g in grants:
            g.validate()
        if password is not None:
            check_password_rules(password)
        return cls(user_id, username, (name or username).strip(), list(grants),
                   NO_PASSWORD if password is None else hash_password(password), mobile=mobile)

    @property
    def is_resident(self) -> bool:
        return any(g.role == "resident" for g in self.grants)

    @property
    def identity_confirmed(self) -> bool:
        return self.identity_confirmed_at is not None

    def confirm_identity(self, by_user_id: str, at: str) -> bool:
        """The community office saw the ID card (实名核验); False if it was confirmed before (kept as it was)."""
        if self.identity_confirmed:
            return False
        self.identity_confirmed_at, self.identity_confirmed_by = at, by_user_id
        return True

    def is_locked(self, now: datetime) -> bool:
        # MAX_FAILURES counted but the lock not yet written (another login is writing it): locked already
        return (bool(self.locked_until) and self.locked_until > _iso(now)) or self.failed_logins >= MAX_FAILURES

    def check_login(self, password: str, now: datetime) -> str:
        """'ok', 'locked', 'inactive' or 'wrong' — what this attempt is; it changes nothing.

        The failure count is not kept here: parallel attempts would each count from the same
        snapshot and lose each other's failures. The repository counts with one atomic update
        (`UserRepository.count_failure`) and `lock_decision` says what that count means."""
        if self.is_locked(now):
            return "locked"
        if self.password_hash == NO_PASSWORD:
            verify_password(password, DUMMY_HASH)  # the same cost as a real check: nothing told by timing
            return "wrong"
        if not verify_password(password, self.password_hash):
            return "wrong"
        if not self.active:
            return "inactive"
        return "ok"

    def login(self, password: str, now: datetime) -> str:
        """The same rule on this object alone (one attempt at a time): counts and locks in memory."""
        outcome = self.check_login(password, now)
        if outcome == "wrong":
            self.failed_logins += 1
            if self.failed_logins >= MAX_FAILURES:
                self.locked_until = lock_until(now)
                self.failed_logins = 0
                return "locked"
        elif outcome == "ok":
            self.failed_logins = 0
            self.locked_until = None
        return outcome

    def change_password(self, password: str) -> None:
        check_password_rules(password)
        self.password_hash = hash_password(password)

    def unlock(self) -> None:
        self.failed_logins = 0
        self.locked_until = None

    def summary(self) -> dict:
        return {"id": self.id, "username": self.username, "name": self.name,
                "grants": [g.to_dict() for g in self.grants], "active": self.active,
                "locked_until": self.locked_until}


def lock_until(now: datetime) -> str:
    return _iso(now + timedelta(minutes=LOCK_MINUTES))


def _iso(dt: datetime) -> str:
    from liandong.clock import to_iso

    return to_iso(dt)


def new_refresh_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Refresh tokens are stored only as their SHA-256: a leaked table gives no usable token."""
    return hashlib.sha256(secret.encode()).hexdigest()
