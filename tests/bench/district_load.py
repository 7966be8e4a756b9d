"""A district's traffic, played through the gateway's public HTTP API: a load generator.

A district of 10 sub-districts (街道) and 100 communities (社区) is created under the existing root
(idempotently, through the gateway's org import) and goes about its year, compressed: petitions are
registered, assigned with the 五明确, handled, answered and closed; welfare applications are reviewed
by the community, approved by the sub-district and paid in monthly runs; volunteers are registered,
signed up for activities, checked in and out; patrols walk their routes; emergencies are reported
and handled; disputes are mediated. Loopback only; bounded in calls and in time.

    python tests/bench/district_load.py --rate 30 --seconds 20        # starts a platform of its own
    python tests/bench/district_load.py --gateway http://127.0.0.1:8000 --secret-key "$LIANDONG_SECRET_KEY"

The mix. A case of each kind starts with a weight equal to its yearly count in one community, as
the offices report it (the seeds beside /work/shared/DOMAIN.md, numbered 000-004); a district of
100 communities has a hundred times as many.

| case                   | calls | a year, a community   | × 100  | source
| ---------------------- | ----- | --------------------- | ------ | ------
| petition               | 5     | 6, 13 in 30 a group   | 600    | 004: 联动中心接访30多批次, 群体性上访13批次 (5 communities)
| welfare_application    | 3     | 281                   | 28 100 | 000: 低保69户, 金秋助学93位, 大病医疗救助52位, 廉租住房67户
| welfare_disbursement   | 1     | 12                    | 1 200  | monthly grants (welfare/programmes.yaml); 003: 合计发放
| volunteer_registration | 1     | 89                    | 8 900  | 000: 招募了89名爱心志愿者
| volunteer_activity     | 2     | 26                    | 2 600  | 000: 共开展了26次活动
| volunteer_attendance   | 3     | 351, 8-19 an activity | 35 100 | 000: 爱心币7000余枚 ÷ 10 coins/hour (the default) ÷ 2 h
| patrol                 | 5-6   | 365                   | 36 500 | assumed one 定时巡逻 a day (000, 003 give no count)
| incident               | 5     | 5                     | 500    | 003: 天然气泄漏、暴雨、停电等公共安全事件5起
| mediation              | 3-4   | 98, 92.8 % agreed     | 9 800  | 003: 全年调解民间纠纷98次, 成功率92.8%

The calls of a case: petition — register, assign (五明确; a group petition to the sub-district),
start, answer, close; welfare_application — apply, community review, sub-district approval;
welfare_disbursement — a community's monthly run; volunteer_activity — create and publish, then
complete once its volunteer_attendance cases (sign-up, check-in, check-out) have ended; patrol —
start, 3-4 check-ins, complete (a route first where the community has none); incident — report,
dispatch, on scene, resolve, close; mediation — the dispute, 1-2 sessions, the outcome.

That is about 4 500 calls a community and 450 000 a district a year: patrols 47 %, attendance 23 %,
welfare applications 19 %, mediations 7 %, the rest 5 %; at 50 calls/s a district's year takes
2.5 hours. An activity's volunteers come from its community's pool; when the pool is short the
activity recruits the rest first (volunteer_registration cases), so a fresh district registers more
than 89 a community at first. Patrols take a registered volunteer along as lane guard (护巷) when
there is one, so their minutes earn love coins. Not in the seeds, and chosen here: 8 in 11
petitioners are satisfied (2 basically, 1 not), 2 in 3 disputes need one session, 1 in 20 volunteers
who sign up do not come, 1 in 5 patrols misses a checkpoint and 1 in 10 finds a hazard.

Compressing the year: a case's next step follows after a short pause (0.2-1.5 s) while other cases
go on; the programmes are configured without 公示 (the platform started here runs with
`welfare.adapters.programme_config.write_compressed`; a platform named with --gateway needs the same
WELFARE_PROGRAMMES_FILE, since a review may never shorten a programme's notice); a community's monthly
run pays the current month (the platform pays no month ahead), so it pays the grants approved since its
last run; patrols and activities are entered after the fact, with times from the last few hours. The first case of
every kind starts at once, so that even a short run plays every path.

`play()` counts every call by case kind and step: answers other than 2xx (a few bodies of each kind
kept), latencies, the rate reached. A 4xx is the generator's own mistake (a wrong body, state or
permission) and must never happen; a 5xx or no answer in time is the platform's.
"""
from __future__ import annotations

import argparse
import heapq
import itertools
import json
import math
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

import requests

from liandong.idnumbers import check_digit

API = "/api/v1"
CHINA = timezone(timedelta(hours=8))
DEFAULT_ROOT = "chuanying"  # the demo district: welfare/programmes.yaml sets its 低保 lines
PREFIX = "load"  # ids of the load's units: load-s01, load-s01-c01, ...
SUBDISTRICTS = 10
COMMUNITIES_PER_SUBDISTRICT = 10
SERVICES = ("petition", "welfare", "volunteer", "security")
HTTP_TIMEOUT = (2.0, 10.0)  # connect, read: the gateway gives up on a service after 10 s
FOLLOW_UP_PAUSE = (0.2, 1.5)
TOKEN_REFRESH_SECONDS = 300  # tokens live 15 minutes
EXAMPLES_PER_KIND = 3

TokenFor = Callable[[str, str, str, tuple], str]  # (role, org_unit_id, org_path, duties) -> access token


# -- the district --------------------------------------------------------------------------------

@dataclass
class Community:
    id: str
    path: str
    subdistrict: str
    subdistrict_path: str
    volunteers: list = field(default_factory=list)  # (id, name) of its registered volunteers
    routes: list = field(default_factory=list)  # its patrol routes, as the security service answered
    grants: int = 0  # welfare grants approved
    months_paid: int = 0  # monthly disbursement runs so far


class District:
    """The load's sub-districts and communities under the root, their cases' state and the staff's tokens."""

    def __init__(self, token_for: TokenFor, root: str):
        self.token_for = token_for
        self.root = root
        self.root_path = f"/{root}/"
        self.subdistricts = [f"{PREFIX}-s{s:02d}" for s in range(1, SUBDISTRICTS + 1)]
        self.communities = [
            Community(f"{sd}-c{c:02d}", f"{self.root_path}{sd}/{sd}-c{c:02d}/", sd, f"{self.root_path}{sd}/")
            for sd in self.subdistricts for c in range(1, COMMUNITIES_PER_SUBDISTRICT + 1)]
        self.lock = threading.Lock()  # guards the communities' lists and counters
        self._tokens: dict[tuple, tuple[str, float]] = {}

    def token(self, role: str, unit: str, path: str, duties: tuple = ()) -> str:
        key = (role, unit, duties)
        with self.lock:
            if key not in self._tokens or time.monotonic() - self._tokens[key][1] > TOKEN_REFRESH_SECONDS:
                self._tokens[key] = (self.token_for(role, unit, path, duties), time.monotonic())
            return self._tokens[key][0]

    def admin(self) -> str:
        return self.token("district_admin", self.root, self.root_path)

    def worker(self, c: Community) -> str:
        return self.token("community_worker", c.id, c.path)

    def civil_affairs(self, c: Community) -> str:  # 民政员
        return self.token("community_worker", c.id, c.path, ("civil_affairs",))

    def police(self, c: Community) -> str:  # 社区民警
        return self.token("community_police", c.id, c.path)

    def grid_worker(self, c: Community) -> str:  # 网格员
        return self.token("grid_worker", c.id, c.path)

    def officer(self, c: Community) -> str:  # 街道干部
        return self.token("subdistrict_officer", c.subdistrict, c.subdistrict_path)

    def org_csv(self) -> str:
        rows = ["id,name,level,parent_id"]
        for s, sd in enumerate(self.subdistricts, 1):
            rows.append(f"{sd},负载第{s}街道,subdistrict,{self.root}")
            rows += [f"{sd}-c{c:02d},负载第{s}街道第{c}社区,community,{sd}"
                     for c in range(1, COMMUNITIES_PER_SUBDISTRICT + 1)]
        return "\n".join(rows) + "\n"


def check_loopback(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or parts.port is None or parts.path not in ("", "/"):
        raise ValueError(f"the load stays on this machine: give http://127.0.0.1:PORT, not {base_url!r}")


def set_up_district(base_url: str, token_for: TokenFor, root: str = DEFAULT_ROOT,
                    timeout: float = 60) -> tuple[District, int]:
    """Create the 10 sub-districts and 100 communities under `root` (kept if they exist) and wait until
    every service has learned them from the gateway's events. Returns (district, units created)."""
    check_loopback(base_url)
    base = base_url.rstrip("/")
    district = District(token_for, root)
    http = requests.Session()
    admin = {"Authorization": f"Bearer {district.admin()}"}
    r = http.get(f"{base}{API}/org/units/{root}", headers=admin, timeout=HTTP_TIMEOUT)
    r.raise_for_status()
    if r.json()["path"] != district.root_path:
        raise ValueError(f"{root} is not a root of the org tree (its path is {r.json()['path']})")
    r = http.post(f"{base}{API}/org/import", data=district.org_csv().encode(), timeout=HTTP_TIMEOUT,
                  headers={**admin, "Content-Type": "text/csv"})
    if r.status_code != 201:
        raise RuntimeError(f"the org import failed: {r.status_code} {r.text[:500]}")
    created = r.json()["created"]
    last = district.communities[-1].id  # each service applies the tree's events in order
    deadline = time.monotonic() + timeout
    for service in SERVICES:
        url = f"{base}{API}/{service}/org-units/{last}"
        while http.get(url, headers=admin, timeout=HTTP_TIMEOUT).status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {service} service did not learn the new org units in {timeout:.0f}s")
            time.sleep(0.3)
    return district, created


# -- people and times ----------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高郑罗梁谢宋唐韩冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "秀英桂兰建华淑芬德顺志强丽华明月国平春梅海燕文华晓东玉珍永福红梅金凤家豪子涵雨欣"
BUILDINGS = ("1号楼", "2号楼", "3号楼", "5幢", "茶厂宿舍", "一区", "二区")


def person_name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.randint(1, 2)))


def id_number(rnd: random.Random, born_from: int, born_to: int) -> str:
    """A valid 居民身份证号码 (GB 11643 check digit) of 船营区 (220204), born between the two years."""
    born = datetime(born_from, 1, 1) + timedelta(days=rnd.randrange((born_to - born_from + 1) * 365))
    first17 = f"220204{born:%Y%m%d}{rnd.randrange(1000):03d}"
    return first17 + check_digit(first17)


def mobile(rnd: random.Random) -> str:
    return f"1{rnd.choice('3589')}{rnd.randrange(10 ** 9):09d}"


def address(rnd: random.Random) -> str:
    return f"{rnd.choice(BUILDINGS)}{rnd.randint(1, 6)}单元{rnd.randint(1, 6)}0{rnd.randint(1, 4)}"


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(minutes=minutes)


def month_from_now(months: int) -> str:
    today = datetime.now(CHINA)
    n = today.year * 12 + today.month - 1 + months
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


# -- the cases -----------------------------------------------------------------------------------

@dataclass
class Call:
    """One POST of a case (every step changes something); the case gets the JSON answer back if it is a 2xx."""

    step: str
    path: str  # under /api/v1
    token: str
    body: dict = field(default_factory=dict)


@dataclass
class Spawn:
    """Sub-cases a case waits for (an activity's volunteers); it goes on when all have ended."""

    kind: str
    cases: list


PETITION_MATTERS = (  # (category, title, content), from the offices' own cases (seeds 000, 004)
    ("property", "楼栋供暖不热", "入冬以来室温不足16度,物业公司多次维修未果,请求社区协调供热公司。"),
    ("property", "私家车占用消防通道", "楼前消防通道长期被私家车占用,夜间救护车无法进入,请求清理并划设禁停标线。"),
    ("neighbour_dispute", "楼上漏水纠纷", "楼上住户卫生间漏水,多次协商未果,邻里关系紧张。"),
    ("environment_noise", "电机厂冲床噪音扰民", "相邻电机厂冲床车间生产噪音困扰居民,多次与厂方协商无果,到联动中心投诉。"),
    ("land_housing", "防洪堤决口损失补偿", "暴雨致防洪堤决口,住户房屋受淹,要求补偿损失。"),
    ("labour_wages", "建筑工地拖欠工资", "在辖区建筑工地务工三个月,工资未结清,请求协调。"),
    ("social_assistance", "申请困难补助", "家中老人长期卧床,医疗费用负担重,询问临时救助办理流程。"),
    ("other", "民间标会会首失联", "所参加的民间标会会首失联,会款无法追回,请求协调清债。"),
)
GROUP_SHARE = 13 / 30  # 群体性上访13批次 of 30多批次 (seed 004)
SATISFACTION = {"satisfied": 8, "basically": 2, "not": 1}


def petition(d: District, c: Community, rnd: random.Random) -> Iterator:
    """信访: registered at the window, assigned with the 五明确 (a group petition to the sub-district), handled,
    answered and closed with the petitioner's satisfaction."""
    worker = d.worker(c)
    category, title, content = rnd.choice(PETITION_MATTERS)
    group = rnd.random() < GROUP_SHARE
    petitioners = [{"name": person_name(rnd), "id_number": id_number(rnd, 1940, 1995), "mobile": mobile(rnd),
                    "address": address(rnd)} for _ in range(2 if group else rnd.randint(1, 2))]
    channel = "visit" if group else rnd.choice(("visit", "hotline", "letter", "mailbox", "online", "grid_round"))
    body = {"org_unit_id": c.id, "category": category, "channel": channel, "title": title, "content": content,
            "petitioners": petitioners}
    if group:
        body["headcount"] = rnd.randint(5, 150)  # 13批次1000多人次: 77 a group
    case = yield Call("petition.register", "/petition/petitions", worker, body)
    path = f"/petition/petitions/{case['id']}"
    unit_kind, unit_id = ("subdistrict", c.subdistrict) if group else ("community", c.id)
    deadline = (datetime.now(CHINA) + timedelta(days=rnd.choice((7, 10, 15)))).date().isoformat()
    yield Call("petition.assign", f"{path}/assign", worker, {
        "unit_kind": unit_kind, "unit_id": unit_id, "person": f"包案干部 {person_name(rnd)}", "deadline": deadline,
        "task": "核实情况,协调有关部门办理", "requirement": "按期书面答复信访人"})
    yield Call("petition.start", f"{path}/start", worker,
               {"mode": rnd.choice(("mediation", "on_site_check", "joint_handling"))})
    yield Call("petition.answer", f"{path}/answer", worker, {"text": "经协调有关部门,问题已按政策处理,已当面答复信访人。"})
    yield Call("petition.close", f"{path}/close", worker,
               {"satisfaction": rnd.choices(list(SATISFACTION), list(SATISFACTION.values()))[0], "note": "回访信访人"})


WELFARE_PROGRAMMES = {"dibao_urban": 69, "golden_autumn_student_aid": 93, "serious_illness": 52, "rent_subsidy": 67}
RELATIVES = (("spouse", (1945, 1975), "unemployed"), ("child", (1985, 2005), "unable_to_work"),
             ("parent", (1930, 1950), "retired"))


def household(programme: str, rnd: random.Random) -> dict:
    """A household that qualifies under welfare/programmes.yaml (the city line: 720 yuan a person a month)."""

    def member(relation: str, income_yuan: int, born: tuple, employment: str, **extra) -> dict:
        return {"name": person_name(rnd), "id_number": id_number(rnd, *born), "relation": relation,
                "monthly_income_fen": income_yuan * 100, "employment": employment, **extra}

    home = {"residence": "urban", "address": address(rnd)}
    if programme == "golden_autumn_student_aid":  # a child admitted to college; under 1.5 x the line a member
        return {**home, "members": [member("applicant", rnd.randint(0, 1500), (1965, 1980), "employed"),
                                    member("spouse", rnd.randint(0, 1000), (1965, 1980), "unemployed"),
                                    member("child", 0, (2007, 2008), "student", college_admitted=True)]}
    limit = 600 if programme == "dibao_urban" else 1400  # below the line, or below twice the line
    members = [member("applicant", rnd.randint(0, limit), (1945, 1975), rnd.choice(("unemployed", "retired")))]
    members += [member(relation, rnd.randint(0, limit), born, employment)
                 for relation, born, employment in rnd.sample(RELATIVES, rnd.randint(0, 2))]
    if programme == "serious_illness":  # at least 20 000 yuan of medical bills
        home["medical_expenses_fen"] = rnd.randint(20000, 120000) * 100
    if programme == "rent_subsidy":  # at most 15 m² a member
        home["housing_area_m2"] = f"{len(members) * rnd.uniform(6, 14.9):.1f}"
    return {**home, "members": members}


def welfare_application(d: District, c: Community, rnd: random.Random) -> Iterator:
    """民政: the 民政员 takes the application at the window, the community reviews it (the programme's 公示,
    0 days in the compressed year) and the sub-district approves it; the grant starts."""
    civil = d.civil_affairs(c)
    programme = rnd.choices(list(WELFARE_PROGRAMMES), list(WELFARE_PROGRAMMES.values()))[0]
    app = yield Call("welfare.apply", "/welfare/applications", civil, {
        "org_unit_id": c.id, "programme": programme, "channel": rnd.choice(("window", "visit")),
        "household": household(programme, rnd)})
    yield Call("welfare.review", f"/welfare/applications/{app['id']}/community-review", civil,
               {"decision": "pass", "note": "入户核查属实,张榜公示"})
    yield Call("welfare.approve", f"/welfare/applications/{app['id']}/approval", d.officer(c))
    with d.lock:
        c.grants += 1


def welfare_disbursement(d: District, c: Community, rnd: random.Random) -> Iterator:
    """发放: a community's monthly run pays its active grants for the current month, once. It falls on a
    community that has grants (in a fresh district most have none yet, unlike a real one); while none has,
    it waits for an application of its own community to be approved."""
    with d.lock:
        paying = [x for x in d.communities if x.grants]
    if paying:
        c = rnd.choice(paying)
    else:
        yield Spawn("welfare_application", [welfare_application(d, c, random.Random(rnd.random()))])
    with d.lock:
        c.months_paid += 1
    # the current month: a month ahead is refused, and the month's grants not paid yet are paid
    yield Call("welfare.disburse", "/welfare/disbursements", d.civil_affairs(c),
               {"org_unit_id": c.id, "period": month_from_now(0)})


CO_BUILDING_UNITS = ("船营区检察院", "吉林化纤集团", "建顺钢材厂", "绿苑社区医疗服务站")
SKILLS = ("清雪", "治安巡逻", "敬老", "义诊协助", "法律咨询", "戏剧演唱", "护理", "护巷")


def volunteer_registration(d: District, c: Community, rnd: random.Random) -> Iterator:
    """志愿者: a resident, a party member reporting to the community (党员报到) or a co-building unit's member."""
    name = person_name(rnd)
    kind = rnd.choice(("resident", "party_member", "cobuilding_member"))
    body = {"name": name, "kind": kind, "org_unit_id": c.id, "consent": True, "mobile": mobile(rnd),
            "skills": rnd.sample(SKILLS, 2), "availability": rnd.choice(("周末", "工作日晚上", "随时"))}
    if kind == "cobuilding_member":
        body["unit_name"] = rnd.choice(CO_BUILDING_UNITS)
    volunteer = yield Call("volunteer.register", "/volunteer/volunteers", d.worker(c), body)
    with d.lock:
        c.volunteers.append((volunteer["id"], name))


ACTIVITIES = (  # (type, title, place), from seeds 000, 003 and 004
    ("snow_cleaning", "义务清雪", "社区主干道及楼前"),
    ("health_clinic", "老年人免费健康检查", "社区日间照料中心"),
    ("elderly_care", "七彩周末:为社区老人表演戏剧", "社区服务站"),
    ("elderly_care", "服务七上门", "空巢老人家中"),
    ("legal_aid", "法律咨询进社区", "社区法律服务站"),
    ("family_planning", "计生协会政策宣传", "社区活动广场"),
)
NO_SHOW = 0.05


def volunteer_activity(d: District, c: Community, rnd: random.Random) -> Iterator:
    """爱心银行: an activity held in the last hours is entered with its volunteers' sign-ups and times (each a
    volunteer_attendance case, recruiting first when the community's pool is short), then completed."""
    worker = d.worker(c)
    type_, title, place = rnd.choice(ACTIVITIES)
    wanted = rnd.randint(8, 19)  # 13.5 on average: 7000 coins a year over 26 activities
    starts = minutes_ago(240)
    activity = yield Call("volunteer.activity", "/volunteer/activities", worker, {
        "title": title, "type": type_, "org_unit_id": c.id, "place": place, "starts_at": iso(starts),
        "ends_at": iso(starts + timedelta(minutes=180)), "capacity": wanted + 2, "publish": True})
    with d.lock:
        short = wanted - len(c.volunteers)
    if short > 0:
        yield Spawn("volunteer_registration",
                    [volunteer_registration(d, c, random.Random(rnd.random())) for _ in range(short)])
    with d.lock:
        attendees = rnd.sample(c.volunteers, min(wanted, len(c.volunteers)))
    yield Spawn("volunteer_attendance", [
        volunteer_attendance(d, c, activity["id"], vid, starts, random.Random(rnd.random())) for vid, _ in attendees])
    yield Call("volunteer.complete", f"/volunteer/activities/{activity['id']}/complete", worker)


def volunteer_attendance(d: District, c: Community, activity_id: str, volunteer_id: str, starts: datetime,
                         rnd: random.Random) -> Iterator:
    """One volunteer of an activity: signed up, then checked in and out by the organiser (hours and coins)."""
    worker = d.worker(c)
    path = f"/volunteer/activities/{activity_id}"
    yield Call("volunteer.signup", f"{path}/signups", worker, {"volunteer_id": volunteer_id})
    if rnd.random() < NO_SHOW:
        return  # completing the activity marks the no-show
    checked_in = starts + timedelta(minutes=rnd.randint(0, 20))
    yield Call("volunteer.check_in", f"{path}/check-in", worker, {"volunteer_id": volunteer_id, "at": iso(checked_in)})
    yield Call("volunteer.check_out", f"{path}/check-out", worker,
               {"volunteer_id": volunteer_id, "at": iso(checked_in + timedelta(minutes=rnd.randint(90, 150)))})


CHECKPOINTS = ("社区东门", "车棚", "楼道", "活动广场")


def patrol(d: District, c: Community, rnd: random.Random) -> Iterator:
    """定时巡逻: the community police walk a route (made first if the community has none) with a lane guard,
    checking in at its checkpoints; the round is entered as it happened in the last two hours."""
    police = d.police(c)
    with d.lock:
        route = rnd.choice(c.routes) if c.routes else None
        guard = rnd.choice(c.volunteers) if c.volunteers else None
    if route is None:
        route = yield Call("security.route", "/security/patrol-routes", police, {
            "org_unit_id": c.id, "name": "夜间巡逻路线", "checkpoints": [{"name": n} for n in CHECKPOINTS]})
        with d.lock:
            c.routes.append(route)
    minutes = rnd.randint(60, 120)
    started = minutes_ago(minutes)
    participants = [{"person_name": f"社区民警 {person_name(rnd)}", "kind": "police"}]
    if guard:
        participants.append({"person_name": guard[1], "kind": "lane_guard", "volunteer_id": guard[0]})
    run = yield Call("security.patrol_start", "/security/patrol-runs", police,
                     {"route_id": route["id"], "participants": participants, "started_at": iso(started)})
    checkpoints = route["checkpoints"] if rnd.random() < 0.8 else route["checkpoints"][:-1]
    for n, checkpoint in enumerate(checkpoints, 1):
        at = started + timedelta(minutes=n * minutes / (len(checkpoints) + 1))
        body = {"checkpoint_id": checkpoint["id"], "at": iso(at)}
        if n == 1 and rnd.random() < 0.1:
            body["finding"] = {"kind": "hazard", "description": "车棚电线老化裸露"}
        yield Call("security.checkin", f"/security/patrol-runs/{run['id']}/checkins", police, body)
    yield Call("security.patrol_complete", f"/security/patrol-runs/{run['id']}/complete", police,
               {"ended_at": iso(started + timedelta(minutes=minutes))})


EMERGENCIES = (  # the public-safety events of seed 003
    ("gas_leak", "high", "楼道闻到天然气味,已通知住户开窗并关闭总阀"),
    ("flood", "critical", "暴雨致低洼楼栋积水,部分住户一楼进水"),
    ("power_outage", "medium", "暴雨致变压器跳闸,停电引发居民聚集"),
)


def incident(d: District, c: Community, rnd: random.Random) -> Iterator:
    """预防、发现、举报: a grid worker reports, the community police dispatch, arrive, resolve and close."""
    police = d.police(c)
    type_, severity, description = rnd.choice(EMERGENCIES)
    reported = yield Call("security.incident_report", "/security/incidents", d.grid_worker(c), {
        "org_unit_id": c.id, "type": type_, "severity": severity, "description": description,
        "building": rnd.choice(BUILDINGS), "affected": rnd.randint(5, 300)})
    path = f"/security/incidents/{reported['id']}"
    yield Call("security.dispatch", f"{path}/dispatch", police, {"assignee": "社区民警 及 治安志愿者"})
    yield Call("security.on_scene", f"{path}/on-scene", police)
    yield Call("security.resolve", f"{path}/resolve", police, {"resolution": "已现场处置,隐患排除"})
    yield Call("security.close", f"{path}/close", police)


DISPUTES = (  # (type, summary), from seeds 000, 003, 004
    ("neighbour", "楼上卫生间漏水致楼下墙面受损"),
    ("neighbour", "宠物犬伤人赔偿纠纷"),
    ("property", "加装电梯费用分摊争议"),
    ("property", "房屋租赁押金纠纷"),
    ("family", "赡养老人费用分担纠纷"),
    ("labour", "装修工钱结算纠纷"),
    ("other", "民间标会会款纠纷"),
)
MEDIATION_SUCCESS = 0.928  # 成功率92.8% (seed 003)


def mediation(d: District, c: Community, rnd: random.Random) -> Iterator:
    """人民调解: the community's mediator registers the dispute, holds sessions and records the outcome."""
    worker = d.worker(c)
    type_, summary = rnd.choice(DISPUTES)
    dispute = yield Call("security.dispute", "/security/disputes", worker, {
        "org_unit_id": c.id, "type": type_, "summary": summary, "mediator_name": f"人民调解员 {person_name(rnd)}",
        "parties": [{"name": person_name(rnd), "role": "当事人"} for _ in range(2)]})
    path = f"/security/disputes/{dispute['id']}"
    for n in range(rnd.choice((1, 1, 2))):
        yield Call("security.session", f"{path}/sessions", worker, {"note": f"第{n + 1}次调解,听取双方意见"})
    agreed = rnd.random() < MEDIATION_SUCCESS
    yield Call("security.outcome", f"{path}/outcome", worker, {
        "outcome": "agreement" if agreed else rnd.choice(("failed", "referred_to_court")),
        "note": "双方达成调解协议并签字" if agreed else "双方分歧较大,调解未成"})


# case kind -> (cases a year in one community, the case); attendance is started by its activity
MIX: dict[str, tuple[float, Callable]] = {
    "petition": (6, petition),
    "welfare_application": (sum(WELFARE_PROGRAMMES.values()), welfare_application),
    "welfare_disbursement": (12, welfare_disbursement),
    "volunteer_registration": (89, volunteer_registration),
    "volunteer_activity": (26, volunteer_activity),
    "patrol": (365, patrol),
    "incident": (5, incident),
    "mediation": (98, mediation),
}


# -- playing -------------------------------------------------------------------------------------

@dataclass(eq=False)
class Case:
    """An open case: its steps (a generator of Calls and Spawns) and the case that opened it, if any."""

    kind: str
    steps: Iterator
    parent: "Case | None" = None
    waiting_for: int = 0  # sub-cases still open
    call: Call | None = None  # the next call


class Tally:
    """Every call by case kind and step: status, latency, a few bodies of what was not a 2xx."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency_ms: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.steps: Counter = Counter()
        self.examples: dict[str, list[dict]] = defaultdict(list)
        self.cases: dict[str, Counter] = defaultdict(Counter)
        self.last_answer = 0.0

    def case(self, kind: str, what: str) -> None:
        with self.lock:
            self.cases[kind][what] += 1

    def call(self, kind: str, step: str, status: int, ms: float, body: str) -> None:
        with self.lock:
            self.latency_ms[kind].append(ms)
            self.statuses[kind][status] += 1
            self.steps[step] += 1
            if not 200 <= status < 300:
                self._example(kind, step, status, body)
            self.last_answer = time.monotonic()

    def generator_failed(self, kind: str, step: str, exc: Exception) -> None:
        """A case could not go on from a 2xx answer (it expected another shape): the generator's mistake."""
        with self.lock:
            self.cases[kind]["failed_in_generator"] += 1
            self._example(kind, step, "generator", repr(exc))

    def _example(self, kind: str, step: str, status, body: str) -> None:
        if len(self.examples[kind]) < EXAMPLES_PER_KIND:
            self.examples[kind].append({"step": step, "status": status, "body": body[:500]})

    def summary(self, started: float) -> dict:
        with self.lock:
            return self._summary(started)

    def _summary(self, started: float) -> dict:
        every = sorted(ms for values in self.latency_ms.values() for ms in values)
        elapsed = max(self.last_answer - started, 1e-9)
        kinds = {}
        for kind in sorted(set(self.latency_ms) | set(self.cases)):
            statuses = self.statuses[kind]
            kinds[kind] = {"calls": sum(statuses.values()), "non_2xx": non_2xx(statuses),
                           "statuses": {str(s): n for s, n in sorted(statuses.items())},
                           **latency(sorted(self.latency_ms[kind])),
                           "cases_started": self.cases[kind]["started"],
                           "cases_finished": self.cases[kind]["finished"],
                           "cases_failed_in_generator": self.cases[kind]["failed_in_generator"],
                           "examples": self.examples[kind]}
        everything = sum(self.statuses.values(), Counter())
        failed_in_generator = sum(c["failed_in_generator"] for c in self.cases.values())
        return {"calls": len(every), "seconds": round(elapsed, 2), "achieved_rate": round(len(every) / elapsed, 2),
                **latency(every), "non_2xx": non_2xx(everything),
                "mistakes": sum(n for s, n in everything.items() if 400 <= s < 500) + failed_in_generator,
                "platform_errors": sum(n for s, n in everything.items() if s >= 500 or s == 0),
                "kinds": kinds, "steps": dict(sorted(self.steps.items()))}


def non_2xx(statuses: Counter) -> int:
    return sum(n for s, n in statuses.items() if not 200 <= s < 300)


def latency(ms: list[float]) -> dict:
    """p50 and p99 of sorted latencies (nearest rank)."""
    if not ms:
        return {"p50_ms": None, "p99_ms": None}

    def rank(q: float) -> float:
        return round(ms[min(len(ms) - 1, math.ceil(q * len(ms)) - 1)], 1)

    return {"p50_ms": rank(0.50), "p99_ms": rank(0.99)}


class Casework:
    """The district's open cases. The next call is a follow-up that is due, else the first step of a new
    case: of every kind once at the start, then drawn by the yearly counts (MIX) in a random community."""

    def __init__(self, district: District, rnd: random.Random, tally: Tally):
        self.district = district
        self.rnd = rnd
        self.tally = tally
        self.lock = threading.Lock()
        self.due: list = []  # heap of (ready at, sequence, case)
        self.sequence = itertools.count()
        self.first_of_each = list(MIX)
        self.kinds = list(MIX)
        self.weights = [weight for weight, _ in MIX.values()]

    def next_case(self) -> Case:
        """The case whose call comes next (taken out of the in-tray until its call is answered)."""
        while True:
            with self.lock:
                if self.due and self.due[0][0] <= time.monotonic():
                    return heapq.heappop(self.due)[2]
                if self.first_of_each:
                    kind = self.first_of_each.pop(0)
                else:
                    kind = self.rnd.choices(self.kinds, self.weights)[0]
                community = self.rnd.choice(self.district.communities)
                rnd = random.Random(self.rnd.random())
            self._open(kind, MIX[kind][1](self.district, community, rnd))

    def _open(self, kind: str, steps: Iterator, parent: Case | None = None) -> None:
        self.tally.case(kind, "started")
        self.carry_on(Case(kind, steps, parent), None, pause=False)

    def carry_on(self, case: Case, answer: dict | None, pause: bool = True) -> None:
        """After a 2xx (or to begin): queue the case's next call, open its sub-cases, or end it."""
        try:
            step = case.steps.send(answer)
        except StopIteration:
            self.tally.case(case.kind, "finished")
            self._ended(case)
            return
        except Exception as exc:  # noqa: BLE001 - the case could not read the answer; counted, the run goes on
            self.tally.generator_failed(case.kind, case.call.step if case.call else "start", exc)
            self._ended(case)
            return
        if isinstance(step, Spawn):
            if not step.cases:
                self.carry_on(case, None)
                return
            case.waiting_for = len(step.cases)
            for steps in step.cases:
                self._open(step.kind, steps, case)
        else:
            case.call = step
            self._queue(case, pause)

    def drop(self, case: Case) -> None:
        """A call failed: the case stops there (its parent goes on without it)."""
        case.steps.close()
        self._ended(case)

    def _ended(self, case: Case) -> None:
        parent = case.parent
        if parent is None:
            return
        with self.lock:
            parent.waiting_for -= 1
            resume = parent.waiting_for == 0
        if resume:
            self.carry_on(parent, None)

    def _queue(self, case: Case, pause: bool) -> None:
        """Into the in-tray: a first call at once, a follow-up after a short pause."""
        with self.lock:
            ready = time.monotonic() + (self.rnd.uniform(*FOLLOW_UP_PAUSE) if pause else 0.0)
            heapq.heappush(self.due, (ready, next(self.sequence), case))


class Pacer:
    """Call slots at `rate` a second from now, until `max_calls` slots are given or `seconds` have passed."""

    def __init__(self, rate: float, seconds: float, max_calls: int):
        self.started = time.monotonic()
        self.ends = self.started + seconds
        self.interval = 1.0 / rate
        self.max_calls = max_calls
        self.given = 0
        self.lock = threading.Lock()

    def next_slot(self) -> float | None:
        with self.lock:
            at = self.started + self.given * self.interval
            if self.given >= self.max_calls or at >= self.ends or time.monotonic() >= self.ends:
                return None
            self.given += 1
            return at


def clerk(base: str, casework: Casework, tally: Tally, pacer: Pacer) -> None:
    """One member of staff at a desk: makes the next call in each slot the pacer gives."""
    http = requests.Session()
    while (slot := pacer.next_slot()) is not None:
        time.sleep(max(0.0, slot - time.monotonic()))
        case = casework.next_case()
        call = case.call
        answer = None
        began = time.perf_counter()
        try:
            r = http.post(f"{base}{API}{call.path}", json=call.body, timeout=HTTP_TIMEOUT,
                          headers={"Authorization": f"Bearer {call.token}"})
            status, text = r.status_code, r.text
            if 200 <= status < 300:
                answer = r.json() if r.content else {}
        except requests.RequestException as exc:
            status, text = 0, f"no answer: {type(exc).__name__}: {exc}"
        tally.call(case.kind, call.step, status, (time.perf_counter() - began) * 1000, text)
        if answer is None:
            casework.drop(case)
        else:
            casework.carry_on(case, answer)


def play(base_url: str, token_for: TokenFor, rate: float, seconds: float, max_calls: int, concurrency: int = 8,
         seed: int = 0, root: str = DEFAULT_ROOT) -> dict:
    """Set up the district under `root` (idempotent), then play its traffic at `rate` calls a second in
    total, with `concurrency` threads, until `seconds` have passed or `max_calls` calls were made. Every
    thread stops within the read timeout after that. Returns the summary."""
    if not (rate > 0 and seconds > 0 and max_calls > 0 and concurrency > 0):
        raise ValueError("rate, seconds, max_calls and concurrency must be positive")
    set_up = time.monotonic()
    district, created = set_up_district(base_url, token_for, root)
    setup_seconds = time.monotonic() - set_up
    tally = Tally()
    casework = Casework(district, random.Random(seed), tally)
    pacer = Pacer(rate, seconds, max_calls)
    clerks = [threading.Thread(target=clerk, args=(base_url.rstrip("/"), casework, tally, pacer), daemon=True,
                               name=f"clerk-{n}") for n in range(concurrency)]
    for t in clerks:
        t.start()
    hard_stop = pacer.ends + sum(HTTP_TIMEOUT) + 1
    for t in clerks:
        t.join(timeout=max(0.0, hard_stop - time.monotonic()))
    summary = tally.summary(pacer.started)
    return {"gateway": base_url, "rate_asked": rate, "seconds_asked": seconds, "max_calls": max_calls,
            "concurrency": concurrency, "seed": seed,
            "district": {"root": root, "subdistricts": len(district.subdistricts),
                         "communities": len(district.communities), "units_created": created,
                         "setup_seconds": round(setup_seconds, 2)},
            "still_running": sum(t.is_alive() for t in clerks), **summary}


def signer(settings) -> TokenFor:
    """Tokens signed with the platform's key, as the gateway would issue them after a login."""
    from liandong.testing import token_for

    return lambda role, unit, path, duties: token_for(settings, role, unit, path, duties=duties)


def main(argv: list[str] | None = None) -> int:
    from liandong.config import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gateway", help="a running platform's gateway, http://127.0.0.1:PORT "
                                      "(without it a platform of our own is started and stopped)")
    ap.add_argument("--secret-key", default=Settings.from_env("gateway").secret_key,
                    help="that platform's LIANDONG_SECRET_KEY, to sign the staff's tokens")
    ap.add_argument("--rate", type=float, default=20.0, help="calls a second, in total")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--max-calls", type=int, default=100_000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--root", default=DEFAULT_ROOT, help="the existing root the district goes under")
    args = ap.parse_args(argv)
    load = dict(rate=args.rate, seconds=args.seconds, max_calls=args.max_calls, concurrency=args.concurrency,
                seed=args.seed, root=args.root)
    if args.gateway:
        summary = play(args.gateway, signer(Settings(secret_key=args.secret_key)), **load)
    else:
        from bench import start_platform, stop  # this directory is on sys.path when run as a script

        with tempfile.TemporaryDirectory() as tmp:
            settings, proc, _ = start_platform(Path(tmp))
            try:
                summary = play(f"http://127.0.0.1:{settings.ports['gateway']}", signer(settings), **load)
            finally:
                stop(proc)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0 if summary["non_2xx"] == 0 and summary["mistakes"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
