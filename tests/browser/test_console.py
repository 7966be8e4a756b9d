"""The web console in headless Chromium, as a new user meets it after `make run`."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
import requests
from openpyxl import load_workbook

from liandong.testing import wait_for

pytestmark = pytest.mark.e2e

BEIJING = timezone(timedelta(hours=8))


def beijing_day(days: int = 0) -> str:
    return (datetime.now(BEIJING) + timedelta(days=days)).date().isoformat()


def refreshed_metric(tab, route: str, org: str, key: str) -> float:
    tab.page.goto(f"{tab.base}/console/#/{route}?org={org}")
    tab.page.reload()
    return tab.metric(key)


def api_token(base: str, username: str) -> dict:
    r = requests.post(f"{base}/api/v1/auth/login", json={"username": username, "password": "Liandong-demo-2026"},
                      timeout=10)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_login_shows_api_errors_in_chinese_and_lands_on_the_role_home(new_tab):
    tab = new_tab()
    tab.page.goto(tab.base + "/")
    assert tab.page.url.endswith("/console/")
    tab.page.fill("#login-user", "jiayuan_worker")
    tab.page.fill("#login-pass", "wrong-password-1")
    tab.page.click("form.login button[type=submit]")
    tab.page.locator("#login-error", has_text="用户名或密码错误").wait_for()

    tab.login("jiayuan_worker")
    tab.page.locator("#main h1", has_text="工作台 · 家园社区").wait_for()
    tab.page.locator("#main h2", has_text="待办信访").wait_for()
    assert tab.page.locator('.tree [data-org="jiayuan"][aria-current="true"]').count() == 1

    officer = new_tab()
    officer.login("huangqi_officer")
    officer.page.locator("#main h1", has_text="工作台 · 黄旗街道").wait_for()
    officer.page.locator('.unit-card[data-unit="jiayuan"]').wait_for()  # its communities side by side
    officer.page.click("#logout")
    officer.page.locator("#login-user").wait_for()
    assert officer.page.evaluate("() => sessionStorage.length") == 0
    assert not tab.errors and not officer.errors, tab.errors + officer.errors


def test_group_petition_registered_and_assigned_raises_the_dashboards(new_tab, tools):
    officer = new_tab()
    officer.login("huangqi_officer")
    sub_before = refreshed_metric(officer, "dashboard", "huangqi", "petition.batches")

    worker = new_tab()
    worker.login("jiayuan_worker")
    com_before = refreshed_metric(worker, "dashboard", "jiayuan", "petition.batches")
    group_before = worker.metric("petition.group_batches")
    page = worker.page

    worker.go("petitions/new", "jiayuan")
    form = page.locator("#petition-form")
    worker.fill_form("petition-form", {"category": "neighbour_dispute", "channel": "visit", "title": "楼上装修噪音扰民",
                                       "content": "家园社区3号楼居民反映楼上长期夜间装修，影响休息，多次协商无果。",
                                       "is_group": True, "headcount": "12", "p0.name": "王建国"}, submit=False)
    # validated as the user types: a wrong check digit is shown at once, in Chinese
    good = tools.id_number("19650312", "123")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    form.locator('[name="p0.id_number"]').fill(bad)
    page.locator('[data-field="p0.id_number"] .err', has_text="校验位").wait_for()
    form.locator('[name="p0.id_number"]').fill(good)
    assert page.locator('[data-field="p0.id_number"] .err').inner_text() == ""
    form.locator('[name="p0.mobile"]').fill("13904321234")
    page.click("#add-representative")
    form.locator('[name="p1.name"]').fill("李秀英")
    form.locator('[name="p1.id_number"]').fill(tools.id_number("19700815", "246"))
    page.click("#submit-petition")
    detail = page.locator('.petition-detail[data-state="registered"]')
    detail.wait_for()
    assert "群体性上访" in detail.inner_text()
    petition_id = page.evaluate("() => location.hash.split('?')[0].split('/').pop()")

    worker.fill_form("assign-form", {"unit_kind": "community", "unit_id": "jiayuan", "person": "刘海燕",
                                     "deadline": beijing_day(7), "task": "入户核实装修情况，组织双方调解",
                                     "requirement": "7日内书面答复信访人并反馈结果"}, submit=False)
    page.click("#submit-assign")
    page.locator('.petition-detail[data-state="assigned"]').wait_for()
    assert "刘海燕" in page.locator(".petition-detail").inner_text()

    # The case board lists it with its deadline, and exports what it shows as a spreadsheet in Chinese.
    worker.go("petitions", "jiayuan")
    page.locator(f'a[href*="/petitions/{petition_id}"]').first.wait_for()
    with page.expect_download() as download:
        page.click('button.export[data-format="xlsx"]')
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "标题" in rows[0] and "楼上装修噪音扰民" in [r[rows[0].index("标题")] for r in rows[1:]]

    wait_for(lambda: refreshed_metric(worker, "dashboard", "jiayuan", "petition.batches") >= com_before + 1, 60,
             0.5, message="the community's dashboard counts the new petition")
    assert worker.metric("petition.group_batches") >= group_before + 1
    wait_for(lambda: refreshed_metric(officer, "dashboard", "huangqi", "petition.batches") >= sub_before + 1, 60,
             0.5, message="the sub-district's dashboard counts it too")
    officer.page.locator("#chart-children canvas").first.wait_for()
    officer.page.locator("#chart-yoy canvas").first.wait_for()
    officer.page.locator('a[data-child="jiayuan"]').wait_for()
    officer.page.wait_for_timeout(800)  # let the charts finish their entry animation for the screenshot
    officer.page.screenshot(path=str(tools.artifact("console-dashboard.png")), full_page=True)

    # a figure opens the list behind it
    officer.page.click('.kpi[data-metric="petition.batches"]')
    officer.page.locator(f'a[href*="/petitions/{petition_id}"]').first.wait_for()
    assert not worker.errors and not officer.errors, worker.errors + officer.errors


def test_welfare_application_reviewed_by_the_community_and_approved_by_the_subdistrict(new_tab, tools):
    worker = new_tab()
    worker.login("jiayuan_worker")
    page = worker.page
    worker.go("welfare/new", "jiayuan")
    form = page.locator("#application-form")
    worker.fill_form("application-form", {"programme": "dibao_urban", "address": "家园社区5号楼2单元301", "m0.name": "赵淑芬",
                                          "m0.id_number": tools.id_number("19580704", "362"),
                                          "m0.monthly_income": "300", "m0.employment": "unable_to_work"}, submit=False)
    # a rule only the service knows: its message comes back in Chinese
    form.locator('[name="m0.relation"]').select_option("spouse")
    page.click("#check-eligibility")
    form.locator(".form-error", has_text="有且只有一位申请人").wait_for()
    form.locator('[name="m0.relation"]').select_option("applicant")
    page.click("#check-eligibility")
    page.locator('#eligibility-result .eligibility[data-eligible="true"]').wait_for()
    assert "人均" in page.locator("#eligibility-result").inner_text()  # the explanation, in Chinese
    page.click("#submit-application")
    page.locator('.welfare-detail[data-status="submitted"]').wait_for()
    app_id = page.evaluate("() => location.hash.split('?')[0].split('/').pop()")
    worker.submit_form("review-form", decision="pass", notice_days="0", note="入户核查属实")
    page.locator('.welfare-detail[data-status="in_notice"]').wait_for()
    assert page.locator("#approve").count() == 0  # a community worker cannot approve

    officer = new_tab()
    officer.login("huangqi_officer")
    officer.page.locator("#main h2", has_text="待审批的救助申请").wait_for()
    officer.go(f"welfare/{app_id}", "huangqi")
    officer.page.click("#approve")
    officer.page.locator('.welfare-detail[data-status="approved"]').wait_for()
    assert "已批准" in officer.page.locator(".welfare-detail .page-head").inner_text()
    assert not worker.errors and not officer.errors, worker.errors + officer.errors


def test_personal_data_is_masked_for_a_role_without_personal_data_read(new_tab, console, tools):
    number = tools.id_number("19800101", "555")
    headers = api_token(console.base, "jiayuan_worker")
    r = requests.post(f"{console.base}/api/v1/petition/petitions", headers=headers, timeout=10, json={
        "org_unit_id": "jiayuan", "category": "property", "channel": "visit", "content": "小区电梯长期故障",
        "petitioners": [{"name": "孙立新", "id_number": number, "mobile": "13804325678"}]})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]

    police = new_tab()  # community police: reads petitions, may not see personal data
    police.login("jiayuan_police")
    police.go(f"petitions/{pid}", "jiayuan")
    police.page.locator(".petition-detail").wait_for()
    text = police.page.locator(".petition-detail").inner_text()
    assert "孙立新" in text and number not in text and "13804325678" not in text
    assert police.page.locator("#assign-form").count() == 0  # and cannot handle it

    worker = new_tab()  # the 民政员 holds personal_data:read
    worker.login("jiayuan_worker")
    worker.go(f"petitions/{pid}", "jiayuan")
    worker.page.locator(".petition-detail", has_text=number).wait_for()


def test_the_console_needs_nothing_but_the_gateway(new_tab, tools):
    tab = new_tab()
    gateway = tools.gateway_netloc(tab.base)
    foreign: list[str] = []

    def only_gateway(route):
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != gateway:
            foreign.append(url)
            route.abort()
        else:
            route.continue_()

    tab.context.route("**/*", only_gateway)
    tab.login("district_admin")
    tab.go("dashboard", "chuanying")
    tab.page.locator("#chart-children canvas").first.wait_for()
    tab.page.locator("#chart-status canvas").first.wait_for()
    for route in ("petitions", "welfare", "volunteer", "security", "home"):
        tab.go(route, "chuanying")
        tab.page.locator("#main h1").first.wait_for()
    tab.go("reports", "huangqi")
    with tab.page.expect_download() as download:
        tab.page.click("#download-docx")
    path = tools.artifact("annual-report-huangqi.docx")
    download.value.save_as(path)
    assert path.read_bytes()[:2] == b"PK"  # a DOCX is a zip
    with tab.page.expect_download() as download:
        tab.page.click("#download-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    fonts = tab.page.evaluate("() => [...document.styleSheets].flatMap(s => [...s.cssRules]).filter(r => r.type === 5).length")
    assert fonts == 0  # no web fonts: the system's CJK fonts are used
    assert foreign == []
    assert not tab.errors, tab.errors


@pytest.mark.parametrize("size", [(1366, 768), (820, 1180)], ids=["laptop", "tablet"])
def test_pages_fit_the_screen_and_the_tree_scopes_them(new_tab, size):
    tab = new_tab(viewport=size)
    tab.login("huangqi_officer")
    for route in ("dashboard", "petitions", "petitions/new", "welfare", "welfare/new", "security", "reports"):
        tab.go(route, "huangqi")
        tab.page.locator("#main h1").first.wait_for()
        overflow = tab.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{route} is wider than the {size} screen by {overflow}px"
    tab.go("petitions", "huangqi")
    if size[0] < 1100:
        tab.page.click(".menu-toggle")
    tab.page.click('.tree [data-org="jiayuan"]')
    tab.page.locator("#main h1", has_text="信访案件 · 家园社区").wait_for()
    assert "org=jiayuan" in tab.page.url
    assert not tab.errors, tab.errors


def test_volunteer_activity_and_statement_an_incident_dispatched_and_a_mediation_case(new_tab):
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go("volunteer?tab=volunteers", "jiayuan")
    tab.fill_form("volunteer-form", {"name": "陈志强", "kind": "party_member", "mobile": "1390432"}, submit=False)
    page.locator('#volunteer-form [data-field="mobile"] .err', has_text="11位").wait_for()
    tab.submit_form("volunteer-form", mobile="13904328888", skills="义诊，理发", consent=True)
    page.locator("#main h1", has_text="陈志强 · 爱心币明细").wait_for()

    tab.go("volunteer", "jiayuan")
    now = datetime.now(BEIJING)
    tab.submit_form("activity-form", title="家园社区义诊", type="health_clinic", place="家园社区活动室",
                    starts_at=(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                    ends_at=(now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), capacity="10")
    page.locator("#main h1", has_text="家园社区义诊").wait_for()
    page.locator("#signup-form [name=volunteer_id]").select_option(label="陈志强")
    page.locator("#signup-form button[type=submit]").click()
    page.locator("td", has_text="已报名").first.wait_for()
    page.locator("button", has_text="签到").first.click()
    page.locator("button", has_text="签退").first.wait_for()
    page.locator("a", has_text="陈志强").first.click()
    page.locator("#main h2", has_text="收支明细").wait_for()

    tab.go("security", "jiayuan")
    tab.submit_form("incident-form", type="gas_leak", severity="high", address="家园社区3号楼",
                    description="3号楼2单元闻到燃气味")
    page.locator("#dispatch-form").wait_for()
    tab.submit_form("dispatch-form", assignee="张警官")
    page.locator("#main .badge", has_text="已派警").wait_for()

    tab.go("security?tab=disputes", "jiayuan")
    tab.submit_form("dispute-form", type="neighbour", party_a="吴大勇", party_b="郑小华", mediator_name="刘海燕",
                    summary="楼上漏水殃及楼下，双方就赔偿金额发生争执。")
    tab.submit_form("sessions-form", note="召集双方现场查看，初步达成维修意向。")
    page.locator(".timeline li", has_text="初步达成维修意向").wait_for()
    tab.submit_form("outcome-form", outcome="agreement")
    page.locator("#main .badge", has_text="调解成功").wait_for()
    assert not tab.errors, tab.errors


def test_a_case_is_started_answered_and_closed_from_its_page(new_tab, console, tools):
    headers = api_token(console.base, "jiayuan_worker")
    r = requests.post(f"{console.base}/api/v1/petition/petitions", headers=headers, timeout=10, json={
        "org_unit_id": "jiayuan", "category": "property", "channel": "hotline", "content": "小区路灯不亮",
        "petitioners": [{"name": "周敏", "mobile": "13604329999"}]})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = requests.post(f"{console.base}/api/v1/petition/petitions/{pid}/assign", headers=headers, timeout=10, json={
        "unit_kind": "community", "unit_id": "jiayuan", "person": "刘海燕", "deadline": beijing_day(5),
        "task": "联系物业维修路灯", "requirement": "三日内修复并回访"})
    assert r.status_code == 200, r.text

    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go(f"petitions/{pid}", "jiayuan")
    tab.submit_form("start-form", mode="on_site_check")
    page.locator('.petition-detail[data-state="in_handling"]').wait_for()
    page.locator("#answer-form button[type=submit]").click()  # empty: refused in the page, in Chinese
    page.locator('#answer-form [data-field="text"] .err', has_text="必填").wait_for()
    tab.submit_form("answer-form", text="物业已于今日更换路灯，经回访已正常照明。")
    page.locator('.petition-detail[data-state="answered"]').wait_for()
    tab.submit_form("close-form", satisfaction="satisfied")
    page.locator('.petition-detail[data-state="closed"]').wait_for()
    timeline = page.locator(".timeline").inner_text()
    assert "书面答复" in timeline and "办结" in timeline
    assert not tab.errors, tab.errors
