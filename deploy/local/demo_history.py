"""A demo district with a past: last year and this year to date, generated once per data directory.

`make run` (deploy/local/run.py) starts this script in the background once the platform is ready, in demo
mode, unless LIANDONG_DEMO_HISTORY=0. It plays a year and a bit of the offices' work — petitions handled
and closed, welfare applications approved and paid every month, visits, volunteers and their activities,
incidents, mediations, migrants, patrols, the one-stop hall's matters and window services, the 爱心超市 and the
爱心基金, volunteer teams, the registers of retirees, elderly, disabled and veterans and their services, job
seekers placed — THROUGH THE SERVICES' OWN HTTP API, so every record is validated,
encrypted, scoped and announced by its events like any other, and the gateway's figures (去年同期, trends, the
annual report) show real shapes on first start.

How a fact gets last year's date without writing anyone's database: the services take their time from
`liandong.clock`, which reads an offset from LIANDONG_CLOCK_FILE on every call (how the e2e year tests move
time). This script starts a second web process of the gateway and of each service — the same code and the
same data — on free ports, with the clock file of `<data>/demo-history/clock`, and moves that clock to the
moment of each step before it calls. The platform's own processes keep the real time, so what a user does
meanwhile is dated today. The history processes end with the script.

Yearly figures (scale 1, the district) follow the offices' own reports (shared/seeds, see `YEARLY`);
LIANDONG_DEMO_HISTORY_SCALE shrinks or grows them (tests use a small scale; the shape stays). A fixed seed
makes the numbers the same on every machine (the plan of a year depends only on the year).

A refusal (a 422, a 409 the step does not expect …) is permanent: that step is left out — with the steps that act
on what it would have made — and said in the progress (`steps_refused`, `refused`, `error`) and the log; the rest
goes on. A transient failure (no connection, 429, 502/503/504) is asked again with a growing wait, and a service
down for longer than the patience fails the run (run.py starts it again; it resumes).

Love coins are credited by the volunteer service's worker (the platform's, on the real clock), dated by the
attendance's or patrol's start, so last year's hours bring last year's coins.

Resumable: after each day the state (the ids later steps need) is written to `<data>/demo-history/state.json`;
a restart continues from the first day not done, and every POST carries an Idempotency-Key made of the day and
the step, so a step of the interrupted day that had been written is answered again, never made twice.
Progress is in `<data>/demo-history/progress.json`, which the gateway shows at GET /api/v1/demo/history.

    python deploy/local/demo_history.py          # with the platform's environment (LIANDONG_DATA_DIR ...)
"""
from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import requests

from liandong.registry import DEFAULT_PORTS, SERVICES

CHINA = timezone(timedelta(hours=8))
SEED = 22  # issue #22: the same history on every machine
PASSWORD = "Liandong-demo-2026"
API = "/api/v1"
STATE_DIR = "demo-history"
# the accounts that keep the history: a 社区 worker and a 街道 officer for the whole district (the officer
# approves what the worker reviewed: one person never both reviews and approves)
CLERK, APPROVER = "history_clerk", "history_approver"
# the hall's window workers, each with their office's duty (seed 003 counts 窗口服务 per worker: 保障员, 计生员, 退管员),
# and the 残联专干 who keeps the disabled register
BAOZHANG, JISHENG, TUIGUAN, CANLIAN = "history_baozhang", "history_jisheng", "history_tuiguan", "history_canlian"


def _worker(duties: list[str]) -> list[dict]:
    return [{"role": "community_worker", "org_unit": "chuanying", "duties": duties}]


ACCOUNTS = {
    CLERK: ("演示历史录入员", _worker(["civil_affairs"])),
    APPROVER: ("演示历史审批员", [{"role": "subdistrict_officer", "org_unit": "chuanying", "duties": []}]),
    BAOZHANG: ("演示历史保障员", _worker(["social_security"])),
    JISHENG: ("演示历史计生员", _worker([])),
    TUIGUAN: ("演示历史退管员", _worker(["retiree_affairs"])),
    CANLIAN: ("演示历史残联专干", _worker(["disability_affairs"])),
}

CEGUAN = ("yangshang", "yangchun", "yangquan", "yanghe", "yangzhong")  # seed 004's five communities
COMMUNITIES = ("jiayuan", "huangniling", "limin", *CEGUAN)
ADDRESS = {"jiayuan": "家园社区", "huangniling": "黄泥岭社区", "limin": "利民社区", "yangshang": "阳上社区",
           "yangchun": "阳春社区", "yangquan": "阳泉社区", "yanghe": "阳和社区", "yangzhong": "阳中社区"}

# What one community does in a year (scale 1), from the offices' own reports (shared/seeds):
# - petitions: 册关街道 "接访30多批次1600多人次,其中群体性上访13批次1000多人次" (seed 004): 6 batches a year in each
#   of its five communities, 2-3 of them group petitions of 40-110 people; the other communities 4 a year;
# - 低保: "为80户190人办理城市居民最低生活保障" (seed 004): 16 households a year in each 册关 community, 2-3 people each
#   (190/80), paid every month (the disbursement run on the 10th); the others 6;
# - visits: "上门慰问困难党员、群众、残疾家庭276人次,共发放慰问金额达14万余元" (seed 001): 35 a year, ~500 元 each;
# - volunteers: "招募了89名爱心志愿者 … 共开展了26次活动,积累爱心币7000余枚" (seed 000), for the district:
#   11 volunteers and 3-4 activities of ~6 people for 2-4 hours in each community;
# - incidents: "天然气泄漏、暴雨泛滥成灾、停电群起纠纷等公共安全事件5起" (seed 003): 6 a year, 1 in 6 of them
#   a public-safety emergency (gas leak, flood, power cut);
# - mediations: "全年调解民间纠纷98次,成功率92.8%" (seed 003): 12 a year (98 in the district), 93 % agreed;
# - migrants: 10 registered a year (the seeds' 外来务工人员 of 册关).
YEARLY = {
    "petition": {c: (6 if c in CEGUAN else 4) for c in COMMUNITIES},
    "dibao": {c: (16 if c in CEGUAN else 6) for c in COMMUNITIES},
    "visit": {c: 35 for c in COMMUNITIES},
    "volunteer": {c: 11 for c in COMMUNITIES},
    "activity": {c: 3.5 for c in COMMUNITIES},
    "incident": {c: 6 for c in COMMUNITIES},
    "mediation": {c: 12 for c in COMMUNITIES},
    "migrant": {c: 10 for c in COMMUNITIES},
}
# The offices' other work (#22 item 5), a year of one community at scale 1:
# - patrols: "通過定時巡邏" (seed 000): a patrol every other week on one of two routes of five checkpoints, with a 治安志愿者
#   of the community (who earns love coins), one checkpoint in twenty missed, a finding on one patrol in eight;
# - the one-stop hall: seed 003 counts 窗口服务 per worker a year (保障员 2525, 计生员 1552, 退管员 2412); the demo
#   logs `SHARE` of them (all of them would be 50 000 calls a year for the district: hours of generation, the
#   proportions are the seed's); matters accepted at the windows, five a month, most carried through on time;
# - 爱心超市: "社區內66戶再保障家庭得到了慈善救助" (seed 000): 66 households helped, a handout or two each, from a
#   donation a month; 爱心基金: "累计筹集资金6万余元,帮助65名困难居民" (seed 002, over about five years): 13 people a
#   year helped from four donations;
# - volunteer teams: "招募了89名爱心志愿者,组建了5支志愿服务隊" (seed 000): 5 teams in a community;
# - the registers at the start (stocks): "企業離退休人員1182人" (seed 000) — `SHARE` of it — and the elderly, the
#   disabled and the veterans in proportion; a few more each year, and their services ("看望生病住院老人2739人次",
#   "上門幫助空巢老人263人次" — the seed's years together — 康复, 走访慰问优抚对象), about one a week for each register;
# - employment: "帮助再就业120人" in 册关's five communities (seed 004): 24 registered a year in each, 12 elsewhere;
#   half get a 再就业优惠证 ("为980名下岗职工办理再就业优惠证" of "2077名下岗失业人员"), seven in ten are placed,
#   four in ten of them at a job fair ("273名下崗失業人員得到現場安置", seed 000).
SHARE = 0.02  # of a seed's community figure in the thousands
YEARLY.update({
    "patrol": {c: 26 for c in COMMUNITIES},
    "hall_matter": {c: 60 for c in COMMUNITIES},
    "window": {"shebao": 2525 * SHARE, "jisheng": 1552 * SHARE, "tuiguan": 2412 * SHARE},
    "goods_donation": {c: 12 for c in COMMUNITIES},
    "supermarket_household": {c: 66 for c in COMMUNITIES},
    "fund_donation": {c: 4 for c in COMMUNITIES},
    "fund_grant": {c: 13 for c in COMMUNITIES},
    "team": {c: 5 for c in COMMUNITIES},
    # the registers' stocks at the start of the history, then the new entries of a year
    "retiree_stock": {c: 1182 * SHARE for c in COMMUNITIES}, "retiree": {c: 4 for c in COMMUNITIES},
    "elderly_stock": {c: 12 for c in COMMUNITIES}, "elderly": {c: 4 for c in COMMUNITIES},
    "disabled_stock": {c: 6 for c in COMMUNITIES}, "disabled": {c: 2 for c in COMMUNITIES},
    "veteran_stock": {c: 4 for c in COMMUNITIES}, "veteran": {c: 1 for c in COMMUNITIES},
    "jobseeker": {c: (24 if c in CEGUAN else 12) for c in COMMUNITIES},
})
# the registers' services a year, per community: (register, kind, count, money in fen)
REGISTER_SERVICES = (("retiree", "hospital_visit", 2739 * SHARE / 5, 20000), ("elderly", "home_visit", 263 / 5, 0),
                     ("retiree", "birthday_greeting", 8, 10000), ("elderly", "holiday_greeting", 8, 30000),
                     ("disabled", "rehabilitation", 40, 0), ("disabled", "assistive_device", 4, 0),
                     ("veteran", "condolence_visit", 40, 50000), ("veteran", "relief", 4, 100000),
                     ("veteran", "placement", 1, 0))
REGISTER_KEEPER = {"retiree": TUIGUAN, "elderly": TUIGUAN, "disabled": CANLIAN, "veteran": CLERK}
GROUP_SHARE = {c: (13 / 30 if c in CEGUAN else 0.1) for c in COMMUNITIES}
MEDIATION_SUCCESS = 0.93
THIS_YEAR_GROWTH = 1.08  # this year does a little more than last (去年同期 shows it)

# the months' weights: petitions peak with the heating season, floods and power cuts in summer, visits at
# 春节 and 重阳, activities around 学雷锋 (March) and 重阳 (October)
SEASON = {
    "petition": (14, 10, 8, 7, 7, 7, 8, 8, 7, 7, 10, 14),
    "visit": (20, 14, 6, 5, 5, 5, 5, 5, 6, 14, 6, 9),
    "activity": (6, 5, 14, 8, 8, 7, 6, 6, 8, 14, 8, 10),
    "incident": (8, 7, 7, 8, 10, 12, 14, 14, 9, 7, 7, 7),
}
FLAT = (1,) * 12
LINE_FEN = 72000  # 城市低保 720元/人/月 (welfare's programmes.yaml, 船营区)


class HistoryError(RuntimeError):
    pass


class StepRefused(HistoryError):
    """A service refused a step for good (a 4xx but 408/429, a 500): asked again, it would refuse again."""


# what a service answers while it (re)starts, its bus catches up, or its limiter holds a caller back
TRANSIENT = (408, 429, 502, 503, 504)


# ---------------------------------------------------------------------------------------------- the plan
@dataclass
class Step:
    """One POST at one moment (minute of the day); `ref` keeps the answer's id for later steps, whose path and
    body name it as `{ref}`."""

    minute: int
    user: str
    path: str
    body: dict
    ref: str | None = None
    tolerate: tuple = ()  # answers that mean "already so" (e.g. 409 a sign-up made before a crash)


@dataclass
class Plan:
    days: dict = field(default_factory=dict)  # date -> [Step]
    counts: Counter = field(default_factory=Counter)  # what the plan does, by kind and year

    def add(self, day: date, step: Step) -> None:
        self.days.setdefault(day, []).append(step)


def _id_number(rng: random.Random, year: int) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    born = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
    first = f"220204{born:%Y%m%d}{rng.randint(100, 999)}"
    return first + "10X98765432"[sum(int(d) * w for d, w in zip(first, weights)) % 11]


SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "桂兰淑芬建华德顺秀英明月志强秋菊国华海燕立军玉珍振山晓东美玉文清丽华永福金凤春生建国红梅"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _days_of(rng: random.Random, year: int, n: int, weights=FLAT) -> list[date]:
    """n days of `year`, months weighted by `weights` (the plan of a whole year; the caller cuts at today)."""
    out = []
    for month in rng.choices(range(1, 13), weights=weights, k=n):
        last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
        out.append(date(year, month, rng.randint(1, last)))
    return sorted(out)


def _count(rng: random.Random, per_year: float, factor: float) -> int:
    """A yearly count scaled, its fraction decided by the seeded draw (so a small scale keeps the proportions)."""
    x = per_year * factor
    return int(x) + (rng.random() < x - int(x))


def plan(today: date, scale: float = 1.0, seed: int = SEED) -> Plan:
    """Every step from 1 January of last year to yesterday. A year's steps depend only on (seed, year, scale),
    so last year is the same on every machine and this year's are the same up to the day it is cut at."""
    p = Plan()
    pools: dict[str, list] = {}
    for year in (today.year - 1, today.year):
        factor = scale * (THIS_YEAR_GROWTH if year == today.year else 1.0)
        for community in COMMUNITIES:
            rng = random.Random(f"{seed}:{year}:{community}")
            _petitions(p, rng, year, community, factor)
            _welfare(p, rng, year, community, factor)
            _volunteers(p, rng, year, community, factor, pools.setdefault(community, []))
            _security(p, rng, year, community, factor)
            # the areas added later draw after the first ones: those keep their numbers
            first_year = year == today.year - 1
            _patrols(p, rng, year, community, factor, pools[community], first_year)
            _hall(p, rng, year, community, factor)
            _help(p, rng, year, community, factor)
            _teams(p, rng, year, community, factor, pools[community], first_year)
            _registers(p, rng, year, community, factor, pools.setdefault(f"registers:{community}", []), first_year)
            _employment(p, rng, year, community, factor)
    p.days = {d: sorted(steps, key=lambda s: s.minute) for d, steps in sorted(p.days.items()) if d < today}
    p.counts = Counter()
    for d, steps in p.days.items():
        for s in steps:
            p.counts[f"{d.year}:{s.path.split('/')[1]}:{_kind(s.path)}"] += 1
    return p


def _kind(path: str) -> str:
    """What a step does, for the counts: the collection and the action, without ids."""
    parts = [x for x in path.split("/")[2:] if not x.startswith("{")]
    return "/".join(parts)


def _petitions(p: Plan, rng: random.Random, year: int, c: str, factor: float) -> None:
    topics = (("property", "供暖不热,室温不达标", "visit"), ("neighbour_dispute", "楼上漏水,邻里协商未果", "hotline"),
              ("environment_noise", "工厂夜间生产噪音扰民", "visit"), ("property", "私家车占用消防通道", "online"),
              ("social_assistance", "家中老人卧床,询问临时救助", "letter"), ("property", "老旧楼加装电梯费用分摊", "grid_round"))
    n = _count(rng, YEARLY["petition"][c], factor)
    for i, day in enumerate(_days_of(rng, year, n, SEASON["petition"])):
        category, title, channel = rng.choice(topics)
        group = rng.random() < GROUP_SHARE[c]
        headcount = rng.randint(40, 110) if group else rng.randint(1, 3)
        ref = f"petition:{c}:{year}:{i}"
        body = {"org_unit_id": c, "category": category, "channel": "visit" if group else channel, "title": title,
                "content": f"{ADDRESS[c]}居民反映{title},请求协调解决。",
                "petitioners": [{"name": _name(rng), "id_number": _id_number(rng, rng.randint(1945, 1995)),
                                 "address": f"{ADDRESS[c]}{rng.randint(1, 12)}号楼"}]}
        if headcount > 1:
            body["headcount"] = headcount
        minute = rng.randint(8 * 60 + 30, 16 * 60)
        p.add(day, Step(minute, CLERK, "/petition/petitions", body, ref=ref))
        days = rng.choice((5, 10, 15))
        deadline = day + timedelta(days=days)
        p.add(day, Step(minute + 20, CLERK, f"/petition/petitions/{{{ref}}}/assign", {
            "unit_kind": "community", "unit_id": c, "person": "社区主任", "deadline": deadline.isoformat(),
            "task": "入户核实情况并协调处理", "requirement": f"{days}个工作日内书面答复"}))
        answered = day + timedelta(days=rng.randint(1, days + (3 if rng.random() < 0.1 else 0)))
        at = rng.randint(9 * 60, 17 * 60)
        p.add(answered, Step(at, CLERK, f"/petition/petitions/{{{ref}}}/start", {"mode": "on_site_check"}))
        p.add(answered, Step(at + 10, CLERK, f"/petition/petitions/{{{ref}}}/answer",
                             {"text": "经社区协调相关部门处理,问题已解决,书面答复当事人。"}))
        satisfaction = rng.choices(("satisfied", "basically", "not"), weights=(75, 20, 5))[0]
        p.add(answered, Step(at + 30, CLERK, f"/petition/petitions/{{{ref}}}/close",
                             {"satisfaction": satisfaction, "note": "回访当事人"}))


def _welfare(p: Plan, rng: random.Random, year: int, c: str, factor: float) -> None:
    n = _count(rng, YEARLY["dibao"][c], factor)
    for i, day in enumerate(_days_of(rng, year, n)):
        ref = f"dibao:{c}:{year}:{i}"
        people = rng.choice((1, 2, 2, 3, 3, 4))
        members = [{"name": _name(rng), "id_number": _id_number(rng, rng.randint(1945, 1990)),
                    "relation": "applicant" if k == 0 else "spouse" if k == 1 else "child",
                    "monthly_income_fen": rng.choice((0, 0, 30000, 50000)) if k == 0 else 0,
                    "employment": rng.choice(("unemployed", "retired", "unable_to_work"))} for k in range(people)]
        minute = rng.randint(9 * 60, 15 * 60)
        p.add(day, Step(minute, CLERK, "/welfare/applications", {
            "org_unit_id": c, "programme": "dibao_urban", "channel": "window",
            "household": {"members": members, "address": f"{ADDRESS[c]}{rng.randint(1, 12)}号楼"}}, ref=ref))
        p.add(day, Step(minute + 30, CLERK, f"/welfare/applications/{{{ref}}}/community-review",
                        {"decision": "pass", "note": "入户核查属实,张榜公示"}))
        p.add(day, Step(minute + 90, APPROVER, f"/welfare/applications/{{{ref}}}/approval", {}))
    for month in range(1, 13):  # the month's payments, on the 10th, for every household in the programme then
        p.add(date(year, month, 10), Step(16 * 60 + 30, CLERK, "/welfare/disbursements",
                                          {"org_unit_id": c, "period": f"{year}-{month:02d}"}))
    for day in _days_of(rng, year, _count(rng, YEARLY["visit"][c], factor), SEASON["visit"]):
        kind = rng.choice(("home", "condolence"))
        p.add(day, Step(rng.randint(9 * 60, 17 * 60), CLERK, "/welfare/visits", {
            "org_unit_id": c, "kind": kind, "visited": rng.choice(("空巢老人", "困难党员", "残疾人家庭", "低保户")) + " " + _name(rng),
            "money_fen": rng.choice((30000, 50000, 50000, 80000)) if kind == "condolence" else 0,
            "notes": "了解生活情况,送去党和政府的温暖"}))


def _volunteers(p: Plan, rng: random.Random, year: int, c: str, factor: float, pool: list) -> None:
    """`pool`: the community's volunteers so far, (day joined, ref), last year's included."""
    # a community's first team is never fewer than three (so a small scale still holds activities)
    n = max(_count(rng, YEARLY["volunteer"][c], factor), 0 if pool else 3)
    # most join at the start of the year (the spring recruitment), the rest through it
    days = sorted(date(year, 1, rng.randint(5, 20)) if rng.random() < 0.6 else d
                  for d in _days_of(rng, year, n))
    for i, day in enumerate(days):
        ref = f"volunteer:{c}:{year}:{i}"
        pool.append((day, ref))
        p.add(day, Step(rng.randint(9 * 60, 11 * 60), CLERK, "/volunteer/volunteers", {
            "name": _name(rng), "kind": rng.choice(("resident", "resident", "party_member")), "org_unit_id": c,
            "skills": [rng.choice(("敬老", "清雪", "治安巡逻", "义诊协助", "法律咨询"))], "consent": True,
            "availability": "周末", "mobile": f"139{rng.randint(10000000, 99999999)}"}, ref=ref))
    kinds = (("elderly_care", "重阳敬老上门服务"), ("snow_cleaning", "义务清雪"), ("health_clinic", "社区义诊"),
             ("legal_aid", "法律咨询进社区"))
    for i, day in enumerate(_days_of(rng, year, _count(rng, YEARLY["activity"][c], factor), SEASON["activity"])):
        known = [r for d, r in pool if d < day]
        if len(known) < 2:
            continue
        ref = f"activity:{c}:{year}:{i}"
        type_, title = rng.choice(kinds)
        start, hours = rng.choice((8 * 60 + 30, 9 * 60, 14 * 60)), rng.choice((2, 3, 4))
        starts = _at(day, start)
        p.add(day, Step(start - 120, CLERK, "/volunteer/activities", {
            "title": title, "type": type_, "org_unit_id": c, "place": ADDRESS[c], "starts_at": _iso(starts),
            "ends_at": _iso(starts + timedelta(hours=hours)), "capacity": 10, "publish": True}, ref=ref))
        who = rng.sample(known, min(len(known), rng.randint(4, 7)))
        for v in who:
            p.add(day, Step(start - 60, CLERK, f"/volunteer/activities/{{{ref}}}/signups", {"volunteer_id": f"{{{v}}}"},
                            tolerate=(409,)))
        for v in who:
            minutes = hours * 60 - rng.choice((0, 0, 15, 30))
            p.add(day, Step(start, CLERK, f"/volunteer/activities/{{{ref}}}/check-in",
                            {"volunteer_id": f"{{{v}}}", "at": _iso(starts)}, tolerate=(409,)))
            p.add(day, Step(start + minutes, CLERK, f"/volunteer/activities/{{{ref}}}/check-out",
                            {"volunteer_id": f"{{{v}}}", "at": _iso(starts + timedelta(minutes=minutes))},
                            tolerate=(409,)))
        p.add(day, Step(start + hours * 60 + 5, CLERK, f"/volunteer/activities/{{{ref}}}/complete", {},
                        tolerate=(409,)))


def _security(p: Plan, rng: random.Random, year: int, c: str, factor: float) -> None:
    ordinary = (("theft", "medium", "车棚电动自行车夜间被盗"), ("hazard", "low", "楼道堆放杂物,堵塞消防通道"),
                ("public_disturbance", "low", "夜间广场舞音响扰民"), ("fraud", "medium", "独居老人接到诈骗电话,社区及时劝阻"),
                ("fire", "high", "厨房油锅起火,邻居用灭火器扑灭"))
    emergencies = (("gas_leak", "high", "楼道闻到天然气味,通知住户开窗并关闭总阀"), ("flood", "critical", "暴雨致道路积水"),
                   ("power_outage", "medium", "暴雨致变压器跳闸,居民聚集"))
    for i, day in enumerate(_days_of(rng, year, _count(rng, YEARLY["incident"][c], factor), SEASON["incident"])):
        type_, severity, text = rng.choice(emergencies if rng.random() < 1 / 6 else ordinary)
        ref = f"incident:{c}:{year}:{i}"
        minute = rng.randint(7 * 60, 20 * 60)
        p.add(day, Step(minute, CLERK, "/security/incidents", {"org_unit_id": c, "type": type_, "severity": severity,
                                                              "description": text}, ref=ref))
        p.add(day, Step(minute + rng.randint(3, 15), CLERK, f"/security/incidents/{{{ref}}}/dispatch",
                        {"assignee": "社区民警 及 治安志愿者"}))
        p.add(day, Step(minute + rng.randint(30, 180), CLERK, f"/security/incidents/{{{ref}}}/resolve",
                        {"resolution": "已现场处置,隐患排除"}))
    types = (("neighbour", "邻里漏水纠纷"), ("family", "赡养老人费用分担纠纷"), ("property", "物业费纠纷"),
             ("labour", "拖欠务工人员工资"), ("other", "民间标会会款纠纷"))
    for i, day in enumerate(_days_of(rng, year, _count(rng, YEARLY["mediation"][c], factor))):
        type_, summary = rng.choice(types)
        ref = f"dispute:{c}:{year}:{i}"
        minute = rng.randint(9 * 60, 15 * 60)
        p.add(day, Step(minute, CLERK, "/security/disputes", {
            "org_unit_id": c, "type": type_, "summary": summary, "mediator_name": "人民调解员 " + _name(rng),
            "parties": [{"name": _name(rng), "role": "当事人"}, {"name": _name(rng), "role": "当事人"}]}, ref=ref))
        p.add(day, Step(minute + 30, CLERK, f"/security/disputes/{{{ref}}}/sessions",
                        {"held_at": _iso(_at(day, minute + 30)), "note": "听取双方意见"}))
        agreed = rng.random() < MEDIATION_SUCCESS
        p.add(day, Step(minute + 120, CLERK, f"/security/disputes/{{{ref}}}/outcome", {
            "outcome": "agreement" if agreed else "failed",
            "note": "双方达成调解协议并签字" if agreed else "双方分歧较大,调解未成"}))
    origins = (("四川省三台县", 1980), ("甘肃省临夏县", 1985), ("河南省固始县", 1990), ("安徽省阜阳市", 1978))
    for day in _days_of(rng, year, _count(rng, YEARLY["migrant"][c], factor)):
        origin, born = rng.choice(origins)
        p.add(day, Step(rng.randint(9 * 60, 17 * 60), CLERK, "/security/migrants", {
            "org_unit_id": c, "name": _name(rng), "id_number": _id_number(rng, born + rng.randint(0, 15)),
            "origin": origin, "address": f"{ADDRESS[c]}出租屋"}))


def _patrols(p: Plan, rng: random.Random, year: int, c: str, factor: float, pool: list, first_year: bool) -> None:
    routes = [f"route:{c}:{k}" for k in range(2)]
    if first_year:  # the community's two routes, drawn up at the start
        for k, ref in enumerate(routes):
            p.add(date(year, 1, 2), Step(9 * 60 + k, CLERK, "/security/patrol-routes", {
                "org_unit_id": c, "name": f"{ADDRESS[c]}{'东西'[k]}片巡逻路线",
                "checkpoints": [{"name": f"{ADDRESS[c]}{n}号楼"} for n in range(1 + 5 * k, 6 + 5 * k)]}, ref=ref))
    for i, day in enumerate(_days_of(rng, year, _count(rng, YEARLY["patrol"][c], factor))):
        if day == date(year, 1, 2) and first_year:
            day += timedelta(days=1)  # after the routes are drawn up
        ref, shift = f"patrol:{c}:{year}:{i}", f"shift:{c}:{year}:{i}"
        start = rng.choice((19 * 60, 20 * 60, 21 * 60))
        starts = _at(day, start)
        roster = [{"person_name": "社区民警 " + _name(rng), "kind": "police"}]
        known = [r for d, r in pool if d < day]
        if known:
            roster.append({"person_name": "治安志愿者", "kind": "security_volunteer", "volunteer_id": f"{{{rng.choice(known)}}}"})
        p.add(day, Step(start - 60, CLERK, "/security/patrol-shifts", {
            "route_id": f"{{{routes[i % 2]}}}", "starts_at": _iso(starts), "ends_at": _iso(starts + timedelta(hours=1)),
            "roster": roster}, ref=shift))
        p.add(day, Step(start, CLERK, "/security/patrol-runs", {"shift_id": f"{{{shift}}}", "started_at": _iso(starts)},
                        ref=ref))
        finding_at = rng.randint(1, 5) if rng.random() < 1 / 8 else None
        for n in range(1, 6):
            if rng.random() < 0.05:
                continue  # a checkpoint nobody reached
            body = {"checkpoint_id": f"cp-{n}", "at": _iso(starts + timedelta(minutes=10 * n))}
            if n == finding_at:
                body["finding"] = rng.choice((
                    {"kind": "hazard", "description": "楼道堆放杂物,堵塞消防通道"},
                    {"kind": "repair_needed", "description": "路灯损坏,夜间照明不足"},
                    {"kind": "suspicious", "description": "陌生人深夜在车棚徘徊"}))
            p.add(day, Step(start + 10 * n, CLERK, f"/security/patrol-runs/{{{ref}}}/checkins", body))
        p.add(day, Step(start + 58, CLERK, f"/security/patrol-runs/{{{ref}}}/complete",
                        {"ended_at": _iso(starts + timedelta(minutes=58))}, tolerate=(409,)))


# the hall's items a community worker takes in, by the worker who takes them (no missing materials: accepted at once)
HALL_ITEMS = (("pension_survival_check", BAOZHANG, ["身份证"], 0), ("resident_medical_insurance", BAOZHANG,
              ["身份证", "户口簿", "一寸照片"], 2), ("reemployment_certificate", BAOZHANG, ["身份证", "户口簿", "失业证", "一寸照片"], 5),
              ("birth_service_registration", JISHENG, ["夫妻双方身份证", "户口簿", "结婚证"], 1),
              ("retiree_address_change", TUIGUAN, ["身份证", "退休证"], 1), ("senior_card", TUIGUAN, ["身份证", "一寸照片"], 3),
              ("residence_certificate", CLERK, ["身份证", "户口簿"], 0), ("temporary_aid", CLERK, ["身份证", "户口簿", "困难情况说明"], 6))
NOT_ON_BEHALF = {"residence_certificate"}  # petition's hall.yaml: on_behalf false
WINDOW_WORKER = {"shebao": BAOZHANG, "jisheng": JISHENG, "tuiguan": TUIGUAN}


def _hall(p: Plan, rng: random.Random, year: int, c: str, factor: float) -> None:
    def workday(d: date) -> date:  # the hall is shut at the weekend: Saturday's and Sunday's come on Monday
        monday = d + timedelta(days=(7 - d.weekday()) % 7) if d.weekday() >= 5 else d
        return monday if monday.year == year else d - timedelta(days=d.weekday() - 4)

    def workdays(n: int) -> list[date]:
        return sorted(workday(d) for d in _days_of(rng, year, n))
    for i, day in enumerate(workdays(_count(rng, YEARLY["hall_matter"][c], factor))):
        item, worker, materials, usual_days = rng.choice(HALL_ITEMS)
        ref = f"matter:{c}:{year}:{i}"
        minute = rng.randint(8 * 60 + 30, 15 * 60)
        p.add(day, Step(minute, worker, "/petition/hall/matters", {
            # 全程代办 for the elderly and the disabled, where the catalogue offers it (not for a certificate)
            "org_unit_id": c, "item": item, "materials": materials,
            "on_behalf": rng.random() < 0.4 and item not in NOT_ON_BEHALF,
            "resident": {"name": _name(rng), "id_number": _id_number(rng, rng.randint(1940, 1995)),
                         "mobile": f"139{rng.randint(10000000, 99999999)}"}}, ref=ref))
        if rng.random() < 0.03:
            p.add(day, Step(minute + 20, worker, f"/petition/hall/matters/{{{ref}}}/return",
                            {"reason": "材料与事项不符,告知居民补正后重新申请"}))
            continue
        # done within the promised working days (a day a week ahead at most, the same day for most)
        done = day + timedelta(days=rng.randint(0, usual_days))
        at = minute + 60 if done == day else rng.randint(9 * 60, 16 * 60)
        p.add(done, Step(at, worker, f"/petition/hall/matters/{{{ref}}}/complete", {"note": "已办结,告知居民"},
                         tolerate=(409,)))
    kinds = ("consultation", "policy_explanation", "form_filling", "certificate", "referral")
    for office, worker in WINDOW_WORKER.items():
        for day in workdays(_count(rng, YEARLY["window"][office], factor)):
            p.add(day, Step(rng.randint(8 * 60 + 30, 16 * 60 + 30), worker, "/petition/hall/window-services",
                            {"org_unit_id": c, "office": office, "kind": rng.choice(kinds)}))


GOODS = (("mianbei", "棉被", "床", 12000), ("dami", "大米5公斤", "袋", 3500), ("shiyongyou", "食用油5升", "桶", 6000),
         ("mianyi", "棉衣", "件", 15000))


def _help(p: Plan, rng: random.Random, year: int, c: str, factor: float) -> None:
    """爱心超市 (donations in, handouts to households) and 爱心基金 (donations in, grants out) of a year."""
    donated: dict[str, int] = {}
    for k, day in enumerate([date(year, 1, 3)] + _days_of(rng, year, _count(rng, YEARLY["goods_donation"][c], factor))):
        sku, name, unit, value = GOODS[k % len(GOODS)] if k else GOODS[0]
        quantity = 40 if k == 0 else rng.randint(10, 30)  # the year opens with the winter's quilts
        donated[sku] = donated.get(sku, 0) + quantity
        p.add(day, Step(rng.randint(9 * 60, 11 * 60), CLERK, "/welfare/goods/donations", {
            "org_unit_id": c, "sku": sku, "name": name, "unit": unit, "quantity": quantity, "unit_value_fen": value,
            "donor": rng.choice(("共建单位 船营区供电公司", "辖区商户", "爱心居民")),
            "donor_kind": rng.choice(("co_building_unit", "other", "resident"))}))
    households = [f"{c}-h{n:03d}" for n in range(_count(rng, YEARLY["supermarket_household"][c], factor))]
    left = {sku: q for sku, q in donated.items()}
    for household in households:
        for _ in range(rng.choice((1, 1, 2))):
            sku = rng.choice([s for s, q in left.items() if q > 0] or [None])
            if sku is None:
                break
            left[sku] -= 1
            # handed out after the item came in: the quilts of 3 January, the rest from mid-December
            day = rng.choice(_days_of(rng, year, 1)) if sku == "mianbei" else date(year, 12, rng.randint(15, 28))
            p.add(day, Step(rng.randint(14 * 60, 16 * 60), CLERK, "/welfare/goods/handouts", {
                "item_id": f"{c}:{sku}", "quantity": 1, "household_id": household},
                tolerate=(409,)))  # short of stock (a donation not yet in): nothing handed out
    for k, day in enumerate([date(year, 1, 4)] + _days_of(rng, year, _count(rng, YEARLY["fund_donation"][c], factor) - 1)):
        p.add(day, Step(10 * 60, APPROVER, "/welfare/fund/donations", {
            "org_unit_id": c, "donor": rng.choice(("船营区供电公司", "社区党员捐款", "辖区企业")),
            "donor_kind": "co_building_unit", "amount_fen": 2000000 if k == 0 else rng.randint(2000, 8000) * 100}))
    for i, day in enumerate(_days_of(rng, year, _count(rng, YEARLY["fund_grant"][c], factor))):
        day = max(day, date(year, 1, 5))
        ref = f"fund:{c}:{year}:{i}"
        p.add(day, Step(14 * 60, CLERK, "/welfare/fund/grants", {
            "org_unit_id": c, "recipient": _name(rng), "reason": rng.choice(("大病医疗", "子女上学", "意外受灾")),
            "amount_fen": rng.choice((50000, 100000, 150000, 200000))}, ref=ref))
        p.add(day, Step(15 * 60, APPROVER, f"/welfare/fund/grants/{{{ref}}}/approval", {}, tolerate=(409,)))


TEAM_TYPES = (("elderly_care", "夕阳红敬老志愿服务队"), ("patrol", "治安巡逻志愿服务队"), ("snow_cleaning", "清雪志愿服务队"),
              ("health_clinic", "义诊志愿服务队"), ("legal_aid", "法律援助志愿服务队"))


def _teams(p: Plan, rng: random.Random, year: int, c: str, factor: float, pool: list, first_year: bool) -> None:
    """The community's teams, formed in the history's first year once enough volunteers have joined."""
    if not first_year:
        return
    n = _count(rng, YEARLY["team"][c], factor)
    for i in range(n):
        type_, name = TEAM_TYPES[i % len(TEAM_TYPES)]
        day = date(year, 2, 1) + timedelta(days=30 * i)
        members = [r for d, r in pool if d < day]
        p.add(day, Step(10 * 60, CLERK, "/volunteer/teams", {
            "name": f"{ADDRESS[c]}{name}", "type": type_, "org_unit_id": c, "formed_on": day.isoformat(),
            "member_ids": [f"{{{r}}}" for r in rng.sample(members, min(len(members), 3))]}))


def _registers(p: Plan, rng: random.Random, year: int, c: str, factor: float, entries: list,
               first_year: bool) -> None:
    """`entries`: the community's register entries so far, (register, day entered, ref)."""
    born = {"retiree": (1935, 1965), "elderly": (1930, 1960), "disabled": (1950, 2000), "veteran": (1940, 1985)}
    for register in ("retiree", "elderly", "disabled", "veteran"):
        stock = _count(rng, YEARLY[f"{register}_stock"][c], factor) if first_year else 0
        # the ledger the office kept before: entered in the history's first week, registered years ago
        days = [date(year, 1, rng.randint(5, 9)) for _ in range(stock)]
        days += _days_of(rng, year, _count(rng, YEARLY[register][c], factor))
        for i, day in enumerate(days):
            ref = f"entry:{c}:{year}:{register}:{i}"
            entries.append((register, day, ref))
            details = {"retiree": lambda: {"employer": rng.choice(("吉林化纤厂", "船营区百货大楼", "吉林铁合金厂")),
                                           "retired_on": f"{rng.randint(2000, year - 1)}-06-30"},
                       "elderly": lambda: rng.choice(({"living_alone": True}, {"empty_nest": True}, {})),
                       "disabled": lambda: {"category": rng.choice(("physical", "visual", "hearing", "intellectual")),
                                            "grade": rng.choice("1234"), "certificate_number": f"2202{rng.randint(10**9, 10**10 - 1)}"},
                       "veteran": lambda: {"category": rng.choice(("retired_soldier", "demobilised", "war_veteran",
                                                                   "martyr_family"))}}[register]()
            registered = (date(rng.randint(2010, year - 1), rng.randint(1, 12), 1) if i < stock else day)
            p.add(day, Step(rng.randint(9 * 60, 11 * 60), REGISTER_KEEPER[register], "/welfare/register-entries", {
                "register": register, "org_unit_id": c, "registered_on": registered.isoformat(), "details": details,
                "person": {"name": _name(rng), "id_number": _id_number(rng, rng.randint(*born[register])),
                           "address": f"{ADDRESS[c]}{rng.randint(1, 12)}号楼"}}, ref=ref, tolerate=(409,)))
    for register, kind, per_year, money in REGISTER_SERVICES:
        for day in _days_of(rng, year, _count(rng, per_year, factor)):
            known = [ref for r, d, ref in entries if r == register and d < day]
            if not known:
                continue
            minute = rng.randint(9 * 60, 16 * 60)
            p.add(day, Step(minute, REGISTER_KEEPER[register], f"/welfare/register-entries/{{{rng.choice(known)}}}/services",
                            {"kind": kind, "delivered_at": _iso(_at(day, minute)), "money_fen": money}))


def _employment(p: Plan, rng: random.Random, year: int, c: str, factor: float) -> None:
    for i, day in enumerate(_days_of(rng, year, _count(rng, YEARLY["jobseeker"][c], factor))):
        ref = f"jobseeker:{c}:{year}:{i}"
        laid_off = rng.random() < 0.6
        p.add(day, Step(rng.randint(9 * 60, 11 * 60), BAOZHANG, "/welfare/employment/jobseekers", {
            "org_unit_id": c, "name": _name(rng), "id_number": _id_number(rng, rng.randint(1968, 2000)),
            "household_key": f"{c}-H{rng.randint(1, 999):03d}", "category": "laid_off" if laid_off else "unemployed",
            "skills": [rng.choice(("保洁", "家政", "驾驶", "电工", "餐饮"))], "wished_work": "就近就业",
            "registered_on": day.isoformat()}, ref=ref, tolerate=(409,)))
        if rng.random() < 0.5:
            issued = day + timedelta(days=rng.randint(3, 20))
            p.add(issued, Step(14 * 60, BAOZHANG, f"/welfare/employment/jobseekers/{{{ref}}}/certificate", {
                "number": f"吉再{year}-{c[:3]}{i:04d}", "issued_on": issued.isoformat()}, tolerate=(409,)))
        if rng.random() < 0.7:
            placed = day + timedelta(days=rng.randint(25, 150))
            p.add(placed, Step(15 * 60, BAOZHANG, f"/welfare/employment/jobseekers/{{{ref}}}/placement", {
                "kind": rng.choice(("enterprise", "enterprise", "public_welfare_post", "flexible")),
                "employer": rng.choice(("吉林市某物业公司", "船营区某超市", "社区公益性岗位")), "on_site": rng.random() < 0.4,
                "placed_on": placed.isoformat()}, tolerate=(409,)))


def _at(day: date, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA) + timedelta(minutes=minute)


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------- files
class Files:
    """`<data>/demo-history/`: progress.json (shown by the gateway), state.json (refs, the days done), clock."""

    def __init__(self, data_dir: Path):
        self.dir = Path(data_dir) / STATE_DIR
        self.dir.mkdir(parents=True, exist_ok=True)
        self.progress_path, self.state_path, self.clock = (self.dir / n for n in ("progress.json", "state.json", "clock"))

    @staticmethod
    def _write(path: Path, doc: dict) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)  # a reader (the gateway) never sees half a file, a crash never leaves one

    @staticmethod
    def _read(path: Path) -> dict:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def progress(self) -> dict:
        return self._read(self.progress_path)

    def state(self) -> dict:
        return self._read(self.state_path)

    def save(self, progress: dict, state: dict | None = None) -> None:
        if state is not None:
            self._write(self.state_path, state)
        self._write(self.progress_path, progress)

    def move_clock(self, to: datetime | None) -> None:
        """The history processes' time: `to` (None: the real time)."""
        offset = "" if to is None else f"{(to - datetime.now(timezone.utc)).total_seconds():.3f}"
        tmp = self.clock.with_suffix(".tmp")
        tmp.write_text(offset)
        os.replace(tmp, self.clock)


def done(data_dir: Path) -> bool:
    return Files(data_dir).progress().get("state") == "done"


# ---------------------------------------------------------------------------------------------- the processes
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HistoryProcesses:
    """The web processes of the gateway and the services with the history's clock (same code, same data)."""

    def __init__(self, env: dict, files: Files):
        from run import commands  # deploy/local/run.py, beside this file

        self.ports = {s: _free_port() for s in SERVICES}
        self.env = dict(env, LIANDONG_CLOCK_FILE=str(files.clock),
                        # one login at the start serves the whole run: the clock only moves forward, and the
                        # token never leaves this script (it is revoked at the end)
                        LIANDONG_ACCESS_TOKEN_SECONDS=str(3 * 366 * 24 * 3600),
                        **{f"LIANDONG_{s.upper()}_PORT": str(p) for s, p in self.ports.items()})
        self.env.pop("LIANDONG_CLOCK_OFFSET", None)
        cmds = commands(sys.executable, "127.0.0.1", self.ports, 4)
        logdir = Path(env["LIANDONG_DATA_DIR"]) / "logs"
        self.procs = []
        for name, cmd in cmds.items():
            if name.endswith("-web"):
                log = open(logdir / f"demo-history-{name}.log", "ab")
                # same process group as this script: a kill of the group ends them together
                self.procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env))
        self.base = f"http://127.0.0.1:{self.ports['gateway']}"

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                body = requests.get(f"{self.base}/readyz", timeout=3).json()
                if body.get("ready"):
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)
        raise HistoryError(f"the history's web processes are not ready after {timeout:.0f}s")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


# ---------------------------------------------------------------------------------------------- the run
class Writer:
    def __init__(self, base: str, files: Files, refs: dict, timeout: float = 60, patience: float = 600,
                 backoff: float = 1.0, log=None, sleep=time.sleep):
        self.base = base.rstrip("/")
        self.patience, self.backoff, self.sleep = patience, backoff, sleep
        self.log = log or (lambda message: print(f"demo history: {message}", file=sys.stderr, flush=True))
        self.refused: list[dict] = []  # the steps a service refused for good, said in the progress
        self.http = requests.Session()
        self.files = files
        self.refs = refs
        self.tokens: dict[str, str] = {}
        self.timeout = timeout
        self.calls = 0

    def _fill(self, value):
        if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in self.refs:
            return self.refs[value[1:-1]]
        if isinstance(value, dict):
            return {k: self._fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._fill(v) for v in value]
        return value

    def path_of(self, path: str) -> str | None:
        parts = []
        for part in path.split("/"):
            if part.startswith("{"):
                if part[1:-1] not in self.refs:
                    return None  # what it acts on was never made (e.g. a step of a cut year): skipped
                part = self.refs[part[1:-1]]
            parts.append(part)
        return "/".join(parts)

    def login(self, user: str) -> None:
        r = self.http.post(f"{self.base}{API}/auth/login", json={"username": user, "password": PASSWORD},
                           timeout=self.timeout)
        if r.status_code != 200:
            raise HistoryError(f"login {user}: {r.status_code} {r.text[:300]}")
        self.tokens[user] = r.json()["access_token"]

    def logout(self) -> None:
        for token in self.tokens.values():
            try:
                self.http.post(f"{self.base}{API}/auth/logout", headers={"Authorization": f"Bearer {token}"},
                               timeout=self.timeout)
            except requests.RequestException:
                pass

    def post(self, user: str, path: str, body: dict, key: str, tolerate=()) -> dict | None:
        """The answer of a POST. A transient failure (no connection, a timeout, 429, 502/503/504: a process
        restarting, a bus catching up) is tried again with the same Idempotency-Key, waiting longer each time, up
        to `patience` seconds in all (then the run fails and run.py starts it again: it resumes). Any other
        refusal is permanent — the same request would be refused again — so it raises StepRefused at once."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}", "Idempotency-Key": key}
        waited, wait = 0.0, self.backoff
        while True:
            try:
                r = self.http.post(f"{self.base}{API}{path}", json=body, headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:  # a lost answer: the same key again is safe
                why = f"{type(exc).__name__}: {str(exc)[:200]}"
            else:
                self.calls += 1
                if r.status_code in (200, 201, 202):
                    return r.json() if r.content else {}
                if r.status_code in tolerate:
                    return None
                if r.status_code not in TRANSIENT:
                    raise StepRefused(f"POST {path}: {r.status_code} {r.text[:400]}")
                why = f"{r.status_code} {r.text[:200]}"
                retry_after = r.headers.get("Retry-After", "")
                if retry_after.isdigit():  # 429: the limiter says when
                    wait = max(wait, float(retry_after))
            if waited >= self.patience:
                raise HistoryError(f"POST {path}: still failing after {waited:.0f}s: {why}")
            self.log(f"POST {path}: {why}; again in {wait:.1f}s")
            self.sleep(wait)
            waited += wait
            wait = min(wait * 2, 30.0)

    def step(self, day: date, n: int, s: Step) -> None:
        path = self.path_of(s.path)
        if path is None:
            return
        self.files.move_clock(_at(day, s.minute))
        try:
            out = self.post(s.user, path, self._fill(s.body), f"demo-history:{day.isoformat()}:{n}", s.tolerate)
        except StepRefused as exc:
            # this step stops here (the steps that act on what it would have made are skipped with it: their
            # path names a ref never made); the rest of the history goes on
            if not any(r["day"] == day.isoformat() and r["step"] == n for r in self.refused):  # once, resumed too
                self.refused.append({"day": day.isoformat(), "step": n, "path": s.path, "error": str(exc)[:500]})
            self.log(f"step {n} of {day.isoformat()} refused, left out: {exc}")
            return
        if s.ref and out:
            found = out.get("id") or out.get("_id")
            if not found:
                raise HistoryError(f"POST {path} answered no id: {str(out)[:200]}")
            self.refs[s.ref] = found


def refusals(refused: list[dict]) -> dict:
    """What the progress says of the steps refused for good: how many, the last ones, and in `error` (the
    console's card, GET /api/v1/demo/history) which step and the service's answer."""
    out = {"steps_refused": len(refused), "refused": refused[-10:]}
    if refused:
        last = refused[-1]
        out["error"] = (f"{len(refused)} step(s) refused by the services and left out; the last, {last['day']} "
                        f"step {last['step']} ({last['path']}): {last['error']}")[:500]
    return out


def ensure_accounts(base: str) -> None:
    """The history's two accounts, made by the district admin on the platform (409: made before)."""
    http = requests.Session()
    r = http.post(f"{base}{API}/auth/login", json={"username": "district_admin", "password": PASSWORD}, timeout=30)
    if r.status_code != 200:
        raise HistoryError(f"login district_admin: {r.status_code} {r.text[:200]}")
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    for username, (name, grants) in ACCOUNTS.items():
        r = http.post(f"{base}{API}/users", headers=headers, timeout=30,
                      json={"username": username, "name": name, "password": PASSWORD, "grants": grants})
        if r.status_code not in (201, 409):
            raise HistoryError(f"account {username}: {r.status_code} {r.text[:200]}")


def wait_for_tree(base: str, timeout: float = 120) -> None:
    """Every service knows the demo communities (the org tree reaches them by events after start)."""
    http = requests.Session()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            r = http.post(f"{base}{API}/auth/login", json={"username": CLERK, "password": PASSWORD}, timeout=30)
            headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
            if all(http.get(f"{base}{API}/{svc}/org-units/{c}", headers=headers, timeout=10).status_code == 200
                   for svc in ("petition", "welfare", "volunteer", "security") for c in COMMUNITIES):
                return
        except (requests.RequestException, ValueError, KeyError):
            pass
        time.sleep(1)
    raise HistoryError("the services do not know the demo district's communities")


def generate(env: dict, today: date | None = None) -> dict:
    data_dir = Path(env["LIANDONG_DATA_DIR"])
    files = Files(data_dir)
    scale = float(env.get("LIANDONG_DEMO_HISTORY_SCALE") or 1.0)
    today = today or datetime.now(CHINA).date()
    state = files.state()
    if state.get("today"):  # a resumed run finishes the plan it began, cut at the same day
        today = date.fromisoformat(state["today"])
        scale = state["scale"]
    the_plan = plan(today, scale)
    days = list(the_plan.days)
    calls_by_day = [len(the_plan.days[d]) for d in days]
    total = sum(calls_by_day) or 1
    refs = state.get("refs", {})
    first = state.get("days_done", 0)
    started = time.time()
    seconds_before = state.get("seconds", 0.0)
    progress = {"state": "running", "pid": os.getpid(), "from": days[0].isoformat() if days else None,
                "to": days[-1].isoformat() if days else None, "scale": scale, "seed": SEED,
                "days_total": len(days), "calls_total": total, "resumed": first > 0}

    refused: list[dict] = state.get("refused", [])  # steps refused for good, before a restart too

    def save(n_days: int, state_too: bool = True, **extra) -> None:
        done_calls = sum(calls_by_day[:n_days])
        seconds = round(seconds_before + time.time() - started, 1)
        progress.update(days_done=n_days, calls_done=done_calls, percent=int(100 * done_calls / total),
                        seconds=seconds, **refusals(refused))
        progress.update(extra)
        files.save(progress, {"today": today.isoformat(), "scale": scale, "days_done": n_days, "refs": refs,
                              "seconds": seconds, "refused": refused} if state_too else None)

    save(first, state_too=False, starting=True)
    real = env.get("LIANDONG_DEMO_HISTORY_GATEWAY") or f"http://127.0.0.1:{env.get('LIANDONG_GATEWAY_PORT', DEFAULT_PORTS['gateway'])}"
    ensure_accounts(real)
    files.move_clock(_at(days[first], 0) if first < len(days) else None)
    procs = HistoryProcesses(env, files)
    try:
        procs.wait_ready()
        wait_for_tree(procs.base)
        writer = Writer(procs.base, files, refs)
        writer.refused = refused
        for user in ACCOUNTS:
            writer.login(user)
        save(first, state_too=False, starting=False)
        for i in range(first, len(days)):
            day = days[i]
            for n, s in enumerate(the_plan.days[day]):
                writer.step(day, n, s)
            save(i + 1)
        files.move_clock(None)
        writer.logout()
    finally:
        procs.stop()
    counts = {k: v for k, v in sorted(the_plan.counts.items())}
    save(len(days), state="done", percent=100, counts=counts, finished_at=_iso(datetime.now(timezone.utc)))
    return progress


def main() -> int:
    env = dict(os.environ)
    data_dir = Path(env.get("LIANDONG_DATA_DIR", "data"))
    env["LIANDONG_DATA_DIR"] = str(data_dir)
    if done(data_dir):
        return 0
    try:
        result = generate(env)
    except Exception as exc:  # noqa: BLE001 - said in the progress; run.py starts it again (it resumes)
        files = Files(data_dir)
        files.save(dict(files.progress(), state="failed", error=str(exc)[:500]))
        print(f"demo history failed (it resumes at the next attempt): {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"demo history generated: {result['days_total']} days, {result['calls_total']} calls in "
          f"{result['seconds']}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
