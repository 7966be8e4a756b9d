"""Every screen of the console passes axe-core with no serious or critical violation (issue #22).

"Every screen" is found, not listed: the login page, then for each kind of user every menu entry their role is
offered, then every screen a page links to inside itself (a case, a volunteer, a tab), the first of each route
shape. A screen added tomorrow with a link to it is checked without touching this file. axe-core comes from
the npm registry (deploy/local/axe.sh); the engine's rule set is the one it ships (WCAG 2.0/2.1 A and AA and its
best practices).
"""
from __future__ import annotations

import re

import pytest

# a community worker, a sub-district officer, the district admin: between them every menu entry
USERS = ("jiayuan_worker", "huangqi_officer", "district_admin")


def _shape(route: str) -> str:
    """`#/petitions/p-1a2b?org=x` and `#/petitions/p-9f?org=y` are one screen: the path with ids blanked, and the
    page's tab (`?tab=grants`), which is a screen of its own; other filters are the same screen."""
    path, _, query = route.lstrip("#").partition("?")
    path = "/".join("*" if re.search(r"\d", part) and i > 1 else part for i, part in enumerate(path.strip("/").split("/")))
    tab = re.search(r"(?:^|&)tab=([^&]+)", query)
    return path + (f"?tab={tab.group(1)}" if tab else "")


def test_the_login_page_passes_axe(new_tab, console):
    tab = new_tab()
    tab.page.goto(console.base + "/")
    tab.page.locator("#login-user").wait_for()
    tab.axe("login")


@pytest.mark.parametrize("user", USERS)
def test_every_screen_a_user_can_reach_passes_axe(new_tab, user):
    tab = new_tab()
    tab.login(user)
    menu = tab.page.locator("[data-menu]")
    entries = [menu.nth(i).get_attribute("data-menu") for i in range(menu.count())]
    assert "home" in entries, entries
    seen: set[str] = set()
    checked: list[str] = []
    for entry in entries:
        tab.go(entry)
        tab.axe(f"{user}-{entry}")
        checked.append(entry)
        seen.add(_shape(entry))
        links = tab.page.locator('#main a[href^="#/"]')
        inner = []
        for i in range(min(links.count(), 60)):
            target = links.nth(i).get_attribute("href")
            if target and _shape(target) not in seen:
                seen.add(_shape(target))
                inner.append(target)
        for target in inner[:12]:
            tab.go(target.lstrip("#/"))
            tab.axe(f"{user}-{_shape(target)}")
            checked.append(target)
    assert not tab.errors, tab.errors
    assert len(checked) >= len(entries), checked
