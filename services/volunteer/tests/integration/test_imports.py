"""The volunteer roster (志愿者名册) an office imports on rollout day, through the HTTP routes: volunteers registered
once by their ID number, their hours and coins carried forward (期初结转) once as opening entries, the books still
balanced; bad rows named by row and column, all-or-nothing, GBK CSV, a large file as a background job."""
from __future__ import annotations

import io

import pytest

from liandong import idnumbers
from liandong.testing import STORES, at_once, ledger_csv, ledger_xlsx, unique, wait_for

HEADERS = ["社区", "姓名", "身份证号", "联系电话", "志愿者类别", "共建单位名称", "服务队", "技能/服务类型", "注册日期",
           "累计服务时长(小时)", "爱心币余额"]
REGISTERED, CREDITED, ATTENDED = ("liandong.volunteer.registered.v1", "liandong.volunteer.coins.credited.v1",
                                  "liandong.volunteer.attendance.recorded.v1")


def id_number(seq: int) -> str:
    first = f"220204{1950 + seq % 50}0{1 + seq % 9}1{seq % 10}{seq % 1000:03d}"[:17]
    return first + idnumbers.check_digit(first)


def row(seq: int, name: str | None = None, community="家园社区", hours="12.5", coins=300, team=None,
        registered="2019-03-05", kind="居民志愿者", skills="急救、助老") -> list:
    return [community, name or f"志愿者{seq}", id_number(seq), f"139{seq:08d}", kind, None, team, skills,
            registered, hours, coins]


def xlsx(rows: list[list], headers=HEADERS) -> bytes:
    return ledger_xlsx(headers, rows)


def upload(svc, path: str, data: bytes, name="志愿者名册.xlsx", mode=None, headers=None, **query):
    form = {"file": (io.BytesIO(data), name), **({"mode": mode} if mode else {})}
    return svc.client.post(f"/api/v1/volunteer/imports/{path}", data=form, content_type="multipart/form-data",
                           headers=headers or svc.staff(), query_string=query or None)


def imported(svc, data: bytes, expect=201, **kw) -> dict:
    r = upload(svc, "volunteers", data, **kw)
    assert r.status_code == expect, r.get_json()
    return r.get_json()


def by_name(svc, names) -> dict:
    items = svc.get("/volunteers", org_unit="jiayuan", page_size=100)["items"]
    return {v["name"]: v for v in items if v["name"] in names}


def books_balance(svc) -> dict:
    wait_for(svc.settled, 20, message="worker settled")
    check = svc.get("/coins/check", headers=svc.district())
    assert check["consistent"] is True and check["sum_of_balances"] == 0, check
    return check


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_a_roster_registers_volunteers_with_their_opening_hours_and_coins_once(svc):
    team = svc.post("/teams", {"name": "敬老服务队", "type": "elderly_care", "org_unit_id": "jiayuan",
                               "member_ids": []}, expect=201).get_json()
    names = [unique("张"), unique("李")]
    roster = xlsx([row(1, names[0], hours="126.5", coins=300, team="敬老服务队"),
                   row(2, names[1], hours="0", coins=0, registered="2021-11-20")])
    job = imported(svc, roster)
    assert (job["status"], job["created"], job["unchanged"], job["progress"]) == ("done", 2, 0, 1.0)

    found = by_name(svc, names)
    first, second = found[names[0]], found[names[1]]
    assert first["registered_at"] == "2019-03-04T16:00:00.000000Z"  # 2019-03-05 in China
    assert first["skills"] == sorted(["急救", "助老"]) and first["id_number"] == idnumbers.mask(id_number(1))
    one = svc.get(f"/volunteers/{first['id']}")
    assert one["teams"] == [team["id"]]
    totals = one["totals"]
    assert (totals["hours"], totals["opening_hours"], totals["activities"]) == (126.5, 126.5, 0)
    assert (totals["available"], totals["total"]) == (300, 300)
    lines = svc.statement(first["id"])
    assert [(x["kind"], x["reason"], x["amount"], x["balance"], x["counterparty"]) for x in lines] == [
        ("opening", "期初结转", 300, 300, "opening:jiayuan")]
    assert svc.statement(second["id"]) == [] and svc.get(f"/volunteers/{second['id']}")["totals"]["hours"] == 0
    check = books_balance(svc)

    # the events the reports read: the hours and the coins, each marked as carried forward
    def published():
        return [(e.type, e.data.get("source") or e.data.get("reason"), e.data.get("minutes") or e.data.get("coins"))
                for e in svc.events({REGISTERED, CREDITED, ATTENDED}) if e.data["volunteer_id"] == first["id"]]

    wait_for(lambda: len(published()) == 3, 20, message="registered, credited and attendance events")
    assert sorted(published()) == sorted([(REGISTERED, None, None), (CREDITED, "opening", 300),
                                          (ATTENDED, "opening", 7590)])
    stats = svc.get("/stats", org_unit="jiayuan", headers=svc.district())
    assert (stats["opening_hours"], stats["coins_opening"]) >= (126.5, 300)

    # the same file again: nothing changes, nothing is posted or published twice
    again = imported(svc, roster)
    assert (again["status"], again["created"], again["updated"], again["unchanged"]) == ("done", 0, 0, 2)
    assert len(by_name(svc, names)) == 2
    assert svc.balance(first["id"])["total"] == 300 and len(svc.statement(first["id"])) == 1
    assert svc.get(f"/volunteers/{first['id']}")["totals"]["hours"] == 126.5
    assert books_balance(svc)["entries"] == check["entries"]
    assert len(published()) == 3
    # each import in the audit trail: its file's hash and what it counted (the gateway keeps them)
    completed = wait_for(lambda: (done := svc.events({"liandong.volunteer.import.completed.v1"})) and
                         len(done) == 2 and done, 20, message="two import.completed events")
    assert [(e.data["created"], e.data["unchanged"], e.data["file_sha256"]) for e in completed] == [
        (2, 0, job["file_sha256"]), (0, 2, job["file_sha256"])]


def test_another_opening_for_an_imported_volunteer_is_a_row_error_never_a_second_posting(svc):
    name = unique("王")
    imported(svc, xlsx([row(3, name, hours="10", coins=100)]))
    vid = by_name(svc, [name])[name]["id"]
    changed = xlsx([row(3, name, hours="10", coins=150)])
    preview = upload(svc, "volunteers/preview", changed).get_json()
    assert preview["bad_rows"] == 1 and "期初余额已导入且不同" in preview["problems"][0]["message"]
    assert preview["problems"][0]["header"] == "爱心币余额"
    r = upload(svc, "volunteers", changed)
    assert r.status_code == 422 and "期初余额已导入且不同" in r.get_json()["error"]["fields"]["rows"][0]
    job = imported(svc, changed, mode="good_rows")
    assert (job["created"], job["updated"], job["unchanged"], job["rejected"]) == (0, 0, 0, 1)
    assert svc.balance(vid)["total"] == 100 and len(svc.statement(vid)) == 1
    books_balance(svc)


def test_a_volunteer_registered_before_gets_the_opening_once_even_after_a_crash_half_way(svc):
    """A volunteer registered by hand (with their ID number) is found, not registered twice; an opening whose
    coins were posted before the process died is finished, not posted again."""
    name = unique("赵")
    vid = svc.register(name=name, id_number=id_number(4), mobile="13900000004")["id"]
    v = svc.stores.volunteers.get(vid)
    svc.stores.ledger.carry_forward(vid, 80, v.org_unit_id, v.org_path, {})  # the crash: coins, no hours row
    job = imported(svc, xlsx([row(4, name, hours="5.5", coins=80)]))
    assert (job["created"], job["updated"], job["failed"]) == (0, 1, 0)
    assert len(by_name(svc, [name])) == 1
    assert svc.balance(vid)["total"] == 80 and len(svc.statement(vid)) == 1
    assert svc.get(f"/volunteers/{vid}")["totals"]["opening_hours"] == 5.5
    books_balance(svc)


def test_the_template_downloads_and_imports_once_filled(svc):
    from openpyxl import load_workbook

    r = svc.client.get("/api/v1/volunteer/imports/volunteers/template", headers=svc.staff())
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.data))
    sheet = book["数据"]
    assert [c.value for c in sheet[1]] == HEADERS
    name = unique("孙")
    sheet.append(row(5, name))  # below the example row, which is skipped
    out = io.BytesIO()
    book.save(out)
    job = imported(svc, out.getvalue())
    assert (job["created"], job["example_skipped"]) == (1, 1)
    assert name in by_name(svc, [name])


def test_the_preview_names_every_problem_by_row_and_column(svc):
    bad_digit = row(6)
    bad_digit[2] = id_number(6)[:-1] + ("1" if id_number(6)[-1] == "0" else "0")
    rows = [row(7), bad_digit, row(8, community="不存在社区"), row(7), row(9, hours="3.25"),
            row(10, registered="2999-01-01"), row(11, coins=-5), row(12, team="没有这个队")]
    preview = upload(svc, "volunteers/preview", xlsx(rows)).get_json()
    said = {(p["row"], p["header"]): p["message"] for p in preview["problems"]}
    assert "校验位错误" in said[(3, "身份证号")]
    assert "不是您可导入的单位" in said[(4, "社区")]
    assert "与第 2 行重复" in said[(5, None)]
    assert "最多 1 位小数" in said[(6, "累计服务时长(小时)")]
    assert "在今天之后" in said[(7, "注册日期")]
    assert "应在 0 到" in said[(8, "爱心币余额")]
    assert "没有名为「没有这个队」的服务队" in said[(9, "服务队")]
    assert (preview["rows"], preview["good_rows"]) == (8, 1)
    assert svc.get("/volunteers", org_unit="jiayuan")["total"] == 0  # a preview writes nothing


def test_a_community_outside_the_callers_scope_is_refused(svc):
    preview = upload(svc, "volunteers/preview", xlsx([row(13, community="黄泥岭社区")])).get_json()
    assert preview["bad_rows"] == 1 and preview["problems"][0]["header"] == "社区"
    r = upload(svc, "volunteers", xlsx([row(13, community="黄泥岭社区")]))
    assert r.status_code == 422
    assert svc.get("/volunteers", org_unit="huangniling", headers=svc.district())["total"] == 0
    resident = upload(svc, "volunteers", xlsx([row(13)]), headers=svc.resident("user-x"))
    assert resident.status_code == 403  # volunteer:manage is what imports a roster


def test_an_id_number_registered_under_another_name_or_in_another_community_one_manages_is_refused(svc):
    """One person, one registration in the importer's sight; a registration out of their sight is not named
    (a community worker learns nothing about another community) and the roster registers the person here."""
    elsewhere = svc.register(name="黄泥岭志愿者", org_unit="huangniling", headers=svc.district(),
                             id_number=id_number(17))["id"]
    svc.register(name="孙秀兰", id_number=id_number(18))
    roster = xlsx([row(17, "黄泥岭志愿者"), row(18, "孙秀英")])
    preview = upload(svc, "volunteers/preview", roster, headers=svc.district()).get_json()
    said = {(p["row"], p["header"]): p["message"] for p in preview["problems"]}
    assert said == {(2, "社区"): "该身份证号已在您管辖的另一社区登记为志愿者",
                    (3, "姓名"): "该身份证号已登记为另一姓名的志愿者,请核对"}
    # 家园's worker does not see 黄泥岭: the first row is theirs to register, the second still wrong
    preview = upload(svc, "volunteers/preview", roster).get_json()
    assert [(p["row"], p["header"]) for p in preview["problems"]] == [(3, "姓名")]
    job = imported(svc, roster, mode="good_rows")
    assert (job["created"], job["rejected"]) == (1, 1)
    assert svc.get("/volunteers", headers=svc.district())["total"] == 3
    assert svc.stores.ledger.balance(elsewhere)["total"] == 0  # the opening went to 家园's registration
    assert imported(svc, roster, mode="good_rows")["unchanged"] == 1  # and is found there again


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_mode_all_with_one_bad_row_writes_nothing_and_good_rows_returns_the_bad_one(svc):
    from openpyxl import load_workbook

    names = [unique("周"), unique("吴")]
    rows = [row(14, names[0]), row(15, names[1], hours="abc")]
    r = upload(svc, "volunteers", xlsx(rows))
    assert r.status_code == 422 and "第 3 行" in r.get_json()["error"]["fields"]["rows"][0]
    assert svc.get("/volunteers", org_unit="jiayuan")["total"] == 0
    assert svc.stores.ledger.entries.count_documents({}) == 0
    job = imported(svc, xlsx(rows), mode="good_rows")
    assert (job["created"], job["rejected"]) == (1, 1)
    assert list(by_name(svc, names)) == [names[0]]
    rejected = svc.client.get(f"/api/v1/volunteer/imports/jobs/{job['id']}/rejected", headers=svc.staff())
    sheet = load_workbook(io.BytesIO(rejected.data)).active
    values = [[c.value for c in line] for line in sheet.iter_rows()]
    assert len(values) == 2 and values[1][1] == names[1] and "应为数字" in values[1][-1]
    books_balance(svc)


@pytest.mark.parametrize("svc", ["mongo"], indirect=True)  # SQLite writes an import's rows in one transaction
def test_the_same_roster_sent_twice_at_once_registers_and_posts_each_volunteer_once(svc):
    names = [unique("双") for _ in range(12)]
    roster = xlsx([row(200 + i, name, hours="2", coins=20) for i, name in enumerate(names)])

    def send(_):
        r = svc.app.test_client().post("/api/v1/volunteer/imports/volunteers", headers=svc.staff(),
                                       data={"file": (io.BytesIO(roster), "志愿者名册.xlsx")},
                                       content_type="multipart/form-data")
        return r.status_code, r.get_json()

    answers = at_once(send, 1, 2)
    assert [status for status, _ in answers] == [201, 201], answers
    assert sum(job["created"] for _, job in answers) == 12 and sum(job["failed"] for _, job in answers) == 0
    assert len(by_name(svc, names)) == 12 and svc.get("/volunteers", org_unit="jiayuan")["total"] == 12
    for v in by_name(svc, names).values():
        assert svc.balance(v["id"])["total"] == 20 and len(svc.statement(v["id"])) == 1
    assert books_balance(svc)["entries"] == 12


def test_a_gbk_csv_from_the_offices_excel_imports(svc):
    name = unique("郑")
    job = imported(svc, ledger_csv(HEADERS, [row(16, name, skills="急救")]), name="志愿者名册.csv")
    assert job["created"] == 1 and job["file_format"] == "csv"
    vid = by_name(svc, [name])[name]["id"]
    assert svc.balance(vid)["total"] == 300


def test_a_roster_of_250_runs_as_a_background_job_to_done(svc):
    # SQLite only: on FerretDB each row's ledger posting takes a few locked writes (0.12 s a row alone, up to
    # 0.8 s on the shared test machine); the other roster tests run on both backends
    rows = [row(100 + i, f"批量{i}", hours="1.5", coins=10) for i in range(250)]
    r = upload(svc, "volunteers", xlsx(rows))
    assert r.status_code == 202, r.get_json()
    job_id = r.get_json()["id"]

    def finished():
        job = svc.get(f"/imports/jobs/{job_id}")
        return job if job["status"] != "running" else None

    job = wait_for(finished, 240, interval=0.5, message="the import job finishes")
    assert (job["status"], job["progress"], job["created"]) == ("done", 1.0, 250)
    assert svc.get("/volunteers", org_unit="jiayuan")["total"] == 250
    assert books_balance(svc)["entries"] == 250
    assert svc.get("/stats", org_unit="jiayuan", headers=svc.district())["coins_opening"] == 2500


def test_the_opening_events_reach_the_reports_over_kafka(make_svc):
    svc = make_svc(bus="kafka")
    name = unique("钱")
    job = imported(svc, xlsx([row(400, name, hours="8", coins=40)]))
    vid = by_name(svc, [name])[name]["id"]
    wait_for(lambda: {(e.type, e.data.get("source") or e.data.get("reason"))
                      for e in svc.events({CREDITED, ATTENDED}) if e.data["volunteer_id"] == vid} == {
        (CREDITED, "opening"), (ATTENDED, "opening")}, 60, message="the opening events on Kafka")
    assert job["created"] == 1 and books_balance(svc)["entries"] == 1
