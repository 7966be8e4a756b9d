"""The figures the seeds report that #21 added — volunteer teams (志愿服务队), pairings (结对帮扶), the households the
爱心超市 helped and the people the 爱心基金 helped — their labels and how their events move them, by the contracts'
names; `metrics` adds them to its catalogue and rules. No I/O."""
from __future__ import annotations

from .figure_kinds import Metric

SEED_METRICS = [
    # 志愿服务: teams are a stock (在册: up on the day formed, down on the day dissolved) — "组建了5支志愿服务队"
    Metric("volunteer.teams", "志愿服务队", "支", stock=True),
    # 结对帮扶 (welfare): distinct helpers and households with an active pairing in an org unit — the events say
    # whether a pairing was the helper's / household's first active one (or its last, ended), so the sums count
    # people and households, not pairings ("108名干部…与127户困难家庭结对"). A helper paired in two communities is
    # counted in each (a community reports its own helpers)
    Metric("welfare.pairing_helpers", "结对帮扶干部", "名", stock=True),
    Metric("welfare.paired_households", "结对帮扶困难家庭", "户", stock=True),
    # distinct in a calendar year: the event says whether it is the household's / person's first that year, so a
    # year's sum is "爱心超市为66户困难家庭发放物资", "爱心基金救助65名困难居民"; a month counts those first helped then
    Metric("welfare.supermarket_households", "爱心超市帮扶家庭(年内首次)", "户"),
    Metric("welfare.fund_people", "爱心基金救助人数(年内首次)", "名"),
]


def _pairing(word: str, sign: int):
    def rule(d, _):
        return {"welfare.pairing_helpers": sign * int(bool(d[f"{word}_for_helper"])),
                "welfare.paired_households": sign * int(bool(d[f"{word}_for_household"]))}
    return rule


# contract name -> (fields that date the fact, rule), as metrics.RULES. The 爱心超市's and 爱心基金's distinct
# households and people are counted by the rules of their events in metrics.RULES (the same events' other figures)
SEED_RULES = {
    "volunteer.team.formed": (("formed_on",), lambda d, _: {"volunteer.teams": 1}),
    "volunteer.team.dissolved": (("dissolved_on",), lambda d, _: {"volunteer.teams": -1}),
    "welfare.pairing.started": (("started_on",), _pairing("first", +1)),
    "welfare.pairing.ended": (("ended_on",), _pairing("last", -1)),
}
