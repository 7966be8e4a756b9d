"""The residents' door (居民端, #22) shows a resident what staff made for them, on a phone (390×844): a petition the
接待 desk registered with their ID number, the volunteer record and love coins the community registered, and the
welfare application the window took — each marked "工作人员代为登记", the petition followed to its answer and rated
at the door, the application's state on the read-only "我的救助申请" screen. Each effect is checked through the API;
every screen passes axe-core. A neighbour in the same community sees none of it."""
from __future__ import annotations

import secrets

import pytest
import requests

pytestmark = pytest.mark.e2e

PHONE = (390, 844)
STAFF_PASSWORD = "Liandong-demo-2026"


def call(method: str, url: str, headers: dict | None = None, expect: int = 200, **kw) -> dict:
    r = requests.request(method, url, headers=headers or {}, timeout=15, **kw)
    assert r.status_code == expect, (method, url, r.status_code, r.text[:500])
    return r.json()


def bearer(answer: dict) -> dict:
    return {"Authorization": f"Bearer {answer['access_token']}"}


def test_a_resident_sees_and_rates_what_staff_registered_for_them(new_tab, console, tools):
    base = console.base
    office = bearer(call("POST", f"{base}/api/v1/auth/login", json={"username": "jiayuan_worker",
                                                                      "password": STAFF_PASSWORD}))
    number = tools.id_number("19720808", f"{secrets.randbelow(900) + 100}")
    mobile, password = "137" + f"{secrets.randbelow(10**8):08d}", "Wang-daiban-2026"

    # the community's staff, before the resident ever opens the door: all three name the resident's ID number
    pid = call("POST", f"{base}/api/v1/petition/petitions", office, expect=201, json={
        "org_unit_id": "jiayuan", "category": "environment_noise", "channel": "visit", "title": "楼下烧烤油烟",
        "content": "楼下烧烤店油烟直排，晚上十点后还很吵。",
        "petitioners": [{"name": "王代办", "id_number": number, "mobile": mobile}]})["id"]
    vid = call("POST", f"{base}/api/v1/volunteer/volunteers", office, expect=201, json={
        "name": "王代办", "kind": "resident", "org_unit_id": "jiayuan", "consent": True, "id_number": number})["id"]
    call("POST", f"{base}/api/v1/volunteer/coins/adjustments", office, expect=201,
         json={"volunteer_id": vid, "coins": 20, "reason": "台账转入"})
    aid = call("POST", f"{base}/api/v1/welfare/applications", office, expect=201, json={
        "org_unit_id": "jiayuan", "programme": "dibao_urban", "household": {
            "residence": "urban", "address": "家园社区5栋1单元", "financial_assets_fen": 0,
            "members": [{"name": "王代办", "id_number": number, "relation": "applicant", "monthly_income_fen": 50000,
                         "employment": "unemployed"}]}})["id"]
    account = call("POST", f"{base}/api/v1/residents/register", expect=201, json={
        "name": "王代办", "id_number": number, "mobile": mobile, "password": password, "community": "jiayuan"})
    # 实名核验: the resident shows their ID card at the community office, which confirms the account; only then
    # do the records the office made for that ID number reach this door
    call("POST", f"{base}/api/v1/residents/{account['user']['id']}/identity-confirmation", office)

    tab = new_tab(viewport=PHONE)
    page = tab.page
    page.goto(f"{base}/resident/")
    form = page.locator("#main form")
    form.locator("[name=username]").fill(mobile)
    form.locator("[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.locator("#main h1", has_text="您好，王代办").wait_for()
    assert page.locator("#r-unconfirmed").count() == 0  # confirmed: no word of 实名核验 left
    tab.axe("resident-home-staff-made")

    # the petition the desk registered: in their list, marked as registered for them; followed and rated
    page.get_by_role("link", name="我的诉求", exact=True).first.click()
    item = page.locator("#r-petitions li", has_text="楼下烧烤油烟")
    item.locator(".r-meta", has_text="工作人员代为登记").wait_for()
    tab.axe("resident-petitions-staff-made")
    item.locator("a").click()
    page.locator('.r-steps [aria-current="step"]', has_text="受理").wait_for()
    for step, body in (("assign", {"unit_kind": "community", "unit_id": "jiayuan", "person": "刘海燕",
                                   "deadline": "2099-12-31", "task": "约谈烧烤店", "requirement": "加装油烟净化器"}),
                       ("start", {"mode": "on_site_check"}), ("answer", {"text": "烧烤店已加装油烟净化器，营业至晚九点。"})):
        call("POST", f"{base}/api/v1/petition/petitions/{pid}/{step}", office, json=body)
    page.reload()
    page.locator("#r-answer", has_text="油烟净化器").wait_for()
    tab.axe("resident-petition-staff-made-answered")
    page.locator('button[data-rate="basically"]').click()
    page.locator("#r-rated", has_text="基本满意").wait_for()
    closed = call("GET", f"{base}/api/v1/petition/petitions/{pid}", office)
    assert (closed["state"], closed["satisfaction"]) == ("closed", "basically")

    # the volunteer record and coins the community registered: their hours and statement
    page.get_by_role("link", name="时长与爱心币").click()
    page.locator("#r-coins", has_text="20").wait_for()
    page.locator("#r-statement li", has_text="台账转入").wait_for()
    tab.axe("resident-coins-staff-made")
    linked = call("GET", f"{base}/api/v1/volunteer/volunteers/{vid}", office)
    assert linked["user_id"], linked  # the staff's record is now the resident's own (no second one)

    # the application the window took: its state, read only
    page.goto(f"{base}/resident/#/")
    page.get_by_role("link", name="我的救助申请").click()
    application = page.locator("#r-applications li")
    application.locator(".badge", has_text="已受理").wait_for()
    application.locator(".r-meta", has_text="工作人员代为登记").wait_for()
    tab.axe("resident-applications")
    call("POST", f"{base}/api/v1/welfare/applications/{aid}/community-review", office, json={"decision": "pass"})
    page.reload()
    application.locator(".badge", has_text="正在公示").wait_for()

    # a neighbour of the same community: none of it
    other = "136" + f"{secrets.randbelow(10**8):08d}"
    neighbour = bearer(call("POST", f"{base}/api/v1/residents/register", expect=201, json={
        "name": "赵邻居", "id_number": tools.id_number("19830303", f"{secrets.randbelow(900) + 100}"),
        "mobile": other, "password": "Zhao-linju-2026", "community": "jiayuan"}))
    assert call("GET", f"{base}/api/v1/petition/petitions", neighbour)["total"] == 0
    assert call("GET", f"{base}/api/v1/welfare/my-applications", neighbour)["total"] == 0
    assert requests.get(f"{base}/api/v1/volunteer/volunteers/me", headers=neighbour, timeout=10).status_code == 404
    assert requests.get(f"{base}/api/v1/volunteer/volunteers/{vid}/statement", headers=neighbour,
                        timeout=10).status_code == 404
    assert not tab.errors, tab.errors
