"""民政 in the console (issue #22): every screen welfare's API offers does its real action in the browser, the
effect checked through the API with the demo accounts' tokens, and axe-core on each screen. A household visit is
logged on a phone (390×844) with one thumb: one column, big targets, no sideways scrolling."""
from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from liandong.idnumbers import check_digit
from liandong.testing import wait_for

from .conftest import GatewayApi, artifact

pytestmark = pytest.mark.e2e

CHINA = timezone(timedelta(hours=8))
PHONE = (390, 844)


def today() -> str:
    return datetime.now(CHINA).date().isoformat()


def this_month() -> str:
    return today()[:7]


def id_number(birth: str, serial: int) -> str:
    first = f"220204{birth}{serial:03d}"
    return first + check_digit(first)


def marker() -> str:
    return uuid.uuid4().hex[:6]


def axe(tab, screen: str) -> None:
    tab.axe(screen)  # ConsolePage.axe waits for the notice (toast) to settle


def apply(office: GatewayApi, name: str, serial: int, income_fen: int = 30000) -> dict:
    return office.post("/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban", "household": {
        "members": [{"name": name, "id_number": id_number("19600101", serial), "relation": "applicant",
                     "monthly_income_fen": income_fen, "employment": "unable_to_work"}]}})


# -- 走访 on a phone


def test_a_grid_worker_logs_a_household_visit_and_a_pairing_on_a_phone_with_one_thumb(new_tab, console):
    """The grid worker (网格员) at the door: their grid is the visit's unit, counted under the community."""
    tab = new_tab(viewport=PHONE, has_touch=True, is_mobile=True)
    tab.login("jiayuan_grid")
    page = tab.page
    api = GatewayApi(console.base, "jiayuan_grid", "welfare")
    community = GatewayApi(console.base, "jiayuan_worker", "welfare")
    before = community.get("/visits/counts", org_unit="jiayuan", **{"from": today(), "to": today()})["visits"]

    tab.go("visits", "jiayuan-g1")
    axe(tab, "visits-phone")
    page.locator("#go-visit").tap()
    form = page.locator("#visit-form")
    form.wait_for()
    axe(tab, "visit-form-phone")
    page.screenshot(path=str(artifact("visit-form-phone.png")), full_page=True)  # for a person to look at
    # one column, nothing wider than the phone, every target big enough for a thumb
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0]
    xs = {round(b["x"]) for b in (form.locator(f"[name={n}]").bounding_box() for n in ("kind", "visited", "visited_at", "notes", "money"))}
    assert len(xs) == 1, xs
    for control in form.locator("input, select, textarea, button[type=submit]").all():
        box = control.bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE[0], (control.get_attribute("name"), box)
    who = f"3号楼2单元{marker()}"
    form.locator("[name=visited]").fill(who)
    form.locator("[name=notes]").fill("老人独居，腿脚不便，冬季取暖正常")
    form.locator("[name=money]").fill("200")
    form.locator("button[type=submit]").tap()
    tab.wait_route("#/visits?")
    counts = community.get("/visits/counts", org_unit="jiayuan", **{"from": today(), "to": today()})
    assert counts["visits"] == before + 1
    assert any(w["visitor_name"] == "家园社区网格员（演示）" for w in counts["per_worker"].values())
    page.locator("#visit-counts", has_text="家园社区网格员（演示）").wait_for()

    # a pairing, its visit from its page, then its end
    page.locator("#go-pairing").tap()
    page.locator("#pairing-form").wait_for()
    axe(tab, "pairing-form-phone")
    household = f"困难户{marker()}"
    tab.fill_form("pairing-form", {"household": household, "helper_name": "王干部", "helper_id": "w-001",
                                   "plan": "每月入户一次，协助申请临时救助", "goals": "解决冬季取暖\n孩子入学"})
    page.locator('.pairing[data-status="active"]').wait_for()
    axe(tab, "pairing-phone")
    pairing_id = tab.record_id()
    page.locator("#go-pairing-visit").tap()
    tab.fill_form("visit-form", {"notes": "已联系学校，下周办理入学"})
    page.locator('.pairing[data-status="active"]').wait_for()
    assert len(api.get(f"/pairings/{pairing_id}")["visits"]) == 1
    page.locator("#end-pairing-form [name=reason]").select_option("no_longer_needed")
    page.locator("#end-pairing-form button[type=submit]").tap()
    page.locator('.pairing[data-status="ended"]').wait_for()
    assert api.get(f"/pairings/{pairing_id}")["status"] == "ended"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0]
    assert not tab.errors, tab.errors


# -- 救助: disbursement runs and totals, re-reviews, 公示 objections


def test_a_month_is_disbursed_its_totals_shown_and_a_grant_re_reviewed(new_tab, console):
    worker = GatewayApi(console.base, "jiayuan_worker", "welfare")
    officer = GatewayApi(console.base, "huangqi_officer", "welfare")
    app = apply(worker, "孙桂兰", 401)
    worker.post(f"/applications/{app['id']}/community-review", {"decision": "pass", "notice_days": 0})
    grant = officer.post(f"/applications/{app['id']}/approval", {})["grant"]
    before = worker.get("/disbursements/totals", org_unit="jiayuan", **{"from": f"{this_month()}-01", "to": today()})

    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go("welfare?tab=disbursements", "jiayuan")
    axe(tab, "welfare-disbursements")
    page.locator("#disburse-form [name=period]").fill(this_month())
    page.locator("#disburse-form button[type=submit]").click()
    tab.toast("已发放")
    paid = worker.get("/payments", grant_id=grant["id"])["items"]
    assert [p["period"] for p in paid] == [this_month()]
    after = worker.get("/disbursements/totals", org_unit="jiayuan", **{"from": f"{this_month()}-01", "to": today()})
    assert after["total_fen"] == before["total_fen"] + grant["monthly_amount_fen"]
    tab.wait_route("tab=disbursements")
    shown = page.locator("#disbursement-totals")
    assert int(shown.get_attribute("data-total-fen")) >= after["total_fen"]  # from January: this month's and before
    page.locator("#payments", has_text=grant["id"]).wait_for()

    tab.go("welfare?tab=reviews", "jiayuan")
    axe(tab, "welfare-reviews-due")
    page.locator("#reviews-due .list-total").wait_for()
    due = worker.get("/grants/reviews-due", org_unit="jiayuan", period=grant["next_review_period"])
    tab.go(f"welfare?tab=reviews&period={grant['next_review_period']}", "jiayuan")
    assert page.locator("#reviews-due .list-total").get_attribute("data-total") == str(due["total"])
    page.locator(f'#reviews-due a[href*="/welfare/grants/{grant["id"]}"]').first.wait_for()

    tab.go(f"welfare/grants/{grant['id']}", "jiayuan")
    page.locator('.grant-detail[data-status="active"]').wait_for()
    axe(tab, "welfare-grant")
    tab.fill_form("rereview-form", {"m0.monthly_income": "5000"})  # found working: above the line
    page.locator('.grant-detail[data-status="suspended"]').wait_for()
    assert worker.get(f"/grants/{grant['id']}")["status"] == "suspended"
    assert not tab.errors, tab.errors


def test_an_objection_during_the_notice_is_recorded_and_upheld(new_tab, console):
    worker = GatewayApi(console.base, "jiayuan_worker", "welfare")
    app = apply(worker, "钱志刚", 402)
    worker.post(f"/applications/{app['id']}/community-review", {"decision": "pass", "notice_days": 5})

    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go(f"welfare/{app['id']}", "jiayuan")
    page.locator('.welfare-detail[data-status="in_notice"]').wait_for()
    axe(tab, "welfare-application-in-notice")
    tab.fill_form("objection-form", {"text": "邻居反映其子女有稳定收入", "raised_by": "匿名居民"})
    page.locator("#objections", has_text="邻居反映其子女有稳定收入").wait_for()
    stored = worker.get(f"/applications/{app['id']}")["objections"]
    assert len(stored) == 1 and stored[0]["resolution"] is None
    tab.fill_form(f"resolve-{stored[0]['id']}", {"note": "经核实其子每月给付赡养费2000元", "upheld": "true"})
    page.locator('.welfare-detail[data-status="rejected"]').wait_for()
    assert worker.get(f"/applications/{app['id']}")["status"] == "rejected"
    assert not tab.errors, tab.errors


def test_an_entitled_group_household_states_its_status_and_hands_in_its_certificate(new_tab, console):
    """优抚对象定期抚恤补助 asks what no figure shows: the status stated and the 优抚证 handed in (the programme's own
    checkboxes, from welfare's catalogue)."""
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go("welfare/new", "jiayuan")
    form = page.locator("#application-form")
    form.locator("[name=programme]").select_option("entitled_group_subsidy")
    materials = page.locator("#programme-materials")
    materials.get_by_label("申请人是优抚对象").wait_for()
    axe(tab, "welfare-application-materials")
    form.locator('[name="m0.name"]').fill("褚国庆")
    form.locator('[name="m0.id_number"]').fill(id_number("19550801", 403))
    form.locator('[name="m0.employment"]').select_option("retired")
    page.click("#check-eligibility")
    page.locator('#eligibility-result .eligibility[data-eligible="false"]').wait_for()  # nothing stated yet
    materials.get_by_label("申请人是优抚对象").check()
    materials.get_by_label("已交优抚证").check()
    page.click("#check-eligibility")
    page.locator('#eligibility-result .eligibility[data-eligible="true"]').wait_for()
    assert "申请人身份" in page.locator("#eligibility-result").inner_text()
    page.click("#submit-application")
    page.locator('.welfare-detail[data-status="submitted"]').wait_for()
    app_id = tab.record_id()
    stored = GatewayApi(console.base, "jiayuan_worker", "welfare").get(f"/applications/{app_id}")
    assert stored["household"]["stated_statuses"] == ["entitled_group"] and "优抚证" in stored["household"]["documents_provided"]
    assert stored["eligibility"]["eligible"] is True
    assert not tab.errors, tab.errors


# -- 爱心超市


def test_the_supermarket_takes_donations_hands_out_counts_alerts_and_redeems(new_tab, console):
    api = GatewayApi(console.base, "jiayuan_worker", "welfare")
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go("supermarket", "jiayuan")
    axe(tab, "supermarket-stock")
    page.click("#go-donate")
    page.locator("#donation-form").wait_for()
    axe(tab, "supermarket-donate")
    sku = f"oil-{marker()}"
    tab.fill_form("donation-form", {"name": f"食用油{sku[-6:]}", "sku": sku, "unit": "桶", "quantity": 10,
                                    "unit_value": "45.50", "donor": "华联超市", "coin_price": 20, "low_stock_at": 8,
                                    "donor_kind": "co_building_unit"})
    tab.wait_route("tab=stock")
    item = next(s for s in api.get("/goods/stock", org_unit="jiayuan", page_size=100)["items"] if s["sku"] == sku)
    assert item["quantity"] == 10 and item["stock_value_fen"] == 45500

    tab.go(f"supermarket/handout?item={item['item_id']}", "jiayuan")
    page.locator("#handout-form").wait_for()
    axe(tab, "supermarket-handout")
    tab.fill_form("handout-form", {"quantity": 3, "household_id": "jy-0042", "recipient_name": "周大爷"})
    tab.wait_route("tab=movements")
    axe(tab, "supermarket-movements")
    assert api.get("/goods/stock", org_unit="jiayuan", page_size=100, low_only="true")["items"]
    page.locator("#movements", has_text="周大爷").wait_for()
    handouts = api.get("/goods/movements", org_unit="jiayuan", kind="handout", page_size=100)["items"]
    assert any(m["item_id"] == item["item_id"] and m["quantity"] == 3 for m in handouts)
    # more than the stock: refused, nothing changes
    tab.go(f"supermarket/handout?item={item['item_id']}", "jiayuan")
    tab.fill_form("handout-form", {"quantity": 50, "household_id": "jy-0042"})
    page.locator("#handout-form .form-error", has_text=" ").wait_for()
    assert api.get("/goods/stock", org_unit="jiayuan", page_size=100, low_only="true")["total"] >= 1

    tab.go("supermarket?tab=alerts", "jiayuan")
    axe(tab, "supermarket-alerts")
    page.locator("#alerts", has_text=sku[-6:]).wait_for()  # 7 left, at most 8: an alert

    tab.go("supermarket/stocktake", "jiayuan")
    page.locator("#stocktake-form").wait_for()
    axe(tab, "supermarket-stocktake")
    line = page.locator(f'#stocktake-form [data-item="{item["item_id"]}"]')
    line.locator("input").first.fill("6")
    page.locator("#stocktake-form button[type=submit]").click()
    line.locator(".err", has_text="说明原因").wait_for()  # a difference needs a reason
    line.locator("input").nth(1).fill("一桶漏油报损")
    page.locator("#stocktake-form button[type=submit]").click()
    tab.wait_route("tab=stock")
    stock = {s["item_id"]: s for s in api.get("/goods/stock", org_unit="jiayuan", page_size=100)["items"]}
    assert stock[item["item_id"]]["quantity"] == 6

    with page.expect_download() as download:
        page.click('#stock .export[data-format="xlsx"]')
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert any(sku in str(row) for row in sheet.iter_rows(values_only=True))

    # a redemption: goods held while the coins are asked for; a volunteer without coins is refused or cancelled
    tab.go("supermarket/redeem", "jiayuan")
    page.locator("#redemption-form").wait_for()
    axe(tab, "supermarket-redeem")
    tab.fill_form("redemption-form", {"volunteer_id": f"v-nobody-{marker()}", "quantity": 1, "item_id": item["item_id"]})
    page.locator(".redemption").wait_for()
    axe(tab, "supermarket-redemption")
    redemption_id = tab.record_id()
    if page.locator("#cancel-redemption").count():  # still waiting for the coins: the worker cancels it
        page.click("#cancel-redemption button[type=submit]")
    wait_for(lambda: api.get(f"/goods/redemptions/{redemption_id}")["status"] == "cancelled", message="cancelled")
    page.reload()
    page.locator('.redemption[data-status="cancelled"]').wait_for()
    # the cancellation is saved, then the held goods go back: waited for, not read once
    shelf = lambda: {s["item_id"]: s for s in api.get("/goods/stock", org_unit="jiayuan",  # noqa: E731
                                                      page_size=100)["items"]}[item["item_id"]]
    wait_for(lambda: not shelf()["held"], 30, message="the held goods back on the shelf")
    assert shelf()["quantity"] == 6 and not shelf()["held"]
    assert not tab.errors, tab.errors


# -- 爱心基金


def test_the_charity_fund_takes_a_donation_and_pays_a_grant(new_tab, console):
    api = GatewayApi(console.base, "huangqi_officer", "welfare")
    before = api.get("/fund/jiayuan")["balance_fen"]
    tab = new_tab()
    tab.login("huangqi_officer")
    page = tab.page
    tab.go("fund", "jiayuan")
    axe(tab, "fund")
    tab.fill_form("fund-donation-form", {"donor": "吉林市某建材公司", "amount": "5000", "donor_kind": "co_building_unit"})
    tab.toast("已入账")
    assert api.get("/fund/jiayuan")["balance_fen"] == before + 500000
    tab.wait_route("#/fund")
    tab.fill_form("fund-grant-form", {"recipient": "吴某某", "amount": "800", "reason": "突发重病住院，家庭无力承担"})
    notice = page.locator("#fund-grant-result [data-grant]")
    notice.wait_for()
    grant_id = notice.get_attribute("data-grant")
    tab.fill_form("fund-decision-form", {"grant_id": grant_id, "decision": "approval"})
    tab.toast("已支付")
    account = api.get("/fund/jiayuan")
    assert account["balance_fen"] == before + 500000 - 80000 == account["ledger_sum_fen"]
    tab.wait_route("#/fund")
    page.locator("#fund-entries", has_text="吴某某").wait_for()
    page.locator("#fund-account", has_text=f"{(before + 420000) / 100:,.2f}").wait_for()
    assert not tab.errors, tab.errors


def test_a_community_worker_may_ask_for_a_fund_grant_but_not_decide_it(new_tab, console):
    tab = new_tab()
    tab.login("jiayuan_worker")
    tab.go("fund", "jiayuan")
    tab.page.locator("#fund-grant-form").wait_for()
    axe(tab, "fund-worker")
    assert tab.page.locator("#fund-donation-form, #fund-decision-form").count() == 0
    assert not tab.errors, tab.errors


# -- 人员台账 (#20): each register only for its office


def test_the_registers_are_offered_only_to_their_offices_and_serve_their_people(new_tab, console):
    retirees = new_tab()
    retirees.login("jiayuan_retirees")
    page = retirees.page
    menu = [page.locator("[data-menu]").nth(i).get_attribute("data-menu") for i in range(page.locator("[data-menu]").count())]
    assert "registers" in menu and "employment" not in menu
    retirees.go("registers", "jiayuan")
    axe(retirees, "registers-retirees")
    offered = {page.locator("[data-new-register]").nth(i).get_attribute("data-new-register")
               for i in range(page.locator("[data-new-register]").count())}
    assert offered == {"retiree", "elderly"}

    page.click('[data-new-register="elderly"]')
    page.locator("#register-entry-form").wait_for()
    axe(retirees, "register-entry-form")
    person = id_number("19380520", 500 + int(marker()[:2], 16))
    form = page.locator("#register-entry-form")
    form.locator('[name="details.living_alone"]').check()
    retirees.fill_form("register-entry-form", {"name": "郑秀英", "id_number": person, "address": "家园社区8号楼"})
    page.locator('.register-entry[data-status="active"]').wait_for()
    axe(retirees, "register-entry")
    entry_id = retirees.record_id()
    assert page.locator("#main").inner_text().count("郑秀英") == 0  # the 退管员 holds no personal_data:read: masked
    api = GatewayApi(console.base, "jiayuan_retirees", "welfare")
    entry = api.get(f"/register-entries/{entry_id}")
    assert entry["register"] == "elderly" and entry["details"]["living_alone"] is True and entry["masked"]

    retirees.fill_form("register-service-form", {"money": "100", "goods": "米一袋", "notes": "重阳节慰问",
                                                 "kind": "holiday_greeting"})
    page.locator("#entry-services", has_text="节日慰问").wait_for()
    services = api.get("/register-services", entry_id=entry_id)["items"]
    assert [(s["kind"], s["money_fen"], s["first_for_person"]) for s in services] == [("holiday_greeting", 10000, True)]

    change = page.locator("#register-change-form")
    assert change.locator("[name=address]").count() == 0  # masked for the 退管员: not theirs to rewrite
    change.locator('[name="details.empty_nest"]').check()
    change.locator("button[type=submit]").click()
    retirees.toast("已保存")
    changed = api.get(f"/register-entries/{entry_id}")
    assert changed["details"] == {"living_alone": True, "empty_nest": True, "disabled_care": False} and changed["history"][-1]["changed"] == ["details.empty_nest"]

    retirees.go("registers?tab=services", "jiayuan")
    axe(retirees, "register-services")
    page.locator("#register-services", has_text="节日慰问").wait_for()
    retirees.go("registers?tab=counts", "jiayuan")
    axe(retirees, "register-counts")
    page.locator("#register-counts", has_text="家园社区退管员（演示）").wait_for()

    retirees.go(f"registers/{entry_id}", "jiayuan")
    page.locator("#register-end-form [name=reason]").select_option("moved_away")
    page.locator("#register-end-form button[type=submit]").click()
    page.locator('.register-entry[data-status="ended"]').wait_for()
    assert api.get(f"/register-entries/{entry_id}")["status"] == "ended"
    assert not retirees.errors, retirees.errors

    disability = new_tab()
    disability.login("jiayuan_disability")
    disability.go("registers", "jiayuan")
    axe(disability, "registers-disability")
    assert disability.page.locator("[data-new-register]").evaluate_all("els => els.map(e => e.dataset.newRegister)") == ["disabled"]
    disability.page.click('[data-new-register="disabled"]')
    disability.fill_form("register-entry-form", {"name": "冯建华",
                                                 "id_number": id_number("19700302", 600 + int(marker()[:2], 16)),
                                                 "details.certificate_number": "22020419700302XXXX41",
                                                 "details.category": "physical", "details.grade": "2"})
    disability.page.locator('.register-entry[data-status="active"]').wait_for()
    listed = GatewayApi(console.base, "jiayuan_disability", "welfare").get("/register-entries", org_unit="jiayuan",
                                                                           register="disabled")
    assert listed["total"] >= 1 and listed["items"][0]["details"] == {"category": "physical", "grade": "2",
                                                                      "certificate_number": "22020419700302XXXX41"}
    assert not disability.errors, disability.errors


# -- 就业社保 (#20): the 保障员's


def test_employment_registers_a_job_seeker_follows_a_household_and_places_the_person(new_tab, console):
    worker = new_tab()
    worker.login("jiayuan_worker")
    assert worker.page.locator('[data-menu="employment"]').count() == 0  # a 民政员 is no 保障员

    tab = new_tab()
    tab.login("jiayuan_security")
    page = tab.page
    api = GatewayApi(console.base, "jiayuan_security", "welfare")
    tab.go("employment", "jiayuan")
    axe(tab, "employment-jobseekers")
    before = api.get("/employment/figures", org_unit="jiayuan")
    household = f"JY-{marker()}"
    person = id_number("19780615", 700 + int(marker()[:2], 16))

    page.click("#go-household")
    page.locator("#household-form").wait_for()
    axe(tab, "employment-household-form")
    tab.fill_form("household-form", {"household_key": household, "m0.name": "陈立新", "m0.id_number": person,
                                     "m0.status": "laid_off"})
    page.locator('.zero-household[data-status="open"]').wait_for()
    axe(tab, "employment-household")
    household_id = tab.record_id()
    tab.fill_form("household-visit-form", {"note": "介绍社区公益性岗位，本人有意向"})
    page.locator(".zero-household", has_text="介绍社区公益性岗位").wait_for()
    assert len(api.get(f"/employment/zero-employment-households/{household_id}")["visits"]) == 1

    tab.go("employment/jobseekers/new", "jiayuan")
    page.locator("#jobseeker-form").wait_for()
    axe(tab, "employment-jobseeker-form")
    tab.fill_form("jobseeker-form", {"name": "陈立新", "id_number": person, "phone": "13904321234", "household_key": household,
                                     "skills": "电工、驾驶", "category": "laid_off"})
    page.locator('.jobseeker[data-status="registered"]').wait_for()
    axe(tab, "employment-jobseeker")
    seeker_id = tab.record_id()
    assert api.get("/employment/figures", org_unit="jiayuan")["jobseekers_registered"] == before["jobseekers_registered"] + 1
    certificate = f"ZY{marker()}"
    tab.fill_form("certificate-form", {"number": certificate})
    page.locator(".jobseeker", has_text=certificate).wait_for()
    assert api.get(f"/employment/jobseekers/{seeker_id}")["certificate"]["number"] == certificate
    tab.fill_form("placement-form", {"employer": "家园社区公益性岗位", "kind": "public_welfare_post"})
    page.locator('.jobseeker[data-status="placed"]').wait_for()
    assert api.get(f"/employment/zero-employment-households/{household_id}")["status"] == "cleared"
    assert api.get("/employment/figures", org_unit="jiayuan")["jobseekers_registered"] == before["jobseekers_registered"]

    tab.go("employment/enrolments/new", "jiayuan")
    page.locator("#enrolment-form").wait_for()
    axe(tab, "employment-enrolment-form")
    tab.fill_form("enrolment-form", {"name": "陈立新", "id_number": person})
    tab.wait_route("tab=enrolments")
    axe(tab, "employment-enrolments")
    year = int(today()[:4])
    assert api.get("/employment/medical-insurance-enrolments", org_unit="jiayuan", year=year)["total"] >= 1
    for other in ("certificates", "households", "subsidies"):
        tab.go(f"employment?tab={other}", "jiayuan")
        axe(tab, f"employment-{other}")
    page.locator('a[href*="programme=flexible_employment_insurance_4050"]').first.wait_for()
    assert not tab.errors and not worker.errors, tab.errors + worker.errors
