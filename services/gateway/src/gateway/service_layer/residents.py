"""The residents' door (居民端, #22): a resident opens their own account and signs in with it.

The account is a `resident` grant at their community, and carries their `person_key` (of the ID number they
gave, docs/events.md#person_key): every service answers a resident only with the records that are theirs.
The ID number itself is not kept here: the key is all the platform needs to recognise them again.
Production verifies the mobile by an SMS code before the account opens (docs/resident-door.md); this
platform has no SMS gateway, so the demo opens it at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from liandong.auth import Principal
from liandong.errors import Conflict, Forbidden, NotFound, ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page, refuse_period
from liandong.personal import person_key

from ..domain.identity import RoleGrant, User
from .identity import Identity

# where a resident may say they live: a community (居委会 / 村委会), never a grid or an office
RESIDENT_LEVELS = ("community",)
# who confirms a door account on the ID card (实名核验): the staff who keep the community's 一户一档 register of
# real people (实有人口登记) — the community worker and the community police, in their own community — and an
# administrator of accounts (users:admin), who may already change any grant in their scope. Existing
# permissions, no new role (a grid worker's grant reaches only their grid, never a community's accounts)
CONFIRMS_IDENTITY = ("security:register", "users:admin")


def confirmer_paths(staff: Principal, path: str | None = None) -> list[str]:
    """The subtrees where `staff` may confirm door accounts (within `path` if given); Forbidden for no one."""
    if path is not None:
        if not staff.sees(path, *CONFIRMS_IDENTITY):
            raise Forbidden("security:register is not granted here")
        return [path]
    paths = sorted({p for perm in CONFIRMS_IDENTITY for p in staff.scopes(perm)})
    paths = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    if not paths:
        raise Forbidden("security:register is not granted")
    return paths


@dataclass
class Residents:
    identity: Identity
    cipher: object
    audit: object = None  # adapters.audit_log.AuditLog: a confirmation is recorded as staff's act
    correlation: Callable[[], str | None] = lambda: None

    def communities(self, q: dict) -> list[dict]:
        """The communities a resident may choose at registration (names of the org tree are public); `q`: the
        loaded list query (`org_unit`: those below it; a period is refused, the list has no time)."""
        refuse_period(q)
        if q.get("org_unit"):
            found = self.identity.org.get(q["org_unit"])
            if found is None:
                raise ValidationFailed("unknown org unit", {"org_unit": [f"no org unit {q['org_unit']!r}"]})
            units = self.identity.org.subtree(found[0].path)
        else:
            units = self.identity.org.subtree_all()
        units = [u for u in units if u.get("level") in RESIDENT_LEVELS and not u.get("retired")]
        return [{"id": u.get("_id") or u.get("id"), "name": u["name"]}
                for u in sorted(units, key=lambda u: u["path"])]

    def register(self, body: dict) -> dict:
        """Open a resident's account (username: their mobile) and sign them in: the login answer."""
        self.open_account(body)
        return self.identity.login(body["mobile"], body["password"])

    def open_account(self, body: dict) -> User:
        found = self.identity.org.get(body["community"])
        if found is None or found[0].retired or found[0].level not in RESIDENT_LEVELS:
            raise ValidationFailed("choose your community", {"community": ["not a community of this district"]})
        key = person_key(self.cipher, body["id_number"])
        # one account per person: the same words whether the mobile or the ID number is taken, so the
        # answer tells no more than that the person should sign in (or ask the community office)
        if self.identity.users.by_person_key(key) is not None or self.identity.users.by_username(body["mobile"]):
            raise Conflict("an account exists already for this person or mobile: sign in, or ask your community")
        user = User.register(new_id(), body["mobile"], body["name"], body["password"],
                             [RoleGrant("resident", body["community"])], body["mobile"])
        user.person_key = key
        user.org_path = found[0].path
        self.identity.users.add(user)
        return user

    # -- 实名核验: the community office confirms a door account after seeing the ID card
    def accounts(self, staff: Principal, q: dict) -> Page:
        """The door's accounts in the staff member's communities (`confirmed`: false — those who wait)."""
        refuse_period(q)
        path = None
        if q.get("org_unit"):
            found = self.identity.org.get(q["org_unit"])
            if found is None:
                raise ValidationFailed("unknown org unit", {"org_unit": [f"no org unit {q['org_unit']!r}"]})
            path = found[0].path
        paths = confirmer_paths(staff, path)
        return self.identity.users.residents(paths, q.get("confirmed"), q["page"], q["page_size"])

    def confirm_identity(self, staff: Principal, user_id: str) -> User:
        """Confirm a resident's account: from their next token on, records staff made for them reach their door.
        Another community's account, a staff account and an unknown id are all 404 in the same words."""
        try:
            user = self.identity.users.get(user_id)
        except NotFound:
            user = None
        confirmer_paths(staff)  # one who may confirm nobody: 403, before anything is looked up
        if user is None or not user.person_key or not staff.sees(user.org_path, *CONFIRMS_IDENTITY):
            raise NotFound(f"no resident account {user_id!r}")
        if user.confirm_identity(staff.user_id, self.identity.clock.now_iso()):
            self.identity.users.save(user)
            if self.audit is not None:
                self.audit.record(user_id=staff.user_id, name=staff.name, roles=sorted(staff.roles),
                                  org_path=user.org_path, action="confirm_identity", method="POST",
                                  path=f"/api/v1/residents/{user_id}/identity-confirmation", service="gateway",
                                  status=200, fields=[], correlation_id=self.correlation(),
                                  extra={"resident_user_id": user_id})
        return user

    def ensure_demo_resident(self, password: str) -> int:
        """The demo's resident (`gateway.demo.DEMO_RESIDENT`), once per data directory, confirmed as if the
        community office had seen the ID card (the demo's staff-made records for them reach the door)."""
        from ..demo import DEMO_RESIDENT as d

        if self.identity.org.get(d["community"]) is None:
            return 0
        made = 0
        if self.identity.users.by_username(d["mobile"]) is None:
            try:
                self.open_account({**d, "password": password})
                made = 1
            except Conflict:
                pass  # another process opened it first
        user = self.identity.users.by_username(d["mobile"])
        if user is not None and user.confirm_identity("demo", self.identity.clock.now_iso()):
            try:
                self.identity.users.save(user)
            except Conflict:
                pass  # another process confirmed it meanwhile
        return made


def account_view(user: User) -> dict:
    """A door account as the community office sees it: no ID number (the gateway keeps none), no password."""
    grant = next((g for g in user.grants if g.role == "resident"), None)
    return {"id": user.id, "name": user.name, "mobile": user.username,
            "community": grant.org_unit if grant else None, "identity_confirmed": user.identity_confirmed,
            "identity_confirmed_at": user.identity_confirmed_at, "identity_confirmed_by": user.identity_confirmed_by}
