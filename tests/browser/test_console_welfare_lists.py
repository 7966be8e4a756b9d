"""民政's lists in the console (#22): pairings and visits (走访帮扶), the charity fund's grants (爱心基金 资助申请) and the
love-coin redemptions (爱心超市). Before, the console reached these records only by their number. Each list's records
are made through the API, then found on the screen, filtered, paged (more than a page: the pager names the total),
exported where the role may, and checked with axe-core."""
from __future__ import annotations

import csv
import io

import pytest

from liandong.testing import wait_for

from .conftest import GatewayApi
from .test_console_welfare import axe, marker

pytestmark = pytest.mark.e2e

PAGE = 20  # the console's page size (welfare_kit.js PAGE_SIZE)


def shows_total(tab, section: str, expected: int) -> bool:
    """Whether the list section comes to show this total (共 n 条): the screen is asked again after a filter or a
    page, so the total is waited for; on failure the total shown is named."""
    try:
        tab.page.locator(f'#{section} .list-total[data-total="{expected}"]').wait_for()
        return True
    except Exception:
        shown = tab.page.locator(f"#{section} .list-total").all()
        raise AssertionError(f"{section} shows {[c.get_attribute('data-total') for c in shown]}, not {expected}: "
                             f"{tab.page.locator('#main').inner_text()[:600]}") from None


def rows(tab, section: str) -> list[str]:
    return tab.page.locator(f"#{section} tbody tr").all_inner_texts()


def filter_by(tab, fields: dict, selects: dict | None = None) -> None:
    """Fill the filter bar and press 查询 (the filters go into the address, the list is asked again)."""
    bar = tab.page.locator("form.filters")
    for name, value in fields.items():
        bar.locator(f'[name="{name}"]').fill(value)
    for name, value in (selects or {}).items():
        bar.locator(f'[name="{name}"]').select_option(value)
    bar.locator("button[type=submit]").click()
    tab.page.wait_for_function("() => !document.querySelector('#main .loading')")


def next_page(tab, section: str) -> None:
    tab.page.locator(f"#{section} nav.pager button", has_text="下一页").click()
    tab.page.locator(f"#{section} nav.pager", has_text="第 2 /").wait_for()


def paged(tab, route: str, org: str, section: str) -> str:
    """Open a list of one more record than a page: the first page full, the total named, axe-core on it; then the
    second page with its one row (returned)."""
    tab.go(route, org)
    assert shows_total(tab, section, PAGE + 1) and len(rows(tab, section)) == PAGE
    axe(tab, section)
    next_page(tab, section)
    last = rows(tab, section)
    assert len(last) == 1, last
    return last[0]


def exported_csv(tab, section: str) -> list[list[str]]:
    with tab.page.expect_download() as download:
        tab.page.click(f'#{section} .export[data-format="csv"]')
    return list(csv.reader(io.StringIO(download.value.path().read_bytes().decode("utf-8-sig"))))


def test_pairings_and_visits_are_listed_filtered_paged_and_exported(new_tab, console):
    """The 民政员 of 家园 (personal_data:read, reports:export): every pairing and visit of a helper / visitor, by page."""
    api = GatewayApi(console.base, "jiayuan_worker", "welfare")
    m = marker()
    helper, visitor = f"h-{m}", f"w-{m}"
    for n in range(PAGE + 1):
        api.post("/pairings", {"org_unit_id": "jiayuan", "helper_id": helper, "helper_name": f"帮扶人{m}",
                               "helper_kind": "cadre", "household": f"{n}号楼 困难户{m}", "plan": "每月入户一次"})
        api.post("/visits", {"org_unit_id": "jiayuan", "kind": "condolence" if n % 2 else "home", "visitor_id": visitor,
                             "visitor_name": f"走访人{m}", "visited": f"{n}号楼 老人{m}", "money_fen": 10000})
    tab = new_tab()
    tab.login("jiayuan_worker")

    assert "困难户" in paged(tab, f"visits?tab=pairings&helper_id={helper}", "jiayuan", "pairing-list")
    filter_by(tab, {"household": f"7号楼 困难户{m}"})
    assert shows_total(tab, "pairing-list", 1) and f"7号楼 困难户{m}" in rows(tab, "pairing-list")[0]
    table = exported_csv(tab, "pairing-list")
    assert any(f"7号楼 困难户{m}" in cell for row in table[1:] for cell in row), table[:3]
    tab.page.locator("#pairing-list a", has_text=f"7号楼 困难户{m}").click()  # the row opens its pairing
    tab.page.locator('.pairing[data-status="active"]', has_text=f"7号楼 困难户{m}").wait_for()

    assert "老人" in paged(tab, f"visits?tab=records&visitor_id={visitor}", "jiayuan", "visit-list")
    filter_by(tab, {}, {"kind": "condolence"})
    assert api.get("/visits", visitor_id=visitor, kind="condolence")["total"] == PAGE // 2
    assert shows_total(tab, "visit-list", PAGE // 2)
    assert all("慰问" in r for r in rows(tab, "visit-list"))
    assert not tab.errors, tab.errors


def test_open_fund_grants_are_listed_decided_from_the_list_and_paged(new_tab, console):
    """The 街道干部 (welfare:fund) sees what waits for a decision and decides it from the list; another community's
    worker sees none of it."""
    officer = GatewayApi(console.base, "huangqi_officer", "welfare")
    worker = GatewayApi(console.base, "jiayuan_worker", "welfare")
    m = marker()
    recipient = f"受助人{m}"
    officer.post("/fund/donations", {"org_unit_id": "jiayuan", "donor": "共建单位", "donor_kind": "co_building_unit",
                                     "amount_fen": 10_000_00})
    asked = [worker.post("/fund/grants", {"org_unit_id": "jiayuan", "recipient": recipient, "reason": "住院自付费用高",
                                          "amount_fen": 100 + n})["_id"] for n in range(PAGE + 1)]
    tab = new_tab()
    tab.login("huangqi_officer")

    # the tab opens on the open ones (待审批), newest first
    assert asked[0] in paged(tab, f"fund?tab=grants&recipient={recipient}", "jiayuan", "fund-grants")
    tab.page.locator("#fund-grants button.decide").click()  # 审批: the decision form takes its number
    assert tab.page.locator("#fund-decision-form [name=grant_id]").input_value() == asked[0]
    tab.page.locator("#fund-decision-form button[type=submit]").click()
    tab.page.locator("#toast", has_text="已支付").wait_for()
    assert officer.get("/fund/grants", recipient=recipient, status="paid")["total"] == 1
    tab.page.wait_for_function("() => !document.querySelector('#main .loading')")

    tab.go(f"fund?tab=grants&recipient={recipient}", "jiayuan")
    assert shows_total(tab, "fund-grants", PAGE)  # the paid one waits no more
    filter_by(tab, {}, {"status": "paid"})
    assert shows_total(tab, "fund-grants", 1) and asked[0] in rows(tab, "fund-grants")[0]
    axe(tab, "fund-grants-paid")
    assert not tab.errors, tab.errors

    other = new_tab()
    other.login("huangniling_worker")
    other.go(f"fund?tab=grants&recipient={recipient}&status=all", "huangniling")
    assert shows_total(other, "fund-grants", 0)
    axe(other, "fund-grants-other-community")
    assert not other.errors, other.errors


def test_redemptions_are_listed_by_state_and_volunteer_and_paged(new_tab, console):
    api = GatewayApi(console.base, "jiayuan_worker", "welfare")
    m = marker()
    sku, volunteer = f"soap-{m}", f"v-nobody-{m}"
    api.post("/goods/donations", {"org_unit_id": "jiayuan", "sku": sku, "name": f"肥皂{m}", "unit": "块", "quantity": 50,
                                  "donor": "居民", "unit_value_fen": 300, "coin_price": 2})
    made = [api.post("/goods/redemptions", {"org_unit_id": "jiayuan", "volunteer_id": volunteer,
                                            "items": [{"item_id": f"jiayuan:{sku}", "quantity": 1}]})["id"]
            for _ in range(PAGE + 1)]
    # the volunteer service knows no such volunteer: every redemption is cancelled (or the worker cancels it)
    for rid in made:
        if api.get(f"/goods/redemptions/{rid}")["status"] in ("holding", "awaiting_coins"):
            api.post(f"/goods/redemptions/{rid}/cancel", {}, expect=(200, 409))
    wait_for(lambda: api.get("/goods/redemptions", volunteer_id=volunteer, status="cancelled")["total"] == PAGE + 1,
             30, message="every redemption cancelled")
    tab = new_tab()
    tab.login("jiayuan_worker")

    assert made[0] in paged(tab, f"supermarket?tab=redemptions&volunteer_id={volunteer}", "jiayuan", "redemptions")
    filter_by(tab, {}, {"status": "handed_out"})
    assert shows_total(tab, "redemptions", 0)
    filter_by(tab, {}, {"status": "cancelled"})
    assert shows_total(tab, "redemptions", PAGE + 1)
    assert "已取消" in rows(tab, "redemptions")[0] and f"肥皂{m}×1" in rows(tab, "redemptions")[0]
    table = exported_csv(tab, "redemptions")
    assert sum(1 for row in table[1:] if volunteer in row) == PAGE + 1
    tab.page.locator("#redemptions a", has_text=made[-1]).click()
    tab.page.locator('.redemption[data-status="cancelled"]').wait_for()
    axe(tab, "supermarket-redemption-from-list")
    assert not tab.errors, tab.errors
