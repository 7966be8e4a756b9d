"""Rollout day (#19), through the gateway as the offices would do it, on both backend pairs: the district admin
imports a new community with its grid and the staff who work there; the new community's worker, once an admin
set their password, imports its ledgers — the real-population register, the floating population, the
volunteers with their hours and love coins carried forward, the 低保 roster — each into the service that owns it.
The district's overview then counts the opening figures, the household file (一户一档) joins what each service
knows of a household's members, importing the same files again changes nothing, and every import is in the
audit trail with its file's hash."""
from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta, timezone

import pytest
import requests

from liandong.idnumbers import check_digit
from liandong.testing import ledger_xlsx, wait_for

PASSWORD = "Liandong-demo-2026"
CHINA = timezone(timedelta(hours=8))


def id_number(seq: int, born: str = "19580101") -> str:
    first = f"220204{born}{seq:03d}"
    return first + check_digit(first)


def workbook(rows: list[dict]) -> bytes:
    return ledger_xlsx(list(rows[0]), [list(row.values()) for row in rows])


class Office:
    def __init__(self, gateway: str):
        self.base = f"{gateway}/api/v1"
        self.tokens: dict[str, dict] = {}

    def login(self, user: str, password: str = PASSWORD) -> dict:
        r = requests.post(f"{self.base}/auth/login", json={"username": user, "password": password}, timeout=20)
        assert r.status_code == 200, (user, r.status_code, r.text[:300])
        self.tokens[user] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self.tokens[user]

    def call(self, user: str, method: str, path: str, expect=(200, 201), **kw):
        headers = self.tokens.get(user) or self.login(user)
        r = requests.request(method, f"{self.base}{path}", headers=headers, timeout=60, **kw)
        assert r.status_code in expect, (user, method, path, r.status_code, r.text[:800])
        return r.json() if r.headers.get("Content-Type", "").startswith("application/json") else r.content

    def imported(self, user: str, service: str, kind: str, content: bytes, name: str) -> dict:
        """Preview (every row good), then import and wait for the job to finish; its counts."""
        path = f"/{service}/imports/{kind}"
        preview = self.call(user, "POST", f"{path}/preview", files={"file": (name, content)})
        assert preview["bad_rows"] == 0, preview["problems"]
        job = self.call(user, "POST", path, files={"file": (name, content)}, data={"mode": "all"})
        done = wait_for(lambda: (j := self.call(user, "GET", f"/{service}/imports/jobs/{job['id']}"))["status"]
                        != "running" and j, 120, 0.5, message=f"the {kind} import finishes")
        assert done["status"] == "done" and done["failed"] == 0, done
        return done


@pytest.mark.e2e
def test_a_district_switches_on_a_community_from_its_ledgers(platform):
    platform.start()
    office = Office(platform.gateway)
    org = workbook([{"单位编号": "xinhe-g1", "单位名称": "新河社区第一网格", "层级": "网格", "上级单位编号": "xinhe"},
                    {"单位编号": "xinhe", "单位名称": "新河社区", "层级": "社区", "上级单位编号": "huangqi"}])
    assert office.imported("district_admin", "gateway", "org_units", org, "组织架构.xlsx")["created"] == 2
    staff = workbook([{"用户名": "xinhe_worker", "姓名": "新河社区民政员", "手机号": "13904320099",
                       "所属单位": "新河社区", "角色": "社区工作者", "职责": "民政员"}])
    assert office.imported("district_admin", "gateway", "staff", staff, "工作人员.xlsx")["created"] == 1
    users = office.call("district_admin", "GET", "/users", params={"org_unit": "xinhe"})["items"]
    worker_id = next(u["id"] for u in users if u["username"] == "xinhe_worker")
    r = requests.post(f"{office.base}/auth/login", json={"username": "xinhe_worker", "password": PASSWORD}, timeout=20)
    assert r.status_code == 401  # an imported account has no password until an admin sets one
    office.call("district_admin", "POST", f"/users/{worker_id}/password", json={"password": PASSWORD}, expect=(204,))

    # every service learns the new community from the gateway's events before it takes its ledgers
    for service in ("security", "welfare", "volunteer"):
        wait_for(lambda: office.call("xinhe_worker", "GET", f"/{service}/org-units/xinhe", expect=(200, 404))
                 .get("_id") == "xinhe", 60, 0.5, message=f"{service} knows 新河社区")

    head, wife, lodger = id_number(1), id_number(2, "19600505"), id_number(3, "19900909")
    residents = workbook([
        {"社区或网格": "新河社区第一网格", "楼栋": "1号楼", "单元": "1单元", "室": "101", "户号": "XH0001", "姓名": "刘长河",
         "身份证号": head, "与户主关系": "户主", "户籍状态": "户籍人口", "联系电话": "13904321001", "重点人群": "低保户"},
        {"社区或网格": "新河社区第一网格", "楼栋": "1号楼", "单元": "1单元", "室": "101", "户号": "XH0001", "姓名": "王秀芝",
         "身份证号": wife, "与户主关系": "配偶", "户籍状态": "户籍人口", "联系电话": None, "重点人群": None},
        {"社区或网格": "新河社区第一网格", "楼栋": "2号楼", "单元": "1单元", "室": "302", "户号": None, "姓名": "陈远",
         "身份证号": lodger, "与户主关系": "户主", "户籍状态": "流动人口", "联系电话": "13904321003", "重点人群": None}])
    counts = office.imported("xinhe_worker", "security", "residents", residents, "实有人口台账.xlsx")
    assert (counts["created"], counts["rows"]) == (3, 3)
    migrants = workbook([{"社区": "新河社区", "姓名": "陈远", "身份证号": lodger, "户籍地": "黑龙江省哈尔滨市",
                          "现住址": "新河小区2号楼302", "居住证号": "JZ-XH-1", "居住证有效期至": "2027-06-30",
                          "登记日期": "2025-05-01"}])
    assert office.imported("xinhe_worker", "security", "migrants", migrants, "流动人口.xlsx")["created"] == 1
    volunteers = workbook([{"社区": "新河社区", "姓名": "王秀芝", "身份证号": wife, "联系电话": "13904321002",
                            "注册日期": "2020-04-01", "累计服务时长(小时)": 12.5, "爱心币余额": 30}])
    assert office.imported("xinhe_worker", "volunteer", "volunteers", volunteers, "志愿者名册.xlsx")["created"] == 1

    roster = workbook([{"社区": "新河社区", "户主姓名": "刘长河", "身份证号": head, "家庭人口": 2, "救助项目": "城市低保",
                        "月保障金额(元)": 812.5, "起始月份": "2025-01"}])
    assert office.imported("xinhe_worker", "welfare", "roster", roster, "低保花名册.xlsx")["created"] == 1

    # the same ledger again: nothing new
    again = office.imported("xinhe_worker", "security", "residents", residents, "实有人口台账.xlsx")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)

    today = datetime.now(CHINA).date().isoformat()
    expected = {"security.households": 2, "security.residents": 3, "security.residents_floating": 1,
                "security.migrants": 1, "volunteer.volunteers": 1, "volunteer.minutes": 750,
                "volunteer.coins_credited": 30, "welfare.households": 1, "welfare.people": 2}

    def overview():
        body = office.call("district_admin", "GET", "/reports/overview",
                           params={"org_unit": "xinhe", "from": "2020-01-01", "to": today})
        return {k: body["metrics"][k]["value"] for k in expected}

    wait_for(lambda: overview() == expected, 120, 1, message=f"the overview counts the opening figures {expected}")

    # 一户一档: the household of 刘长河 and 王秀芝, with her volunteer hours from the volunteer service
    households = office.call("huangqi_officer", "GET", "/security/households",
                             params={"org_unit": "xinhe", "q": "XH0001"})["items"]
    assert len(households) == 1
    hid = households[0]["id"]

    def file():
        return office.call("huangqi_officer", "GET", f"/security/households/{hid}/file")

    def complete(f: dict) -> bool:
        """Each service's facts in: security consumes the volunteer and the welfare topics on their own, so
        the hours arriving says nothing of the grant (waited for each, not for the first)."""
        members = {m["name"]: m for m in f["members"]}
        return (f["summary"]["volunteer_hours"] == 12.5 and "刘长河" in members
                and bool(members["刘长河"]["activity"].get("grants")))

    seen = wait_for(lambda: (lambda f: f if complete(f) else None)(file()), 60, 1,
                    message="the household file shows the volunteer hours and the grant")
    by_name = {m["name"]: m for m in seen["members"]}
    assert by_name["王秀芝"]["activity"]["volunteer"]["coins_credited"] == 30
    assert "dibao" in by_name["刘长河"]["tags"]
    assert [(g["programme"], g["monthly_amount_fen"], g["started"]) for g in by_name["刘长河"]["activity"]["grants"]] \
        == [("dibao_urban", 81250, "2025-01")]
    office.call("jiayuan_worker", "GET", f"/security/households/{hid}/file", expect=(404,))  # another community

    # every import in the audit trail, with its file's hash and counts
    def audited():
        items = office.call("district_admin", "GET", "/audit", params={"action": "import", "page_size": 100})["items"]
        return [(e["service"], e["import"]["kind"], e["import"]["file_sha256"]) for e in items if e.get("import")]

    kinds = {("gateway", "org_units"), ("gateway", "staff"), ("security", "residents"), ("security", "migrants"),
             ("volunteer", "volunteers"), ("welfare", "roster")}
    trail = wait_for(lambda: len(a := audited()) >= 7 and a, 60, 1, message="seven imports audited")
    assert {(service, kind) for service, kind, _ in trail} == kinds
    assert [h for service, kind, h in trail if kind == "residents"] == [hashlib.sha256(residents).hexdigest()] * 2
