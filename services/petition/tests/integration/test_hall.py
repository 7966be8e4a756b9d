"""The one-stop service hall (一站式服务大厅): a resident's matter from the window to 办结 or 退件 within the
item's time limit in working days, the window services tallied per worker — on both storage backends."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from liandong.clock import from_iso
from liandong.testing import assert_like_a_missing_one, wait_for

from petition.bootstrap import detect_overdue

BEIJING = timezone(timedelta(hours=8))
ACCEPTED = "liandong.petition.hall_matter.accepted.v1"
COMPLETED = "liandong.petition.hall_matter.completed.v1"
RETURNED = "liandong.petition.hall_matter.returned.v1"
OVERDUE = "liandong.petition.hall_matter.overdue.v1"
WINDOW = "liandong.petition.window_service.logged.v1"
# 养老金领取资格认证: two working days, 身份证 only; 低保申请: five materials, twenty working days
SURVIVAL_CHECK, DIBAO = "pension_survival_check", "dibao_apply"
DIBAO_MATERIALS = ["身份证", "户口簿", "收入证明", "低保申请书", "家庭财产申报表"]


@pytest.fixture(params=["sqlite", "mongo"])
def hall(request, make_svc, tmp_path):
    """The service on each storage backend, its clock movable (a file), the deadline scan run by hand."""
    svc = make_svc(store=request.param, scan_seconds=3600, clock_file=str(tmp_path / "clock"))
    svc.move_clock(0)
    return svc


def at(svc, local: str) -> None:
    """Set the service's clock to a moment of the Beijing calendar (`2026-12-04T10:00`)."""
    target = datetime.fromisoformat(local).replace(tzinfo=BEIJING)
    svc.move_clock((target - datetime.now(timezone.utc)).total_seconds())


def matter(svc, item=SURVIVAL_CHECK, materials=("身份证",), headers=None, expect=201, **kw) -> dict:
    body = {"org_unit_id": "jiayuan", "item": item, "materials": list(materials),
            "resident": {"name": "王淑芬", "id_number": kw.pop("id_number", None) or svc.id_number("19500101"),
                         "mobile": "13904325678"}, **kw}
    return svc.post("/hall/matters", body, headers=headers, expect=expect).get_json()


def test_the_catalogue_lists_its_items_with_office_materials_and_time_limit(svc):
    items = svc.get("/hall/items", page_size=100)
    assert items["total"] == 36 and len(items["items"]) == 36
    dibao = next(i for i in items["items"] if i["code"] == DIBAO)
    assert dibao == {"code": DIBAO, "name": "低保申请", "office": "minzheng", "office_name": "民政",
                     "materials": DIBAO_MATERIALS, "time_limit_days": 20, "on_behalf": True}
    disability = svc.get("/hall/items", office="canlian")
    assert {i["code"] for i in disability["items"]} == {"disability_certificate", "disability_subsidy",
                                                       "assistive_devices"}
    assert svc.get("/config")["hall_offices"]["tuiguan"] == "退管"  # the labels the gateway's reports use
    assert svc.get("/hall/items", headers=svc.resident("r-1"), expect=403)


def test_a_deployment_configures_its_own_catalogue(make_svc, tmp_path, monkeypatch):
    own = tmp_path / "hall.yaml"
    own.write_text("offices: {minzheng: 民政科}\nitems:\n  heating_aid: {name: 取暖补贴申请, office: minzheng, "
                   "time_limit_days: 7, on_behalf: true, materials: [身份证, 低保证]}\n", encoding="utf-8")
    monkeypatch.setenv("PETITION_HALL_FILE", str(own))
    svc = make_svc()
    assert [i["code"] for i in svc.get("/hall/items")["items"]] == ["heating_aid"]
    taken = matter(svc, item="heating_aid", materials=["身份证", "低保证"])
    assert taken["state"] == "accepted" and taken["office_name"] == "民政科" and taken["time_limit_days"] == 7


def test_missing_materials_are_told_once_and_the_matter_is_accepted_when_they_come(hall):
    at(hall, "2026-12-01T09:00")  # a Tuesday
    pending = matter(hall, item=DIBAO, materials=["身份证", "户口簿", "复印件"], on_behalf=True)
    assert pending["state"] == "pending_materials" and pending["status"] == "补齐材料"
    assert pending["materials_missing"] == ["收入证明", "低保申请书", "家庭财产申报表"]  # all of it, at once
    assert pending["due_date"] is None and pending["accepted_at"] is None  # no time limit runs yet

    at(hall, "2026-12-03T15:00")  # Thursday: the rest is brought
    partly = hall.post(f"/hall/matters/{pending['id']}/materials", {"materials": ["收入证明"]}, expect=200).get_json()
    assert partly["state"] == "pending_materials" and partly["materials_missing"] == ["低保申请书", "家庭财产申报表"]
    done = hall.post(f"/hall/matters/{pending['id']}/materials", {"materials": ["低保申请书", "家庭财产申报表"]},
                     expect=200).get_json()
    assert done["state"] == "accepted" and done["materials_missing"] == []
    assert done["due_date"] == "2026-12-31"  # twenty working days from the Thursday it was accepted
    wait_for(lambda: len([e for e in hall.events({ACCEPTED}) if e.subject == pending["id"]]) == 1, 20,
             message="accepted once, when complete")
    event = next(e for e in hall.events({ACCEPTED}) if e.subject == pending["id"])
    assert event.data["on_behalf"] is True and event.data["office"] == "minzheng"
    assert event.data["due_date"] == "2026-12-31" and len(event.data["person_key"]) == 64
    wire = json.dumps(event.data, ensure_ascii=False)
    assert "王淑芬" not in wire and "13904325678" not in wire

    assert hall.post(f"/hall/matters/{pending['id']}/materials", {"materials": ["x"]}, expect=409)


def test_the_due_date_counts_working_days_over_a_weekend_and_a_holiday(hall):
    admin = hall.headers("district_admin", "chuanying", "/chuanying/")
    hall.client.put("/api/v1/petition/config/holidays", json={"holidays": ["2026-12-07"]}, headers=admin)
    at(hall, "2026-12-04T16:00")  # a Friday; Monday the 7th is a holiday
    taken = matter(hall)  # two working days
    assert taken["state"] == "accepted" and taken["status"] == "受理"
    assert taken["due_date"] == "2026-12-09"  # not Sat, Sun, nor the holiday: Tue the 8th, Wed the 9th
    assert from_iso(taken["due_at"]).astimezone(BEIJING).isoformat().startswith("2026-12-09T23:59:59")


def test_completed_on_time_and_late_and_an_overdue_matter_flagged_once(hall):
    at(hall, "2026-12-01T09:00")  # Tuesday: due Thursday the 3rd
    quick, slow = matter(hall), matter(hall)
    assert quick["due_date"] == slow["due_date"] == "2026-12-03"
    hall.post(f"/hall/matters/{quick['id']}/refer", {"note": "报社保所"}, expect=200)
    at(hall, "2026-12-03T20:00")
    on_time = hall.post(f"/hall/matters/{quick['id']}/complete", {}, expect=200).get_json()
    assert on_time["state"] == "completed" and on_time["on_time"] is True

    hall.post(f"/hall/matters/{slow['id']}/progress", {"note": "等待核对"}, expect=200)
    detect_overdue(hall.settings)
    assert hall.get(f"/hall/matters/{slow['id']}")["overdue"] is False  # still its due date
    at(hall, "2026-12-04T00:30")
    detect_overdue(hall.settings)
    detect_overdue(hall.settings)  # a second scan changes nothing
    flagged = hall.get(f"/hall/matters/{slow['id']}")
    assert flagged["overdue"] is True and flagged["state"] == "in_progress"
    assert hall.get("/hall/matters", overdue="true")["total"] == 1
    late = hall.post(f"/hall/matters/{slow['id']}/complete", {"note": "已办结"}, expect=200).get_json()
    assert late["on_time"] is False and late["overdue"] is False

    wait_for(lambda: len(hall.events({COMPLETED})) == 2, 20, message="two completions on the bus")
    assert {e.subject: e.data["on_time"] for e in hall.events({COMPLETED})} == {quick["id"]: True, slow["id"]: False}
    assert [e.subject for e in hall.events({OVERDUE})] == [slow["id"]]  # once
    assert hall.post(f"/hall/matters/{slow['id']}/complete", {}, expect=409)


def test_a_returned_matter_keeps_its_reason_and_says_whether_it_had_been_accepted(hall):
    taken = matter(hall)
    waiting = matter(hall, item=DIBAO, materials=["身份证"])
    assert hall.post(f"/hall/matters/{taken['id']}/return", {"reason": ""}, expect=422).get_json()["error"]["fields"]
    returned = hall.post(f"/hall/matters/{taken['id']}/return", {"reason": "不符合认证条件"}, expect=200).get_json()
    assert returned["state"] == "returned" and returned["status"] == "退件"
    assert returned["return_reason"] == "不符合认证条件"
    hall.post(f"/hall/matters/{waiting['id']}/return", {"reason": "本人放弃申请"}, expect=200)
    wait_for(lambda: len(hall.events({RETURNED})) == 2, 20, message="two returns on the bus")
    assert {e.subject: e.data["had_been_accepted"] for e in hall.events({RETURNED})} == {
        taken["id"]: True, waiting["id"]: False}
    assert all("reason" not in e.data for e in hall.events({RETURNED}))  # its words stay in the service
    assert hall.post(f"/hall/matters/{taken['id']}/complete", {}, expect=409)


def test_retried_requests_store_and_apply_once(hall):
    worker = hall.staff(user_id="w-1")
    body = {"org_unit_id": "jiayuan", "item": SURVIVAL_CHECK, "materials": ["身份证"],
            "resident": {"name": "李大爷", "id_number": hall.id_number()}}

    def send(path, payload, key):
        return hall.client.post(f"/api/v1/petition{path}", json=payload, headers={**worker, "Idempotency-Key": key})

    first, again = send("/hall/matters", body, "m-1"), send("/hall/matters", body, "m-1")
    assert first.status_code == again.status_code == 201 and first.get_json()["id"] == again.get_json()["id"]
    mid = first.get_json()["id"]
    done = [send(f"/hall/matters/{mid}/complete", {}, "c-1") for _ in range(2)]
    assert [d.status_code for d in done] == [200, 200] and done[1].get_json()["state"] == "completed"
    window = {"org_unit_id": "jiayuan", "office": "tuiguan", "kind": "consultation"}
    logged = [send("/hall/window-services", window, "ws-1") for _ in range(2)]
    assert [x.status_code for x in logged] == [201, 201] and logged[0].get_json()["id"] == logged[1].get_json()["id"]
    assert hall.get("/hall/matters")["total"] == 1 and hall.get("/hall/window-services")["total"] == 1
    wait_for(lambda: len(hall.events({ACCEPTED, COMPLETED, WINDOW})) == 3, 20, message="three events")
    assert sorted(e.type for e in hall.events({ACCEPTED, COMPLETED, WINDOW})) == sorted([ACCEPTED, COMPLETED, WINDOW])


def test_bad_input_is_a_422_naming_the_fields(svc):
    def fields(body):
        return svc.post("/hall/matters", body, expect=422).get_json()["error"]["fields"]

    assert set(fields({"org_unit_id": "jiayuan"})) >= {"item", "resident", "materials"}
    base = {"org_unit_id": "jiayuan", "item": SURVIVAL_CHECK, "materials": ["身份证"],
            "resident": {"name": "王", "id_number": "220204195001011234"}}
    assert "resident" in fields(base)  # the ID number's check digit
    assert "item" in fields({**base, "item": "no_such_item", "resident": {"name": "王", "id_number": svc.id_number()}})
    assert "on_behalf" in fields({**base, "item": "party_transfer", "on_behalf": True,
                                  "resident": {"name": "王", "id_number": svc.id_number()}})  # offers no 代办
    window = svc.post("/hall/window-services", {"org_unit_id": "jiayuan", "office": "nowhere", "kind": "gossip"},
                      expect=422).get_json()["error"]["fields"]
    assert set(window) == {"kind"}
    assert set(svc.post("/hall/window-services", {"org_unit_id": "jiayuan", "office": "nowhere", "kind": "consultation"},
                        expect=422).get_json()["error"]["fields"]) == {"office"}
    assert "colour" in svc.get("/hall/matters", expect=422, colour="red")["error"]["fields"]
    assert "org_unit" in svc.get("/hall/stats", expect=422)["error"]["fields"]


def test_matters_out_of_scope_are_404_like_missing_ones(svc):
    taken = matter(svc)
    other = svc.staff(org_unit="limin", org_path="/chuanying/wusutu/limin/")
    missing = svc.get("/hall/matters/no-such-matter", headers=other, expect=None)
    assert missing.status_code == 404
    for path in (f"/hall/matters/{taken['id']}",):
        assert_like_a_missing_one(svc.get(path, headers=other, expect=None), taken["id"], missing,
                                  "no-such-matter", path)
    for action, body in (("complete", {}), ("return", {"reason": "x"}), ("materials", {"materials": ["x"]})):
        resp = svc.post(f"/hall/matters/{taken['id']}/{action}", body, headers=other)
        assert resp.status_code == 404, (action, resp.get_json())
    assert svc.get("/hall/matters", headers=other)["total"] == 0
    # whoever reads residents' requests may read the hall's matters (a district supervisor), not act on them
    admin = svc.admin()
    assert svc.get(f"/hall/matters/{taken['id']}", headers=admin)["state"] == "accepted"
    assert svc.post(f"/hall/matters/{taken['id']}/complete", {}, headers=admin, expect=403)
    assert svc.post("/hall/window-services", {"org_unit_id": "jiayuan", "office": "tuiguan", "kind": "consultation"},
                    headers=admin, expect=403)
    assert svc.post("/hall/matters", {"org_unit_id": "jiayuan", "item": SURVIVAL_CHECK, "materials": [],
                                      "resident": {"name": "王", "id_number": svc.id_number()}},
                    headers=other, expect=403)


def test_residents_numbers_are_masked_unless_personal_data_read_and_unmasked_reads_are_logged(hall):
    number = hall.id_number("19480202")
    taken = matter(hall, id_number=number)
    assert taken["resident"]["name"] == "王淑芬"
    assert taken["resident"]["id_number"] != number and taken["resident"]["mobile"] != "13904325678"
    listed = hall.get("/hall/matters")["items"][0]["resident"]
    assert listed["id_number"] != number and number[-4:] not in listed["id_number"][:-4]
    log = hall.platform.db.collection("personal_data_access")

    def looks() -> list[dict]:
        return [x for x in log.find({}) if taken["id"] in (x.get("hall_matter_ids") or [])]

    assert looks() == []  # nothing unmasked, nothing logged

    officer = hall.officer(user_id="officer-1", name="赵科长")  # 街道干部 hold personal_data:read
    assert hall.get("/hall/matters", headers=officer)["items"][0]["resident"]["id_number"] == number
    assert hall.get(f"/hall/matters/{taken['id']}", headers=officer)["resident"]["mobile"] == "13904325678"
    seen = looks()
    assert len(seen) == 2 and {s["user_id"] for s in seen} == {"officer-1"}
    stored = hall.uses.hall.matters.collection.find_one({"_id": taken["id"]})
    assert number not in str(stored) and "王淑芬" not in str(stored)  # encrypted at rest


def test_window_services_and_matters_are_counted_per_worker_over_a_period(hall):
    def zhang():  # 退管员 and 保障员 at the windows (a token of the moment: the clock moves)
        return hall.staff(user_id="tg-zhang", name="张退管")

    def li():
        return hall.staff(user_id="bz-li", name="李保障")

    at(hall, "2026-12-01T09:00")
    for kind in ("consultation", "policy_explanation", "policy_explanation"):
        hall.post("/hall/window-services", {"org_unit_id": "jiayuan", "office": "tuiguan", "kind": kind},
                  headers=zhang(), expect=201)
    hall.post("/hall/window-services", {"org_unit_id": "jiayuan", "office": "shebao", "kind": "form_filling"},
              headers=li(), expect=201)
    matter(hall, headers=li())
    waiting = matter(hall, item=DIBAO, materials=["身份证"], headers=li())  # not accepted: not counted
    at(hall, "2026-12-02T09:00")
    hall.post(f"/hall/matters/{waiting['id']}/materials", {"materials": DIBAO_MATERIALS}, headers=zhang(), expect=200)
    hall.post("/hall/window-services", {"org_unit_id": "jiayuan", "office": "tuiguan", "kind": "certificate"},
              headers=zhang(), expect=201)

    stats = hall.get("/hall/stats", org_unit="jiayuan", **{"from": "2026-12-01", "to": "2026-12-01"})
    rows = {w["user_id"]: w for w in stats["workers"]}
    assert rows["tg-zhang"] == {"user_id": "tg-zhang", "name": "张退管", "window_services": 3, "matters_accepted": 0,
                                "by_kind": {"consultation": 1, "policy_explanation": 2}}
    assert rows["bz-li"]["window_services"] == 1 and rows["bz-li"]["matters_accepted"] == 1
    assert stats["window_services"] == 4 and stats["matters_accepted"] == 1
    whole = hall.get("/hall/stats", org_unit="huangqi", headers=hall.officer(),
                     **{"from": "2026-12-01", "to": "2026-12-02"})
    rows = {w["user_id"]: w for w in whole["workers"]}
    assert rows["tg-zhang"]["window_services"] == 4 and rows["tg-zhang"]["matters_accepted"] == 1  # who completed it
    assert whole["window_services"] == 5 and whole["matters_accepted"] == 2
    assert hall.get("/hall/window-services", worker="tg-zhang")["total"] == 4
    assert hall.get("/hall/stats", org_unit="huangqi", expect=403)  # a community worker, the sub-district's figures
    wait_for(lambda: len(hall.events({WINDOW})) == 5, 20, message="five window services on the bus")
    assert {e.data["worker"] for e in hall.events({WINDOW})} == {"tg-zhang", "bz-li"}
