"""A day's worth of activity in the demo district, played through the gateway's public HTTP API.

Logged in as the demo accounts (and three more it creates as the district admin: a community worker
in 册关街道's 阳春社区 and 阳和社区 each, and a 册关街道 officer who approves welfare there), it files
and handles petitions (single and group, with the 五明确 assignment, answered, closed with the
petitioner's satisfaction, one escalated to the sub-district), takes welfare applications with their
households through community review, the public notice (公示) and the sub-district's approval and pays
them, stocks and hands out goods of the charity supermarket (爱心超市), runs the charity fund (爱心基金)
and visits (走访慰问), registers volunteers and runs activities with sign-up, check-in and check-out
(hours and love coins, one coin redemption), and reports and handles incidents, patrols, floating
population and mediations — in 家园社区 (黄旗街道) and 阳春社区 and 阳和社区 (册关街道). Names, places and
figures come from the offices' own reports (shared/seeds).

`play(base_url)` returns the figures these actions imply for the reports overview: per community, per
sub-district and for the district, for every metric it touched (counts, person-times, money in fen,
minutes, coins, ...), and for every rate its numerator and denominator (sums, never averages).

    python deploy/local/demo_activity.py [--gateway http://localhost:8000] [--json]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import requests

from liandong.registry import DOMAIN_SERVICES

PASSWORD = "Liandong-demo-2026"
API = "/api/v1"

# The rates of the overview: (numerator metrics, denominator metric), as the gateway's domain/metrics.py.
RATES = {
    "petition.on_time_rate": (("petition.answered_on_time",), "petition.answered"),
    "petition.satisfaction_rate": (("petition.satisfied", "petition.basically_satisfied"), "petition.closed"),
    "petition.resolved_at_level_rate": (("petition.resolved_at_level",), "petition.closed"),
    "security.mediation_success_rate": (("security.mediations_succeeded",), "security.mediations"),
    "security.checkpoint_coverage": (("security.checkpoints_checked",), "security.checkpoints_total"),
    "security.mean_response_minutes": (("security.response_minutes",), "security.incidents_resolved"),
}

# Accounts the demo needs beyond the built-in ones (role, org unit, duties).
EXTRA_ACCOUNTS = {
    "yangchun_worker": ("阳春社区民政员（演示）", "community_worker", "yangchun", ["civil_affairs"]),
    "yanghe_worker": ("阳和社区民政员（演示）", "community_worker", "yanghe", ["civil_affairs"]),
    "ceguan_officer": ("册关街道干部（演示）", "subdistrict_officer", "ceguan", []),
}

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(rng: random.Random, region: str = "220204", year: int | None = None) -> str:
    """A valid 居民身份证号码 (GB 11643-1999: ISO 7064 MOD 11-2 check digit)."""
    born = datetime(year or rng.randint(1940, 1998), 1, 1) + timedelta(days=rng.randint(0, 364))
    first = f"{region}{born:%Y%m%d}{rng.randint(100, 999)}"
    return first + "10X98765432"[sum(int(d) * w for d, w in zip(first, _WEIGHTS)) % 11]


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class DemoError(RuntimeError):
    pass


class Gateway:
    """The public API with a token per account; counts calls per service."""

    def __init__(self, base: str, timeout: float = 20):
        self.base = base.rstrip("/")
        self.http = requests.Session()
        self.timeout = timeout
        self.tokens: dict[str, str] = {}
        self.calls: Counter = Counter()

    def login(self, username: str) -> None:
        r = self.http.post(f"{self.base}{API}/auth/login", json={"username": username, "password": PASSWORD},
                           timeout=self.timeout)
        self.calls["gateway"] += 1
        if r.status_code != 200:
            raise DemoError(f"login {username}: {r.status_code} {r.text[:300]}")
        self.tokens[username] = r.json()["access_token"]

    def call(self, user: str, method: str, path: str, expect=(200, 201, 202), **kw) -> dict:
        if user not in self.tokens:
            self.login(user)
        parts = path.split("/")
        service = parts[1] if parts[1] in DOMAIN_SERVICES else "gateway"
        r = self.http.request(method, f"{self.base}{API}{path}", timeout=self.timeout,
                              headers={"Authorization": f"Bearer {self.tokens[user]}"}, **kw)
        self.calls[service] += 1
        if r.status_code not in expect:
            raise DemoError(f"{user} {method} {path}: {r.status_code} {r.text[:500]}")
        return r.json() if r.content else {}

    def post(self, user: str, path: str, body: dict | None = None, **kw) -> dict:
        return self.call(user, "POST", path, json=body or {}, **kw)

    def get(self, user: str, path: str, **params) -> dict:
        return self.call(user, "GET", path, params=params)


class Figures:
    """What the actions imply, per community (a sub-district and the district are sums)."""

    def __init__(self):
        self.by_community: dict[str, Counter] = defaultdict(Counter)

    def add(self, community: str, **deltas) -> None:
        for key, value in deltas.items():
            self.by_community[community][key.replace("__", ".")] += value

    def inc(self, community: str, metric: str, value=1) -> None:
        self.by_community[community][metric] += value


class Demo:
    def __init__(self, gw: Gateway, seed: int | None = None):
        self.gw = gw
        self.rng = random.Random(seed)
        self.f = Figures()
        self.now = datetime.now(timezone.utc)
        self.period = self.now.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m")
        self.actions: Counter = Counter()
        self.notes: list[str] = []

    # -- helpers
    def pid(self, region: str = "220204", year: int | None = None) -> str:
        return id_number(self.rng, region, year)

    def ago(self, minutes: float) -> datetime:
        return self.now - timedelta(minutes=minutes)

    def wait_for_platform(self, timeout: float = 90) -> None:
        """The demo accounts exist and every service knows the communities played in (the org tree
        reaches the services by events, moments after the gateway is ready)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                if "district_admin" not in self.gw.tokens:
                    self.gw.login("district_admin")
                for svc in DOMAIN_SERVICES:
                    for unit in ("jiayuan-b1", "jiayuan-g1", "yangchun", "yanghe"):
                        self.gw.get("district_admin", f"/{svc}/org-units/{unit}")
                return
            except (DemoError, requests.RequestException) as exc:
                last = exc
                time.sleep(0.5)
        raise DemoError(f"the platform is not ready for the demo after {timeout:.0f}s: {last}")

    # -- accounts
    def accounts(self) -> None:
        for username, (name, role, unit, duties) in EXTRA_ACCOUNTS.items():
            self.gw.post("district_admin", "/users", {
                "username": username, "name": name, "password": PASSWORD,
                "grants": [{"role": role, "org_unit": unit, "duties": duties}]}, expect=(201, 409))
        for user in ("district_admin", "huangqi_officer", "jiayuan_worker", "jiayuan_police", "jiayuan_grid",
                     "resident_zhang", *EXTRA_ACCOUNTS):
            self.gw.login(user)

    # ------------------------------------------------------------------ petitions (信访)
    def petition(self, user: str, community: str, *, unit: str | None = None, category: str, channel: str,
                 title: str, content: str, petitioners: list[dict], headcount: int | None = None,
                 representatives: list[dict] | None = None, says_higher_level: bool = False) -> str:
        body = {"org_unit_id": unit or community, "category": category, "channel": channel, "title": title,
                "content": content, "petitioners": petitioners, "says_higher_level": says_higher_level}
        if headcount:
            body["headcount"] = headcount
        if representatives:
            body["representatives"] = representatives
        case = self.gw.post(user, "/petition/petitions", body)
        count = headcount or len(petitioners)
        group = count >= 5
        self.f.add(community, petition__batches=1, petition__person_times=count)
        if group:
            self.f.add(community, petition__group_batches=1, petition__group_person_times=count)
        if group or says_higher_level:
            self.f.inc(community, "petition.risk_flagged")
        flags = set(case.get("risk_flags") or [])
        expected_flags = {f for f, on in (("group_petition", group), ("higher_level_threat", says_higher_level)) if on}
        if flags != expected_flags:
            raise DemoError(f"petition {case['id']} flagged {sorted(flags)}, expected {sorted(expected_flags)}")
        self.actions["petition.register"] += 1
        return case["id"]

    def handle(self, user: str, community: str, case: str, *, unit_kind: str, unit_id: str, person: str,
               days: int, task: str, requirement: str, mode: str, answer: str | None,
               close: tuple[str, str] | None = None, closer: str | None = None, resolved_at_level: bool = True):
        deadline = (self.now + timedelta(days=days)).astimezone(timezone(timedelta(hours=8))).date().isoformat()
        self.gw.post(user, f"/petition/petitions/{case}/assign", {
            "unit_kind": unit_kind, "unit_id": unit_id, "person": person, "deadline": deadline, "task": task,
            "requirement": requirement})
        self.actions["petition.assign"] += 1
        if answer is None:
            return
        self.gw.post(user, f"/petition/petitions/{case}/start", {"mode": mode})
        answered = self.gw.post(user, f"/petition/petitions/{case}/answer", {"text": answer})
        on_time = answered.get("answered_on_time", True)
        self.f.add(community, petition__answered=1, petition__answered_on_time=int(bool(on_time)))
        self.actions["petition.answer"] += 1
        if close is None:
            return
        satisfaction, note = close
        self.gw.post(closer or user, f"/petition/petitions/{case}/close", {"satisfaction": satisfaction, "note": note})
        self.f.add(community, petition__closed=1, petition__resolved_at_level=int(resolved_at_level))
        if satisfaction == "satisfied":
            self.f.inc(community, "petition.satisfied")
        elif satisfaction == "basically":
            self.f.inc(community, "petition.basically_satisfied")
        self.actions["petition.close"] += 1

    def petitions(self) -> dict:
        p = self.pid
        ids = {}
        # 家园社区 (黄旗街道): the service window, the 24-hour hotline, a resident online, a grid worker's round
        ids["heating"] = self.petition(
            "jiayuan_worker", "jiayuan", category="property", channel="visit", title="2号楼供暖不热",
            content="2号楼三单元多户居民反映入冬以来室温不足16度,物业公司多次维修未果,请求社区协调供热公司。",
            petitioners=[{"name": "王桂兰", "id_number": p(year=1952), "mobile": "13943218765",
                          "address": "家园社区2号楼3单元201"}])
        self.handle("jiayuan_worker", "jiayuan", ids["heating"], unit_kind="community", unit_id="jiayuan",
                    person="社区主任 刘海燕", days=10, task="联系供热公司入户测温并排查管网",
                    requirement="十个工作日内书面答复居民", mode="on_site_check",
                    answer="经协调,供热公司已更换2号楼三单元老化阀门,复测室温19度,达到供暖标准。",
                    close=("satisfied", "居民对处理结果满意"))
        ids["neighbours"] = self.petition(
            "jiayuan_worker", "jiayuan", category="neighbour_dispute", channel="hotline", title="楼上漏水纠纷",
            content="1号楼居民来电反映楼上住户卫生间漏水,多次协商未果,邻里关系紧张。",
            petitioners=[{"name": "李淑芬", "id_number": p(year=1961), "mobile": "13504321122",
                          "address": "家园社区1号楼2单元302"}])
        self.handle("jiayuan_worker", "jiayuan", ids["neighbours"], unit_kind="department", unit_id="司法",
                    person="司法所 张明", days=5, task="组织双方调解并查明漏水原因",
                    requirement="五个工作日内调解并答复", mode="mediation",
                    answer="经司法所调解,楼上住户承担维修费用,已重做防水,双方达成谅解。",
                    close=("basically", "基本满意,维修后仍需观察"))
        ids["parking"] = self.petition(
            "resident_zhang", "jiayuan", unit="jiayuan-b1", category="property", channel="online",
            title="小区私家车占用消防通道",
            content="1号楼前消防通道长期被私家车占用,夜间救护车无法进入,请求清理并划设禁停标线。",
            petitioners=[{"name": "张建华", "id_number": p(year=1975), "mobile": "13604325566",
                          "address": "家园社区1号楼1单元101"}])
        self.handle("jiayuan_worker", "jiayuan", ids["parking"], unit_kind="department", unit_id="urban_management",
                    person="城管中队 王强", days=10, task="清理占道车辆并施划禁停标线",
                    requirement="十个工作日内整改并反馈", mode="joint_handling",
                    answer="城管中队已施划禁停标线并张贴告知书,夜间由网格员巡查。",
                    close=("not", "仍有车辆夜间停放,不满意"), closer="resident_zhang")
        ids["elevator"] = self.petition(
            "jiayuan_grid", "jiayuan", unit="jiayuan-g1", category="property", channel="grid_round",
            title="老旧楼加装电梯意见", headcount=12,
            content="网格员走访时,1号楼12名老年居民联名反映加装电梯费用分摊争议,希望社区组织协商。",
            petitioners=[{"name": "赵德顺", "id_number": p(year=1948), "address": "家园社区1号楼"},
                         {"name": "孙桂英", "id_number": p(year=1950), "address": "家园社区1号楼"}])
        self.handle("jiayuan_worker", "jiayuan", ids["elevator"], unit_kind="subdistrict", unit_id="huangqi",
                    person="黄旗街道城建办 陈立", days=15, task="组织业主协商加装电梯费用分摊方案",
                    requirement="十五个工作日内形成方案并答复", mode="joint_handling",
                    answer="街道组织三次业主协商会,按楼层分摊方案已获全体业主签字同意。",
                    close=("satisfied", "群众满意"))
        ids["letter"] = self.petition(
            "jiayuan_worker", "jiayuan", category="social_assistance", channel="letter", title="申请困难补助",
            content="来信反映家中老人长期卧床,医疗费用负担重,询问临时救助办理流程。",
            petitioners=[{"name": "周建国", "id_number": p(year=1969), "address": "家园社区3号楼"}])
        self.handle("jiayuan_worker", "jiayuan", ids["letter"], unit_kind="community", unit_id="jiayuan",
                    person="民政员 马丽", days=10, task="入户核实家庭情况并告知救助政策",
                    requirement="十个工作日内入户并书面答复", mode="on_site_check", answer=None)

        # 阳春社区 (册关街道): 刘女士等数十名群众 and the motor works' noise; the flood after typhoon 艾利
        liu = p("350981", 1966)
        ids["noise"] = self.petition(
            "yangchun_worker", "yangchun", category="environment_noise", channel="visit",
            title="某电机厂冲床噪音扰民", headcount=42, says_higher_level=True,
            content="原罐头厂宿舍区刘女士等42名群众不满相邻某电机厂冲床车间生产噪音困扰,多次与厂方协商无果,到联动中心投诉。",
            petitioners=[{"name": "刘秀珍", "id_number": liu, "mobile": "13905931234",
                          "address": "原罐头厂宿舍3幢"}],
            representatives=[{"name": "刘秀珍", "id_number": liu},
                             {"name": "陈永福", "id_number": p("350981", 1958)}])
        self.handle("yangchun_worker", "yangchun", ids["noise"], unit_kind="department", unit_id="环保",
                    person="市环保局 林卫东", days=10, task="会同工商、安监到电机厂宣讲环保法并提出整改意见",
                    requirement="规劝业主搬迁冲床车间,十个工作日内答复群众", mode="joint_handling",
                    answer="经多次宣讲劝导,电机厂已主动搬迁冲床车间,噪音监测达标。", close=("satisfied", "群众要求得到满意答复"))
        ids["flood"] = self.petition(
            "yangchun_worker", "yangchun", category="land_housing", channel="visit", title="防洪堤决口损失补偿",
            headcount=8,
            content="受18号台风艾利影响,城区防洪堤册关段深夜决口,阳春社区8户业主房屋受淹,要求补偿损失。",
            petitioners=[{"name": "黄德明", "id_number": p("350981", 1962), "address": "阳春社区鹤祥时装街"}])
        self.gw.post("yangchun_worker", f"/petition/petitions/{ids['flood']}/escalate",
                     {"reason": "涉及防洪工程与灾后补偿,超出社区职权,报街道联动中心"})
        self.f.inc("yangchun", "petition.escalated")
        self.actions["petition.escalate"] += 1
        self.handle("ceguan_officer", "yangchun", ids["flood"], unit_kind="subdistrict", unit_id="ceguan",
                    person="街道党工委副书记 郑国华", days=15, task="核实受灾损失,安排抗灾自救资金",
                    requirement="十五个工作日内落实救助并答复", mode="joint_handling",
                    answer="街道已安排15万元抗灾自救资金,受淹业主按核定损失给予补助,环境卫生已清理。",
                    close=("basically", "基本满意"), resolved_at_level=False)
        ids["wages"] = self.petition(
            "yangchun_worker", "yangchun", category="labour_wages", channel="hotline", title="建筑工地拖欠工资",
            content="来电反映在辖区某建筑工地务工三个月,工资未结清,请求协调。",
            petitioners=[{"name": "吴建平", "id_number": p("510722", 1980), "mobile": "13859981234",
                          "address": "阳春社区外来务工人员宿舍"}])
        self.handle("yangchun_worker", "yangchun", ids["wages"], unit_kind="department", unit_id="labour",
                    person="劳动保障所 许文", days=15, task="约谈施工方核对工资台账", requirement="十五个工作日内答复",
                    mode="on_site_check", answer="施工方已承诺分两期结清欠薪,第一期已支付。",
                    close=("not", "尚未全部结清,不满意"))

        # 阳和社区 (册关街道): 服务七上门, and the 民间标会 debts
        ids["subsidy"] = self.petition(
            "yanghe_worker", "yanghe", category="social_assistance", channel="visit", title="残疾人补贴咨询",
            content="居民咨询重度残疾人生活补贴申领条件,请求上门指导办理。",
            petitioners=[{"name": "林美玉", "id_number": p("350981", 1957), "address": "阳和社区二区5幢"}])
        self.handle("yanghe_worker", "yanghe", ids["subsidy"], unit_kind="community", unit_id="yanghe",
                    person="民政员 黄丽清", days=10, task="上门指导填写申请材料", requirement="十个工作日内办结",
                    mode="on_site_check", answer="已上门帮助填写申请,材料齐全并受理。", close=("satisfied", "满意"))
        ids["mailbox"] = self.petition(
            "yanghe_worker", "yanghe", category="property", channel="mailbox", title="路灯损坏",
            content="社情民意气象站信箱来信:二区主干道三盏路灯损坏,夜间出行不便。",
            petitioners=[{"name": "郑秋菊", "id_number": p("350981", 1972), "address": "阳和社区二区"}])
        self.actions["petition.open"] += 1
        ids["biaohui"] = self.petition(
            "yanghe_worker", "yanghe", category="other", channel="visit", title="民间标会会首失联", headcount=6,
            content="六名群众反映所参加的民间标会会首失联,会款无法追回,请求协调清债。",
            petitioners=[{"name": "陈阿婆", "id_number": p("350981", 1949), "address": "阳和社区一区"}])
        self.handle("yanghe_worker", "yanghe", ids["biaohui"], unit_kind="department", unit_id="justice",
                    person="司法所 周清", days=10, task="指导成立清债小组并组织会员与会首家属调解",
                    requirement="十个工作日内组织调解并答复", mode="mediation",
                    answer="已指导成立民间清债小组,会首家属同意以房产抵押分期偿还。", close=("not", "偿还期过长,不满意"))
        return ids

    # ------------------------------------------------------------------ welfare (民政)
    def apply(self, user: str, approver: str, community: str, programme: str, members: list[dict],
              expected_fen: int, schedule: str, **household) -> dict:
        app = self.gw.post(user, "/welfare/applications", {
            "org_unit_id": community, "programme": programme, "channel": "window",
            "household": {"members": members, "address": household.pop("address", ""), **household}})
        self.f.inc(community, "welfare.applications")
        self.actions["welfare.apply"] += 1
        amount = (app.get("eligibility") or {}).get("amount_fen")
        if amount is not None and amount != expected_fen:
            raise DemoError(f"{programme} in {community}: eligibility gives {amount} fen, the rules {expected_fen}")
        return {"id": app["id"], "community": community, "programme": programme, "people": len(members),
                "fen": expected_fen, "schedule": schedule, "user": user, "approver": approver}

    def review_and_approve(self, app: dict) -> str:
        self.gw.post(app["user"], f"/welfare/applications/{app['id']}/community-review",
                     {"decision": "pass", "note": "入户核查属实,张榜公示"})
        out = self.gw.post(app["approver"], f"/welfare/applications/{app['id']}/approval")
        c = app["community"]
        self.f.inc(c, "welfare.applications_approved")
        if app["schedule"] == "monthly":  # a one-off grant ends when it is paid
            self.f.add(c, welfare__households=1, welfare__people=app["people"])
            self.f.inc(c, f"welfare.households.{app['programme']}")
            self.f.inc(c, f"welfare.people.{app['programme']}", app["people"])
        self.actions["welfare.approve"] += 1
        app["grant"] = out["grant"]["id"]
        return out["grant"]["id"]

    def disburse(self, user: str, community: str, apps: list[dict]) -> None:
        out = self.gw.post(user, "/welfare/disbursements", {"org_unit_id": community, "period": self.period})
        expected = [a for a in apps if a.get("grant")]
        total = sum(a["fen"] for a in expected)
        if out["payments"] != len(expected) or out["total_fen"] != total:
            self.notes.append(f"disbursement in {community} paid {out['payments']} / {out['total_fen']} fen, "
                              f"this script's grants {len(expected)} / {total} fen")
        for a in expected:
            self.f.add(community, welfare__payments=1, welfare__disbursed_fen=a["fen"])
            self.f.inc(community, f"welfare.disbursed_fen.{a['programme']}", a["fen"])
        self.actions["welfare.disburse"] += 1

    def member(self, name: str, relation: str, income_yuan: int = 0, region: str = "220204", year=None, **kw) -> dict:
        return {"name": name, "id_number": self.pid(region, year), "relation": relation,
                "monthly_income_fen": income_yuan * 100, **kw}

    def welfare(self, petitions: dict) -> None:
        m = self.member
        line = 72000  # 城市低保 720元/人/月 (programmes.yaml, 船营区)
        # 家园社区: 低保 and 重残金 monthly, 临时救助 after a fire; one application fails the community review
        jy = [
            self.apply("jiayuan_worker", "huangqi_officer", "jiayuan", "dibao_urban", [
                m("王桂兰", "applicant", 0, year=1952, employment="retired"),
                m("刘振山", "spouse", 1200, year=1950, employment="retired"),
                m("刘晓东", "grandchild", 0, year=2010, employment="student")],
                line * 3 - 120000, "monthly", address="家园社区2号楼3单元201"),
            self.apply("jiayuan_worker", "huangqi_officer", "jiayuan", "severe_disability", [
                m("周建国", "applicant", 800, year=1969, employment="unemployed"),
                m("周母", "parent", 0, year=1941, employment="unable_to_work", disability_grade=1)],
                10000, "monthly", address="家园社区3号楼"),
            self.apply("jiayuan_worker", "huangqi_officer", "jiayuan", "temporary_aid", [
                m("赵德顺", "applicant", 500, year=1948, employment="retired"),
                m("钱玉珍", "spouse", 300, year=1951, employment="retired")],
                min(250000, line * 3), "once", emergency_reason="厨房失火,家具衣物被毁",
                requested_amount_fen=250000, address="家园社区1号楼"),
        ]
        rejected = self.gw.post("jiayuan_worker", "/welfare/applications", {
            "org_unit_id": "jiayuan", "programme": "dibao_urban", "household": {"members": [
                m("孙立军", "applicant", 3800, year=1978, employment="employed"),
                m("吴敏", "spouse", 2600, year=1980, employment="employed")], "address": "家园社区1号楼"}})
        self.f.inc("jiayuan", "welfare.applications")
        self.gw.post("jiayuan_worker", f"/welfare/applications/{rejected['id']}/community-review",
                     {"decision": "fail", "note": "家庭人均收入高于低保标准"})
        self.f.inc("jiayuan", "welfare.applications_rejected")
        self.actions["welfare.apply"] += 1
        self.actions["welfare.reject"] += 1

        # 阳春社区: 下岗 family on 低保, 黄成尧's 困难补助 (1000元), a rent subsidy; one objection upheld in the notice
        yc = [
            self.apply("yangchun_worker", "ceguan_officer", "yangchun", "dibao_urban", [
                m("黄成尧", "applicant", 600, "350981", 1936, employment="retired"),
                m("黄秀英", "child", 500, "350981", 1966, employment="unemployed"),
                m("黄志强", "child", 400, "350981", 1968, employment="unemployed"),
                m("黄小燕", "grandchild", 0, "350981", 2008, employment="student")],
                line * 4 - 150000, "monthly", address="阳春社区茶厂宿舍"),
            self.apply("yangchun_worker", "ceguan_officer", "yangchun", "temporary_aid", [
                m("陈永福", "applicant", 600, "350981", 1958, employment="retired")],
                100000, "once", emergency_reason="台风艾利致房屋受淹", requested_amount_fen=100000,
                address="阳春社区鹤祥时装街"),
            self.apply("yangchun_worker", "ceguan_officer", "yangchun", "rent_subsidy", [
                m("吴建平", "applicant", 1000, "510722", 1980, employment="employed"),
                m("何丽", "spouse", 800, "510722", 1982, employment="employed"),
                m("吴小宝", "child", 0, "510722", 2015, employment="child")],
                30000, "monthly", housing_area_m2="30", address="阳春社区外来务工人员宿舍"),
        ]
        noticed = self.gw.post("yangchun_worker", "/welfare/applications", {
            "org_unit_id": "yangchun", "programme": "dibao_urban", "household": {"members": [
                m("林阿水", "applicant", 500, "350981", 1960, employment="unemployed")], "address": "阳春社区"}})
        self.f.inc("yangchun", "welfare.applications")
        self.gw.post("yangchun_worker", f"/welfare/applications/{noticed['id']}/community-review",
                     {"decision": "pass", "notice_days": 7, "note": "张榜公示七天"})
        objection = self.gw.post("yangchun_worker", f"/welfare/applications/{noticed['id']}/objections",
                                 {"text": "邻居反映申请人在外经营摊位,有隐性收入", "raised_by": "居民代表"})
        self.gw.post("yangchun_worker",
                     f"/welfare/applications/{noticed['id']}/objections/{objection['id']}/resolution",
                     {"upheld": True, "note": "经核实申请人经营水果摊位,月收入约2000元"})
        self.f.inc("yangchun", "welfare.applications_rejected")
        self.actions["welfare.apply"] += 1
        self.actions["welfare.reject"] += 1

        # 阳和社区: 大病医疗救助, 金秋助学 and 重残金
        yh = [
            self.apply("yanghe_worker", "ceguan_officer", "yanghe", "serious_illness", [
                m("林美玉", "applicant", 900, "350981", 1957, employment="retired"),
                m("郑国强", "spouse", 1100, "350981", 1955, employment="retired"),
                m("郑晓梅", "child", 1500, "350981", 1985, employment="employed")],
                min(4600000 * 50 // 100, 3000000), "once", medical_expenses_fen=4600000, address="阳和社区二区5幢"),
            self.apply("yanghe_worker", "ceguan_officer", "yanghe", "golden_autumn_student_aid", [
                m("黄光榕", "applicant", 1400, "350981", 1970, employment="employed"),
                m("连春娇", "spouse", 1000, "350981", 1972, employment="unemployed"),
                m("黄晓丽", "child", 0, "350981", 2008, employment="student", college_admitted=True)],
                300000, "once", address="阳和社区一区"),
            self.apply("yanghe_worker", "ceguan_officer", "yanghe", "severe_disability", [
                m("陈阿婆", "applicant", 0, "350981", 1949, employment="unable_to_work", disability_grade=1),
                m("陈阿公", "spouse", 700, "350981", 1946, employment="retired", disability_grade=2)],
                20000, "monthly", address="阳和社区一区"),
        ]
        for app in jy + yc + yh:
            self.review_and_approve(app)
        self.disburse("jiayuan_worker", "jiayuan", jy)
        self.disburse("yangchun_worker", "yangchun", yc)
        self.disburse("yanghe_worker", "yanghe", yh)

        # 爱心超市 in 家园社区: 大衣, 棉被, 暖瓶 from the co-building units; hand-outs to households on 低保
        goods = {}
        for sku, name, unit, qty, fen, donor, coins in (
                ("mianbei", "棉被", "床", 20, 8000, "船营区检察院", 0),
                ("dayi", "大衣", "件", 10, 15000, "吉林化纤集团", 0),
                ("nuanping", "暖瓶", "个", 30, 2500, "黄旗街道共建单位", 20)):
            item = self.gw.post("jiayuan_worker", "/welfare/goods/donations", {
                "org_unit_id": "jiayuan", "sku": sku, "name": name, "unit": unit, "quantity": qty,
                "donor": donor, "donor_kind": "co_building_unit", "unit_value_fen": fen, "coin_price": coins,
                "low_stock_at": 3})
            goods[sku] = (item["item_id"], fen)
            self.f.inc("jiayuan", "welfare.goods_donated_fen", qty * fen)
            self.actions["welfare.goods_donation"] += 1
        for sku, qty, household, grant in (("mianbei", 2, "jiayuan-2-3-201", jy[0]["grant"]),
                                           ("dayi", 1, "jiayuan-3", jy[1]["grant"])):
            item_id, fen = goods[sku]
            self.gw.post("jiayuan_worker", "/welfare/goods/handouts", {
                "item_id": item_id, "quantity": qty, "household_id": household, "grant_id": grant,
                "recipient_name": "低保户"})
            self.f.add("jiayuan", welfare__goods_handed_out=qty, welfare__goods_handed_out_fen=qty * fen,
                       welfare__supermarket_households=1)  # two households, each its first this year (#21)
            self.actions["welfare.goods_handout"] += 1
        self.goods = goods
        # 阳和社区 gets rice from 建顺钢材厂 and hands some out
        rice = self.gw.post("yanghe_worker", "/welfare/goods/donations", {
            "org_unit_id": "yanghe", "sku": "dami", "name": "大米", "unit": "袋", "quantity": 50,
            "donor": "建顺钢材厂", "donor_kind": "co_building_unit", "unit_value_fen": 5000})
        self.f.inc("yanghe", "welfare.goods_donated_fen", 50 * 5000)
        self.gw.post("yanghe_worker", "/welfare/goods/handouts", {
            "item_id": rice["item_id"], "quantity": 5, "household_id": "yanghe-1-chen", "recipient_name": "陈阿婆"})
        self.f.add("yanghe", welfare__goods_handed_out=5, welfare__goods_handed_out_fen=5 * 5000,
                   welfare__supermarket_households=1)
        self.actions["welfare.goods_donation"] += 1
        self.actions["welfare.goods_handout"] += 1

        # 爱心基金: donations and a grant out, approved by the sub-district
        for officer, community, donor, kind, fen in (
                ("huangqi_officer", "jiayuan", "船营区检察院", "co_building_unit", 500000),
                ("huangqi_officer", "jiayuan", "柏明月", "resident", 20000),
                ("ceguan_officer", "yanghe", "建顺钢材厂", "co_building_unit", 200000)):
            self.gw.post(officer, "/welfare/fund/donations", {"org_unit_id": community, "donor": donor,
                                                            "donor_kind": kind, "amount_fen": fen})
            self.f.inc(community, "welfare.fund_in_fen", fen)
            self.actions["welfare.fund_donation"] += 1
        for worker, officer, community, recipient, reason, fen in (
                ("jiayuan_worker", "huangqi_officer", "jiayuan", "周建国", "母亲长期卧床,医疗费用负担重", 300000),
                ("yanghe_worker", "ceguan_officer", "yanghe", "黄光榕", "输血与造血:资助购买三轮车跑运输", 100000)):
            grant = self.gw.post(worker, "/welfare/fund/grants", {"org_unit_id": community, "recipient": recipient,
                                                                 "reason": reason, "amount_fen": fen})
            self.gw.post(officer, f"/welfare/fund/grants/{grant.get('id') or grant['_id']}/approval", {"note": "同意资助"})
            self.f.inc(community, "welfare.fund_out_fen", fen)
            self.f.inc(community, "welfare.fund_people")  # one person each, their first grant this year (#21)
            self.actions["welfare.fund_grant"] += 1

        # 走访慰问
        for user, community, kind, visited, fen, goods_text in (
                ("jiayuan_worker", "jiayuan", "condolence", "空巢老人 王桂兰", 50000, "米、面、油"),
                ("jiayuan_worker", "jiayuan", "home", "残疾人家庭 周建国", 0, ""),
                ("yangchun_worker", "yangchun", "condolence", "困难党员 黄成尧", 100000, "棉被"),
                ("yanghe_worker", "yanghe", "home", "服务七上门 林美玉", 0, "")):
            self.gw.post(user, "/welfare/visits", {"org_unit_id": community, "kind": kind, "visited": visited,
                                                  "visited_at": iso(self.ago(90)), "money_fen": fen,
                                                  "goods": goods_text, "notes": "了解生活情况,送去党和政府的温暖"})
            self.f.add(community, welfare__visits=1, welfare__visit_money_fen=fen)
            self.actions["welfare.visit"] += 1

    # ------------------------------------------------------------------ volunteers (志愿者 / 爱心银行)
    def volunteer(self, user: str, community: str, name: str, kind: str, skills: list[str], unit_name=None) -> str:
        body = {"name": name, "kind": kind, "org_unit_id": community, "skills": skills, "consent": True,
                "availability": "周末", "mobile": f"139{self.rng.randint(10000000, 99999999)}"}
        if unit_name:
            body["unit_name"] = unit_name
        v = self.gw.post(user, "/volunteer/volunteers", body)
        self.f.inc(community, "volunteer.volunteers")
        self.actions["volunteer.register"] += 1
        return v["id"]

    def activity(self, user: str, community: str, title: str, type_: str, place: str, start_min_ago: int,
                 length: int, attend: dict[str, int], no_shows: list[str] = (), team_id=None) -> dict:
        starts = self.ago(start_min_ago)
        a = self.gw.post(user, "/volunteer/activities", {
            "title": title, "type": type_, "org_unit_id": community, "place": place, "starts_at": iso(starts),
            "ends_at": iso(starts + timedelta(minutes=length)), "capacity": len(attend) + len(no_shows) + 2,
            "team_id": team_id, "publish": True})
        self.f.inc(community, "volunteer.activities")
        rate = a["coins_per_hour"]
        for vid in [*attend, *no_shows]:
            self.gw.post(user, f"/volunteer/activities/{a['id']}/signups", {"volunteer_id": vid})
            self.actions["volunteer.signup"] += 1
        for vid, minutes in attend.items():
            self.gw.post(user, f"/volunteer/activities/{a['id']}/check-in", {"volunteer_id": vid, "at": iso(starts)})
            self.gw.post(user, f"/volunteer/activities/{a['id']}/check-out",
                         {"volunteer_id": vid, "at": iso(starts + timedelta(minutes=minutes))})
            self.f.add(community, volunteer__participant_times=1, volunteer__minutes=minutes,
                       volunteer__coins_credited=minutes * rate // 60)
            self.coins[vid] += minutes * rate // 60
            self.actions["volunteer.attendance"] += 1
        self.actions["volunteer.activity"] += 1
        return {"id": a["id"], "rate": rate, "starts": starts, "attend": dict(attend), "user": user,
                "community": community}

    def complete(self, act: dict) -> None:
        self.gw.post(act["user"], f"/volunteer/activities/{act['id']}/complete")

    def volunteers(self) -> dict:
        self.coins: Counter = Counter()
        v = {}
        w = "jiayuan_worker"
        v["bai"] = self.volunteer(w, "jiayuan", "柏明月", "party_member", ["清雪", "治安巡逻"])
        v["li"] = self.volunteer(w, "jiayuan", "李淑芬", "resident", ["敬老", "清雪"])
        v["zhao"] = self.volunteer(w, "jiayuan", "赵志刚", "cobuilding_member", ["法律咨询"], unit_name="船营区检察院")
        v["sun"] = self.volunteer(w, "jiayuan", "孙桂英", "resident", ["护理"])
        v["zhou"] = self.volunteer(w, "jiayuan", "周建国", "resident", ["清雪"])
        me = self.gw.post("resident_zhang", "/volunteer/volunteers", {
            "name": "张建华", "kind": "resident", "org_unit_id": "jiayuan-b1", "skills": ["义诊协助"],
            "consent": True, "mobile": "13604325566"}, expect=(201, 409))
        if "id" in me:
            self.f.inc("jiayuan", "volunteer.volunteers")
            self.actions["volunteer.register"] += 1
        else:  # played before on this platform: 张建华 is a volunteer already
            me = self.gw.get("resident_zhang", "/volunteer/volunteers/me")
        v["zhang"] = me["id"]
        team = self.gw.post(w, "/volunteer/teams", {"name": "家园社区清雪志愿服务队", "type": "snow_cleaning",
                                                    "org_unit_id": "jiayuan", "leader_id": v["bai"],
                                                    "member_ids": [v["bai"], v["li"], v["zhou"]]})
        self.actions["volunteer.team"] += 1
        self.f.inc("jiayuan", "volunteer.teams")  # formed today (#21)
        snow = self.activity(w, "jiayuan", "义务清雪", "snow_cleaning", "家园社区主干道及1-3号楼楼前", 300, 180,
                             {v["bai"]: 180, v["li"]: 150, v["zhao"]: 120}, no_shows=[v["zhou"]], team_id=team["id"])
        self.complete(snow)
        # a paper sign-in sheet said 160 minutes for 李淑芬: corrected, with the reason
        fixed = self.gw.post(w, f"/volunteer/activities/{snow['id']}/attendance/{v['li']}/correction",
                             {"minutes": 160, "reason": "签到表记录有误,按纸质签到表更正"})
        delta_coins = 160 * snow["rate"] // 60 - 150 * snow["rate"] // 60
        self.f.add("jiayuan", volunteer__minutes=10, volunteer__coins_credited=delta_coins)
        self.coins[v["li"]] += delta_coins
        assert fixed["minutes"] == 160
        self.actions["volunteer.correction"] += 1
        clinic_id = self.activity(w, "jiayuan", "老年人免费健康检查", "health_clinic", "家园社区日间照料中心", 240, 150,
                                  {v["sun"]: 90, v["zhang"]: 95})
        self.complete(clinic_id)

        v["chen"] = self.volunteer("yangchun_worker", "yangchun", "陈丽华", "party_member", ["戏剧演唱"])
        v["lin"] = self.volunteer("yangchun_worker", "yangchun", "林志强", "party_member", ["敬老"])
        v["huang"] = self.volunteer("yangchun_worker", "yangchun", "黄秀英", "resident", ["护巷"])
        qicai = self.activity("yangchun_worker", "yangchun", "七彩周末:为社区老人表演戏剧", "elderly_care",
                              "阳春社区服务站", 360, 180, {v["chen"]: 150, v["lin"]: 120, v["huang"]: 135})
        self.complete(qicai)
        v["zheng"] = self.volunteer("yanghe_worker", "yanghe", "郑秋菊", "resident", ["敬老"])
        v["xu"] = self.volunteer("yanghe_worker", "yanghe", "许文华", "cobuilding_member", ["法律咨询"],
                                 unit_name="建顺钢材厂")
        shangmen = self.activity("yanghe_worker", "yanghe", "服务七上门", "elderly_care", "阳和社区一区、二区",
                                 200, 120, {v["zheng"]: 100, v["xu"]: 80})
        self.complete(shangmen)
        return v

    def redeem(self, vols: dict) -> None:
        """柏明月 trades love coins for two 暖瓶 at 家园社区's 爱心超市 (the saga across volunteer and welfare)."""
        vid = vols["bai"]
        want = 2 * 20
        deadline = time.monotonic() + 30
        balance = 0
        while time.monotonic() < deadline:
            totals = self.gw.get("jiayuan_worker", f"/volunteer/volunteers/{vid}").get("totals", {})
            balance = totals.get("available", 0)
            if balance >= want:
                break
            time.sleep(0.3)
        if balance < want:
            self.notes.append(f"柏明月's coins ({balance}) did not arrive in time: no redemption")
            return
        item_id, fen = self.goods["nuanping"]
        r = self.gw.post("jiayuan_worker", "/welfare/goods/redemptions", {
            "org_unit_id": "jiayuan", "volunteer_id": vid, "items": [{"item_id": item_id, "quantity": 2}]})
        while time.monotonic() < deadline + 30:
            r = self.gw.get("jiayuan_worker", f"/welfare/goods/redemptions/{r['id']}")
            if r["status"] in ("handed_out", "cancelled"):
                break
            time.sleep(0.3)
        self.actions["volunteer.redemption"] += 1
        if r["status"] != "handed_out":
            self.notes.append(f"the redemption ended {r['status']}: {r.get('cancel_reason')}")
            return
        self.f.add("jiayuan", welfare__goods_handed_out=2, welfare__goods_handed_out_fen=2 * fen,
                   volunteer__coins_redeemed=want)

    # ------------------------------------------------------------------ safety (平安社区)
    def incident(self, reporter: str, handler: str, community: str, type_: str, severity: str, description: str,
                 steps: tuple[str, ...], unit: str | None = None, **extra) -> None:
        i = self.gw.post(reporter, "/security/incidents", {"org_unit_id": unit or community, "type": type_,
                                                          "severity": severity, "description": description, **extra})
        self.f.add(community, security__incidents=1)
        self.f.inc(community, f"security.incidents.{type_}")
        if type_ in ("gas_leak", "flood", "power_outage"):
            self.f.inc(community, "security.emergencies")
        self.actions["security.incident"] += 1
        for step in steps:
            body = {"dispatch": {"assignee": "社区民警 及 治安志愿者"},
                    "resolve": {"resolution": "已现场处置,隐患排除"}}.get(step, {})
            out = self.gw.post(handler, f"/security/incidents/{i['id']}/{step}", body)
            if step == "resolve":
                self.f.add(community, security__incidents_resolved=1,
                           security__response_minutes=round(out["response_minutes"] or 0, 1))

    def patrol(self, user: str, community: str, route: dict, participants: list[dict], start_min_ago: int,
               length: int, checked: int, finding: dict | None = None) -> None:
        started = self.ago(start_min_ago)
        run = self.gw.post(user, "/security/patrol-runs", {"route_id": route["id"], "participants": participants,
                                                           "started_at": iso(started)})
        cps = route["checkpoints"][:checked]
        for n, cp in enumerate(cps):
            at = started + timedelta(minutes=(n + 1) * length // (checked + 1))
            body = {"checkpoint_id": cp["id"], "at": iso(at)}
            if finding and n == 0:
                body["finding"] = finding
            self.gw.post(user, f"/security/patrol-runs/{run['id']}/checkins", body)
        self.gw.post(user, f"/security/patrol-runs/{run['id']}/complete",
                     {"ended_at": iso(started + timedelta(minutes=length))})
        self.f.add(community, security__patrols=1, security__checkpoints_total=len(route["checkpoints"]),
                   security__checkpoints_checked=checked)
        for p in participants:
            if p.get("volunteer_id"):
                coins = length * self.patrol_rate // 60
                self.f.add(community, volunteer__participant_times=1, volunteer__minutes=length,
                           volunteer__coins_credited=coins)
                self.coins[p["volunteer_id"]] += coins
        self.actions["security.patrol"] += 1

    def route(self, user: str, community: str, name: str, checkpoints: list[str], unit: str | None = None) -> dict:
        self.actions["security.route"] += 1
        return self.gw.post(user, "/security/patrol-routes", {"org_unit_id": unit or community, "name": name,
                                                             "checkpoints": [{"name": c} for c in checkpoints]})

    def dispute(self, user: str, community: str, type_: str, summary: str, parties: list[str], mediator: str,
                sessions: int, outcome: str, petition_id: str | None = None) -> None:
        body = {"org_unit_id": community, "type": type_, "summary": summary, "mediator_name": mediator,
                "parties": [{"name": n, "role": "当事人"} for n in parties], "petition_id": petition_id}
        # the security service learns a petition from its event a moment after it is registered;
        # until then the petition is unknown there (404)
        deadline = time.monotonic() + 30
        while True:
            try:
                d = self.gw.post(user, "/security/disputes", body)
                break
            except DemoError as exc:
                if not petition_id or ": 404 " not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        for n in range(sessions):
            self.gw.post(user, f"/security/disputes/{d['id']}/sessions",
                         {"held_at": iso(self.ago(120 - 30 * n)), "note": f"第{n + 1}次调解,听取双方意见"})
        self.gw.post(user, f"/security/disputes/{d['id']}/outcome", {"outcome": outcome, "note": {
            "agreement": "双方达成调解协议并签字", "failed": "双方分歧较大,调解未成",
            "referred_to_court": "调解不成,引导当事人到法庭立案"}[outcome]})
        self.f.add(community, security__mediations=1, security__mediations_succeeded=int(outcome == "agreement"))
        self.actions["security.mediation"] += 1

    def migrant(self, user: str, community: str, name: str, region: str, origin: str, address: str) -> None:
        self.gw.post(user, "/security/migrants", {"org_unit_id": community, "name": name,
                                                  "id_number": self.pid(region, self.rng.randint(1975, 2000)),
                                                  "origin": origin, "address": address})
        self.f.inc(community, "security.migrants")
        self.actions["security.migrant"] += 1

    def security(self, vols: dict, petitions: dict) -> None:
        self.patrol_rate = self.gw.get("jiayuan_worker", "/volunteer/types")["patrol_coins_per_hour"]
        # 家园社区: the grid worker and a resident report, the community police handle
        self.incident("jiayuan_grid", "jiayuan_police", "jiayuan", "gas_leak", "high",
                      "2号楼3单元楼道闻到天然气味,已通知住户开窗并关闭总阀", ("dispatch", "on-scene", "resolve", "close"),
                      unit="jiayuan-g1", building="2号楼", affected=18)
        self.incident("resident_zhang", "jiayuan_police", "jiayuan", "theft", "medium",
                      "1号楼车棚一辆电动自行车夜间被盗", ("dispatch", "resolve"), unit="jiayuan-b1", building="1号楼")
        self.incident("jiayuan_police", "jiayuan_police", "jiayuan", "hazard", "low",
                      "3号楼楼道堆放杂物,堵塞消防通道", ("dispatch", "on-scene", "resolve", "close"), building="3号楼")
        self.incident("jiayuan_grid", "jiayuan_police", "jiayuan", "public_disturbance", "low",
                      "夜间广场舞音响扰民,居民投诉", ("dispatch",), unit="jiayuan-g1")
        night = self.route("jiayuan_police", "jiayuan", "家园社区夜间巡逻路线",
                           ["社区东门", "1号楼车棚", "2号楼楼道", "活动广场"])
        self.patrol("jiayuan_police", "jiayuan", night, [
            {"person_name": "社区民警 王军", "kind": "police"},
            {"person_name": "柏明月", "kind": "security_volunteer", "volunteer_id": vols["bai"]},
            {"person_name": "护巷志愿者 老刘", "kind": "lane_guard"}], 200, 105, 3,
            {"kind": "hazard", "description": "车棚电线老化裸露"})
        grid = self.route("jiayuan_grid", "jiayuan", "第一网格日间巡查", ["1号楼", "2号楼", "车棚", "垃圾站"],
                          unit="jiayuan-g1")
        self.patrol("jiayuan_grid", "jiayuan", grid, [{"person_name": "网格员 马丽", "kind": "staff"}], 90, 60, 4)
        for summary, parties, sessions, outcome in (
                ("楼上卫生间漏水致楼下墙面受损", ["李淑芬", "王海"], 2, "agreement"),
                ("加装电梯费用分摊争议", ["赵德顺", "钱大伟"], 3, "agreement"),
                ("宠物犬伤人赔偿纠纷", ["张建华", "孙丽"], 1, "agreement"),
                ("房屋租赁押金纠纷", ["刘强", "郭明"], 2, "failed")):
            self.dispute("jiayuan_police", "jiayuan", "neighbour" if "楼" in summary else "property", summary,
                         parties, "人民调解员 柏明月", sessions, outcome,
                         petition_id=petitions["neighbours"] if summary.startswith("楼上") else None)
        self.migrant("jiayuan_police", "jiayuan", "王二虎", "510722", "四川省三台县", "家园社区3号楼出租屋")
        self.migrant("jiayuan_police", "jiayuan", "马秀兰", "622921", "甘肃省临夏县", "家园社区1号楼出租屋")

        # 阳春社区: the flood of typhoon 艾利, a power cut, the 护巷 patrol, 民间标会 debts go to court
        self.incident("yangchun_worker", "yangchun_worker", "yangchun", "flood", "critical",
                      "18号台风艾利影响,防洪堤册关段决口,鹤祥时装街积水", ("dispatch", "on-scene", "resolve"),
                      affected=120)
        self.incident("yangchun_worker", "yangchun_worker", "yangchun", "power_outage", "medium",
                      "暴雨致阳春社区变压器跳闸,停电引发居民聚集", ("dispatch", "resolve", "close"), affected=300)
        lanes = self.route("yangchun_worker", "yangchun", "阳春社区护巷路线", ["茶厂宿舍", "鹤祥时装街", "防洪堤口"])
        self.patrol("yangchun_worker", "yangchun", lanes, [
            {"person_name": "黄秀英", "kind": "lane_guard", "volunteer_id": vols["huang"]},
            {"person_name": "林志强", "kind": "security_volunteer", "volunteer_id": vols["lin"]}], 150, 75, 2)
        self.dispute("yangchun_worker", "yangchun", "other", "民间标会会款纠纷,会首拒不偿还", ["陈永福", "会首吴某"],
                     "人民调解员 郑国华", 2, "referred_to_court")
        self.migrant("yangchun_worker", "yangchun", "吴建平", "510722", "四川省三台县", "阳春社区外来务工人员宿舍")

        # 阳和社区
        self.incident("yanghe_worker", "yanghe_worker", "yanghe", "fraud", "medium",
                      "独居老人接到冒充医保局电话,险被骗转账,社区及时劝阻", ("dispatch", "resolve"))
        self.incident("yanghe_worker", "yanghe_worker", "yanghe", "fire", "high",
                      "二区5幢厨房油锅起火,邻居用灭火器扑灭", ("dispatch", "on-scene", "resolve", "close"), injured=0)
        yroute = self.route("yanghe_worker", "yanghe", "阳和社区日间巡逻", ["一区", "二区", "菜市场", "社区服务站"])
        self.patrol("yanghe_worker", "yanghe", yroute, [{"person_name": "社区干部 许文", "kind": "staff"},
                                                        {"person_name": "郑秋菊", "kind": "security_volunteer",
                                                         "volunteer_id": vols["zheng"]}], 120, 90, 4)
        self.dispute("yanghe_worker", "yanghe", "other", "民间标会会首失联,会员与会首家属清债", ["陈阿婆", "会首家属"],
                     "人民调解员 周清", 3, "agreement", petition_id=petitions["biaohui"])
        self.dispute("yanghe_worker", "yanghe", "family", "赡养老人费用分担纠纷", ["郑国强", "郑国平"],
                     "人民调解员 黄丽清", 1, "agreement")

    # ------------------------------------------------------------------
    def run(self) -> dict:
        started = time.monotonic()
        self.wait_for_platform()
        self.accounts()
        petitions = self.petitions()
        self.welfare(petitions)
        vols = self.volunteers()
        self.security(vols, petitions)
        self.redeem(vols)
        return self.result(time.monotonic() - started)

    def result(self, seconds: float) -> dict:
        tree = {u["id"]: u for u in self.gw.get("district_admin", "/org/tree")["units"]}
        units: dict[str, Counter] = defaultdict(Counter)
        for community, figures in self.f.by_community.items():
            parts = [p for p in tree[community]["path"].split("/") if p]
            for unit in parts:
                for key, value in figures.items():
                    units[unit][key] += value
        clean = {u: {k: (round(v, 1) if isinstance(v, float) else v) for k, v in sorted(f.items())}
                 for u, f in units.items()}
        level = {u: tree[u]["level"] for u in clean}
        rates = {u: {r: {"numerator": round(sum(f.get(n, 0) for n in nums), 1), "denominator": f.get(den, 0)}
                     for r, (nums, den) in RATES.items() if f.get(den, 0)} for u, f in clean.items()}
        return {
            "communities": {u: f for u, f in clean.items() if level[u] == "community"},
            "subdistricts": {u: f for u, f in clean.items() if level[u] == "subdistrict"},
            "district": {u: f for u, f in clean.items() if level[u] in ("district", "city")},
            "rates": rates,
            "actions": dict(sorted(self.actions.items())),
            "calls": dict(sorted(self.gw.calls.items())),
            "notes": self.notes,
            "seconds": round(seconds, 1),
        }


def play(base_url: str, seed: int | None = None) -> dict:
    """Play the day's activity against the gateway at `base_url`; the figures it implies."""
    return Demo(Gateway(base_url), seed).run()


def summary(result: dict) -> str:
    calls = result["calls"]
    lines = [f"demo activity: {sum(calls.values())} HTTP calls ({', '.join(f'{k} {v}' for k, v in calls.items())}) "
             f"in {result['seconds']}s"]
    keys = ("petition.batches", "petition.person_times", "petition.group_batches", "welfare.disbursed_fen",
            "volunteer.participant_times", "volunteer.minutes", "volunteer.coins_credited", "security.incidents",
            "security.mediations")
    for section in ("communities", "subdistricts", "district"):
        for unit, f in result[section].items():
            rate = result["rates"][unit].get("security.mediation_success_rate")
            med = f" 调解成功 {rate['numerator']}/{rate['denominator']}" if rate else ""
            lines.append(f"  {unit:<12} " + " ".join(f"{k.split('.', 1)[1]}={f.get(k, 0)}" for k in keys) + med)
    for note in result["notes"]:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gateway", default="http://localhost:8000")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    result = play(args.gateway)
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
