"""The console's remaining reach (issue #22): the district's settings (信访设置, 服务类型与爱心币, 接口密钥), a place handed
on (顶岗) or given up, a volunteer's reminders, one's own password, the menu in groups, and the roles named by the
gateway. Each screen does its real action in the browser, the effect is checked through the API with a demo account's
token, and axe-core runs on every screen and dialog opened."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests

from liandong.testing import unique

from .conftest import GatewayApi as Api
from .test_console_volunteer_admin import open_dialog, volunteer

pytestmark = pytest.mark.e2e

BEIJING = timezone(timedelta(hours=8))
PHONE = (390, 844)
GROUPS = ["工作台", "信访与服务", "民政", "志愿与党建", "平安建设", "报表与导入", "系统管理"]



def fill_in(page, form: str, values: dict, submit: bool = True) -> None:
    """Fill a form found by any selector (e.g. "dialog #rate-form": the dialog's copy, which ConsolePage.fill_form,
    taking an id, cannot name) — a select by its option's value, a checkbox by True — and submit it."""
    for name, value in values.items():
        field = page.locator(f"{form} [name={name}]")
        if value is True:
            field.check()
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    if submit:
        page.locator(f"{form} button[type=submit]").click()

def put(office: Api, path: str, body: dict) -> dict:
    r = requests.put(office.url(path), headers=office.headers, json=body, timeout=15)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return r.json()


def menu(page) -> dict[str, list[str]]:
    """The menu as shown: each group's heading with its entries, in order."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('nav.menu .menu-group')].map(g =>
        [g.querySelector('h2').textContent, [...g.querySelectorAll('[data-menu]')].map(a => a.dataset.menu)]))""")


def opened(new_tab, route: str, ready: str, user: str = "district_admin"):
    """A screen opened by a user, checked with axe-core once it is there."""
    tab = new_tab()
    tab.login(user)
    tab.go(route)
    tab.page.locator(ready).wait_for()
    tab.axe(route)
    return tab, tab.page


def refused(new_tab, user: str, entry: str, form: str) -> None:
    """Not offered in the menu, and the page itself says no and shows no form (the address typed in)."""
    other = new_tab()
    other.login(user)
    assert other.page.locator(f'[data-menu="{entry}"]').count() == 0
    other.go(entry)
    other.page.locator("#main h1", has_text="没有权限").wait_for()
    assert other.page.locator(form).count() == 0


def test_the_menu_is_grouped_walked_by_keyboard_and_a_group_with_nothing_to_open_is_not_shown(new_tab):
    tab = new_tab()
    tab.login("district_admin")
    page = tab.page
    groups = menu(page)
    assert list(groups) == GROUPS, groups
    assert {"petition-settings", "volunteer-settings", "open311-keys"} <= {k for v in groups.values() for k in v}
    assert groups["系统管理"][:4] == ["users", "org", "audit", "deadletters"]
    # every entry sits in a group: the accessibility walk over [data-menu] still reaches all of them
    assert page.locator("nav.menu [data-menu]").count() == sum(map(len, groups.values()))
    tab.axe("menu-groups")

    # the keyboard goes through the groups in their order, and Enter opens an entry
    order = [k for v in groups.values() for k in v]
    page.locator('nav.menu [data-menu="home"]').focus()
    reached = ["home"]
    for _ in range(len(order) - 1):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("() => document.activeElement.dataset.menu"))
    assert reached == order
    page.locator('nav.menu [data-menu="petition-settings"]').focus()
    page.keyboard.press("Enter")
    page.locator("#main h1", has_text="信访设置").wait_for()
    assert page.evaluate("() => document.activeElement.tagName") == "H1"

    # a grid worker: no 系统管理, no 报表 of a district, no settings — the groups with nothing to open are gone
    grid = new_tab()
    grid.login("jiayuan_grid")
    seen = menu(grid.page)
    assert "系统管理" not in seen and all(seen.values()), seen
    assert not {"petition-settings", "volunteer-settings", "open311-keys"} & {k for v in seen.values() for k in v}


def test_on_a_phone_the_grouped_menu_waits_behind_the_menu_button(new_tab):
    tab = new_tab(viewport=PHONE, has_touch=True, is_mobile=True)
    tab.login("jiayuan_worker")
    page = tab.page
    assert not page.locator("nav.menu h2", has_text="民政").is_visible()
    page.click(".menu-toggle")
    page.locator("nav.menu h2", has_text="民政").wait_for(state="visible")
    assert page.locator(".menu-toggle").get_attribute("aria-expanded") == "true"
    tab.axe("menu-groups-phone")
    page.locator('nav.menu [data-menu="supermarket"]').click()
    page.locator("#main h1", has_text="爱心超市").wait_for()
    page.locator("nav.menu h2", has_text="民政").wait_for(state="hidden")  # the drawer closes behind the choice
    assert page.locator(".menu-toggle").get_attribute("aria-expanded") == "false"


def test_the_district_sets_petition_categories_departments_and_holidays(new_tab, console):
    office = Api(console.base, "district_admin")
    tab, page = opened(new_tab, "petition-settings", "#petition-categories")

    code = unique("cat").replace("-", "_").lower()
    fill_in(page, "#category-form", {"code": code, "name": "电梯维修", "group": "property", "days_community": "7",
                                     "days_subdistrict": "12", "days_district": "20"})
    page.locator("#petition-categories td", has_text="电梯维修").wait_for()
    assert office.get("/petition/config")["categories"][code] == {
        "name": "电梯维修", "group": "property", "deadline_days": {"community": 7, "subdistrict": 12, "district": 20}}

    open_dialog(tab, '[aria-label="修改 电梯维修"]', "#category-edit-form", "petition-category-dialog")
    fill_in(page, "dialog #category-edit-form", {"days_community": "5"})
    page.locator("#petition-categories td", has_text="5 个工作日").first.wait_for()
    assert office.get("/petition/config")["categories"][code]["deadline_days"]["community"] == 5

    dept = unique("dept").replace("-", "_").lower()
    fill_in(page, "#department-form", {"code": dept, "name": "供水公司"})
    page.locator("#petition-departments td", has_text="供水公司").wait_for()
    assert office.get("/petition/config")["departments"][dept] == "供水公司"

    # 国庆: three days at once, then one taken back
    year = datetime.now(BEIJING).year
    fill_in(page, "#holiday-form", {"from": f"{year}-10-01", "to": f"{year}-10-03"})
    page.locator("#petition-holidays h2", has_text="共").wait_for()
    page.locator(f'[aria-label="删除 {year}-10-03"]').wait_for()
    assert {f"{year}-10-01", f"{year}-10-02", f"{year}-10-03"} <= set(office.get("/petition/config")["holidays"])
    page.click(f'[aria-label="删除 {year}-10-03"]')
    page.locator(f'[aria-label="删除 {year}-10-03"]').wait_for(state="detached")
    holidays = office.get("/petition/config")["holidays"]
    assert f"{year}-10-02" in holidays and f"{year}-10-03" not in holidays
    tab.axe("petition-settings-after")
    assert not tab.errors, tab.errors

    # a sub-district officer supervises cases but does not set the district's taxonomy
    refused(new_tab, "huangqi_officer", "petition-settings", "#category-form")


def test_the_district_adds_an_activity_type_and_sets_love_coin_rates(new_tab, console):
    office = Api(console.base, "district_admin")
    tab, page = opened(new_tab, "volunteer-settings", "#volunteer-types")

    key = unique("t").replace("-", "_").lower()
    fill_in(page, "#type-form", {"type": key, "name": "助浴服务", "coins_per_hour": "15"})
    page.locator("#toast", has_text="已新增服务类型").wait_for()
    rates = {t["type"]: t for t in office.get("/volunteer/types", page_size=100)["items"]}
    assert rates[key]["name"] == "助浴服务" and rates[key]["coins_per_hour"] == 15 and not rates[key]["builtin"]

    # the list is paged: the new type is on the page the pager leads to, and its rate changes from its row
    total = office.get("/volunteer/types")["total"]
    last = (total + 19) // 20
    tab.go(f"volunteer-settings?page={last}")
    open_dialog(tab, '[aria-label="修改比例：助浴服务"]', "#rate-form", "volunteer-rate-dialog")
    fill_in(page, "dialog #rate-form", {"coins_per_hour": "18"})
    page.locator(f'[data-rate="{key}"]', has_text="18").wait_for()
    assert {t["type"]: t for t in office.get("/volunteer/types", page_size=100)["items"]}[key]["coins_per_hour"] == 18

    before = office.get("/volunteer/types")["patrol_coins_per_hour"]
    open_dialog(tab, "#patrol-rate-change", "#rate-form", "patrol-rate-dialog")
    fill_in(page, "dialog #rate-form", {"coins_per_hour": str(before + 2)})
    page.locator("#patrol-rate", has_text=str(before + 2)).wait_for()
    assert office.get("/volunteer/types")["patrol_coins_per_hour"] == before + 2
    put(office, "/volunteer/rates/patrol", {"coins_per_hour": before})  # the other tests' patrols earn as before
    assert not tab.errors, tab.errors

    # a community worker manages its community's volunteers, not the district's rates
    refused(new_tab, "jiayuan_worker", "volunteer-settings", "#type-form")


def test_a_place_is_handed_to_a_substitute_or_given_up_and_the_reminders_are_listed(new_tab, console):
    office = Api(console.base, "jiayuan_worker")
    holder, stand_in, waiting = volunteer(office, "原报名人"), volunteer(office, "顶岗人"), volunteer(office, "候补人")
    now = datetime.now(BEIJING)
    activity = office.post("/volunteer/activities", {
        "title": unique("助老-"), "type": "elderly_care", "org_unit_id": "jiayuan", "place": "家园社区活动室",
        "starts_at": (now + timedelta(days=3)).isoformat(), "ends_at": (now + timedelta(days=3, hours=2)).isoformat(),
        "capacity": 1, "publish": True})
    aid = activity["id"]
    office.post(f"/volunteer/activities/{aid}/signups", {"volunteer_id": holder})
    assert office.post(f"/volunteer/activities/{aid}/signups", {"volunteer_id": waiting})["status"] == "waitlisted"
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go(f"volunteer/activities/{aid}", "jiayuan")
    open_dialog(tab, '[aria-label="顶岗：原报名人 由他人顶替"]', "#substitute-form", "volunteer-substitute-dialog")
    fill_in(page, "dialog #substitute-form", {"substitute_id": stand_in})
    page.locator("td", has_text="已由他人顶岗").wait_for()
    status = {s["volunteer_id"]: s["status"] for s in office.get(f"/volunteer/activities/{aid}")["signups"]}
    assert status[holder] == "substituted" and status[stand_in] == "signed_up" and status[waiting] == "waitlisted"
    tab.axe("volunteer-activity-substituted")

    # the stand-in cannot come either: the place goes to the first on the waitlist
    page.click('[aria-label="取消报名：顶岗人"]')
    page.locator('[aria-label="顶岗：候补人 由他人顶替"]').wait_for()
    status = {s["volunteer_id"]: s["status"] for s in office.get(f"/volunteer/activities/{aid}")["signups"]}
    assert status[stand_in] == "cancelled" and status[waiting] == "signed_up"

    # the volunteer's page lists the reminders the service sent, paged with the service's count
    tab.go(f"volunteer/volunteers/{waiting}", "jiayuan")
    page.locator("#reminders").wait_for()
    sent = office.get(f"/volunteer/volunteers/{waiting}/reminders")["total"]
    assert page.locator("#reminders h2").inner_text() == f"活动提醒（共 {sent} 条）"
    assert page.locator("#reminders nav.pager").count() == 1
    tab.axe("volunteer-reminders")
    assert not tab.errors, tab.errors


def test_a_worker_changes_their_own_password_and_logs_in_with_the_new_one(new_tab, console):
    admin = Api(console.base, "district_admin")
    username, old, new = unique("pw").replace("-", "").lower()[:20], "Old-password-2026", "New-password-2026"
    admin.post("/users", {"username": username, "name": "改密码的人", "password": old,
                          "grants": [{"role": "community_worker", "org_unit": "jiayuan", "duties": ["retiree_affairs"]}]})
    tab = new_tab()
    tab.login(username, old)
    page = tab.page
    # the header names the duty as the gateway does (退管员: a duty the console's own list used to lack)
    page.locator(".who", has_text="社区工作者（退管员）").wait_for()
    open_dialog(tab, "#own-password", "#own-password-form", "own-password-dialog")
    # the page behind may still be drawing (a slow home page after login): its redraw leaves the shell's dialog alone —
    # CI once clicked 修改密码 while the home page loaded and the dialog vanished with the old page
    tab.go("petitions")
    page.locator("dialog #own-password-form").wait_for()
    fill_in(page, "dialog #own-password-form", {"current_password": "not-the-password", "password": new, "again": new})
    page.locator("dialog #own-password-form .form-error", has_text="当前密码不正确").wait_for()
    fill_in(page, "dialog #own-password-form", {"current_password": old})
    page.locator("#login-error", has_text="密码已修改").wait_for()
    assert requests.post(f"{console.base}/api/v1/auth/login", json={"username": username, "password": old},
                         timeout=10).status_code == 401
    tab.login(username, new)
    assert not [e for e in tab.errors if "HTTP 5" in e], tab.errors


def test_the_district_issues_and_revokes_an_open311_key(new_tab, console):
    admin = Api(console.base, "district_admin")
    tab, page = opened(new_tab, "open311-keys", "#open311-key-list")
    app = unique("12345热线-")
    fill_in(page, "#open311-key-form", {"app": app, "org_unit_id": "huangqi"})
    key = page.locator("#issued-key-value").inner_text()
    tab.axe("open311-key-issued")
    issued = [k for k in admin.get("/petition/open311/keys", page_size=100)["items"] if k["app"] == app]
    assert len(issued) == 1 and issued[0]["active"] and issued[0]["org_unit_id"] == "huangqi"
    assert len(key) >= 32 and all(key not in str(v) for v in issued[0].values())  # shown once, never listed
    page.click("#issued-key-done")
    open_dialog(tab, f'[aria-label="吊销 {app}"]', "#confirm-revoke", "open311-revoke-dialog")
    page.click("#confirm-revoke")
    page.locator("#open311-key-list td", has_text="已吊销").first.wait_for()
    assert not [k for k in admin.get("/petition/open311/keys", page_size=100)["items"] if k["app"] == app][0]["active"]
    assert not tab.errors, tab.errors
    refused(new_tab, "huangqi_officer", "open311-keys", "#open311-key-form")


def test_the_users_screen_offers_every_role_and_duty_the_gateway_names(new_tab, console):
    admin = Api(console.base, "district_admin")
    named = admin.get("/auth/roles")
    tab, page = opened(new_tab, "users", "select[name=role]")
    roles = page.locator("select[name=role]").first
    offered = roles.evaluate("s => Object.fromEntries([...s.options].filter(o => o.value).map(o => [o.value, o.textContent]))")
    assert offered == {r["code"]: r["name"] for r in named["roles"]}
    duties = page.evaluate("() => [...document.querySelectorAll('[name^=duty_]')].map(e => e.name.slice(5))")
    assert sorted(set(duties)) == sorted(d["code"] for d in named["duties"])
    assert not tab.errors, tab.errors


def test_the_sensitive_registers_trails_are_read_in_the_audit_screen(new_tab, console):
    """The corrections records, the 人员台账 and the employment records keep their own trails; each is a tab."""
    police = Api(console.base, "jiayuan_police")
    police.get("/security/corrections/people", org_unit="jiayuan")  # a read of corrections records: audited
    admin = Api(console.base, "district_admin")
    tab = new_tab()
    tab.login("district_admin")
    page = tab.page
    for trail, path, title in (("corrections", "/security/audit", "矫正档案访问记录"),
                               ("registers", "/welfare/register-audit", "人员台账访问记录"),
                               ("employment", "/welfare/employment/audit", "就业档案访问记录")):
        tab.go(f"audit?tab={trail}")
        page.locator(f"#{trail}-audit").wait_for()
        total = admin.get(path, org_unit="chuanying", page_size=50)["total"]
        assert page.locator(f"#{trail}-audit h2").inner_text() == f"{title}（共 {total} 条）"
        assert page.locator('[role=tab][aria-selected=true]').inner_text() == title.replace("记录", "")
        tab.axe(f"audit-{trail}")
    tab.go("audit?tab=corrections&allowed=true")
    page.locator("#corrections-audit td", has_text="社区民警").first.wait_for()
    assert not tab.errors, tab.errors


def test_volunteers_are_ranked_by_their_hours_for_recognition(new_tab, console):
    office = Api(console.base, "jiayuan_worker")
    who = volunteer(office, "表彰候选人")
    now = datetime.now(BEIJING)
    activity = office.post("/volunteer/activities", {
        "title": unique("义诊-"), "type": "elderly_care", "org_unit_id": "jiayuan", "place": "家园社区卫生站",
        "starts_at": (now - timedelta(hours=4)).isoformat(), "ends_at": (now + timedelta(hours=1)).isoformat(),
        "capacity": 5, "publish": True})
    office.post(f"/volunteer/activities/{activity['id']}/signups", {"volunteer_id": who})
    office.post(f"/volunteer/activities/{activity['id']}/attendance", {
        "volunteer_id": who, "checked_in_at": (now - timedelta(hours=4)).isoformat(),
        "checked_out_at": (now - timedelta(hours=1)).isoformat()})
    today, since = now.date().isoformat(), (now - timedelta(days=1)).date().isoformat()
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go(f"volunteer-recognition?from={since}&to={today}&top=500", "jiayuan")
    row = page.locator("#recognition-volunteers tr", has_text="表彰候选人")
    row.wait_for()
    ranked = {v["volunteer_id"]: v for v in office.get("/volunteer/recognition", org_unit="jiayuan", **{
        "from": since, "to": today, "top": 500})["volunteers"]}
    assert ranked[who]["minutes"] == 180
    assert row.locator("td").nth(0).inner_text() == str(ranked[who]["rank"])
    assert row.locator("td").nth(3).inner_text() == "3.0"
    tab.axe("volunteer-recognition")
    assert not tab.errors, tab.errors
