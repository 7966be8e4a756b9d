"""The residents' door (居民端, #22): a resident opens their own account and signs in with it.

The account is a `resident` grant at their community, and carries their `person_key` (of the ID number they
gave, docs/events.md#person_key): every service answers a resident only with the records that are theirs.
The ID number itself is not kept here: the key is all the platform needs to recognise them again.
Production verifies the mobile by an SMS code before the account opens (docs/resident-door.md); this
platform has no SMS gateway, so the demo opens it at once.
"""
from __future__ import annotations

from dataclasses import dataclass

from liandong.errors import Conflict, ValidationFailed
from liandong.ids import new_id
from liandong.listing import refuse_period
from liandong.personal import person_key

from ..domain.identity import RoleGrant, User
from .identity import Identity

# where a resident may say they live: a community (居委会 / 村委会), never a grid or an office
RESIDENT_LEVELS = ("community",)


@dataclass
class Residents:
    identity: Identity
    cipher: object

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

    def ensure_demo_resident(self, password: str) -> int:
        """The demo's resident (`gateway.demo.DEMO_RESIDENT`), once per data directory."""
        from ..demo import DEMO_RESIDENT as d

        if self.identity.org.get(d["community"]) is None or self.identity.users.by_username(d["mobile"]):
            return 0
        try:
            self.open_account({**d, "password": password})
        except Conflict:
            return 0  # another process opened it first
        return 1
