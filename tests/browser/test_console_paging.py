"""Paging in the console by cursor (#23: a page asked by number skips every record before it, so page 500 of a
sub-district's petitions costs several times page 1 on FerretDB; a page asked by the `next` of the page before
costs what page 1 costs). The screens keep page numbers in their address; api.js asks a page the user walked to by
its cursor, a page opened by its address by number, and falls back to the number when a list refuses the cursor.
What the user sees is the same either way: each record once, in the list's order, the page number and the total."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import GatewayApi
from .test_console_welfare import marker
from .test_console_welfare_lists import PAGE, rows, shows_total

pytestmark = pytest.mark.e2e

SECTION = "visit-list"


def visited(tab) -> list[int]:
    """The numbers of the visits shown (each visit was made to "n号楼 老人<marker>")."""
    return [int(re.search(r"(\d+)号楼", r)[1]) for r in rows(tab, SECTION)]


def turn(tab, button: str, page: int) -> None:
    tab.page.locator(f"#{SECTION} nav.pager button", has_text=button).click()
    tab.page.locator(f"#{SECTION} nav.pager", has_text=f"第 {page} /").wait_for()


def test_a_list_walked_page_by_page_is_asked_by_cursor_and_shows_what_paging_by_number_shows(new_tab, console):
    api = GatewayApi(console.base, "jiayuan_worker", "welfare")
    m = marker()
    visitor, count = f"w-{m}", 2 * PAGE + 5
    for n in range(count):
        api.post("/visits", {"org_unit_id": "jiayuan", "kind": "home", "visitor_id": visitor, "visitor_name": f"走访人{m}",
                             "visited": f"{n}号楼 老人{m}"})
    by_number = [[int(re.search(r"(\d+)号楼", v["visited"])[1]) for v in
                  api.get("/visits", visitor_id=visitor, page=p, page_size=PAGE)["items"]] for p in (1, 2, 3)]
    assert sorted(sum(by_number, [])) == list(range(count))
    assert api.get("/visits", visitor_id=visitor, page_size=PAGE).get("next"), "the visits list is walked by cursor"

    tab = new_tab()
    tab.login("jiayuan_worker")
    asked: list[dict] = []
    tab.page.on("request", lambda r: asked.append(parse_qs(urlsplit(r.url).query))
                if urlsplit(r.url).path == "/api/v1/welfare/visits" else None)

    def last_asked() -> dict:
        return asked[-1]

    tab.go(f"visits?tab=records&visitor_id={visitor}", "jiayuan")
    assert shows_total(tab, SECTION, count) and visited(tab) == by_number[0]
    turn(tab, "下一页", 2)
    assert "after" in last_asked() and "page" not in last_asked(), last_asked()
    assert visited(tab) == by_number[1]
    turn(tab, "下一页", 3)
    assert "after" in last_asked() and visited(tab) == by_number[2]
    assert "第 3 / 3 页，共 45 条" in tab.page.locator(f"#{SECTION} nav.pager").inner_text()
    turn(tab, "上一页", 2)  # back: page 2 again by the cursor page 1 answered
    assert "after" in last_asked() and visited(tab) == by_number[1]

    # a cursor the list refuses (422 naming `after`: an old one, another list's): the page is asked by its number
    def refuse(route):
        if "after=" in route.request.url:
            route.fulfill(status=422, content_type="application/json", body='{"error": {"code": "validation_failed", '
                          '"message": "invalid query", "fields": {"after": ["not a cursor of this list"]}}}')
        else:
            route.continue_()
    tab.page.route("**/api/v1/welfare/visits?*", refuse)
    turn(tab, "下一页", 3)
    assert "after" in asked[-2] and last_asked().get("page") == ["3"] and visited(tab) == by_number[2]
    tab.page.unroute("**/api/v1/welfare/visits?*")

    # an address opened afresh knows no cursor: its page by number, the same records
    turn(tab, "上一页", 2)
    tab.page.reload()
    tab.page.locator(f"#{SECTION} nav.pager", has_text="第 2 /").wait_for()
    assert last_asked().get("page") == ["2"] and "after" not in last_asked() and visited(tab) == by_number[1]
    assert not [e for e in tab.errors if "422" not in e], tab.errors


def test_every_item_of_a_list_is_read_by_cursor_and_of_a_list_paged_by_number_by_number(new_tab, console):
    """api.js `everyItem` (the pickers: a unit's volunteers, patrol routes, the hall's catalogue, the goods in stock)
    reads a list to its end: by cursor where the list answers `next`, by number where it is paged by number only."""
    api = GatewayApi(console.base, "jiayuan_worker", "welfare")
    m = marker()
    for n in range(25):
        api.post("/visits", {"org_unit_id": "jiayuan", "kind": "home", "visitor_id": f"e-{m}", "visitor_name": "走访人",
                             "visited": f"{n}号楼 老人{m}"})
    catalogue = GatewayApi(console.base, "jiayuan_worker", "petition").get("/hall/items", page_size=100)
    assert "next" not in catalogue and catalogue["total"] > 3  # the catalogue is paged by number only
    tab = new_tab()
    tab.login("jiayuan_worker")
    tab.go("home", "jiayuan")
    asked: list[dict] = []
    tab.page.on("request", lambda r: asked.append(parse_qs(urlsplit(r.url).query))
                if urlsplit(r.url).path == "/api/v1/welfare/visits" else None)
    read = tab.page.evaluate("""async ([visitor]) => {
        const { everyItem } = await import("/console/js/api.js");
        const visits = await everyItem("/api/v1/welfare/visits", { visitor_id: visitor }, 10);
        const items = await everyItem("/api/v1/petition/hall/items", {}, 3);
        return { visits: visits.map((v) => v.visited), items: items.map((i) => JSON.stringify(i)) };
    }""", [f"e-{m}"])
    assert sorted(read["visits"]) == sorted(f"{n}号楼 老人{m}" for n in range(25))
    assert [("after" in q) for q in asked] == [False, True, True]  # three pages of 10, the last two by cursor
    assert sorted(read["items"]) == sorted(json.dumps(i, ensure_ascii=False, separators=(",", ":"))
                                           for i in catalogue["items"])
    assert not tab.errors, tab.errors
