"""The console's volunteer, party (党建) and administration screens (issue #22): each screen does its real action in the
browser, the effect is checked through the API with a demo account's token, and axe-core runs on every screen opened.
The phone's 现场签到 is tested at 390×844; one test uses the keyboard only."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from liandong.testing import unique, wait_for

from .conftest import GatewayApi

pytestmark = pytest.mark.e2e

BEIJING = timezone(timedelta(hours=8))
PHONE = (390, 844)


def volunteer(office: GatewayApi, name: str, unit: str = "jiayuan") -> str:
    return office.post("/volunteer/volunteers", {"name": name, "kind": "resident", "org_unit_id": unit,
                                                "mobile": "13904320000", "consent": True})["id"]


def activity_signed_up(office: GatewayApi, who: str, title: str, kind: str, place: str, starts: datetime,
                       ends: datetime) -> dict:
    """A published activity of the community (five places) with the volunteer `who` signed up for it."""
    activity = office.post("/volunteer/activities", {
        "title": title, "type": kind, "org_unit_id": "jiayuan", "place": place, "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(), "capacity": 5, "publish": True})
    office.post(f"/volunteer/activities/{activity['id']}/signups", {"volunteer_id": who})
    return activity


def heading_has_focus(page) -> bool:
    return page.evaluate("() => document.activeElement && document.activeElement.tagName === 'H1'")


def open_dialog(tab, opener: str, inside: str, screen: str) -> None:
    """Open a screen's dialog and check it with axe-core."""
    tab.page.click(opener)
    tab.page.locator(f"dialog {inside}").wait_for()
    tab.axe(screen)


def test_a_team_is_formed_given_members_and_a_leader_and_dissolved(new_tab, console):
    office = GatewayApi(console.base, "jiayuan_worker")
    first, second = volunteer(office, "队员甲"), volunteer(office, "队员乙")
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.visit("volunteer?tab=teams&org=jiayuan", axe="volunteer-teams")
    name = unique("护巷队-")
    tab.fill_form("team-form", {"name": name, "type": "patrol"})
    page.locator("#main h1", has_text=name).wait_for()
    assert heading_has_focus(page)
    tab.axe("volunteer-team")
    team_id = tab.record_id()
    for who in ("队员甲", "队员乙"):
        page.locator("#member-form [name=volunteer_id]").select_option(label=who)
        page.locator("#member-form button[type=submit]").click()
        page.locator("#team-members td a", has_text=who).wait_for()
    page.locator("#team-members tr", has_text="队员乙").get_by_role("button", name="设为队长").click()
    page.locator("#team-members tr", has_text="队员乙").locator(".badge", has_text="队长").wait_for()
    page.get_by_role("button", name="移出 队员甲").click()
    page.locator("#team-members td a", has_text="队员甲").wait_for(state="detached")
    team = office.get(f"/volunteer/teams/{team_id}")
    assert (team["member_ids"], team["leader_id"]) == ([second], second)
    assert first not in team["member_ids"]

    open_dialog(tab, "#dissolve-team", "#dissolve-form", "volunteer-team-dissolve-dialog")
    page.click("#dissolve-form button[type=submit]")
    page.locator("#main .badge", has_text="已解散").wait_for()
    assert office.get(f"/volunteer/teams/{team_id}")["status"] == "dissolved"
    assert not tab.errors, tab.errors


def test_the_teams_list_filters_and_pages_without_dropping_a_row(new_tab, console):
    office = GatewayApi(console.base, "jiayuan_worker")
    for i in range(21):  # one more than a page
        office.post("/volunteer/teams", {"name": f"法律援助队{i:02d}", "type": "legal_aid", "org_unit_id": "jiayuan"})
    total = office.get("/volunteer/teams", org_unit="jiayuan", type="legal_aid")["total"]
    assert total > 20
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go("volunteer?tab=teams&org=jiayuan")
    page.locator("form[role=search] [name=type]").select_option("legal_aid")
    page.locator("form[role=search] button[type=submit]").click()
    page.locator("#teams h2", has_text=f"共 {total} 条").wait_for()
    assert page.locator("#teams tbody tr").count() == 20
    page.get_by_role("button", name="下一页").click()
    page.locator(".pager", has_text="第 2 /").wait_for()
    assert page.locator("#teams tbody tr").count() == total - 20
    assert all("法律援助" in t for t in page.locator("#teams tbody td:nth-child(2)").all_inner_texts())
    assert not tab.errors, tab.errors


def test_love_coins_are_adjusted_paid_through_the_time_bank_and_a_volunteer_leaves(new_tab, console):
    office = GatewayApi(console.base, "jiayuan_worker")
    payer, payee = volunteer(office, "付款人甲"), volunteer(office, "收款人乙")
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.visit(f"volunteer/volunteers/{payer}", "jiayuan", axe="volunteer-statement")
    tab.fill_form("profile-form", {"skills": "理发，修车", "availability": "周末上午"})
    page.locator("dd", has_text="周末上午").wait_for()
    profile = office.get(f"/volunteer/volunteers/{payer}")
    assert (sorted(profile["skills"]), profile["availability"]) == (["修车", "理发"], "周末上午")
    tab.fill_form("adjust-form", {"coins": "30", "reason": "补记去年清雪服务"})
    page.locator("#coins-available", has_text="30").wait_for()
    page.locator("#statement td", has_text="补记去年清雪服务").wait_for()

    tab.fill_form("time-bank-form", {"to_volunteer_id": payee, "coins": "12", "reason": "帮忙接送孩子"})
    page.locator("#coins-available", has_text="18").wait_for()
    assert office.get(f"/volunteer/volunteers/{payer}/statement")["balance"]["available"] == 18
    assert office.get(f"/volunteer/volunteers/{payee}/statement")["balance"]["available"] == 12

    open_dialog(tab, "#volunteer-leave", "#confirm-leave", "volunteer-leave-dialog")
    page.keyboard.press("Escape")  # Escape closes the dialog and nothing changes
    page.locator("#confirm-leave").wait_for(state="detached")
    assert page.evaluate("() => document.activeElement.id") == "volunteer-leave"
    assert office.get(f"/volunteer/volunteers/{payer}")["status"] == "active"
    page.click("#volunteer-leave")
    page.click("#confirm-leave")
    page.locator("#main .badge", has_text="已退出").wait_for()
    assert office.get(f"/volunteer/volunteers/{payer}")["status"] == "left"
    assert not tab.errors, tab.errors


def test_an_organiser_corrects_minutes_and_completes_the_activity(new_tab, console):
    office = GatewayApi(console.base, "jiayuan_worker")
    who = volunteer(office, "更正时长人")
    now = datetime.now(BEIJING)
    activity = activity_signed_up(office, who, unique("敬老-"), "elderly_care", "家园社区养老驿站",
                                  now - timedelta(hours=3), now + timedelta(hours=1))
    office.post(f"/volunteer/activities/{activity['id']}/attendance", {
        "volunteer_id": who, "checked_in_at": (now - timedelta(hours=3)).isoformat(),
        "checked_out_at": (now - timedelta(hours=2)).isoformat()})
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.visit(f"volunteer/activities/{activity['id']}", "jiayuan", axe="volunteer-activity")
    open_dialog(tab, '[aria-label="更正 更正时长人 的时长"]', "#correction-form", "volunteer-correction-dialog")
    tab.fill_form("correction-form", {"minutes": "90", "reason": "签退晚了半小时，按实际服务时间更正"})
    page.locator("td", has_text="90 分钟").wait_for()
    assert office.get(f"/volunteer/activities/{activity['id']}")["attendance"][who]["minutes"] == 90
    page.click("#complete-activity")
    page.locator("#main .badge", has_text="已结束").wait_for()
    assert office.get(f"/volunteer/activities/{activity['id']}")["status"] == "completed"
    assert not tab.errors, tab.errors


def test_a_volunteer_is_checked_in_with_the_activitys_code_on_a_phone(new_tab, console):
    office = GatewayApi(console.base, "jiayuan_worker")
    who = volunteer(office, "手机签到人")
    now = datetime.now(BEIJING)
    activity = activity_signed_up(office, who, unique("清雪-"), "snow_cleaning", "家园社区3号楼",
                                  now - timedelta(minutes=10), now + timedelta(hours=2))
    code = office.get(f"/volunteer/activities/{activity['id']}")["checkin_code"]

    tab = new_tab(viewport=PHONE, has_touch=True, is_mobile=True)
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go("volunteer", "jiayuan")
    page.locator("#open-checkin").tap()
    page.locator("#checkin-code-form").wait_for()
    tab.axe("volunteer-checkin-phone")
    page.locator("#checkin-code-form [name=code]").fill("000000" if code != "000000" else "111111")
    page.locator("#checkin-code-form button[type=submit]").tap()
    page.locator('#checkin-code-form [data-field="code"] .err', has_text="没有这个签到码").wait_for()
    page.locator("#checkin-code-form [name=code]").fill(code)
    page.keyboard.press("Enter")
    page.locator("#main h1", has_text=activity["title"]).wait_for()
    tab.axe("volunteer-checkin-roster-phone")
    button = page.get_by_role("button", name="手机签到人 签到")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300, box  # a thumb's target, the row's whole width
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0]  # no horizontal scroll
    button.tap()
    page.get_by_role("button", name="手机签到人 签退").wait_for()
    attendance = office.get(f"/volunteer/activities/{activity['id']}")["attendance"][who]
    assert attendance["checked_in_at"] and not attendance.get("checked_out_at")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0]
    assert not tab.errors, tab.errors


def test_party_branches_members_and_reports_for_the_party_officer_only(new_tab, console, tools):
    office = GatewayApi(console.base, "jiayuan_party")
    tab = new_tab()
    tab.login("jiayuan_party")
    page = tab.page
    tab.visit("party", "jiayuan", axe="party-branches")
    branch_name = unique("家园社区第一党支部-")
    tab.fill_form("branch-form", {"name": branch_name, "secretary": "王书记", "founded_on": "2020-07-01"})
    # the gateway masks every `name` for a role without personal_data:read, a branch's too: found by its id
    page.locator("#main h1", has_text="党支部 ·").wait_for()
    tab.axe("party-branch")
    branch_id = tab.record_id()
    page.locator("#branch-edit [name=secretary]").fill("李书记")
    page.locator("#branch-edit button[type=submit]").click()
    page.locator("dd", has_text="李").first.wait_for()
    assert office.get(f"/volunteer/party/branches/{branch_id}")["secretary"].startswith("李")

    tab.visit("party?tab=members&org=jiayuan", axe="party-members")
    tab.fill_form("member-form", {"branch_id": branch_id, "name": "赵预备", "id_number": tools.id_number("19900101", "231"),
                                  "kind": "probationary", "joined_on": "2025-07-01", "floating": True})
    page.locator("#main h1", has_text="党员 ·").wait_for()
    tab.axe("party-member")
    member_id = tab.record_id()
    page.get_by_role("button", name="预备转正").click()
    page.locator("dd", has_text="正式党员").wait_for()
    page.get_by_role("button", name="标记为困难党员").click()
    page.get_by_role("button", name="取消困难党员标记").wait_for()
    page.locator("#notice-form button[type=submit]").click()
    page.locator("#notice-state", has_text="已签").wait_for()
    m = office.get(f"/volunteer/party/members/{member_id}")
    assert (m["kind"], m["floating"], m["hardship"]) == ("full", True, True) and m["notice_signed_on"]
    # the members' list filtered to the 流动 ones of this branch names them
    tab.go(f"party?tab=members&branch_id={branch_id}&floating=true&org=jiayuan")
    page.locator("#members td", has_text="流动").first.wait_for()
    assert office.get("/volunteer/party/members", branch_id=branch_id, floating="true")["total"] == 1
    with page.expect_download() as exported:  # the export is the list as filtered
        page.locator("#members button[data-format=csv]").click()
    rows = exported.value.path().read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(rows) == 2 and "赵" in rows[1], rows  # the header and the one member of the filter

    tab.go(f"party/members/{member_id}", "jiayuan")
    open_dialog(tab, "#end-member", "#end-form", "party-end-dialog")
    page.locator("#end-form [name=reason]").select_option("transferred_out")
    page.click("#end-form button[type=submit]")
    page.locator("#main .badge", has_text="已转出").wait_for()
    assert office.get(f"/volunteer/party/members/{member_id}")["status"] == "transferred_out"

    tab.visit("party?tab=reports&org=jiayuan", axe="party-reports")
    tab.fill_form("report-form", {"name": "钱在职", "id_number": tools.id_number("19850505", "412"),
                                  "workplace": "区税务局机关党支部", "consent": True})
    page.locator("#reports td", has_text="区税务局机关党支部").wait_for()
    reports = office.get("/volunteer/party/reports", org_unit="jiayuan", page_size=100)["items"]
    assert any(r["workplace"] == "区税务局机关党支部" for r in reports)
    assert not tab.errors, tab.errors

    # a worker without the 党建 duty is not offered the screen
    other = new_tab()
    other.login("jiayuan_worker")
    assert other.page.locator('[data-menu="party"]').count() == 0
    assert other.page.locator('[data-menu="users"]').count() == 0


def test_the_admin_creates_a_user_grants_and_revokes_a_role(new_tab, console):
    admin = GatewayApi(console.base, "district_admin")
    tab = new_tab()
    tab.login("district_admin")
    page = tab.page
    tab.visit("users", "jiayuan", axe="users")
    username = unique("jy_party_").lower()
    tab.fill_form("user-form", {"username": username, "name": "新党建专干", "password": "Another-pass-2026",
                                "role": "community_worker", "org_unit": "jiayuan", "duty_party_affairs": True})
    page.locator("#main h1", has_text="新党建专干").wait_for()
    tab.axe("user")
    user_id = tab.record_id()
    assert admin.get(f"/users/{user_id}")["grants"] == [{"role": "community_worker", "org_unit": "jiayuan",
                                                         "duties": ["party_affairs"]}]
    tab.fill_form("grant-form", {"role": "grid_worker", "org_unit": "jiayuan-g1"})
    page.locator("#grants td", has_text="网格员").wait_for()
    assert [g["role"] for g in admin.get(f"/users/{user_id}")["grants"]] == ["community_worker", "grid_worker"]
    page.get_by_role("button", name="撤销 社区工作者", exact=False).click()
    page.locator("#grants td", has_text="社区工作者").wait_for(state="detached")
    assert [g["role"] for g in admin.get(f"/users/{user_id}")["grants"]] == ["grid_worker"]
    page.click("#toggle-active")
    page.locator("#main .badge", has_text="停用").wait_for()
    assert admin.get(f"/users/{user_id}")["active"] is False
    # the district checks the love-coin ledger
    tab.go("volunteer?tab=volunteers&org=chuanying")
    page.locator("#ledger-check button").click()
    result = page.locator("#ledger-result [data-consistent]")
    result.wait_for()
    assert result.get_attribute("data-consistent") == str(admin.get("/volunteer/coins/check")["consistent"]).lower()
    # the list pages through every user of the unit: its count is the API's
    tab.go("users", "jiayuan")
    total = admin.get("/users", org_unit="jiayuan")["total"]
    page.locator("#users h2", has_text=f"共 {total} 条").wait_for()
    assert not tab.errors, tab.errors


def test_the_admin_edits_the_org_tree_keeps_a_profile_and_imports_a_file(new_tab, console):
    admin = GatewayApi(console.base, "district_admin")
    tab = new_tab()
    tab.login("district_admin")
    page = tab.page
    tab.visit("org", "jiayuan", axe="org")
    unit_id = unique("jiayuan-g").lower()
    tab.fill_form("unit-form", {"parent_id": "jiayuan", "level": "grid", "id": unit_id, "name": "家园社区新网格"})
    page.locator("#main h1", has_text="家园社区新网格").wait_for()
    tab.axe("org-unit")
    tab.fill_form("rename-unit", {"name": "家园社区第九网格"})
    page.locator("#main h1", has_text="家园社区第九网格").wait_for()
    # a grid moves under another community (a unit of its own level is not offered)
    assert page.locator("#move-unit [name=parent_id] option[value=jiayuan-g1]").count() == 0
    tab.fill_form("move-unit", {"parent_id": "huangniling"})
    page.locator("dd", has_text="/huangniling/").wait_for()
    unit = admin.get(f"/org/units/{unit_id}")
    assert (unit["name"], unit["parent_id"]) == ("家园社区第九网格", "huangniling")

    tab.fill_form("profile-form", {"as_of": "2026-01-01", "population": "1200", "households": "430", "area_km2": "0.35",
                                   "grids": "1"})
    page.locator("#profiles td", has_text="430").wait_for()
    kept = admin.get(f"/org/units/{unit_id}/profiles")["items"]
    assert [(p["as_of"], p["population"], p["households"]) for p in kept] == [("2026-01-01", 1200, 430)]

    open_dialog(tab, "#retire-unit", "#confirm-retire", "org-retire-dialog")
    page.click("#confirm-retire")
    page.locator("#main .badge", has_text="已撤销").wait_for()
    assert admin.get(f"/org/units/{unit_id}")["retired"] is True

    tab.go("org", "jiayuan")
    imported = unique("jiayuan-b").lower()
    csv = f"id,name,level,parent_id\n{imported},家园社区新楼栋,building,jiayuan-g1\n".encode()
    page.set_input_files("#org-import-file", files=[{"name": "楼栋.csv", "buffer": csv, "mimeType": "text/csv"}])
    page.click("#org-import button[type=submit]")
    page.locator("#org-tree a", has_text="家园社区新楼栋").wait_for()
    assert admin.get(f"/org/units/{imported}")["path"].endswith(f"/jiayuan-g1/{imported}/")
    assert not tab.errors, tab.errors


def test_the_audit_log_filters_and_pages_as_the_api_does(new_tab, console):
    admin = GatewayApi(console.base, "district_admin")
    admin.get("/users", org_unit="jiayuan")  # at least one entry of the admin's own
    tab = new_tab()
    tab.login("district_admin")
    page = tab.page
    tab.visit("audit", "chuanying", axe="audit")
    page.locator("#main [name=service]").select_option("volunteer")
    page.locator("#main [name=action]").select_option("read")
    page.locator("#main form[role=search] button[type=submit]").click()
    page.wait_for_function("() => location.hash.includes('service=volunteer')")
    page.wait_for_function("() => !document.querySelector('#main .loading')")
    found = admin.get("/audit", org_unit="chuanying", service="volunteer", action="read", page_size=50)
    page.locator("#audit h2", has_text=f"共 {found['total']} 条").wait_for()
    assert page.locator("#audit tbody tr").count() == max(1, min(50, found["total"]))
    if found["total"] > 50:  # the next page is reachable, never cut off
        page.get_by_role("button", name="下一页").click()
        page.locator(".pager", has_text="第 2 /").wait_for()
    # the party registers' own trail: the party officer's reads of a member are there, allowed
    party = GatewayApi(console.base, "jiayuan_party")
    branch = party.post("/volunteer/party/branches", {"name": "审计支部", "org_unit_id": "jiayuan", "secretary": "周书记",
                                                      "founded_on": "2021-01-01"})
    party.get("/volunteer/party/members", branch_id=branch["id"])
    tab.visit("audit?tab=party&org=chuanying", axe="audit-party")
    page.locator("form[role=search] [name=allowed]").select_option("true")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_function("() => location.hash.includes('allowed=true')")
    trail = admin.get("/volunteer/party/audit", org_unit="chuanying", allowed="true", page_size=50)
    assert trail["total"] >= 1
    page.locator("#party-audit h2", has_text=f"共 {trail['total']} 条").wait_for()
    assert not tab.errors, tab.errors


def test_a_dead_letter_is_listed_and_replayed(new_tab, console):
    if console.settings is None:
        # never a skip: a dead letter is made on the platform's own bus, which a platform given by URL does not share
        pytest.fail("this test starts its own platform: unset LIANDONG_CONSOLE_TEST_URL", pytrace=False)
    from liandong.bus import open_bus
    from liandong.contracts import CONTRACTS

    good = CONTRACTS.new_event("gateway.org_unit.created", "jiayuan", {
        "org_unit_id": "jiayuan", "name": "家园社区", "level": "community", "parent_id": "huangqi",
        "path": "/chuanying/huangqi/jiayuan/"}, "/chuanying/huangqi/jiayuan/")
    poison_id = unique("poison-")
    bus = open_bus(console.settings)  # the platform's own log: the gateway's events reach every service
    bus.publish("gateway.events", "jiayuan", json.dumps(good.to_dict() | {"id": poison_id,
                                                                          "data": {"org_unit_id": "BAD ID"}}).encode())
    bus.flush()
    admin = GatewayApi(console.base, "district_admin")

    def listed():
        items = admin.get("/volunteer/dead-letters", page_size=100)["items"]
        return [d for d in items if d["event_id"] == poison_id]

    letter = wait_for(listed, 60, message="the poison message is dead-lettered by the volunteer service")[0]
    tab = new_tab()
    tab.login("district_admin")
    page = tab.page
    tab.visit("deadletters?service=volunteer&org=chuanying", axe="dead-letters")
    row = page.locator("#dead-letters tr", has_text=poison_id)
    row.get_by_role("button", name=f"重放 {poison_id}").click()
    page.locator("#dead-letters tr", has_text=poison_id).locator("td", has_text="已于").wait_for()
    wait_for(lambda: [d for d in listed() if d["id"] == letter["id"] and d["replayed_at"]], 30,
             message="the replay is recorded")
    assert not tab.errors, tab.errors


def test_a_form_and_a_list_with_the_keyboard_only(new_tab, console):
    """Tab to the team form, type, Enter submits; Enter opens a dialog, Escape closes it; Tab to a row, Enter opens it;
    each new screen's heading takes the focus."""
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go("volunteer?tab=teams&org=jiayuan")
    assert heading_has_focus(page)

    def tab_to(selector: str, limit: int = 120) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    name = unique("键盘服务队-")
    tab_to("#team-form [name=name]")
    page.keyboard.type(name)
    page.keyboard.press("Tab")  # the type: the first option is chosen with the arrow key
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # Enter in a text field submits the form
    page.locator("#main h1", has_text=name).wait_for()
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'")
    tab.axe("volunteer-team-keyboard")

    tab_to("#dissolve-team")
    page.keyboard.press("Enter")
    page.locator("dialog #dissolve-form").wait_for()
    assert page.evaluate("() => document.activeElement.name") == "dissolved_on"
    page.keyboard.press("Escape")
    page.locator("dialog").wait_for(state="detached")
    assert page.evaluate("() => document.activeElement.id") == "dissolve-team"

    tab.go("volunteer?tab=teams&org=jiayuan")
    tab_to("#teams tr.clickable")
    opened = page.evaluate("() => document.activeElement.innerText.split('\\t')[0]")
    page.keyboard.press("Enter")
    page.locator("#main h1", has_text=opened).wait_for()
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'")
    office = GatewayApi(console.base, "jiayuan_worker")
    assert any(t["name"] == name for t in office.get("/volunteer/teams", org_unit="jiayuan", page_size=100)["items"])
    assert not tab.errors, tab.errors
