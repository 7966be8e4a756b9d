"""Demo users through the gateway, as `make run` serves them: scopes, a group petition, live reports —
on both backend pairs (`embedded`, `kafka-mongo`: the `platform` fixture)."""
from __future__ import annotations

import random
import time
from datetime import date

import pytest
import requests

from liandong.idnumbers import check_digit
from liandong.testing import wait_for

PASSWORD = "Liandong-demo-2026"


def id_number() -> str:
    first = f"220204197503{random.randint(10, 28)}{random.randint(100, 999)}"
    return first + check_digit(first)


class Gateway:
    def __init__(self, settings):
        self.base = f"http://127.0.0.1:{settings.ports['gateway']}"

    def login(self, username: str) -> dict:
        r = requests.post(f"{self.base}/api/v1/auth/login", json={"username": username, "password": PASSWORD},
                          timeout=10)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def call(self, method: str, path: str, headers: dict, **kw):
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=15, **kw)


def petition(org_unit: str, headcount: int | None = None) -> dict:
    body = {"org_unit_id": org_unit, "category": "environment_noise", "channel": "visit",
            "content": "相邻电机厂冲床噪音困扰,多次协商无果",
            "petitioners": [{"name": "刘女士", "id_number": id_number(), "mobile": "13904321234",
                             "address": "原罐头厂宿舍"}]}
    if headcount:
        body |= {"headcount": headcount, "representatives": [{"name": "张先生", "id_number": id_number()}]}
    return body


@pytest.mark.e2e
def test_demo_users_scopes_a_group_petition_and_the_overview(platform):
    settings = platform.start()
    gw = Gateway(settings)
    worker, officer = gw.login("jiayuan_worker"), gw.login("huangqi_officer")
    hnl_worker, resident_li, admin = gw.login("huangniling_worker"), gw.login("resident_li"), gw.login("district_admin")

    # a group petition of 40 in 家园社区, through the gateway, with all five 明确
    r = gw.call("POST", "/api/v1/petition/petitions", worker, json=petition("jiayuan", headcount=40))
    assert r.status_code == 201, r.text
    case = r.json()["id"]
    assert gw.call("POST", f"/api/v1/petition/petitions/{case}/assign", worker, json={
        "unit_kind": "department", "unit_id": "environment", "person": "王科长", "deadline": "2099-12-31",
        "task": "现场核查噪音来源", "requirement": "十个工作日内书面答复"}).status_code == 200
    other = gw.call("POST", "/api/v1/petition/petitions", hnl_worker, json=petition("huangniling")).json()["id"]

    # scopes: 家园's worker sees 家园's only; 黄旗街道's officer all of 黄旗; a resident not others' cases
    mine = gw.call("GET", "/api/v1/petition/petitions", worker).json()["items"]
    assert [p["id"] for p in mine] == [case]
    assert {p["id"] for p in gw.call("GET", "/api/v1/petition/petitions", officer).json()["items"]} == {case}
    assert gw.call("GET", f"/api/v1/petition/petitions/{other}", worker).status_code in (403, 404)
    assert gw.call("GET", f"/api/v1/petition/petitions/{case}", resident_li).status_code in (403, 404)
    assert gw.call("GET", f"/api/v1/petition/petitions/{other}", resident_li).status_code in (403, 404)

    # the overview is current within moments, for the community, its sub-district and the district
    started = time.monotonic()
    today = date.today()
    year = {"from": f"{today.year}-01-01", "to": f"{today.year}-12-31"}

    def batches(unit, headers):
        o = gw.call("GET", "/api/v1/reports/overview", headers, params={"org_unit": unit, **year}).json()
        return o["metrics"]["petition.batches"]["value"], o["metrics"]["petition.person_times"]["value"]

    wait_for(lambda: batches("chuanying", admin) == (2, 41), 20, message="the district overview counts both")
    fresh_s = time.monotonic() - started
    assert batches("jiayuan", worker) == (1, 40) and batches("huangqi", officer) == (1, 40)
    assert gw.call("GET", "/api/v1/reports/overview", worker,
                   params={"org_unit": "huangqi", **year}).status_code == 403
    print(f"\n[journey] the overview counted both petitions {fresh_s:.2f}s after they were filed")

    # every service is reachable through the gateway with the same login
    assert gw.call("GET", "/api/v1/welfare/org-units/jiayuan", worker).status_code == 200
