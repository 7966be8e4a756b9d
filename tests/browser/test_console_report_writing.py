"""The report page's written parts and the sign-off list (#21's APIs, reached from the console: #22): a community
writes its 典型案例 and 下一步打算 for the year and for a month, a colleague's later change is not overwritten, a
role without reports:export reads but cannot write; a sub-district sees which communities have submitted."""
from __future__ import annotations

import uuid

import pytest

from .conftest import GatewayApi

pytestmark = pytest.mark.e2e


def test_a_community_writes_its_reports_cases_and_plans_and_a_later_change_is_not_overwritten(new_tab, console):
    worker = new_tab()
    worker.login("jiayuan_worker")
    page = worker.page
    worker.go("reports", "jiayuan")
    card = page.locator("#narratives")
    page.locator("#narrative-status", has_text="尚未填写").or_(page.locator("#narrative-status", has_text="最近修改")).wait_for()
    worker.axe("report-narratives")
    mark = uuid.uuid4().hex[:6]
    card.locator("[name=n_year]").fill("2025")
    card.get_by_role("button", name="读取").click()
    card.locator("[name=cases]").fill(f"幸福里小区加装电梯协调成功{mark}")
    card.locator("[name=plans]").fill("推进老旧小区改造")
    card.get_by_role("button", name="保存").click()
    page.locator("#narrative-status", has_text="已保存").wait_for()
    api = GatewayApi(console.base, "jiayuan_worker", "reports")
    kept = api.get("narratives/jiayuan/2025")
    assert (kept["cases"], kept["plans"], kept["updated"]["user_id"] is not None) == \
        (f"幸福里小区加装电梯协调成功{mark}", "推进老旧小区改造", True)

    # a month's 月报 has sections of its own: the year's are not touched
    card.locator("[name=n_month]").select_option("3")
    card.get_by_role("button", name="读取").click()
    page.locator("#narrative-status", has_text="尚未填写").wait_for()
    assert card.locator("[name=cases]").input_value() == ""
    card.locator("[name=cases]").fill(f"三月典型案例{mark}")
    card.get_by_role("button", name="保存").click()
    page.locator("#narrative-status", has_text="已保存").wait_for()
    assert api.get("narratives/jiayuan/2025/3")["cases"] == f"三月典型案例{mark}"
    assert api.get("narratives/jiayuan/2025")["cases"] == f"幸福里小区加装电梯协调成功{mark}"

    # a colleague saves the year's meanwhile: this page's save is refused, nothing of theirs lost
    card.locator("[name=n_month]").select_option("")
    card.get_by_role("button", name="读取").click()
    page.wait_for_function("m => document.querySelector('#narratives [name=cases]').value.includes(m)", arg=mark)
    colleague = api.get("narratives/jiayuan/2025")
    r = api.put("narratives/jiayuan/2025", {"cases": f"同事的版本{mark}", "plans": "", "text": "",
                                            "version": colleague["version"]})
    assert r["cases"] == f"同事的版本{mark}"
    card.locator("[name=plans]").fill("我的修改")
    card.get_by_role("button", name="保存").click()
    card.locator(".form-error", has_text="他人已修改").wait_for()
    worker.axe("report-narratives-conflict")
    assert api.get("narratives/jiayuan/2025")["cases"] == f"同事的版本{mark}"

    # a grid worker reads the report's page but is offered no writing
    grid = new_tab()
    grid.login("jiayuan_grid")
    grid.go("reports", "jiayuan")
    if grid.page.locator("#narratives").count():
        assert grid.page.locator("#narrative-save").count() == 0
        assert grid.page.locator("#narratives [name=cases]").get_attribute("readonly") is not None


def test_a_sub_district_sees_which_communities_have_submitted(new_tab, console):
    worker = GatewayApi(console.base, "jiayuan_worker", "reports")
    worker.post("approvals/jiayuan/2026-08/submit", {})
    officer = new_tab()
    officer.login("huangqi_officer")
    page = officer.page
    officer.go("reports", "huangqi")
    card = page.locator("#approvals")
    card.locator("[name=a_period]").fill("2026-08")
    card.locator("[name=a_state]").select_option("submitted")
    card.get_by_role("button", name="查询").click()
    row = card.locator("tbody tr", has_text="家园")
    row.wait_for()
    assert "已报送" in row.inner_text() and "2026-08" in row.inner_text()
    officer.axe("report-approvals")
    # the list is the API's: the same total under the same filters
    listed = GatewayApi(console.base, "huangqi_officer", "reports").get("approvals", org_unit="huangqi",
                                                                        period="2026-08", state="submitted")
    assert card.locator(".pager", has_text=f"共 {listed['total']} 条").count() == 1
    assert not officer.errors, officer.errors


def test_the_dashboards_figures_are_downloaded_as_a_table_the_api_gives(new_tab, console):
    officer = new_tab()
    officer.login("huangqi_officer")
    page = officer.page
    officer.go("dashboard", "huangqi")
    page.locator("#overview-export").wait_for()
    officer.axe("dashboard-export")
    with page.expect_download() as got:
        page.locator("#overview-csv").click()
    text = open(got.value.path(), encoding="utf-8-sig").read()
    page.locator("#overview-saved", has_text="已下载").wait_for()
    assert "黄旗" in text and "家园" in text  # the unit and its communities, one row each
    with page.expect_download() as got:
        page.locator("#overview-xlsx").click()
    assert got.value.suggested_filename.endswith(".xlsx")
    assert open(got.value.path(), "rb").read(2) == b"PK"  # a workbook (a ZIP), not an error page
    assert not officer.errors, officer.errors
