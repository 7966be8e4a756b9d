"""Use cases of identity: login, refresh, logout, revocation, user administration, first accounts."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from liandong.auth import Grant, Principal, TokenService
from liandong.clock import to_iso
from liandong.errors import DomainError, Forbidden, NotFound, Unauthorized, ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page

from ..adapters.org_repository import OrgRepository
from ..adapters.user_repository import RevocationLog, SessionStore, UserRepository
from .access import scope_paths
from ..domain.identity import (DUMMY_HASH, MAX_FAILURES, RoleGrant, User, digest, lock_until, new_refresh_secret,
                               verify_password)

log = logging.getLogger(__name__)

DEMO_PASSWORD = "Liandong-demo-2026"
DEMO_ACCOUNTS = (
    # username, name, role, org unit, duties
    ("district_admin", "区管理员（演示）", "district_admin", "chuanying", ()),
    ("huangqi_officer", "黄旗街道干部（演示）", "subdistrict_officer", "huangqi", ()),
    ("jiayuan_worker", "家园社区民政员（演示）", "community_worker", "jiayuan", ("civil_affairs",)),
    ("jiayuan_security", "家园社区保障员（演示）", "community_worker", "jiayuan", ("social_security",)),
    ("jiayuan_retirees", "家园社区退管员（演示）", "community_worker", "jiayuan", ("retiree_affairs",)),
    ("jiayuan_disability", "家园社区残联专干（演示）", "community_worker", "jiayuan", ("disability_affairs",)),
    ("jiayuan_party", "家园社区党建专干（演示）", "community_worker", "jiayuan", ("party_affairs",)),
    ("jiayuan_police", "家园社区民警（演示）", "community_police", "jiayuan", ()),
    ("jiayuan_grid", "家园社区网格员（演示）", "grid_worker", "jiayuan-g1", ()),
    ("huangniling_worker", "黄泥岭社区工作者（演示）", "community_worker", "huangniling", ()),
    ("resident_zhang", "张居民（演示）", "resident", "jiayuan-b1", ()),
    ("resident_li", "李居民（演示）", "resident", "huangniling-b1", ()),
)


class AccountLocked(DomainError):
    status = 423
    code = "account_locked"


@dataclass
class Identity:
    users: UserRepository
    sessions: SessionStore
    revocations: RevocationLog
    org: OrgRepository
    tokens: TokenService
    clock: object
    access_seconds: int
    refresh_seconds: int

    # -- tokens
    def principal_of(self, user: User) -> Principal:
        grants = []
        for g in user.grants:
            if g.org_unit == ROOT_UNIT:
                grants.append(Grant(g.role, g.org_unit, "/", g.duties))
                continue
            found = self.org.get(g.org_unit)
            if found is None or found[0].retired:
                continue  # a grant on a retired unit gives nothing
            grants.append(Grant(g.role, g.org_unit, found[0].path, g.duties))
        # only a resident's grant carries their person key: it is what records staff made for them are matched
        # by, so only once the community office has seen their ID card (实名核验): registering checks no more
        # than the number's check digit, and a neighbour's number would otherwise open the neighbour's records
        resident = any(g.role == "resident" for g in grants)
        key = user.person_key if resident and user.identity_confirmed else None
        return Principal(user.id, user.name, tuple(grants), person_key=key)

    def _issue(self, user: User) -> tuple[str, dict]:
        principal = self.principal_of(user)
        if not principal.grants:
            raise Forbidden("this account has no active role")
        return self.tokens.issue(principal, self.access_seconds)

    def _answer(self, user: User, token: str, claims: dict, sid: str, secret: str) -> dict:
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.access_seconds,
                "refresh_token": f"{sid}.{secret}", "refresh_expires_in": self.refresh_seconds,
                "user": {"id": user.id, "username": user.username, "name": user.name, "grants": claims["grants"],
                         # the door tells a resident not yet confirmed where records made for them wait
                         **({"identity_confirmed": user.identity_confirmed} if user.is_resident else {})}}

    def login(self, username: str, password: str) -> dict:
        now = self.clock.now()
        user = self.users.by_username(username)
        if user is None:
            verify_password(password, DUMMY_HASH)  # the same cost as a real check: no user enumeration by timing
            raise Unauthorized("wrong username or password")
        outcome = user.check_login(password, now)
        if outcome == "wrong":
            failures = self.users.count_failure(user.id, to_iso(now))
            if failures is None:
                outcome = "locked"  # locked by a parallel attempt since we read the account
            elif failures >= MAX_FAILURES:
                self.users.lock(user.id, MAX_FAILURES, lock_until(now))
                outcome = "locked"
        elif outcome == "ok" and not self.users.clear_failures(user.id, MAX_FAILURES, to_iso(now)):
            outcome = "locked"  # a parallel wrong guess locked it after we read it: the lock wins
        if outcome == "locked":
            raise AccountLocked("too many failed logins; the account is locked for a while")
        if outcome == "inactive":
            raise Unauthorized("this account is disabled")
        if outcome != "ok":
            raise Unauthorized("wrong username or password")
        token, claims = self._issue(user)
        secret = new_refresh_secret()
        sid = self.sessions.open(user.id, digest(secret), claims["jti"], _ts(claims["exp"]),
                                 to_iso(now + timedelta(seconds=self.refresh_seconds)), to_iso(now))
        return self._answer(user, token, claims, sid, secret)

    def refresh(self, refresh_token: str) -> dict:
        sid, _, secret = (refresh_token or "").partition(".")
        session = self.sessions.get(sid) if sid and secret else None
        if session is None or session["revoked"] or session["expires_at"] < self.clock.now_iso():
            raise Unauthorized("the refresh token is not valid")
        old = digest(secret)
        if old != session["refresh"]:
            if old in session.get("previous", []):
                # a rotated-out token came back: it was stolen or replayed; end the whole session
                self.end_session(session, "revoked")
            raise Unauthorized("the refresh token is not valid")
        user = self.users.get(session["user_id"])
        if not user.active or user.is_locked(self.clock.now()):
            raise Unauthorized("this account cannot sign in")
        token, claims = self._issue(user)
        new_secret = new_refresh_secret()
        if not self.sessions.rotate(sid, old, digest(new_secret), claims["jti"], _ts(claims["exp"])):
            raise Unauthorized("the refresh token was used already")
        return self._answer(user, token, claims, sid, new_secret)

    def end_session(self, session: dict, reason: str) -> None:
        if self.sessions.revoke(session["_id"]) is not None:
            self.revocations.revoke(session["user_id"], session["jtis"], session["access_expires"], reason)

    def logout(self, principal: Principal) -> None:
        session = self.sessions.by_token(principal.token_id or "")
        if session is not None:
            self.end_session(session, "logout")
        else:  # a token issued outside a session (tests, tools): revoke that one token
            exp = to_iso(self.clock.now() + timedelta(seconds=self.access_seconds))
            self.revocations.revoke(principal.user_id, [principal.token_id], exp, "logout")

    def revoke_all(self, user_id: str, reason: str) -> int:
        sessions = self.sessions.open_for(user_id)
        for s in sessions:
            self.end_session(s, reason)
        return len(sessions)

    # -- administration
    def _check_grants(self, admin: Principal, grants: list[RoleGrant]) -> str:
        """Every grant must name a live unit inside the admin's users:admin scope; returns the user's org_path."""
        paths = []
        for g in grants:
            found = self.org.get(g.org_unit)
            if found is None or found[0].retired:
                raise ValidationFailed("unknown org unit", {"grants": [f"no active org unit {g.org_unit!r}"]})
            admin.require("users:admin", found[0].path)
            paths.append(found[0].path)
        return min(paths, key=len)

    def create_user(self, admin: Principal, username: str, name: str, password: str | None, grants: list[RoleGrant],
                    mobile: str | None = None) -> User:
        """`password` None (the staff import): no one can sign in until an admin sets the first password."""
        user = User.register(new_id(), username, name, password, grants, mobile)
        user.org_path = self._check_grants(admin, user.grants)
        self.users.add(user)
        return user

    def list_users(self, admin: Principal, org_unit: str | None, page: int, page_size: int) -> Page:
        """The accounts in the admin's scope (or in the subtree of `org_unit`, which must lie in it)."""
        path = None
        if org_unit:
            found = self.org.get(org_unit)
            if found is None:
                raise NotFound(f"no org unit {org_unit!r}")
            path = found[0].path
        return self.users.page(scope_paths(admin, "users:admin", path), page, page_size)

    def visible_user(self, admin: Principal, user_id: str) -> User:
        user = self.users.get(user_id)
        if not admin.can("users:admin", user.org_path):
            raise NotFound(f"no user {user_id!r}")
        return user

    def update_user(self, admin: Principal, user_id: str, changes: dict) -> User:
        user = self.visible_user(admin, user_id)
        reason = None
        if "name" in changes:
            user.name = changes["name"].strip() or user.name
        if "mobile" in changes:
            user.mobile = changes["mobile"]
        if "grants" in changes:
            grants = [RoleGrant(g["role"], g["org_unit"], tuple(g.get("duties") or ())) for g in changes["grants"]]
            if not grants:
                raise ValidationFailed("a user needs a role", {"grants": ["at least one role grant"]})
            for g in grants:
                g.validate()
            user.org_path = self._check_grants(admin, grants)
            user.grants = grants
            reason = "roles_changed"
        if "active" in changes and changes["active"] != user.active:
            user.active = changes["active"]
            if not user.active:
                reason = "locked"
        self.users.save(user)
        if reason:
            self.revoke_all(user.id, reason)  # old tokens carry the old roles: they must stop working now
        return user

    def unlock(self, admin: Principal, user_id: str) -> User:
        user = self.visible_user(admin, user_id)
        user.unlock()
        self.users.save(user)
        return user

    def set_password(self, user: User, password: str) -> None:
        user.change_password(password)
        user.unlock()
        self.users.save(user)
        self.revoke_all(user.id, "revoked")

    def ensure_account(self, username: str, name: str, password: str, grants: list[RoleGrant]) -> bool:
        if self.users.by_username(username) is not None:
            return False
        user = User.register(new_id(), username, name, password, grants)
        paths = [self.org.get(g.org_unit)[0].path for g in grants if self.org.get(g.org_unit)]
        user.org_path = min(paths, key=len) if paths else "/"
        try:
            self.users.add(user)
        except DomainError:
            return False  # another process created it first
        return True


def ensure_first_accounts(identity: Identity, env: str, admin_password: str | None) -> int:
    """Production: the first district admin from LIANDONG_ADMIN_PASSWORD. Demo: one account per role."""
    created = 0
    if admin_password:
        root = "chuanying" if identity.org.get("chuanying") else None
        grants = [RoleGrant("district_admin", root)] if root else []
        if not grants:
            # no tree yet (production): the first admin holds the platform root and builds the district
            created += _ensure_root_admin(identity, admin_password)
        else:
            created += identity.ensure_account("admin", "管理员", admin_password, grants)
    if env == "demo":
        for username, name, role, unit, duties in DEMO_ACCOUNTS:
            if identity.org.get(unit) is None:
                continue
            created += identity.ensure_account(username, name, DEMO_PASSWORD, [RoleGrant(role, unit, duties)])
        from .residents import Residents  # the residents' door (#22) builds on this module

        created += Residents(identity, identity.users.cipher).ensure_demo_resident(DEMO_PASSWORD)
    return created


ROOT_UNIT = "root"


def _ensure_root_admin(identity: Identity, password: str) -> int:
    """The platform root is a pseudo unit (path "/") that only the first admin holds."""
    return identity.ensure_account("admin", "管理员", password, [RoleGrant("district_admin", ROOT_UNIT)])


def _ts(epoch: int) -> str:
    from datetime import datetime, timezone

    return to_iso(datetime.fromtimestamp(epoch, tz=timezone.utc))
