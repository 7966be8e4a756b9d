"""The petition list (search) and the statistics in 批次 / 人次."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import Forbidden, ValidationFailed
from liandong.listing import Page

from ..domain import rules, stats
from .cases import Cases

BY_UNIT = ("batches", "person_times", "group_petitions", "group_person_times", "closed", "overdue")


class Lists:
    def __init__(self, cases: Cases):
        self.cases = cases
        self.repo = cases.repo

    def search(self, args: dict, principal: Principal) -> Page:
        """`args`: the loaded `PetitionListQuery`. Staff see their scope, a resident their own filings;
        a subtree asked for outside the caller's scope is 403, a search by ID number needs personal_data:read."""
        if not (principal.has("petition:read") or principal.has("petition:read_own")):
            raise Forbidden("petition:read is not granted")
        within = None
        if args.get("org_unit"):
            within = self.cases.unit(args["org_unit"], "org_unit")["path"]
            if principal.has("petition:read"):
                principal.require("petition:read", within)
        words: list[str] = []
        if args.get("q"):
            words = rules.query_terms(args["q"])
            if not words:
                raise ValidationFailed("nothing to search for", {"q": ["give some Chinese characters or words"]})
        if args.get("id_number"):
            principal.require("personal_data:read")
        found = self.repo.page(args, self.repo.visible_to(principal), within, words, args["page"], args["page_size"])
        self.cases.record_personal_access(principal, found.items)
        return found

    def statistics(self, args: dict, principal: Principal) -> dict:
        """`args`: the loaded `StatsQuery` (org_unit, from, to). A sub-district's figures are the sum of its
        communities': each part is shown too (`by_org_unit`)."""
        org_unit_id = args["org_unit"]
        unit = self.cases.unit(org_unit_id, "org_unit")
        principal.require("petition:read", unit["path"])
        docs = self.repo.registered_within(unit["path"], args.get("from_"), args.get("to"))
        parts: dict[str, list] = {}
        for d in docs:
            rest = [x for x in d["org_path"][len(unit["path"]):].split("/") if x]
            parts.setdefault(rest[0] if rest else org_unit_id, []).append(d)
        by_unit = {}
        for part_id, part_docs in sorted(parts.items()):
            part = stats.summarise(part_docs)
            name = (self.cases.org.get(part_id) or {}).get("name", part_id)
            by_unit[part_id] = {"name": name, **{k: part[k] for k in BY_UNIT}}
        return {"org_unit": {"id": org_unit_id, "name": unit["name"], "level": unit["level"], "path": unit["path"]},
                "from": args.get("from_"), "to": args.get("to"), **stats.summarise(docs), "by_org_unit": by_unit}
