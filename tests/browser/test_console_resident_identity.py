"""居民实名核验 (#22) in the console: a resident registered at the door with an ID number the office holds a
petition for; the 家园 community worker finds the account among those waiting, presses 核验通过, and from the
resident's next sign-in the petition staff registered for them is at their door (checked through the API). Another
community's worker does not see the account. axe-core on the screen."""
from __future__ import annotations

import secrets

import jwt
import pytest
import requests

pytestmark = pytest.mark.e2e

STAFF_PASSWORD = "Liandong-demo-2026"


def call(method: str, url: str, headers: dict | None = None, expect: int = 200, **kw) -> dict:
    r = requests.request(method, url, headers=headers or {}, timeout=15, **kw)
    assert r.status_code == expect, (method, url, r.status_code, r.text[:500])
    return r.json()


def signed_in(base: str, username: str, password: str = STAFF_PASSWORD) -> dict:
    return call("POST", f"{base}/api/v1/auth/login", json={"username": username, "password": password})


def test_the_community_office_confirms_a_door_account_on_its_screen(new_tab, console, tools):
    base = console.base
    office = {"Authorization": f"Bearer {signed_in(base, 'jiayuan_worker')['access_token']}"}
    number = tools.id_number("19640404", f"{secrets.randbelow(900) + 100}")
    mobile, password = "138" + f"{secrets.randbelow(10**8):08d}", "Sun-hexiao-2026"
    pid = call("POST", f"{base}/api/v1/petition/petitions", office, expect=201, json={
        "org_unit_id": "jiayuan", "category": "environment_noise", "channel": "visit", "title": "电梯常坏",
        "content": "5号楼电梯一个月坏了三次。", "petitioners": [{"name": "孙核验", "id_number": number}]})["id"]
    call("POST", f"{base}/api/v1/residents/register", expect=201, json={
        "name": "孙核验", "id_number": number, "mobile": mobile, "password": password, "community": "jiayuan"})
    resident = {"Authorization": f"Bearer {signed_in(base, mobile, password)['access_token']}"}
    assert pid not in [p["id"] for p in call("GET", f"{base}/api/v1/petition/petitions", resident)["items"]]

    other = new_tab()
    other.login("huangniling_worker")
    other.go("resident-identity")
    other.page.locator("#resident-identity").wait_for()
    assert other.page.get_by_role("button", name="核验通过：孙核验").count() == 0

    tab = new_tab()
    tab.login("jiayuan_worker")
    tab.page.locator('[data-menu="resident-identity"]').click()
    tab.page.locator("#resident-identity").wait_for()
    tab.axe("resident-identity")
    tab.page.get_by_role("button", name="核验通过：孙核验").click()
    tab.page.get_by_role("button", name="核验通过：孙核验").wait_for(state="detached")
    tab.page.locator("#toast", has_text="孙核验 已核验").wait_for()
    # the toast fades in over .2s: axe measured mid-fade reads a washed-out colour
    tab.page.wait_for_function("() => getComputedStyle(document.getElementById('toast')).opacity === '1'"
                               " || !document.getElementById('toast').classList.contains('show')")
    tab.axe("resident-identity-after")

    answer = signed_in(base, mobile, password)
    assert answer["user"]["identity_confirmed"] is True
    assert jwt.decode(answer["access_token"], options={"verify_signature": False})["person_key"]
    resident = {"Authorization": f"Bearer {answer['access_token']}"}
    assert pid in [p["id"] for p in call("GET", f"{base}/api/v1/petition/petitions", resident)["items"]]
