"""The offices' own ledgers into welfare (#19): the benefit rosters (救助对象花名册) become running grants, the
charity supermarket's stock list (爱心超市期初库存) its opening stock — through welfare's own use cases, with
the events the gateway's reports read, and a second import of the same file changing nothing."""
from __future__ import annotations

import io
import time

import pytest
from openpyxl import load_workbook

from liandong.testing import ledger_csv, ledger_xlsx, wait_for

from welfare_testkit import CIVIL, SUBDISTRICT, id_number

ROSTER = ["社区", "户主姓名", "身份证号", "家庭人口", "救助项目", "月保障金额(元)", "起始月份", "联系电话", "家庭住址",
          "备注"]
STOCK = ["社区", "物品名称", "数量", "单位", "单价(元)", "价值(元)", "入库日期"]
STARTED = "liandong.welfare.grant.started.v1"
ENDED = "liandong.welfare.grant.ended.v1"
COMPLETED = "liandong.welfare.import.completed.v1"
OPENING = "liandong.welfare.goods.opening_stock_recorded.v1"
DONATED = "liandong.welfare.goods.donated.v1"


xlsx = ledger_xlsx


def roster_row(seq: int, programme="城市低保", amount="1080.00", start="2024-03", size=3, community="家园社区"):
    return [community, f"户主{seq}", id_number("19600101", seq), size, programme, amount, start, "13904321234",
            f"家园社区{seq}号", None]


def upload(svc, kind: str, raw: bytes, name="花名册.xlsx", mode="all", preview=False, **who):
    url = f"/api/v1/welfare/imports/{kind}" + ("/preview" if preview else "")
    return svc.app.test_client().post(url, data={"file": (io.BytesIO(raw), name), "mode": mode},
                                      headers=svc.headers(**who), content_type="multipart/form-data")


def grants_of(svc, **query) -> dict:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    r = svc.fetch(f"/grants?page_size=100&{q}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def settled(svc, types: set, count: int) -> list:
    """The events of these types once `count` arrived, and after a pause (a second batch would show by then)."""
    wait_for(lambda: len(svc.events(types)) >= count, 20, message=f"{count} events {types}")
    time.sleep(1.0)
    return svc.events(types)


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_a_roster_becomes_running_grants_with_their_start_events_and_the_same_file_again_changes_nothing(svc):
    raw = xlsx(ROSTER, [roster_row(1), roster_row(2, "重度残疾人生活补贴 (重残金)", "200", "2025-06", size=1)])
    r = upload(svc, "roster", raw)
    assert r.status_code == 201, r.get_json()
    job = r.get_json()
    assert (job["status"], job["created"], job["unchanged"], job["progress"]) == ("done", 2, 0, 1.0)

    listed = grants_of(svc)
    assert listed["total"] == 2
    dibao = grants_of(svc, programme="dibao_urban")["items"][0]
    assert (dibao["status"], dibao["start_period"], dibao["monthly_amount_fen"], dibao["household_size"]) == \
        ("active", "2024-03", 108000, 3)
    assert dibao["imported"]["paid_from"] == "2026-03" and dibao["application_id"] == ""
    assert dibao["household"]["members"][0]["id_number"] != id_number("19600101", 1)  # masked without the duty
    assert dibao["household"]["phone"] == "139****1234"
    civil = svc.fetch(f"/grants/{dibao['id']}", **CIVIL).get_json()  # a 民政员 reads personal data
    assert (civil["household"]["phone"], civil["household"]["members"][0]["id_number"]) == \
        ("13904321234", id_number("19600101", 1))
    assert svc.fetch(f"/grants/{dibao['id']}").status_code == 200

    started = settled(svc, {STARTED}, 2)
    by_programme = {e.data["programme"]: e.data for e in started}
    assert by_programme["dibao_urban"]["monthly_amount_fen"] == 108000
    assert by_programme["dibao_urban"]["start_period"] == "2024-03" and by_programme["dibao_urban"]["imported"]
    assert by_programme["severe_disability"]["monthly_amount_fen"] == 20000
    assert by_programme["severe_disability"]["programme_name"] == svc.welfare.catalogue.get("severe_disability").name
    assert "id_number" not in str(by_programme) and "户主1" not in str(by_programme)

    again = upload(svc, "roster", raw)
    assert again.status_code == 201, again.get_json()
    assert (again.get_json()["created"], again.get_json()["unchanged"]) == (0, 2)
    assert grants_of(svc)["total"] == 2
    assert len(settled(svc, {STARTED}, 2)) == 2  # no second start
    assert len(settled(svc, {COMPLETED}, 2)) == 2  # both imports in the audit trail


def test_an_imported_grant_is_paid_from_the_month_of_import_not_for_the_months_paid_on_paper(svc):
    assert upload(svc, "roster", xlsx(ROSTER, [roster_row(3)])).status_code == 201
    earlier = svc.post("/disbursements", {"org_unit_id": "jiayuan", "period": "2026-02"}, **SUBDISTRICT)
    assert earlier.status_code in (200, 201) and earlier.get_json()["payments"] == 0, earlier.get_json()
    now = svc.post("/disbursements", {"org_unit_id": "jiayuan", "period": "2026-03"}, **SUBDISTRICT)
    assert now.get_json()["payments"] == 1 and now.get_json()["total_fen"] == 108000, now.get_json()


def test_a_one_off_on_the_roster_was_paid_already_it_ends_at_once_and_is_never_paid_again(svc):
    r = upload(svc, "roster", xlsx(ROSTER, [roster_row(4, "临时救助", "1500.00", "2025-11", size=2)]))
    assert r.status_code == 201 and r.get_json()["created"] == 1, r.get_json()
    grant = grants_of(svc, programme="temporary_aid")["items"][0]
    assert grant["status"] == "ended" and grant["monthly_amount_fen"] == 150000
    paid = svc.post("/disbursements", {"org_unit_id": "jiayuan", "period": "2026-03"}, **SUBDISTRICT)
    assert paid.get_json()["payments"] == 0
    assert {e.type for e in settled(svc, {STARTED, ENDED}, 2)} == {STARTED, ENDED}
    again = upload(svc, "roster", xlsx(ROSTER, [roster_row(4, "临时救助", "1500.00", "2025-11", size=2)]))
    assert again.get_json()["unchanged"] == 1 and grants_of(svc, programme="temporary_aid")["total"] == 1


def test_another_amount_for_the_same_person_and_programme_is_refused_as_only_a_re_review_changes_it(svc):
    assert upload(svc, "roster", xlsx(ROSTER, [roster_row(5)])).status_code == 201
    r = upload(svc, "roster", xlsx(ROSTER, [roster_row(5, amount="1200.00"), roster_row(6)]), mode="good_rows")
    job = r.get_json()
    assert (job["created"], job["failed"]) == (1, 1), job
    assert "复核" in job["problems"][0]["message"] and "1080.00" in job["problems"][0]["message"]
    assert grants_of(svc, programme="dibao_urban")["total"] == 2
    assert {g["monthly_amount_fen"] for g in grants_of(svc)["items"]} == {108000}
    rejected = svc.app.test_client().get(f"/api/v1/welfare/imports/jobs/{job['id']}/rejected", headers=svc.headers())
    sheet = load_workbook(io.BytesIO(rejected.data)).active
    assert [c.value for c in sheet[2]][1] == "户主5" and "复核" in str([c.value for c in sheet[2]][-1])


def test_a_roster_row_names_a_household_already_granted_through_the_platform_stored_before_the_index(svc):
    grant = svc.approved_grant(SUBDISTRICT)  # its applicant: household(seq=100) members[0]
    # as stored before the ID numbers' blind index existed: the service finds it again when it starts
    grants = svc.welfare.stores.grants
    grants.collection.update_one({"_id": grant["id"]}, {"$unset": {"id_index": ""}})
    grants.prepare()
    row = ["家园社区", "成员0", id_number("19750310", 100), 3, "城市低保", grant["monthly_amount_yuan"],
           grant["start_period"], None, None, None]
    r = upload(svc, "roster", xlsx(ROSTER, [row]))
    assert r.get_json()["unchanged"] == 1, r.get_json()
    assert grants_of(svc)["total"] == 1


def test_preview_lists_every_problem_with_row_and_column_in_chinese_and_writes_nothing(svc):
    bad_id = id_number("19600101", 7)[:-1] + ("0" if id_number("19600101", 7)[-1] != "0" else "1")
    rows = [roster_row(7), [*roster_row(8)[:2], bad_id, *roster_row(8)[3:]], roster_row(9, community="阳春社区"),
            roster_row(7), roster_row(10, amount="1080.005"), roster_row(11, start="2026-05"),
            roster_row(12, programme="五保"), roster_row(13, amount="0")]
    r = upload(svc, "roster", xlsx(ROSTER, rows), preview=True)
    assert r.status_code == 200, r.get_json()
    found = {(p["row"], p["header"]): p["message"] for p in r.get_json()["problems"]}
    assert "校验位" in found[(3, "身份证号")]
    assert "管辖范围" in found[(4, "社区")]
    assert "与第 2 行重复" in found[(5, None)]
    assert "两位小数" in found[(6, "月保障金额(元)")]
    assert "本月之后" in found[(7, "起始月份")]
    assert "可选" in found[(8, "救助项目")]
    assert "大于 0" in found[(9, "月保障金额(元)")]
    assert r.get_json()["good_rows"] == 1 and grants_of(svc)["total"] == 0

    refused = upload(svc, "roster", xlsx(ROSTER, rows))
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"]["rows"], refused.get_json()
    assert grants_of(svc)["total"] == 0  # mode=all: nothing written

    good = upload(svc, "roster", xlsx(ROSTER, rows), mode="good_rows").get_json()
    assert (good["created"], good["rejected"]) == (1, 7)
    assert grants_of(svc)["total"] == 1


def test_a_gbk_csv_from_the_offices_excel_imports(svc):
    r = upload(svc, "roster", ledger_csv(ROSTER, [roster_row(14)]), name="低保花名册.csv")
    assert r.status_code == 201 and r.get_json()["created"] == 1, r.get_json()
    assert r.get_json()["file_format"] == "csv"
    grant = grants_of(svc)["items"][0]
    assert grant["household"]["address"] == "家园社区14号"


def test_the_template_downloads_with_the_programmes_and_imports_once_filled(svc):
    r = svc.app.test_client().get("/api/v1/welfare/imports/roster/template", headers=svc.headers())
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.data))
    sheet = book["数据"]
    assert [c.value for c in sheet[1]] == ROSTER
    codes = [c.value for c in book["代码表"]["A"]] + [c.value for c in book["代码表"]["B"]]
    assert "家园社区" in codes and svc.welfare.catalogue.get("dibao_rural").name in codes
    for i, value in enumerate(roster_row(15, programme=svc.welfare.catalogue.get("rent_subsidy").name, amount=300)):
        sheet.cell(row=3, column=i + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    job = upload(svc, "roster", out.getvalue()).get_json()
    assert (job["created"], job["example_skipped"]) == (1, 1), job
    assert grants_of(svc)["items"][0]["programme"] == "rent_subsidy"


def test_only_those_who_review_a_communitys_cases_import_its_roster(svc):
    raw = xlsx(ROSTER, [roster_row(16)])
    assert upload(svc, "roster", raw, role="grid_worker").status_code == 403
    other = upload(svc, "roster", raw, role="community_worker", org_unit="yangchun", path="/chuanying/ceguan/yangchun/")
    assert other.status_code == 422 and "管辖范围" in str(other.get_json()["error"]["fields"]["rows"])
    assert upload(svc, "roster", raw, **SUBDISTRICT).status_code == 201


def test_a_large_roster_runs_in_the_background_to_the_end(svc):
    rows = [roster_row(100 + i) for i in range(250)]
    r = upload(svc, "roster", xlsx(ROSTER, rows))
    assert r.status_code == 202, r.get_json()
    job_id = r.get_json()["id"]
    job = wait_for(lambda: (j := svc.fetch(f"/imports/jobs/{job_id}").get_json())["status"] == "done" and j, 120,
                   message="the roster import finishes")
    assert (job["created"], job["progress"]) == (250, 1.0)
    assert grants_of(svc)["total"] == 250


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_the_stock_list_becomes_opening_stock_not_donations_and_the_same_list_again_changes_nothing(svc):
    rows = [["家园社区", "大米(5公斤装)", 20, "袋", "45.00", None, "2026-02-28"],
            ["家园社区", "棉被", 4, "床", None, "480", "2026-02-28"],
            ["家园社区", "大米(5公斤装)", 5, "袋", "45", "225", "2026-01-15"]]
    raw = xlsx(STOCK, rows)
    r = upload(svc, "supermarket_stock", raw, name="期初库存.xlsx")
    assert r.status_code == 201 and r.get_json()["created"] == 3, r.get_json()

    stock = {i["name"]: i for i in svc.fetch("/goods/stock?org_unit=jiayuan").get_json()["items"]}
    assert (stock["大米(5公斤装)"]["quantity"], stock["大米(5公斤装)"]["opening_total"]) == (25, 25)
    assert stock["大米(5公斤装)"]["stock_value_fen"] == 25 * 4500 and stock["大米(5公斤装)"]["donated_total"] is None
    assert (stock["棉被"]["quantity"], stock["棉被"]["unit_value_fen"]) == (4, 12000)
    moves = svc.fetch("/goods/movements?kind=opening").get_json()
    assert moves["total"] == 3
    opening = settled(svc, {OPENING, DONATED}, 3)
    assert {e.type for e in opening} == {OPENING}  # the reports count no donation
    assert sum(e.data["value_fen"] for e in opening) == 25 * 4500 + 48000
    figures = svc.fetch("/statistics?org_unit=jiayuan").get_json()
    assert figures["goods"]["donations"] == 0

    again = upload(svc, "supermarket_stock", raw, name="期初库存.xlsx").get_json()
    assert (again["created"], again["unchanged"]) == (0, 3)
    assert svc.fetch("/goods/stock?org_unit=jiayuan").get_json()["total"] == 2
    assert sum(i["quantity"] for i in svc.fetch("/goods/stock?org_unit=jiayuan").get_json()["items"]) == 29
    assert len(settled(svc, {OPENING}, 3)) == 3


def test_a_stock_list_with_items_already_on_the_shelf_adds_to_them_and_checks_its_figures(svc):
    donated = svc.post("/goods/donations", {"org_unit_id": "jiayuan", "sku": "mianbei", "name": "棉被", "unit": "床",
                                            "quantity": 2, "donor": "吉林银行", "unit_value_fen": 12000})
    assert donated.status_code == 201, donated.get_json()
    rows = [["家园社区", "棉被", 3, "床", "120", None, "2026-02-01"],
            ["家园社区", "食用油", 3, "桶", None, "100", "2026-02-01"],
            ["家园社区", "挂面", 3, "箱", None, None, "2026-02-01"],
            ["家园社区", "牛奶", 3, "箱", "10", "40", "2026-02-01"],
            ["家园社区", "鸡蛋", 3, "箱", "10", None, "2026-04-01"],
            ["家园社区", "棉被", 1, "条", "120", None, "2026-01-01"]]
    r = upload(svc, "supermarket_stock", xlsx(STOCK, rows), preview=True).get_json()
    found = {(p["row"], p["header"]): p["message"] for p in r["problems"]}
    assert "整分" in found[(3, "价值(元)")] and "至少填一项" in found[(4, "单价(元)")]
    assert "单价×数量" in found[(5, "价值(元)")] and "今天之后" in found[(6, "入库日期")]
    job = upload(svc, "supermarket_stock", xlsx(STOCK, rows), mode="good_rows").get_json()
    assert (job["created"], job["rejected"], job["failed"]) == (1, 4, 1), job
    assert "床" in job["problems"][-1]["message"]  # counted in 床 on the shelf, not 条
    item = svc.fetch("/goods/stock?org_unit=jiayuan").get_json()["items"][0]
    assert (item["item_id"], item["quantity"], item["donated_total"], item["opening_total"]) == \
        ("jiayuan:mianbei", 5, 2, 3)
    fixed = upload(svc, "supermarket_stock", xlsx(STOCK, [["家园社区", "棉被", 4, "床", "120", None, "2026-02-01"]]),
                   mode="good_rows").get_json()
    assert fixed["failed"] == 1 and "盘点" in fixed["problems"][0]["message"], fixed  # not a second entry
    assert svc.fetch("/goods/stock?org_unit=jiayuan").get_json()["items"][0]["quantity"] == 5
