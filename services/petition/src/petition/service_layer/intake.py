"""Intake (受理): registering a petition from any channel, with its risk flags, the leader on duty for a
visit, and the petitions that are likely about the same matter."""
from __future__ import annotations

from datetime import date, timedelta

from liandong.auth import Principal
from liandong.clock import to_iso
from liandong.ids import new_id

from ..adapters.repository import BRIEF
from ..domain import rules
from ..domain.model import Petition
from .cases import Cases, actor_of
from .views import brief

DUPLICATE_WINDOW_DAYS = 28
REPEAT_WINDOW_DAYS = 365


class Intake:
    def __init__(self, cases: Cases):
        self.cases = cases
        self.repo = cases.repo

    def register(self, data: dict, principal: Principal, *, source: str = "api",
                 open311: dict | None = None) -> tuple[Petition, list[dict]]:
        """The new petition and its possible duplicates (only ones the caller may see)."""
        unit = self.cases.unit(data["org_unit_id"])
        principal.require("petition:file", unit["path"])
        config = self.cases.config.load()
        calendar = self.cases.config.calendar(config)
        now = self.cases.clock.now()
        petitioners = data.get("petitioners") or []
        if data.get("petitioner"):
            petitioners = [data["petitioner"], *petitioners]
        petitioners = [*({**r, "representative": True} for r in data.get("representatives") or []), *petitioners]
        is_resident = not principal.has("petition:read") and principal.has("petition:read_own")
        ids = sorted({p["id_number"] for p in petitioners if p.get("id_number")})
        # a repeat petitioner is one the caller can see petitioning before: a flag or a suggestion
        # must not tell them where else (or that at all) someone petitioned outside their scope
        visible = self.repo.visible_to(principal)
        earlier = {i: self._earlier_by_id(i, now, visible) for i in ids}
        reception = self._leader_on_duty(unit["path"], rules.local_date(now)) if data["channel"] == "visit" else None
        petition = Petition.register(
            petition_id=new_id(), org_unit_id=data["org_unit_id"], org_path=unit["path"], org_level=unit["level"],
            category=data["category"], channel=data["channel"], content=data["content"], petitioners=petitioners,
            headcount=data.get("headcount"), is_group=data.get("is_group", False),
            anonymous=data.get("anonymous", False), actor=actor_of(principal), now=now, calendar=calendar,
            categories=config["categories"], says_higher_level=data.get("says_higher_level", False),
            repeat=any(earlier.values()), title=data.get("title", ""), attachments=data.get("attachments") or [],
            resident_user_id=principal.user_id if is_resident else None, reception=reception, source=source,
            open311=open311)
        duplicates = self.duplicates_of(petition, principal, earlier)
        self.repo.add(petition)  # a retry (same Idempotency-Key) gets the petition its first attempt stored
        return petition, [d for d in duplicates if d["id"] != petition.id]

    def _earlier_by_id(self, id_number: str, now, visible: dict) -> list[dict]:
        return self.repo.filed_by(id_number, to_iso(now - timedelta(days=REPEAT_WINDOW_DAYS)), limit=20,
                                  fields=BRIEF, scope=visible)

    def duplicates_of(self, petition: Petition, principal: Principal,
                      earlier: dict[str, list[dict]] | None = None) -> list[dict]:
        """Likely the same matter: the same petitioner ID, or the same category and place in recent weeks —
        among the petitions the caller may see, and no others.

        `earlier`: the petitions of each ID number, where the caller has looked them up already."""
        now = self.cases.clock.now()
        visible = self.repo.visible_to(principal)
        found: dict[str, dict] = {}
        for number in petition.id_numbers:
            docs = earlier[number] if earlier is not None and number in earlier else \
                self._earlier_by_id(number, now, visible)
            for doc in docs:
                found.setdefault(doc["_id"], {**brief(doc), "reason": "same_petitioner"})
        since = to_iso(now - timedelta(days=DUPLICATE_WINDOW_DAYS))
        for doc in self.repo.same_place_since(petition.category, petition.org_unit_id, since, visible):
            found.setdefault(doc["_id"], {**brief(doc), "reason": "same_category_and_place"})
        found.pop(petition.id, None)
        return list(found.values())

    def duplicates(self, petition_id: str, principal: Principal) -> tuple[Petition, list[dict]]:
        petition = self.cases.load(petition_id, principal, "petition:read")
        return petition, self.duplicates_of(petition, principal)

    def _leader_on_duty(self, org_path: str, day: date) -> dict | None:
        sub = self.cases.subdistrict_of(org_path)
        if sub is None:
            return None
        duty = self.cases.roster.on(sub["_id"], day)
        return {"subdistrict_id": sub["_id"], "day": day.isoformat(),
                "leader_name": duty["leader_name"] if duty else None, "title": duty.get("title", "") if duty else None}
