"""Storage of the configurable taxonomy: categories with deadlines per level, linked departments, holidays."""
from __future__ import annotations

from ..domain import rules

TAXONOMY = "taxonomy"  # the one document of administrators' overrides


class ConfigRepository:
    """Defaults come from the domain; what an administrator changes is stored as overrides."""

    def __init__(self, deps):
        self.collection = deps.db.collection("config")

    def load(self) -> dict:
        doc = self.collection.find_one({"_id": TAXONOMY}) or {}
        categories = {k: dict(v) for k, v in rules.DEFAULT_CATEGORIES.items()}
        categories.update(doc.get("categories") or {})
        departments = dict(rules.DEFAULT_DEPARTMENTS)
        departments.update(doc.get("departments") or {})
        return {"categories": categories, "departments": departments, "holidays": sorted(doc.get("holidays") or [])}

    def calendar(self, config: dict | None = None) -> rules.Calendar:
        return rules.Calendar(frozenset((config or self.load())["holidays"]))

    def _set(self, field: str, value) -> None:
        self.collection.update_one({"_id": TAXONOMY}, {"$set": {field: value}}, upsert=True)

    def put_category(self, code: str, value: dict) -> None:
        self._set(f"categories.{code}", value)

    def put_department(self, code: str, name: str) -> None:
        self._set(f"departments.{code}", name)

    def put_holidays(self, days: list[str]) -> None:
        self._set("holidays", sorted(set(days)))
