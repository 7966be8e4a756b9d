"""What every petition use case shares: the repositories, the org directory, and taking a case by id
with its access check (`load`): out of the caller's sight is 404 in a missing case's words."""
from __future__ import annotations

from liandong.auth import Principal, out_of_scope
from liandong.errors import Forbidden, NotFound

from ..adapters.access_log import PersonalAccessLog
from ..adapters.repository import PetitionRepository
from ..adapters.roster import RosterRepository
from ..adapters.taxonomy import ConfigRepository
from ..domain.model import Actor, Petition

STAFF = ("petition:read", "petition:handle")  # either one lets staff see a case


def actor_of(p: Principal) -> Actor:
    return Actor(p.user_id, p.name or p.user_id)


class Cases:
    def __init__(self, deps):
        self.deps = deps
        self.clock = deps.clock
        self.org = deps.org
        self.repo = PetitionRepository(deps)
        self.config = ConfigRepository(deps)
        self.roster = RosterRepository(deps)
        self.access_log = PersonalAccessLog(deps)

    def prepare(self) -> None:
        self.repo.prepare()
        self.roster.prepare()

    # -- org helpers
    def unit(self, org_unit_id: str, field: str = "org_unit_id") -> dict:
        return self.org.active(org_unit_id, field)

    def subdistrict_of(self, org_path: str) -> dict | None:
        for unit_id in [s for s in org_path.split("/") if s]:
            unit = self.org.get(unit_id)
            if unit and unit.get("level") == "subdistrict":
                return unit
        return None

    # -- one case, as the caller may have it
    def is_own(self, petition: Petition, principal: Principal) -> bool:
        """The resident filed it at their door, or it names them (their person key: staff registered it for them)."""
        if not principal.has("petition:read_own"):
            return False
        if petition.resident_user_id == principal.user_id:
            return True
        key = principal.person_key if principal.has("resident:self") else None
        return bool(key) and key in self.repo.person_keys(petition)

    def load(self, petition_id: str, principal: Principal, permission: str = "petition:read", *,
             owner_may: bool = False) -> Petition:
        """The case, if the caller may do `permission` on it (or it is their own and `owner_may`).

        One out of their sight answers exactly like one that does not exist (`out_of_scope`)."""
        try:
            petition = self.repo.get(petition_id)
        except NotFound:
            raise out_of_scope("petition", petition_id) from None
        own = self.is_own(petition, principal)
        if not (owner_may and own):
            # their own petition a resident sees: what only staff do to it is 403 to them, not 404 (#22)
            principal.authorize(permission, petition.org_path, read=STAFF, what="petition", record_id=petition_id,
                                own=own)
        return petition

    def get(self, petition_id: str, principal: Principal) -> Petition:
        """One case for its view: staff in scope, or the resident who filed it; their look is recorded."""
        petition = self.load(petition_id, principal, "petition:read", owner_may=True)
        self.record_personal_access(principal, [petition])
        return petition

    def timeline(self, petition_id: str, principal: Principal) -> Petition:
        """The internal timeline is for staff: the petitioner who filed it sees the public view only (403)."""
        petition = self.load(petition_id, principal, "petition:read", owner_may=True)
        if not any(principal.can(permission, petition.org_path) for permission in STAFF):
            raise Forbidden("the internal timeline is for staff")
        return petition

    def record_personal_access(self, principal: Principal, petitions: list[Petition]) -> None:
        """Who looked at unmasked ID and mobile numbers (查阅记录), as the rules on personal data ask."""
        shown = [p.id for p in petitions if p.petitioners and principal.can("personal_data:read", p.org_path)]
        if shown:
            self.access_log.record(principal.user_id, principal.name, shown)

    def out_of_sight(self, principal: Principal, petitions: list[Petition]) -> set[str]:
        """The ids these cases name (linked cases, the lead of their matter) that the caller may not see.

        A sub-district officer may link cases of two communities; each community's worker must not
        learn the other's case from it (not even its id)."""
        named = {i for p in petitions for i in [*p.linked_ids, p.matter_id] if i} - {p.id for p in petitions}
        if not named:
            return set()
        return named - self.repo.visible_ids(named, self.repo.visible_to(principal))
