"""A small year of what else the seeds report (#21), through the gateway as the offices work it: 家园 forms three
volunteer service teams and dissolves one, pairs two cadres with two households (one household with both) and ends
one pairing, its 爱心超市 hands out to one household twice and another once, the sub-district's 爱心基金 helps one
resident twice and another once; 黄泥岭 (another sub-district) forms a team, pairs a cadre and helps a household.
Every such figure of the overview (community, sub-district, district) and the sentences of 二、民政救助 and
三、志愿服务 in the annual report say exactly that. Both backend pairs."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
import requests
from docx import Document

from liandong.testing import wait_for

CHINA = timezone(timedelta(hours=8))
FIGURES = ("volunteer.teams", "welfare.pairing_helpers", "welfare.paired_households",
           "welfare.supermarket_households", "welfare.fund_people")


def play_community(o, worker: str, unit: str, day: str, *, teams: int, dissolved: int,
                   pairings: list[tuple[str, str]], ended: int, handouts: list[str]) -> None:
    made = [o.post(worker, "/volunteer/teams", {"name": f"{unit}志愿服务队{i}", "type": "elderly_care",
                                                 "org_unit_id": unit, "formed_on": day}, 201)["id"]
            for i in range(teams)]
    for team in made[:dissolved]:
        o.post(worker, f"/volunteer/teams/{team}/dissolve", {"dissolved_on": day}, 200)
    paired = [o.post(worker, "/welfare/pairings", {
        "org_unit_id": unit, "helper_id": helper, "helper_name": "干部", "helper_kind": "cadre",
        "household": household, "plan": "每月走访一次", "started_on": day}, 201)["_id"] for helper, household in pairings]
    for pairing in paired[len(paired) - ended:]:
        o.post(worker, f"/welfare/pairings/{pairing}/end", {"reason": "no_longer_needed", "ended_on": day}, 200)
    o.post(worker, "/welfare/goods/donations", {"org_unit_id": unit, "sku": "mianbei", "name": "棉被", "unit": "床",
                                                 "quantity": 10, "donor": "共建单位", "unit_value_fen": 12000}, 201)
    for household in handouts:
        o.post(worker, "/welfare/goods/handouts", {"item_id": f"{unit}:mianbei", "quantity": 1,
                                                    "household_id": household}, 201)


@pytest.mark.e2e
def test_a_year_of_teams_pairings_and_help_reaches_the_overview_and_the_annual_report(platform, office, monkeypatch):
    monkeypatch.setenv("LIANDONG_DEMO_ACTIVITY", "0")  # only this year's actions in the figures
    settings = platform.start()
    o = office(f"http://127.0.0.1:{settings.ports['gateway']}")
    day = datetime.now(timezone.utc).astimezone(CHINA).date().isoformat()
    year = int(day[:4])

    # cadre-1 helps 张家 and 李家, cadre-2 helps 张家 too until that pairing ends: 1 helper, 2 households remain
    play_community(o, "jiayuan_worker", "jiayuan", day, teams=3, dissolved=1,
                   pairings=[("cadre-1", "幸福路3号 张家"), ("cadre-1", "幸福路5号 李家"), ("cadre-2", "幸福路3号 张家")],
                   ended=1, handouts=["h-1", "h-1", "h-2"])
    play_community(o, "huangniling_worker", "huangniling", day, teams=1, dissolved=0,
                   pairings=[("cadre-9", "黄泥岭1号 王家")], ended=0, handouts=["h-9"])
    # what the community's 民政员 did herself (seed 003: "提供窗口服务2412次,走访2266次"): two windows, three visits
    for kind in ("consultation", "form_filling"):
        o.post("jiayuan_worker", "/petition/hall/window-services", {"org_unit_id": "jiayuan", "office": "minzheng",
                                                                    "kind": kind}, 201)
    for n in range(3):
        o.post("jiayuan_worker", "/welfare/visits", {"org_unit_id": "jiayuan", "kind": "home",
                                                     "visited": f"幸福路{n}号"}, 201)
    officer = "huangqi_officer"  # the 爱心基金 is the sub-district's to pay out
    o.post(officer, "/welfare/fund/donations", {"org_unit_id": "jiayuan", "donor": "船营区供电公司",
                                                "donor_kind": "co_building_unit", "amount_fen": 1000000}, 201)
    for recipient in ("王某某", "王某某", "李某某"):  # one resident helped twice: two people helped
        grant = o.post(officer, "/welfare/fund/grants", {"org_unit_id": "jiayuan", "recipient": recipient,
                                                         "reason": "大病", "amount_fen": 50000}, 201)
        o.post(officer, f"/welfare/fund/grants/{grant['_id']}/approval", {}, 200)

    jiayuan = dict(zip(FIGURES, (2, 1, 2, 2, 2)))
    huangniling = dict(zip(FIGURES, (1, 1, 1, 1, 0)))
    expected = {"jiayuan": jiayuan, "huangqi": jiayuan, "huangniling": huangniling, "xihu": huangniling,
                "chuanying": {k: jiayuan[k] + huangniling[k] for k in FIGURES}}
    admin = o.headers("district_admin")
    period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}

    def figures(unit: str) -> dict:
        r = requests.get(f"{o.base}/reports/overview", headers=admin, params={"org_unit": unit, **period}, timeout=20)
        assert r.status_code == 200, r.text
        return {k: r.json()["metrics"].get(k, {}).get("value") for k in FIGURES}

    try:  # the read model follows the events: wait for it, then compare (pytest shows the difference)
        wait_for(lambda: {u: figures(u) for u in expected} == expected, 120, message="the seeds' figures")
    except AssertionError:
        pass
    assert {u: figures(u) for u in expected} == expected

    def annual(unit: str, user: str = "district_admin") -> str:
        r = requests.get(f"{o.base}/reports/annual.docx", headers=o.headers(user),
                         params={"org_unit": unit, "year": year}, timeout=60)
        assert r.status_code == 200, r.text[:300]
        return "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)

    community, district = annual("jiayuan", "jiayuan_worker"), annual("chuanying")  # the community files its own
    assert "组建了2支志愿服务队" in community and "组建了3支志愿服务队" in district
    assert "爱心超市为2户困难家庭发放物资,爱心基金帮助2名困难居民;1名干部与2户困难家庭结对帮扶。" in community
    assert "爱心超市为3户困难家庭发放物资,爱心基金帮助2名困难居民;2名干部与3户困难家庭结对帮扶。" in district
    # the community's report says what its worker did, asked of the services; a district's report has no such part
    assert "工作人员" in community and "家园社区民政员（演示）提供窗口服务2次,走访3次" in community
    assert "提供窗口服务" not in district
