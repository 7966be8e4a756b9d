"""Settings of the security service beyond the platform's: the 六必访 rules and which welfare programmes
mark a key group. Defaults here; a district overrides them in the environment.

    SECURITY_VISIT_RULES="elderly_alone=7,dibao=15,household=180"   (days; 0 drops a rule)
    SECURITY_TAG_PROGRAMMES="dibao_urban=dibao,severe_disability=disabled,my_programme=disabled"
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from .domain.households import KEY_GROUPS
from .domain.visits import DEFAULT_VISIT_DAYS, EVERY_HOUSEHOLD, VisitRules

# welfare's programme codes (services/welfare programmes.yaml) whose grant puts its holder in a key group
DEFAULT_PROGRAMME_TAGS = {"dibao_urban": "dibao", "dibao_rural": "dibao", "severe_disability": "disabled"}


def _pairs(text: str, what: str) -> dict[str, str]:
    out = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{what}: {item!r} is not key=value")
        out[key.strip()] = value.strip()
    return out


@dataclass(frozen=True)
class SecuritySettings:
    visit_days: dict = field(default_factory=lambda: dict(DEFAULT_VISIT_DAYS))
    programme_tags: dict = field(default_factory=lambda: dict(DEFAULT_PROGRAMME_TAGS))

    def __post_init__(self):
        for rule, days in self.visit_days.items():
            if rule not in (*KEY_GROUPS, EVERY_HOUSEHOLD) or not isinstance(days, int) or not 1 <= days <= 3660:
                raise ValueError(f"visit rule {rule}={days}: a key group or 'household', 1..3660 days")
        for programme, tag in self.programme_tags.items():
            if tag not in KEY_GROUPS:
                raise ValueError(f"programme {programme} marks {tag!r}, not a key group")

    @property
    def visit_rules(self) -> VisitRules:
        return VisitRules(dict(self.visit_days))

    @classmethod
    def from_env(cls) -> "SecuritySettings":
        days = dict(DEFAULT_VISIT_DAYS)
        for rule, value in _pairs(os.environ.get("SECURITY_VISIT_RULES", ""), "SECURITY_VISIT_RULES").items():
            days.pop(rule, None)
            if int(value):
                days[rule] = int(value)
        programmes = {**DEFAULT_PROGRAMME_TAGS,
                      **_pairs(os.environ.get("SECURITY_TAG_PROGRAMMES", ""), "SECURITY_TAG_PROGRAMMES")}
        return cls(days, programmes)
