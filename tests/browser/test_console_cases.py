"""The case screens of the console (issue #22): petitions beyond the main line (督办, 上报, 挂起/恢复, 重开, 关联案件,
接访日), the one-stop service hall, and security's patrols, migrants, corrections, households and mediation
follow-ups. Each screen does its real action through the browser; the effect is checked through the gateway's API
with the demo accounts' own tokens; axe-core runs on every screen opened. The field flows — a patrol's check-in
at each point, reporting an incident, registering a migrant — are driven at a phone's size (390×844)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from .conftest import GatewayApi

pytestmark = pytest.mark.e2e

PHONE = (390, 844)
BEIJING = timezone(timedelta(hours=8))


def person_id(tools) -> str:
    return tools.id_number(birth=f"19{random.randint(60, 99)}0{random.randint(1, 9)}1{random.randint(0, 9)}",
                           seq=f"{random.randint(0, 999):03d}")


def beijing_day(days: int = 0) -> str:
    return (datetime.now(BEIJING) + timedelta(days=days)).date().isoformat()


def fits_the_phone(tab, screen: str) -> None:
    """One column, no sideways scrolling: the page is no wider than the phone."""
    overflow = tab.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{screen} is wider than the phone by {overflow}px"


def thumb_button(tab, selector: str) -> None:
    """The form's button is big (≥ 44 px high, nearly the phone's width) and the last thing of its form."""
    box = tab.page.locator(selector).bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= PHONE[0] * 0.7, f"{selector} is too small for a thumb: {box}"


def file_petition(api: GatewayApi, content: str) -> str:
    return api.post("petition/petitions", {"org_unit_id": "jiayuan", "category": "property", "channel": "visit",
                                           "content": content, "petitioners": [{"name": "赵桂兰"}]}, 201)["id"]


def test_a_case_is_suspended_resumed_supervised_linked_escalated_and_reopened_from_its_page(new_tab, console):
    worker = GatewayApi(console.base, "jiayuan_worker")
    pid = file_petition(worker, "小区东门路灯损坏，夜间出行不便。")
    other = file_petition(worker, "东门路灯坏了好几天，老人晚上摔倒。")
    worker.post(f"petition/petitions/{pid}/assign", {"unit_kind": "community", "unit_id": "jiayuan", "person": "刘海燕",
                                                     "deadline": beijing_day(5), "task": "联系物业维修", "requirement": "三日内修复"})
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.visit(f"petitions/{pid}", "jiayuan", axe="petition-detail-assigned")
    tab.submit_form("suspend-form", reason="等待供电公司更换线路")
    page.locator('.petition-detail[data-state="suspended"]').wait_for()
    assert worker.get(f"petition/petitions/{pid}")["state"] == "suspended"
    page.locator("#resume-form button[type=submit]").click()
    page.locator('.petition-detail[data-state="assigned"]').wait_for()
    assert worker.get(f"petition/petitions/{pid}")["state"] == "assigned"

    # 关联案件: the other case is offered as a likely duplicate; linking makes this one the lead
    tab.submit_form("link-form", petition_id=other)
    page.locator(f'#linked-cases a[href*="{other}"]').wait_for()
    assert worker.get(f"petition/petitions/{other}")["matter_id"] == pid

    # 督办 is the sub-district's (petition:supervise): the community worker is not offered it
    assert page.locator("#supervise-form").count() == 0
    officer = new_tab()
    officer.login("huangqi_officer")
    officer.go(f"petitions/{pid}", "huangqi")
    officer.submit_form("supervise-form", note="请于本周内修复并回访", new_deadline=beijing_day(3))
    officer.page.locator(".timeline li", has_text="督办").wait_for()
    officer.axe("petition-detail-supervised")
    assert worker.get(f"petition/petitions/{pid}")["supervision"], "the supervision is on the case"

    # 上报 to the sub-district; the case leaves the community level
    tab.go(f"petitions/{pid}", "jiayuan")
    tab.submit_form("escalate-form", reason="涉及多部门，社区无法协调")
    page.locator('.petition-detail[data-state="escalated"]').wait_for()
    shown = worker.get(f"petition/petitions/{pid}")
    assert (shown["state"], shown["level"]) == ("escalated", "subdistrict")

    # 重开 of an answered case (the petitioner not satisfied): back to handling, to be answered and rated again
    third = file_petition(worker, "楼道堆放杂物，存在消防隐患。")
    worker.post(f"petition/petitions/{third}/assign", {"unit_kind": "community", "unit_id": "jiayuan", "person": "刘海燕",
                                                       "deadline": beijing_day(5), "task": "清理杂物", "requirement": "一周内清理"})
    worker.post(f"petition/petitions/{third}/start", {"mode": "on_site_check"})
    worker.post(f"petition/petitions/{third}/answer", {"text": "已清理"})
    worker.post(f"petition/petitions/{third}/close", {"satisfaction": "not"})
    tab.visit(f"petitions/{third}", "jiayuan", axe="petition-detail-closed")
    tab.submit_form("reopen-form", reason="信访人不满意：杂物又被堆回")
    page.locator('.petition-detail[data-state="in_handling"]').wait_for()
    assert worker.get(f"petition/petitions/{third}")["state"] == "in_handling"
    tab.submit_form("answer-form", text="已联系物业每日巡查并清走杂物")
    tab.submit_form("close-form", satisfaction="satisfied")
    page.locator('.petition-detail[data-state="closed"]').wait_for()
    assert worker.get(f"petition/petitions/{third}")["satisfaction"] == "satisfied"  # rated again
    assert not tab.errors and not officer.errors, tab.errors + officer.errors


def test_the_reception_roster_is_kept_by_the_subdistrict(new_tab, console):
    officer_api = GatewayApi(console.base, "huangqi_officer")
    tab = new_tab()
    tab.login("huangqi_officer")
    page = tab.page
    tab.visit("petitions/roster", "huangqi", axe="petition-roster")
    duty_day = beijing_day(random.randint(40, 300))
    tab.submit_form("duty-form", day=duty_day, leader_name="王书记", title="街道党工委书记")
    tab.toast("已完成")
    roster = officer_api.get("petition/roster", org_unit="huangqi", **{"from": duty_day, "to": duty_day})
    assert [(d["day"], d["leader_name"]) for d in roster["items"]] == [(duty_day, "王书记")]
    # the page shows the days of the period asked, and takes a day off again
    tab.go(f"petitions/roster?from={duty_day}&to={duty_day}", "huangqi")
    page.locator(f'#roster-list [data-remove="{duty_day}"]').click()
    page.locator("#roster-list td.empty").wait_for()
    assert officer_api.get("petition/roster", org_unit="huangqi", **{"from": duty_day, "to": duty_day})["items"] == []

    worker = new_tab()  # a community worker reads the roster but does not keep it
    worker.login("jiayuan_worker")
    worker.go("petitions/roster", "jiayuan")
    worker.page.locator("#roster-list").wait_for()
    assert worker.page.locator("#duty-form").count() == 0
    assert not tab.errors and not worker.errors, tab.errors + worker.errors


def test_the_hall_takes_a_matter_tells_once_what_is_missing_and_carries_it_to_completion(new_tab, console, tools):
    worker = GatewayApi(console.base, "jiayuan_worker")
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go("hall?tab=items", "jiayuan")
    page.locator("#hall-items td", has_text="低保申请").first.wait_for()
    tab.axe("hall-items")
    tab.visit("hall/new?item=temporary_aid", "jiayuan", axe="hall-receive")
    tab.fill_form("matter-form", {"name": "孙秀英", "id_number": person_id(tools)}, submit=False)
    form = page.locator("#matter-form")
    form.get_by_label("身份证", exact=True).check()  # brought only the ID card: 户口簿 and 困难情况说明 are missing
    form.locator("button[type=submit]").click()
    page.locator("#tell-once li", has_text="户口簿").wait_for()
    tab.axe("hall-matter-pending")
    mid = tab.record_id()
    shown = worker.get(f"petition/hall/matters/{mid}")
    assert (shown["state"], sorted(shown["materials_missing"])) == ("pending_materials", sorted(["户口簿", "困难情况说明"]))

    for label in ("户口簿", "困难情况说明"):
        page.locator("#materials-form").get_by_label(label).check()
    page.locator("#materials-form button[type=submit]").click()
    page.locator('.matter-detail[data-state="accepted"]').wait_for()
    assert worker.get(f"petition/hall/matters/{mid}")["due_date"]
    page.locator("#refer-form button[type=submit]").click()
    page.locator('.matter-detail[data-state="referred"]').wait_for()
    page.locator("#complete-form button[type=submit]").click()
    page.locator('.matter-detail[data-state="completed"]').wait_for()
    assert worker.get(f"petition/hall/matters/{mid}")["state"] == "completed"

    # 退件 with a reason
    tab.go("hall/new?item=marriage_certificate_help", "jiayuan")
    tab.submit_form("matter-form", name="钱立新", id_number=person_id(tools))
    tab.submit_form("return-form", reason="不属于本社区办理范围")
    page.locator('.matter-detail[data-state="returned"]').wait_for()

    # the list: filtered by status, paged, with its export
    tab.go("hall?status=completed", "jiayuan")
    page.locator(f'#matter-list a[href*="{mid}"]').wait_for()
    assert page.locator("#matter-list .pager").count() == 1 and page.locator("#matter-list .export").count() == 2
    tab.axe("hall-matters")

    # 窗口服务: logged at the counter, counted per worker
    before = worker.get("petition/hall/window-services", org_unit="jiayuan")["total"]
    tab.visit("hall?tab=window", "jiayuan", axe="hall-window")
    note = f"咨询高龄津贴申领条件（{random.randint(1000, 9999)}）"
    tab.submit_form("window-form", office="minzheng", kind="policy_explanation", note=note)
    page.locator("#window-list td", has_text=note).wait_for()
    assert worker.get("petition/hall/window-services", org_unit="jiayuan")["total"] == before + 1
    tab.go("hall?tab=stats", "jiayuan")
    row = page.locator("#hall-stats tr", has_text="家园社区民政员")
    row.wait_for()
    tab.axe("hall-stats")
    stats = worker.get("petition/hall/stats", org_unit="jiayuan", **{"from": beijing_day(-1), "to": beijing_day(1)})
    mine = next(w for w in stats["workers"] if w["name"] == "家园社区民政员（演示）")
    assert mine["window_services"] >= 1 and mine["matters_accepted"] >= 1
    assert not tab.errors, tab.errors


def test_a_migrant_is_registered_on_a_phone_checked_and_moved_out(new_tab, console, tools):
    police = GatewayApi(console.base, "jiayuan_police")
    tab = new_tab(viewport=PHONE)
    tab.login("jiayuan_police")
    page = tab.page
    tab.go("migrants/new", "jiayuan")
    fits_the_phone(tab, "migrant registration")
    tab.axe("migrant-registration-phone")
    number = person_id(tools)
    tab.fill_form("migrant-form", {"name": "马小军", "id_number": number[:17] + ("0" if number[17] != "0" else "1")},
                  submit=False)
    page.locator('#migrant-form [data-field="id_number"] .err', has_text="校验位").wait_for()  # told at once
    thumb_button(tab, "#migrant-form-submit")
    tab.submit_form("migrant-form", id_number=number, origin="甘肃省天水市", address="家园社区2号楼3单元501",
                    landlord_mobile="13904321234", permit_number="JZ2026-0101", permit_expires_on=beijing_day(5))
    page.locator('.migrant-detail[data-status="active"]').wait_for()
    fits_the_phone(tab, "migrant page")
    tab.axe("migrant-detail-phone")
    mid = tab.record_id()
    assert police.get(f"security/migrants/{mid}")["origin"] == "甘肃省天水市"
    expiring = police.get("security/migrants/expiring", org_unit="jiayuan", within_days=7)
    assert mid in [m["id"] for m in expiring["items"]] or expiring["total"] > len(expiring["items"])

    tab.fill_form("verify-form", {"result": "moved_out", "note": "已退租离开"}, submit=False)
    thumb_button(tab, "#verify-form-submit")
    page.locator("#verify-form-submit").click()
    page.locator('.migrant-detail[data-status="moved_out"]').wait_for()
    assert police.get(f"security/migrants/{mid}")["status"] == "moved_out"

    desk = new_tab()
    desk.login("jiayuan_worker")
    for screen in ("migrants", "migrants?tab=expiring", "migrants?tab=due"):
        desk.go(screen, "jiayuan")
        desk.page.locator("#main section.card h2").first.wait_for()
        desk.axe(f"migrants-{screen}")
    desk.go("migrants?status=moved_out", "jiayuan")
    desk.page.locator("#migrant-list td a", has_text="马小军").first.wait_for()
    assert not tab.errors and not desk.errors, tab.errors + desk.errors


def test_a_patrol_checks_in_at_each_point_on_a_phone_with_a_finding_and_completes(new_tab, console):
    police = GatewayApi(console.base, "jiayuan_police")
    name = f"东区夜巡{random.randint(1000, 9999)}"
    tab = new_tab()
    tab.login("jiayuan_worker")  # the route is drawn at the desk
    tab.visit("patrol?tab=routes", "jiayuan", axe="patrol-routes")
    tab.submit_form("route-form", name=name, checkpoints="东门岗亭｜东门\n3号楼楼道\n地下车库入口")
    tab.page.locator("#route-list td", has_text=name).wait_for()
    route = next(r for r in police.get("security/patrol-routes", org_unit="jiayuan", page_size=100)["items"] if r["name"] == name)
    assert [c["name"] for c in route["checkpoints"]] == ["东门岗亭", "3号楼楼道", "地下车库入口"]

    phone = new_tab(viewport=PHONE)
    phone.login("jiayuan_police")
    page = phone.page
    phone.go("patrol", "jiayuan")
    fits_the_phone(phone, "patrol start")
    phone.axe("patrol-start-phone")
    phone.fill_form("start-run-form", {"route_id": route["id"], "participants": "李警官\n王志愿", "kind": "police"},
                    submit=False)
    thumb_button(phone, "#start-run-form-submit")
    page.locator("#start-run-form-submit").click()
    page.locator('.patrol-run[data-status="in_progress"]').wait_for()
    fits_the_phone(phone, "patrol run")
    phone.axe("patrol-run-phone")
    rid = phone.record_id()
    for i, cp in enumerate(route["checkpoints"]):
        if i == 1:  # a finding goes with this check-in
            page.locator("#finding [name=kind]").select_option("hazard")
            page.locator("#finding [name=description]").fill("楼道堆放电动车电池")
        button = page.locator(f'[data-checkpoint="{cp["id"]}"]')
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 88, box
        button.click()
        page.locator(f'.checkpoint.done[data-checkpoint-id="{cp["id"]}"]').wait_for()
        fits_the_phone(phone, f"patrol run after {cp['name']}")
    run = police.get(f"security/patrol-runs/{rid}")
    assert [c["checkpoint_id"] for c in run["checkins"]] == [c["id"] for c in route["checkpoints"]]
    assert [(f["kind"], f["description"]) for f in run["findings"]] == [("hazard", "楼道堆放电动车电池")]
    # an emergency on the way is reported from the run: the incident is the patrol's
    page.locator("#report-from-run").click()
    phone.submit_form("incident-form", type="fire", severity="high", address="地下车库入口",
                      description="地下车库入口电动车充电冒烟")
    page.wait_for_url("**/security/incidents/**")
    iid = phone.record_id()
    incident = police.get(f"security/incidents/{iid}")
    assert (incident.get("patrol_run_id"), incident.get("reported_by_kind")) == (rid, "patrol"), incident
    phone.go(f"patrol/{rid}", "jiayuan")
    thumb_button(phone, "#complete-run")
    page.locator("#complete-run").click()
    page.locator('.patrol-run[data-status="completed"]').wait_for()
    assert police.get(f"security/patrol-runs/{rid}")["status"] == "completed"

    # 排班: a shift planned at the desk is on the shift list as 待巡逻
    tab.visit("patrol?tab=shifts", "jiayuan", axe="patrol-shifts")
    starts = (datetime.now(BEIJING) + timedelta(days=2)).replace(hour=20, minute=0)
    tab.submit_form("shift-form", route_id=route["id"], starts_at=starts.strftime("%Y-%m-%dT%H:%M"),
                    ends_at=(starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), roster="张护巷\n李护巷")
    tab.page.locator("#shift-list tr", has_text=name).first.wait_for()
    shifts = police.get("security/patrol-shifts", org_unit="jiayuan", status="planned", page_size=100)["items"]
    assert any(s["route_id"] == route["id"] and [p["person_name"] for p in s["roster"]] == ["张护巷", "李护巷"] for s in shifts)
    assert not tab.errors and not phone.errors, tab.errors + phone.errors


def test_an_incident_is_reported_from_a_phone(new_tab, console):
    grid = GatewayApi(console.base, "jiayuan_grid")
    tab = new_tab(viewport=PHONE)
    tab.login("jiayuan_grid")
    page = tab.page
    tab.go("security", "jiayuan-g1")
    fits_the_phone(tab, "security")
    page.locator("#report-incident").click()
    page.locator("#incident-form").wait_for()
    fits_the_phone(tab, "incident report")
    tab.axe("incident-report-phone")
    thumb_button(tab, "#incident-form-submit")
    tab.submit_form("incident-form", type="hazard", severity="medium", address="1号楼北侧",
                    description="1号楼北侧外墙瓷砖松动，有坠落危险")
    page.wait_for_url("**/security/incidents/**")
    page.locator("#main h1", has_text="安全隐患").wait_for()
    iid = tab.record_id()
    shown = grid.get(f"security/incidents/{iid}")
    assert (shown["type"], shown["org_unit_id"], shown["status"]) == ("hazard", "jiayuan-g1", "reported")
    fits_the_phone(tab, "incident page")
    tab.axe("incident-detail-phone")
    # a grid worker reads the migrants' register but does not register them (security:migrants): not offered
    tab.go("migrants", "jiayuan-g1")
    tab.page.locator("#migrant-list").wait_for()
    fits_the_phone(tab, "migrants")
    assert page.locator("#new-migrant").count() == 0
    tab.go("migrants/new", "jiayuan-g1")
    assert page.locator("#migrant-form").count() == 0
    assert not tab.errors, tab.errors


def test_incidents_and_disputes_are_filtered_and_a_mediation_is_followed_up(new_tab, console):
    worker = GatewayApi(console.base, "jiayuan_worker")
    d = worker.post("security/disputes", {"org_unit_id": "jiayuan", "type": "neighbour", "summary": "噪音纠纷",
                                          "parties": [{"name": "甲"}, {"name": "乙"}], "mediator_name": "刘海燕"}, 201)
    worker.post(f"security/disputes/{d['id']}/outcome", {"outcome": "agreement"})
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.go(f"security/disputes/{d['id']}", "jiayuan")
    tab.submit_form("follow-ups-form", note="回访：双方遵守约定，晚十点后不再施工")
    page.locator("#follow-ups li", has_text="晚十点后").wait_for()
    tab.axe("dispute-followed-up")
    assert worker.get(f"security/disputes/{d['id']}")["follow_ups"][0]["agreement_holding"] is True

    tab.go("security?tab=disputes&outcome=agreement", "jiayuan")
    page.locator(f'#dispute-list a[href*="{d["id"]}"]').wait_for()
    tab.go("security?emergency=true", "jiayuan")
    page.locator("#incident-list").wait_for()
    total = worker.get("security/incidents", org_unit="jiayuan", emergency="true")["total"]
    assert f"共 {total} 条" in page.locator("#incident-list h2").inner_text()
    tab.axe("incidents-filtered")
    assert not tab.errors, tab.errors


def test_corrections_are_offered_only_to_their_roles_and_every_read_is_audited(new_tab, console, tools):
    police = GatewayApi(console.base, "jiayuan_police")
    admin = GatewayApi(console.base, "district_admin")
    tab = new_tab()
    tab.login("jiayuan_police")
    page = tab.page
    tab.visit("corrections", "jiayuan", axe="corrections-list")
    tab.submit_form("enrol-form", name="周某某", id_number=person_id(tools), category="community_correction",
                    visit_interval_days="15")
    page.locator("#corrections-visit-form").wait_for()
    tab.axe("corrections-person")
    pid = tab.record_id()
    tab.submit_form("corrections-visit-form", note="到家走访，思想稳定，按时报到")
    page.locator("#visit-log li", has_text="按时报到").wait_for()
    assert [v["note"] for v in police.get(f"security/corrections/people/{pid}")["visits"]] == ["到家走访，思想稳定，按时报到"]
    tab.go("corrections", "jiayuan")
    page.locator("button.scan").click()
    tab.toast("走访超期")
    audit = admin.get("security/audit", record_id=pid)["items"]
    assert audit and all(a["user_id"] for a in audit)

    other = new_tab()  # a community worker without the corrections duty: no menu entry, no list
    other.login("jiayuan_worker")
    assert other.page.locator('[data-menu="corrections"]').count() == 0
    other.go("corrections", "jiayuan")
    other.page.locator("#main p", has_text="没有查看矫正对象的权限").wait_for()
    assert not tab.errors and not other.errors, tab.errors + other.errors


def test_a_household_is_registered_visited_and_its_file_opened_by_an_officer(new_tab, console, tools):
    worker = GatewayApi(console.base, "jiayuan_worker")
    number = f"JY-{random.randint(100000, 999999)}"
    tab = new_tab()
    tab.login("jiayuan_worker")
    page = tab.page
    tab.visit("households", "jiayuan", axe="households")
    tab.submit_form("household-form", household_number=number, building="2号楼")
    page.locator("#resident-form").wait_for()
    hid = tab.record_id()
    tab.submit_form("resident-form", name="吴秀兰", id_number=person_id(tools), relationship="head",
                    residence="registered", dibao=True)
    page.locator(".household-detail td", has_text="吴秀兰").wait_for()
    tab.submit_form("visit-form", findings="独居，身体尚可，需定期送药", follow_up_needed=True)
    page.locator(".household-detail td", has_text="需定期送药").wait_for()
    tab.axe("household")
    shown = worker.get(f"security/households/{hid}")
    assert [m["name"] for m in shown["members"]] == ["吴秀兰"] and "dibao" in shown["members"][0]["tags"]
    assert worker.get(f"security/households/{hid}/visits")["items"][0]["follow_up_needed"] is True
    tab.visit("households?tab=queue", "jiayuan", axe="households-queue")

    officer = new_tab()  # personal_data:read: the household file 一户一档
    officer.login("huangqi_officer")
    officer.go(f"households/{hid}", "huangqi")
    officer.page.locator("#open-file").click()
    officer.page.locator("#main h1", has_text="一户一档").wait_for()
    officer.page.locator("#main h2", has_text="吴秀兰").wait_for()
    officer.axe("household-file")
    assert not tab.errors and not officer.errors, tab.errors + officer.errors
