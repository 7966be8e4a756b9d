"""Who may do what, where: roles, permissions, org scopes, and the signed access token.

The gateway issues short-lived access tokens (HS256 JWT, audience `liandong`) after login; every
service verifies them again itself (defence in depth), so calling a service's port directly does
not bypass access control. A principal holds one or more role grants, each tied to an org unit:
the grant applies to that unit's whole subtree (a sub-district officer reads all its communities).
A resident's grant reaches only their own records.

The permission matrix lives here, in one place, for every service and for the tests that walk it.
"""
from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable, Iterable

import jwt

from .errors import Forbidden, NotFound, Unauthorized

AUDIENCE = "liandong"
ISSUER = "liandong-gateway"
ACCESS_TOKEN_SECONDS = 15 * 60

ROLES = {
    "resident": "居民",
    "grid_worker": "网格员",
    "community_worker": "社区工作者",
    "community_police": "社区民警",
    "subdistrict_officer": "街道干部",
    "district_admin": "区管理员",
}

# Duties narrow what a community worker does (民政员, 保障员, 退管员, 计生员, 矫正专干).
DUTIES = {
    "civil_affairs": "民政员",
    "social_security": "保障员",
    "retiree_affairs": "退管员",
    "family_planning": "计生员",
    "corrections": "矫正专干",
    "disability_affairs": "残联专干",
    "party_affairs": "党建专干",
}

_STAFF_READ = {"petition:read", "welfare:read", "volunteer:read", "security:read", "reports:read"}

PERMISSIONS: dict[str, set[str]] = {
    "resident": {"petition:file", "petition:read_own", "welfare:apply", "welfare:read_own",
                 "volunteer:self", "security:report",
                 # the residents' door (#22): their own records only, matched by the account and its person_key
                 "resident:self"},
    "grid_worker": {"petition:file", "petition:read", "petition:handle", "security:report", "security:read",
                    "security:patrol", "security:register", "volunteer:read", "welfare:read", "welfare:visit"},
    "community_worker": _STAFF_READ | {"petition:file", "petition:handle", "welfare:apply", "welfare:review",
                                       "welfare:disburse", "welfare:goods", "welfare:visit", "volunteer:manage",
                                       "security:report", "security:handle", "security:patrol",
                                       "security:mediate", "security:migrants", "security:register",
                                       "reports:export", "petition:hall",
                                       "reports:submit"},  # a community files its period (签报, #21)
    "community_police": _STAFF_READ | {"security:report", "security:handle", "security:patrol",
                                       "security:mediate", "security:migrants", "security:corrections",
                                       "security:register",
                                       "petition:file"},
    "subdistrict_officer": _STAFF_READ | {"petition:file", "petition:handle", "petition:supervise",
                                          "welfare:review", "welfare:approve", "welfare:disburse",
                                          "welfare:goods", "welfare:fund", "welfare:visit", "volunteer:manage",
                                          "security:handle", "security:mediate", "security:migrants",
                                          "reports:export", "personal_data:read", "petition:hall",
                                          # the 街道's own offices (民政科, 残联, 社保所, 党工委) keep these registers
                                          "welfare:retirees", "welfare:disability", "welfare:employment",
                                          "welfare:veterans", "volunteer:party",
                                          # sign-off (#21): files its own period, approves its communities'
                                          "reports:submit", "reports:approve"},
    "district_admin": _STAFF_READ | {"petition:supervise", "welfare:approve", "welfare:fund",
                                     "volunteer:manage", "security:handle", "reports:export", "org:admin",
                                     "users:admin", "audit:read", "personal_data:read",
                                     "dead_letters:admin",
                                     # sign-off (#21): approves a sub-district's period, accepts its approvals
                                     "reports:approve", "reports:accept"},
}

# The registers of #20 hold data PIPL counts as sensitive (health and disability, party membership): each is
# reached through the duty that works it, not through a role's general read (welfare:read, volunteer:read).
DUTY_PERMISSIONS: dict[str, set[str]] = {
    "corrections": {"security:corrections"},
    "civil_affairs": {"personal_data:read", "welfare:veterans"},  # 优抚 is the 民政员's
    "social_security": {"personal_data:read", "welfare:employment"},  # 就业 / 社保 (保障员)
    "retiree_affairs": {"welfare:retirees"},  # 退管 / 老龄 (退管员)
    "disability_affairs": {"welfare:disability"},  # 残联
    "party_affairs": {"volunteer:party"},  # 党建: branches, members, 党员报到
}


@dataclass(frozen=True)
class Grant:
    """One role held at one org unit (and so over its subtree)."""

    role: str
    org_unit: str
    org_path: str
    duties: tuple[str, ...] = ()

    def permissions(self) -> set[str]:
        perms = set(PERMISSIONS.get(self.role, set()))
        for duty in self.duties:
            perms |= DUTY_PERMISSIONS.get(duty, set())
        return perms

    def to_claim(self) -> dict:
        return {"role": self.role, "org_unit": self.org_unit, "org_path": self.org_path,
                "duties": list(self.duties)}

    @classmethod
    def from_claim(cls, raw: dict) -> "Grant":
        return cls(raw["role"], raw["org_unit"], raw["org_path"], tuple(raw.get("duties") or ()))


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    token_id: str | None = None
    # a resident's own `liandong.personal.person_key` (of their ID number, checked at registration): what
    # their own records are matched by; never a staff member's, and never the ID number itself (#22)
    person_key: str | None = None

    def own_key(self) -> str:
        """The caller's person key, for a resident-only (`resident:self`) use case: Forbidden for anyone else."""
        if not self.has("resident:self") or not self.person_key:
            raise Forbidden("resident:self is not granted")
        return self.person_key

    def home(self) -> Grant:
        """A resident's own grant: the community they live in (`resident:self`); Forbidden for anyone else.
        A resident whose identity is not yet confirmed (no person key on the token, #22) has one all the same."""
        if not self.has("resident:self"):
            raise Forbidden("resident:self is not granted")
        return next(g for g in self.grants if "resident:self" in g.permissions())

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has(self, permission: str) -> bool:
        return any(permission in g.permissions() for g in self.grants)

    def scopes(self, permission: str) -> list[str]:
        """The org paths (subtree roots) where this principal holds `permission`."""
        paths = sorted({g.org_path for g in self.grants if permission in g.permissions()})
        # a path inside another one adds nothing
        return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]

    def list_paths(self, permission: str, org_path: str | None = None) -> list[str]:
        """The subtrees a list covers: the one `org_path` asked for (where `permission` must be held), else
        every subtree where it is held (Forbidden when there is none)."""
        if org_path is not None:
            self.require(permission, org_path)
            return [org_path]
        paths = self.scopes(permission)
        if not paths:
            raise Forbidden(f"{permission} is not granted")
        return paths

    def can(self, permission: str, org_path: str) -> bool:
        return any(org_path.startswith(p) for p in self.scopes(permission))

    def require(self, permission: str, org_path: str | None = None) -> None:
        """Raise Forbidden unless the principal holds `permission` (at `org_path`, if given).

        The message never names the org path: a refusal must not tell the caller where a record lives.
        """
        if org_path is None:
            ok = self.has(permission)
        else:
            ok = self.can(permission, org_path)
        if not ok:
            raise Forbidden(f"{permission} is not granted" + (" here" if org_path else ""))

    def require_district(self, permission: str, root_paths: Iterable[str]) -> None:
        """A district-wide setting (a rate, a type, the whole ledger) is changed only with `permission`
        held at the root of the org tree: the same permission held in one community does not reach it."""
        roots = list(root_paths)
        if not roots or not all(self.can(permission, r) for r in roots):
            raise Forbidden(f"{permission} is not granted at the district level")

    def sees(self, org_path: str, *permissions: str) -> bool:
        """Whether a record at `org_path` is within this principal's sight under any of `permissions`."""
        return any(self.can(p, org_path) for p in permissions)

    def authorize(self, permission: str, org_path: str, *, read: str | tuple[str, ...], what: str,
                  record_id: str, own: bool = False) -> None:
        """The one rule for acting on a stored record (等保: existence is information too).

        A record the caller cannot see at all (`read` not granted over its org path, and not their
        `own`) answers 404 naming only what the caller asked for, exactly like a record that does not
        exist; one they can see but may not act on answers 403 without saying where it lives.
        """
        reads = (read,) if isinstance(read, str) else tuple(read)
        if not (own or self.sees(org_path, permission, *reads)):
            raise out_of_scope(what, record_id)
        if not self.can(permission, org_path):
            raise Forbidden(f"{permission} is not granted for this {what}")

    def scope_filter(self, permission: str, field: str = "org_path") -> dict:
        """A storage filter for the records this principal may see with `permission`.

        Raises Forbidden if it has none; a single-scope principal gets one indexed prefix query.
        """
        from .storage.filters import within

        paths = self.scopes(permission)
        if not paths:
            raise Forbidden(f"{permission} is not granted")
        return within(paths, field)


def out_of_scope(what: str, record_id: str) -> NotFound:
    """The error for a record outside the caller's scope: the same words as for one that does not exist."""
    return NotFound(f"no {what} {record_id!r}")


class TokenService:
    def __init__(self, secret: str, ttl_seconds: int = ACCESS_TOKEN_SECONDS, clock: Callable[[], float] = time.time,
                 previous: Iterable[str] = ()):
        """`previous`: keys that still verify (never sign) while a rotation's older tokens run out."""
        self.previous = tuple(k for k in previous if k and k != secret)
        if not secret:
            # an empty key would sign and accept tokens anyone can make (Settings.with_keys fills it in)
            raise ValueError("no signing key: set LIANDONG_SECRET_KEY or let the platform generate one")
        self.secret = secret
        self.ttl = ttl_seconds
        self.clock = clock
        # A signature checked once stays checked: a worker sees the same token on every request of
        # a session, and PyJWT's decode was a tenth of an intake. Times are checked on every call.
        self._decoded = functools.lru_cache(maxsize=4096)(self._decode)

    def issue(self, principal: Principal, ttl_seconds: int | None = None) -> tuple[str, dict]:
        now = int(self.clock())
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": principal.user_id, "name": principal.name,
            "grants": [g.to_claim() for g in principal.grants],
            "iat": now, "nbf": now - 5, "exp": now + (ttl_seconds or self.ttl), "jti": uuid.uuid4().hex,
        }
        if principal.person_key:
            claims["person_key"] = principal.person_key  # a resident's own key (#22); absent on staff tokens
        return jwt.encode(claims, self.secret, algorithm="HS256"), claims

    def _decode(self, token: str) -> tuple[dict, Principal]:
        for key in (self.secret, *self.previous):
            try:
                claims = jwt.decode(token, key, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                                    options={"require": ["exp", "iat", "sub", "aud", "iss", "jti"],
                                             "verify_exp": False, "verify_iat": False, "verify_nbf": False})
                break
            except jwt.InvalidSignatureError as exc:
                failure = exc  # perhaps signed with a key being rotated out: try the next
            except jwt.InvalidTokenError as exc:
                raise Unauthorized(f"the token is not valid: {exc}") from None
        else:
            raise Unauthorized(f"the token is not valid: {failure}") from None
        if not isinstance(claims["exp"], (int, float)) or not isinstance(claims["iat"], (int, float)):
            raise Unauthorized("the token's times are malformed")
        try:
            grants = tuple(Grant.from_claim(g) for g in claims.get("grants") or [])
        except (KeyError, TypeError):
            raise Unauthorized("the token's grants are malformed") from None
        person = claims.get("person_key")
        if person is not None and not isinstance(person, str):
            raise Unauthorized("the token's person key is malformed")
        return claims, Principal(claims["sub"], claims.get("name", ""), grants, claims["jti"], person)

    def verify(self, token: str) -> Principal:
        claims, principal = self._decoded(token)
        # times are checked against the same clock that issued them (tests move it)
        now = self.clock()
        if now >= claims["exp"]:
            raise Unauthorized("the token has expired")
        if claims["iat"] > now + 60:
            raise Unauthorized("the token is not valid yet")
        return principal


# -- Flask integration (imported lazily so the domain never needs Flask)

def bearer_token(headers: Any) -> str:
    value = headers.get("Authorization", "")
    if not value.startswith("Bearer ") or len(value) < 10:
        raise Unauthorized("a bearer token is required")
    return value[7:].strip()


def install(app, tokens: TokenService, revoked: Callable[[str], bool] | None = None,
            public: Iterable[str] = ("/healthz", "/readyz", "/metrics")) -> None:
    """Verify the bearer token on every request except under the public path prefixes.

    `g.principal` holds the caller (None on a public path called without a token).
    """
    from flask import g, request

    open_prefixes = tuple(public)

    @app.before_request
    def _authenticate():
        g.principal = None
        if request.method == "OPTIONS":
            return None
        is_public = any(request.path == p or request.path.startswith(p.rstrip("/") + "/") for p in open_prefixes)
        if is_public and "Authorization" not in request.headers:
            return None
        principal = tokens.verify(bearer_token(request.headers))
        if revoked is not None and principal.token_id and revoked(principal.token_id):
            raise Unauthorized("the token has been revoked")
        g.principal = principal
        return None


def current_principal() -> Principal:
    from flask import g

    principal = getattr(g, "principal", None)
    if principal is None:
        raise Unauthorized("a bearer token is required")
    return principal


def requires(permission: str) -> Callable:
    """Route decorator: the caller must hold `permission` somewhere (scope is checked in the use case)."""

    def decorate(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            current_principal().require(permission)
            return fn(*args, **kwargs)

        return wrapper

    return decorate
