"""Attachments in the console (#22, docs/attachments.md): the photo or document goes up where the work happens —
filing a petition at the desk, reporting an incident from a phone (its camera: `accept="image/*"
capture="environment"`), a welfare application's materials by the programme's own list — and each record's page
shows its files with thumbnails, who sent them and when, download, and removal of one sent by mistake. Every
effect is checked through the gateway's API (the photo kept without its GPS position); axe-core on each screen."""
from __future__ import annotations

import random

import pytest
import requests

from liandong.attachments_testing import WHERE, gps_of, photo

from .conftest import GatewayApi as Api
from .test_console_cases import PHONE

pytestmark = pytest.mark.e2e


def raw(api: Api, path: str) -> bytes:
    """A file as the API gives it (the bytes kept), with the account's token."""
    r = requests.get(f"{api.base}/api/v1/{path}", headers=api.headers, timeout=20)
    assert r.status_code == 200, r.text[:300]
    return r.content


def axe(tab, screen: str) -> None:
    """axe-core once the notice (toast) is not fading: half-transparent text is no state a user reads."""
    tab.page.wait_for_function("() => { const t = document.querySelector('#toast'); "
                               "return !t || ['0', '1'].includes(getComputedStyle(t).opacity); }")
    tab.axe(screen)


def phone_photo(name: str = "现场.jpg") -> dict:
    data = photo(1600, 1200)
    assert gps_of(data) == WHERE  # the phone wrote where it was taken
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def thumbnail_shown(page, card: str = "#attachments") -> None:
    """A thumbnail fetched with the caller's token and drawn (its natural width is the JPEG's, not 0)."""
    img = page.locator(f"{card}-list img.attachment-thumbnail").first
    img.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())


def test_a_petitions_material_is_filed_with_it_shown_refused_in_the_services_words_and_removed(new_tab, console):
    worker = Api(console.base, "jiayuan_worker")
    content = f"小区垃圾站异味扰民{random.randint(1000, 9999)}"
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go("petitions/new", "jiayuan")
    page.locator("#petition-form").wait_for()
    axe(tab, "petition-intake-with-material")
    form = page.locator("#petition-form")
    form.locator("[name=category]").select_option(index=1)
    form.locator("[name=content]").fill(content)
    form.locator('[name="p0.name"]').fill("钱秀英")
    form.locator("input[type=file]").set_input_files(phone_photo("垃圾站.jpg"))
    form.locator("img.attachment-preview").wait_for()  # the chosen photo, before it is sent
    page.locator("#submit-petition").click()
    page.wait_for_url("**/petitions/**")
    page.locator(".petition-detail").wait_for()
    pid = page.url.split("#/petitions/")[1].split("?")[0]
    thumbnail_shown(page)
    item = page.locator("#attachments-list li.attachment").first
    assert "垃圾站.jpg" in item.inner_text() and "信访材料" in item.inner_text()
    assert page.locator("#user-name").inner_text() in item.inner_text()  # who sent it, by name
    axe(tab, "petition-detail-with-attachment")

    url = f"petition/petitions/{pid}/attachments"
    [kept] = worker.get(url)["items"]
    assert (kept["filename"], kept["label"], kept["location_kept"]) == ("垃圾站.jpg", "信访材料", False)
    assert gps_of(raw(worker, f"{url}/{kept['id']}")) == {}  # the position never reached the store

    # a program renamed like a photo: the service's refusal, in its own words, under the field
    upload = page.locator("#attachments-form")
    upload.locator("input[type=file]").set_input_files({"name": "照片.jpg", "mimeType": "image/jpeg",
                                                         "buffer": b"MZ\x90\x00" + b"\x00" * 64})
    upload.locator("#attachments-upload").click()
    upload.locator(".err", has_text="不支持这种文件").wait_for()
    assert upload.locator("input[type=file]").get_attribute("aria-invalid") == "true"
    axe(tab, "petition-attachment-refused")
    assert worker.get(url)["total"] == 1

    # the one sent by mistake is removed: two presses, then gone from the page and the service
    page.locator("#attachments-list button", has_text="删除").click()
    page.locator("#attachments-list button", has_text="确认删除").click()
    page.locator("#attachments p[role=status]", has_text="还没有附件").wait_for()
    assert worker.get(url)["total"] == 0
    assert not tab.errors, tab.errors


def test_an_incident_is_reported_on_a_phone_with_the_cameras_photo(new_tab, console):
    grid = Api(console.base, "jiayuan_grid")
    tab = new_tab(viewport=PHONE)
    tab.login("jiayuan_grid")
    page = tab.page
    tab.go("security/report", "jiayuan-g1")
    form = page.locator("#incident-form")
    form.wait_for()
    camera = form.locator("input[type=file]")
    assert (camera.get_attribute("accept"), camera.get_attribute("capture")) == ("image/*", "environment")
    axe(tab, "incident-report-with-photo-phone")
    form.locator("[name=type]").select_option("hazard")
    form.locator("[name=severity]").select_option("medium")
    form.locator("[name=address]").fill("2号楼东侧")
    form.locator("[name=description]").fill("2号楼东侧井盖缺失")
    camera.set_input_files(phone_photo("井盖.jpg"))
    form.locator("img.attachment-preview").wait_for()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the report with its photo is wider than the phone by {overflow}px"
    page.locator("#incident-form-submit").click()
    page.wait_for_url("**/security/incidents/**")
    iid = page.url.split("#/security/incidents/")[1].split("?")[0]
    thumbnail_shown(page)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the incident page is wider than the phone by {overflow}px"
    axe(tab, "incident-detail-with-photo-phone")
    [kept] = grid.get(f"security/incidents/{iid}/attachments")["items"]
    assert (kept["filename"], kept["label"], kept["location_kept"], kept["has_thumbnail"]) == \
        ("井盖.jpg", "现场照片", False, True)
    assert gps_of(raw(grid, f"security/incidents/{iid}/attachments/{kept['id']}")) == {}
    assert not tab.errors, tab.errors


def test_a_welfare_application_shows_which_materials_are_still_missing(new_tab, console, tools):
    worker = Api(console.base, "jiayuan_worker")
    app = worker.post("welfare/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban", "household": {
        "members": [{"name": "孙德福", "id_number": tools.id_number("19580101", f"{random.randint(0, 999):03d}"),
                     "relation": "applicant", "monthly_income_fen": 30000, "employment": "unable_to_work"}]}})
    documents = next(p for p in worker.get("welfare/programmes", page_size=100)["items"]
                     if p["code"] == "dibao_urban")["documents"]
    assert len(documents) >= 2
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go(f"welfare/{app['id']}", "jiayuan")
    missing = page.locator("#attachments-missing")
    missing.wait_for()
    assert missing.inner_text() == f"还缺：{'、'.join(documents)}"
    axe(tab, "welfare-application-materials")
    form = page.locator("#attachments-form")
    form.locator("[name=label]").select_option(documents[1])
    form.locator("input[type=file]").set_input_files(phone_photo("身份证.jpg"))
    form.locator("#attachments-upload").click()
    page.locator(f'#attachments-required li[data-material="{documents[1]}"][data-provided="true"]').wait_for()
    assert missing.inner_text() == f"还缺：{'、'.join(d for d in documents if d != documents[1])}"
    thumbnail_shown(page)
    axe(tab, "welfare-application-material-uploaded")
    [kept] = worker.get(f"welfare/applications/{app['id']}/attachments")["items"]
    assert (kept["label"], kept["filename"]) == (documents[1], "身份证.jpg")
    assert not tab.errors, tab.errors


def test_a_patrols_finding_goes_with_its_photo_from_a_phone(new_tab, console):
    police = Api(console.base, "jiayuan_police")
    route = police.post("security/patrol-routes", {"org_unit_id": "jiayuan", "name": f"北区巡逻{random.randint(1000, 9999)}",
                                                   "checkpoints": [{"name": "北门"}, {"name": "车棚"}]})
    run = police.post("security/patrol-runs", {"route_id": route["id"],
                                               "participants": [{"person_name": "刘警官", "kind": "police"}]})
    tab = new_tab(viewport=PHONE)
    tab.login("jiayuan_police")
    page = tab.page
    tab.go(f"patrol/{run['id']}", "jiayuan")
    finding = page.locator("#finding")
    camera = finding.locator("input[type=file]")
    assert (camera.get_attribute("accept"), camera.get_attribute("capture")) == ("image/*", "environment")
    axe(tab, "patrol-run-finding-photo-phone")
    finding.locator("[name=kind]").select_option("hazard")
    finding.locator("[name=description]").fill("车棚消防通道被电动车堵塞")
    camera.set_input_files(phone_photo("车棚.jpg"))
    cp = route["checkpoints"][1]
    page.locator(f'[data-checkpoint="{cp["id"]}"]').click()
    page.locator(f'.checkpoint.done[data-checkpoint-id="{cp["id"]}"]').wait_for()
    thumbnail_shown(page)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the run with its photo is wider than the phone by {overflow}px"
    axe(tab, "patrol-run-with-photo-phone")
    [kept] = police.get(f"security/patrol-runs/{run['id']}/attachments")["items"]
    assert (kept["filename"], kept["label"]) == ("车棚.jpg", "车棚：安全隐患")
    assert [(f["checkpoint_id"], f["kind"]) for f in police.get(f"security/patrol-runs/{run['id']}")["findings"]] == \
        [(cp["id"], "hazard")]
    assert not tab.errors, tab.errors
