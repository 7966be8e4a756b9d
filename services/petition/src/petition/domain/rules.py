"""Pure rules of the petition office: working days, deadlines (限时办结制), risk flags, search terms."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

# Office days are counted on the local calendar (Beijing time), whatever the server's zone.
LOCAL = timezone(timedelta(hours=8))

LEVELS = ("community", "subdistrict", "district")
LEVEL_NAMES = {"community": "社区", "subdistrict": "街道", "district": "区"}

CHANNELS = {"visit": "来访", "letter": "来信", "mailbox": "信箱", "hotline": "服务热线", "online": "网上",
            "grid_round": "网格员走访"}
ANONYMOUS_CHANNELS = ("letter", "mailbox")


def _category(name: str, group: str, community: int, subdistrict: int, district: int) -> dict:
    return {"name": name, "group": group,
            "deadline_days": {"community": community, "subdistrict": subdistrict, "district": district}}


# Working days to answer, per level: the lower the level, the quicker the office is expected to be.
DEFAULT_CATEGORIES = {
    "environment_noise": _category("环境噪音", "environment", 10, 15, 30),
    "property": _category("物业管理", "property", 10, 15, 30),
    "labour_wages": _category("劳动工资", "labour", 15, 20, 30),
    "social_assistance": _category("社会救助", "welfare", 10, 15, 30),
    "neighbour_dispute": _category("邻里纠纷", "dispute", 5, 10, 20),
    "land_housing": _category("土地房屋", "land", 15, 30, 60),
    "public_order": _category("社会治安", "order", 5, 10, 20),
    "other": _category("其他", "other", 15, 30, 60),
}

DEFAULT_DEPARTMENTS = {  # 联动部门
    "environment": "环保", "work_safety": "安监", "commerce": "工商", "justice": "司法", "police": "派出所",
    "labour": "劳动保障", "housing": "房管", "urban_management": "城管",
}

# People who threaten to go over the office's head (越级上访) usually say so in these words.
HIGHER_LEVEL_WORDS = ("越级", "市领导", "省里", "上北京", "进京", "找市长", "找领导", "去市里", "联名上访",
                      "集体上访")

GROUP_THRESHOLD = 5  # 群体性上访: five or more people with one matter


@dataclass(frozen=True)
class Calendar:
    """Working days: Monday to Friday, less the configured public holidays."""

    holidays: frozenset = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day.isoformat() not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (the day of registration does not count)."""
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                left -= 1
        return current

    def subtract_working_days(self, end: date, days: int) -> date:
        current, left = end, days
        while left > 0:
            current -= timedelta(days=1)
            if self.is_working_day(current):
                left -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how long a clock ran from one day to another."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def end_of_day(day: date) -> datetime:
    """The last moment of a local day, in UTC: a deadline is met if answered on that day."""
    return datetime.combine(day, time(23, 59, 59, 999999), LOCAL).astimezone(timezone.utc)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), LOCAL).astimezone(timezone.utc)


def level_of(org_level: str) -> str:
    """The petition level (社区 / 街道 / 区) an org unit's case is handled at."""
    if org_level in ("city", "district"):
        return "district"
    if org_level == "subdistrict":
        return "subdistrict"
    return "community"


def level_above(level: str) -> str | None:
    i = LEVELS.index(level)
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


def deadline_days(categories: dict, category: str, level: str) -> int:
    return int(categories[category]["deadline_days"][level])


def threatens_higher_level(text: str) -> bool:
    return any(w in (text or "") for w in HIGHER_LEVEL_WORDS)


def risk_flags(*, is_group: bool, headcount: int, repeat: bool, says_higher_level: bool, content: str) -> list[str]:
    """Early-warning flags (预警): group petition, repeat petitioner, threat to go over the office's head."""
    flags = []
    if is_group or headcount >= GROUP_THRESHOLD:
        flags.append("group_petition")
    if repeat:
        flags.append("repeat_petitioner")
    if says_higher_level or threatens_higher_level(content):
        flags.append("higher_level_threat")
    return flags


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")


def search_terms(text: str) -> list[str]:
    """Index terms for Chinese full-text search: every character and character pair (bigram),
    plus Latin words and numbers. Chinese has no spaces, so n-grams stand in for words."""
    text = (text or "").lower()
    terms: set[str] = set()
    for run in _CJK.findall(text):
        terms.update(run)
        terms.update(run[i:i + 2] for i in range(len(run) - 1))
    terms.update(_WORD.findall(text))
    return sorted(terms)


def query_terms(query: str) -> list[str]:
    """The terms a query must all match: bigrams of each Chinese run (the run itself if one character)."""
    query = (query or "").lower()
    terms: set[str] = set()
    for run in _CJK.findall(query):
        terms.update([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
    terms.update(_WORD.findall(query))
    return sorted(terms)
