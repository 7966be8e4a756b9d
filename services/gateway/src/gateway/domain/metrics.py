"""The figures the offices report (工作汇报), and how each service's events move them. No I/O.

Every figure is a sum of deltas per org unit and day, so that a sub-district's figure is the sum of
its communities and a period's figure the sum of its days. A rate is never stored: it is a ratio
of two summed figures (`RATES`), so rolling up weights it correctly. A stock (households covered,
volunteers registered, floating population) is the sum of its deltas from the beginning up to the
end of the period.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, timezone
import re
from typing import Callable, Iterable, Mapping

from liandong.clock import from_iso
from liandong.contracts import CONTRACTS
from liandong.registry import DOMAIN_SERVICES

from .figure_kinds import Breakdown, Metric, Rate
from .office_figures import OFFICE_BREAKDOWNS, OFFICE_METRICS, OFFICE_RATES, OFFICE_RULES
from .seed_figures import SEED_METRICS, SEED_RULES

CHINA = timezone(timedelta(hours=8))  # days are counted as the offices count them


_METRICS = [
    # 信访
    Metric("petition.batches", "接访批次", "批次"),
    Metric("petition.person_times", "接访人次", "人次"),
    Metric("petition.group_batches", "群体性上访批次", "批次"),
    Metric("petition.group_person_times", "群体性上访人次", "人次"),
    Metric("petition.answered", "已答复件数", "件"),
    Metric("petition.answered_on_time", "按期答复件数", "件"),
    Metric("petition.closed", "办结件数", "件"),
    Metric("petition.satisfied", "满意件数", "件"),
    Metric("petition.basically_satisfied", "基本满意件数", "件"),
    Metric("petition.resolved_at_level", "本级化解件数", "件"),
    Metric("petition.overdue", "超期件数", "件"),
    Metric("petition.escalated", "上报或督办件数", "件"),
    Metric("petition.risk_flagged", "预警件数", "件"),
    # 民政
    Metric("welfare.applications", "救助申请", "件"),
    Metric("welfare.applications_approved", "批准申请", "件"),
    Metric("welfare.applications_rejected", "未批准申请", "件"),
    Metric("welfare.households", "在保户数", "户", stock=True),
    Metric("welfare.people", "在保人数", "人", stock=True),
    Metric("welfare.disbursed_fen", "发放救助金", "fen"),
    Metric("welfare.payments", "发放笔数", "笔"),
    Metric("welfare.goods_donated_fen", "接收捐赠物资折价", "fen"),
    Metric("welfare.goods_handed_out", "爱心超市发放物资", "件"),
    Metric("welfare.goods_handed_out_fen", "爱心超市发放物资折价", "fen"),
    Metric("welfare.fund_in_fen", "爱心基金收入", "fen"),
    Metric("welfare.fund_out_fen", "爱心基金支出", "fen"),
    Metric("welfare.visits", "走访慰问", "次"),
    Metric("welfare.visit_money_fen", "慰问金", "fen"),
    # 志愿服务
    Metric("volunteer.volunteers", "注册志愿者", "名", stock=True),
    Metric("volunteer.activities", "开展活动", "次"),
    Metric("volunteer.participant_times", "参与人次", "人次"),
    Metric("volunteer.minutes", "服务时长", "分钟"),
    Metric("volunteer.coins_credited", "积累爱心币", "枚"),
    Metric("volunteer.coins_redeemed", "兑换爱心币", "枚"),
    # 平安建设
    Metric("security.incidents", "各类事件", "起"),
    Metric("security.emergencies", "公共安全事件", "起"),
    Metric("security.incidents_resolved", "已处置事件", "起"),
    Metric("security.response_minutes", "处置用时合计", "分钟"),
    Metric("security.patrols", "巡逻", "次"),
    Metric("security.checkpoints_total", "应巡点位", "个"),
    Metric("security.checkpoints_checked", "实巡点位", "个"),
    Metric("security.migrants", "登记流动人口", "人", stock=True),
    Metric("security.migrant_permits_lapsed", "居住证过期未续", "人", stock=True),
    Metric("security.mediations", "调解民间纠纷", "次"),
    Metric("security.mediations_succeeded", "调解成功", "次"),
    Metric("security.corrections_visits_overdue", "矫正走访超期", "次"),
    # 网格化服务管理: the real-population register (实有人口) and the grid workers' visits (#19)
    Metric("security.households", "实有人口户数", "户", stock=True),
    Metric("security.residents", "实有人口", "人", stock=True),
    Metric("security.residents_registered", "户籍人口", "人", stock=True),
    Metric("security.residents_floating", "流动人口(实有人口登记)", "人", stock=True),
    Metric("security.residents_separated", "人户分离", "人", stock=True),
    Metric("security.household_visits", "网格员走访", "户次"),
    *OFFICE_METRICS,  # the rest of the offices' work (#20): 党建, 就业/社保, 便民服务, 退管, 残联, 优抚
    *SEED_METRICS,  # what else the seeds report (#21): 志愿服务队, 结对帮扶, 爱心超市 / 爱心基金 帮扶的户和人
]
METRICS: dict[str, Metric] = {m.key: m for m in _METRICS}


BREAKDOWNS: dict[str, Breakdown] = {b.family: b for b in (
    Breakdown("welfare.households", "programme", "在保户数", "户", stock=True),
    Breakdown("welfare.people", "programme", "在保人数", "人", stock=True),
    Breakdown("welfare.disbursed_fen", "programme", "发放金额", "fen"),
    Breakdown("security.incidents", "incident_type", "事件", "起"),
    *OFFICE_BREAKDOWNS,
)}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # a service's code; anything else is not a figure


def breakdown_of(key: str) -> tuple[Breakdown, str] | None:
    """(the breakdown, the code) of a figure such as `welfare.disbursed_fen.dibao_urban`, or None."""
    family, _, code = key.rpartition(".")
    b = BREAKDOWNS.get(family)
    return (b, code) if b is not None and _CODE.match(code) else None


def known(key: str) -> bool:
    return key in METRICS or breakdown_of(key) is not None


def is_stock(key: str) -> bool:
    m = METRICS.get(key)
    if m is not None:
        return m.stock
    found = breakdown_of(key)
    return bool(found and found[0].stock)


Labels = Mapping[str, Mapping[str, str]]  # vocabulary -> code -> the owning service's label

# names that events carry beside a code (optional fields of the contracts): name field -> (code field, vocabulary)
NAMED_IN_EVENTS = {"programme_name": ("programme", "programme")}


def names_in(data: dict) -> list[tuple[str, str, str]]:
    """(vocabulary, code, name) of each code an event names."""
    out = []
    for name_field, (code_field, vocabulary) in NAMED_IN_EVENTS.items():
        name, code = data.get(name_field), data.get(code_field)
        if name and isinstance(code, str) and _CODE.match(code):
            out.append((vocabulary, code, str(name)))
    return out


def merged(*labels: Labels | None) -> dict[str, dict[str, str]]:
    """Vocabularies merged, the later ones' names winning (the service's own answer over what events said)."""
    out: dict[str, dict[str, str]] = {}
    for one in labels:
        for vocabulary, names in (one or {}).items():
            out.setdefault(vocabulary, {}).update(names)
    return out


def metric(key: str, labels: Labels | None = None) -> Metric:
    """The figure `key` with its label; a breakdown named by its owner's label (or its code when the owning
    service cannot be asked just now)."""
    m = METRICS.get(key)
    if m is not None:
        return m
    found = breakdown_of(key)
    if found is None:
        raise KeyError(key)
    b, code = found
    name = ((labels or {}).get(b.vocabulary) or {}).get(code) or code
    return Metric(key, f"{name}{b.suffix}", b.unit, b.stock)


def breakdown_keys(labels: Labels | None, *seen: Iterable[str]) -> list[str]:
    """Every breakdown figure to show: one per code its owner lists (so a programme with nothing yet shows
    a zero) and per code the figures hold (so a code its owner no longer lists still adds up)."""
    keys = {f"{b.family}.{code}" for b in BREAKDOWNS.values() for code in ((labels or {}).get(b.vocabulary) or {})}
    keys |= {k for figures in seen for k in figures if k not in METRICS and breakdown_of(k) is not None}
    families = list(BREAKDOWNS)
    return sorted((k for k in keys if breakdown_of(k)), key=lambda k: (families.index(k.rpartition(".")[0]), k))

RATES = [
    Rate("petition.on_time_rate", "按期办结率", ("petition.answered_on_time",), "petition.answered"),
    Rate("petition.satisfaction_rate", "群众满意率", ("petition.satisfied", "petition.basically_satisfied"),
         "petition.closed"),
    Rate("petition.resolved_at_level_rate", "本级化解率", ("petition.resolved_at_level",), "petition.closed"),
    Rate("security.mediation_success_rate", "调解成功率", ("security.mediations_succeeded",), "security.mediations"),
    Rate("security.checkpoint_coverage", "巡逻点位覆盖率", ("security.checkpoints_checked",), "security.checkpoints_total"),
    Rate("security.mean_response_minutes", "平均处置用时(分钟)", ("security.response_minutes",),
         "security.incidents_resolved"),
    *OFFICE_RATES,
]


# An envelope's time (UTC, "Z"): its day in China's calendar depends on its date and hour alone (a fixed
# UTC+8, no summer time), so each hour's day is worked out once (the projector's profile: 2 % of its time).
_UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
_DAY_OF_HOUR: dict[str, str] = {}


def local_day(iso: str) -> str:
    """The day in China's calendar of a time (UTC when it names no zone)."""
    if not _UTC_TIME.fullmatch(iso):
        return from_iso(iso).astimezone(CHINA).date().isoformat()
    hour = iso[:13]
    day = _DAY_OF_HOUR.get(hour)
    if day is None:
        if len(_DAY_OF_HOUR) > 100_000:  # a decade of hours; a replay of longer starts again
            _DAY_OF_HOUR.clear()
        day = _DAY_OF_HOUR[hour] = from_iso(iso).astimezone(CHINA).date().isoformat()
    return day


@dataclass(frozen=True)
class Effect:
    """What one event does to the figures: deltas on a day, and (for stocks) what to remember."""

    day: str
    deltas: dict[str, float]


def _when(data: dict, *fields, default: str) -> str:
    for f in fields:
        if callable(f):  # a date the rule works out from the data (or None: the next field, the event's time)
            found = f(data)
            if found:
                return found
            continue
        if data.get(f):
            return local_day(data[f]) if "T" in data[f] else data[f][:10]
    return local_day(default)


def _type(name: str) -> str:
    """The event type of a contract in the register (a name it does not hold fails at import, not in a report)."""
    return CONTRACTS.by_name(name).type


Rule = Callable[[dict, dict], dict]  # (event data, remembered facts of its aggregate) -> deltas


def _petition_registered(d, _):
    out = {"petition.batches": 1, "petition.person_times": d["headcount"]}
    if d["is_group"]:
        out |= {"petition.group_batches": 1, "petition.group_person_times": d["headcount"]}
    return out


def _petition_closed(d, _):
    out = {"petition.closed": 1, "petition.resolved_at_level": int(bool(d["resolved_at_level"]))}
    if d["satisfaction"] == "satisfied":
        out["petition.satisfied"] = 1
    elif d["satisfaction"] == "basically":
        out["petition.basically_satisfied"] = 1
    return out


def _grant_delta(sign: int):
    def rule(d, memory):
        size = d.get("household_size") or memory.get("household_size") or 0
        programme = d.get("programme") or memory.get("programme")
        return {"welfare.households": sign, "welfare.people": sign * size,
                f"welfare.households.{programme}": sign, f"welfare.people.{programme}": sign * size}
    return rule


def _roster_start(d) -> str | None:
    """A grant from an office's roster (imported on rollout day) was covering the household since its start month:
    its stock counts from then, so last year's figures include it; a grant approved on the platform counts from
    its approval (the event)."""
    return f"{d['start_period']}-01" if d.get("imported") and d.get("start_period") else None


def _day_after(field: str):
    """The day after a date the event names (a permit valid through its expiry date lapses the next day)."""
    return lambda d: (date.fromisoformat(d[field][:10]) + timedelta(days=1)).isoformat() if d.get(field) else None


def _incident_reported(d, _):
    out = {"security.incidents": 1, f"security.incidents.{d['type']}": 1}
    if d.get("emergency"):
        out["security.emergencies"] = 1
    return out


def _resident(sign: int):
    """A person joins or leaves the register's stock, counted also by their residence status (a change of status:
    `_residence_changed`)."""
    def rule(d, _):
        return {"security.residents": sign, f"security.residents_{d['residence']}": sign}
    return rule


def _residence_changed(d, _):
    """A resident whose status changed (户籍 → 流动 …) moves between the figures by status; the total stays."""
    before, after = d.get("previous_residence"), d["residence"]
    if not before or before == after:
        return {}
    return {f"security.residents_{before}": -1, f"security.residents_{after}": 1}


def _mediated(prefix: str):
    def rule(d, _):
        return {f"{prefix}.mediations": 1, f"{prefix}.mediations_succeeded": int(d["outcome"] == "agreement")}
    return rule


# event type -> (fields that date the fact, rule)
RULES: dict[str, tuple[tuple[str, ...], Rule]] = {
    _type("petition.registered"): (("registered_at",), _petition_registered),
    _type("petition.answered"): (("answered_at",), lambda d, _: {
        "petition.answered": 1, "petition.answered_on_time": int(bool(d["on_time"]))}),
    _type("petition.closed"): (("closed_at",), _petition_closed),
    _type("petition.overdue"): (("detected_at",), lambda d, _: {"petition.overdue": 1}),
    _type("petition.escalated"): (("escalated_at",), lambda d, _: {"petition.escalated": 1}),
    _type("petition.risk_flagged"): (("flagged_at",), lambda d, _: {"petition.risk_flagged": 1}),
    _type("welfare.application.submitted"): ((), lambda d, _: {"welfare.applications": 1}),
    _type("welfare.application.approved"): ((), lambda d, _: {"welfare.applications_approved": 1}),
    _type("welfare.application.rejected"): ((), lambda d, _: {"welfare.applications_rejected": 1}),
    _type("welfare.grant.started"): ((_roster_start,), _grant_delta(+1)),
    _type("welfare.grant.resumed"): ((), _grant_delta(+1)),
    _type("welfare.grant.suspended"): ((), _grant_delta(-1)),
    _type("welfare.grant.ended"): ((), _grant_delta(-1)),
    _type("welfare.payment.disbursed"): ((), lambda d, _: {
        "welfare.disbursed_fen": d["amount_fen"], f"welfare.disbursed_fen.{d['programme']}": d["amount_fen"],
        "welfare.payments": 1}),
    _type("welfare.goods.donated"): ((), lambda d, _: {"welfare.goods_donated_fen": d.get("value_fen") or 0}),
    _type("welfare.goods.handed_out"): ((), lambda d, _: {
        "welfare.goods_handed_out": d["quantity"], "welfare.goods_handed_out_fen": d.get("value_fen") or 0,
        "welfare.supermarket_households": int(bool(d.get("first_for_household_in_year")))}),
    _type("welfare.fund.donation_received"): ((), lambda d, _: {"welfare.fund_in_fen": d["amount_fen"]}),
    _type("welfare.fund.grant_paid"): ((), lambda d, _: {
        "welfare.fund_out_fen": d["amount_fen"], "welfare.fund_people": int(bool(d.get("first_for_person_in_year")))}),
    _type("welfare.visit.recorded"): (("visited_at",), lambda d, _: {
        "welfare.visits": 1, "welfare.visit_money_fen": d.get("money_fen") or 0}),
    _type("volunteer.registered"): (("registered_at",), lambda d, _: {"volunteer.volunteers": 1}),
    _type("volunteer.left"): (("left_at",), lambda d, _: {"volunteer.volunteers": -1}),
    _type("volunteer.activity.published"): (("starts_at",), lambda d, _: {"volunteer.activities": 1}),
    _type("volunteer.attendance.recorded"): (("started_at",), lambda d, _: {
        # a correction is no second participation, nor are the hours carried forward on rollout day (opening)
        "volunteer.participant_times": 1 if d.get("correction_reason") is None and d.get("source") != "opening"
        else 0,
        "volunteer.minutes": d.get("delta_minutes", d.get("minutes", 0))}),
    _type("volunteer.coins.credited"): ((), lambda d, _: {"volunteer.coins_credited": d["coins"]}),
    _type("volunteer.coins.redeemed"): ((), lambda d, _: {"volunteer.coins_redeemed": d["coins"]}),
    _type("security.incident.reported"): (("reported_at",), _incident_reported),
    _type("security.incident.resolved"): (("resolved_at",), lambda d, _: {
        "security.incidents_resolved": 1, "security.response_minutes": d.get("response_minutes") or 0}),
    _type("security.patrol.completed"): (("ended_at",), lambda d, _: {
        "security.patrols": 1, "security.checkpoints_total": d["checkpoints_total"],
        "security.checkpoints_checked": d["checkpoints_checked"]}),
    _type("security.migrant.registered"): (("registered_at",), lambda d, _: {"security.migrants": 1}),
    # the stock goes down when a check finds the person gone (#21); a lapsed permit is its own stock, as the
    # person is still registered until someone checks
    _type("security.migrant.moved_out"): (("moved_out_at",), lambda d, _: {
        "security.migrants": -1, "security.migrant_permits_lapsed": -int(bool(d["permit_lapsed"]))}),
    _type("security.migrant.permit_lapsed"): ((_day_after("expired_on"),), lambda d, _: {
        "security.migrant_permits_lapsed": 1}),
    _type("security.migrant.permit_renewed"): ((), lambda d, _: {
        "security.migrant_permits_lapsed": -int(bool(d["was_lapsed"]))}),
    _type("security.dispute.mediated"): (("mediated_at",), _mediated("security")),
    _type("security.corrections.visit_overdue"): ((), lambda d, _: {"security.corrections_visits_overdue": 1}),
    _type("security.household.registered"): (("registered_at",), lambda d, _: {"security.households": 1}),
    _type("security.household.left"): (("left_at",), lambda d, _: {"security.households": -1}),
    _type("security.resident.added"): ((), _resident(+1)),
    _type("security.resident.moved_out"): (("moved_out_at",), _resident(-1)),
    _type("security.resident.changed"): ((), _residence_changed),
    _type("security.household.visited"): (("visited_at",), lambda d, _: {"security.household_visits": 1}),
    **{_type(name): rule for name, rule in OFFICE_RULES.items()},  # #20, by their contracts' names
    **{_type(name): rule for name, rule in SEED_RULES.items()},  # #21
}

# facts a later event of the same aggregate needs (a grant's size when it is suspended or ended)
REMEMBER: dict[str, tuple[str, ...]] = {
    _type("welfare.grant.started"): ("household_size", "programme"),
}

# events of a grant that need what its start taught the model (its household size and programme)
RECALL = frozenset(_type(n) for n in ("welfare.grant.resumed", "welfare.grant.suspended", "welfare.grant.ended"))

SOURCES = DOMAIN_SERVICES  # every domain service's topic feeds the figures


def effect_of(event_type: str, data: dict, event_time: str, memory: dict | None = None) -> Effect | None:
    """The deltas an event makes, dated by the fact it records (in China's calendar), or None."""
    rule = RULES.get(event_type)
    if rule is None:
        return None
    date_fields, fn = rule
    deltas = {k: v for k, v in fn(data, memory or {}).items() if v and known(k)}
    if not deltas:
        return None
    return Effect(_when(data, *date_fields, default=event_time), deltas)


def rate_value(rate: Rate, figures: dict[str, float]) -> float | None:
    den = figures.get(rate.denominator, 0)
    if not den:
        return None
    return sum(figures.get(n, 0) for n in rate.numerator) / den
