"""The floating-population register (流动人口登记台账) imported from the office's own file: through the
registration use case, one registration per ID number and community, a changed permit renewed, the same
file twice changes nothing."""
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from liandong.idnumbers import check_digit
from liandong.testing import STORES, wait_for

from ..conftest import CEGUAN
from .importing import gbk_csv, job, sheet_rows, upload, xlsx

HEADERS = ["社区", "姓名", "身份证号", "户籍地", "现住址", "楼栋", "房东姓名", "房东电话", "居住证号",
           "居住证有效期至", "登记日期"]
REGISTERED = "liandong.security.migrant.registered.v1"
EXPIRING = "liandong.security.migrant.permit_expiring.v1"
COMPLETED = "liandong.security.import.completed.v1"


def today():
    return datetime.now(timezone.utc).astimezone(timezone(timedelta(hours=8))).date()


def in_days(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


def id_number(seq: int) -> str:
    first17 = f"51302119900307{seq:03d}"
    return first17 + check_digit(first17)


def row(seq: int = 1, community: str = "家园社区", permit_in_days: int | None = 200, **kw) -> list:
    values = {"社区": community, "姓名": f"李明{seq}", "身份证号": id_number(seq), "户籍地": "四川省达州市",
              "现住址": f"家园小区 3 栋 {seq} 室", "楼栋": "3 栋", "房东姓名": "王芳", "房东电话": "13800138000",
              "居住证号": f"JZ-{seq}" if permit_in_days is not None else None,
              "居住证有效期至": in_days(permit_in_days) if permit_in_days is not None else None,
              "登记日期": "2024-03-01", **kw}
    return [values[h] for h in HEADERS]


def listed(svc, **caller) -> list[dict]:
    return svc.get("/migrants?org_unit=jiayuan&page_size=100", **caller).get_json()["items"]


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_a_filled_template_imports_once_and_importing_it_again_changes_nothing(svc):
    kinds = svc.get("/imports/kinds").get_json()
    assert [(k["name"], k["permission"]) for k in kinds["items"]] == [("residents", "security:register"),
                                                                       ("migrants", "security:migrants"),
                                                                       ("corrections", "security:corrections")]
    assert kinds["total"] == 3 and svc.get("/imports/kinds?colour=blue").status_code == 422
    template = svc.get("/imports/migrants/template")
    assert template.status_code == 200, template.get_json()
    header, example = sheet_rows(template.data)[:2]
    assert list(header) == HEADERS and example[0] == "家园社区"
    book = load_workbook(io.BytesIO(template.data))
    for seq in (1, 2):  # under the example row, which the import skips
        book["数据"].append(row(seq))
    filled = io.BytesIO()
    book.save(filled)

    first = upload(svc, "migrants", filled.getvalue())
    assert first.status_code == 201, first.get_json()
    assert {k: first.get_json()[k] for k in ("status", "progress", "created", "unchanged", "example_skipped")} == \
        {"status": "done", "progress": 1.0, "created": 2, "unchanged": 0, "example_skipped": 1}
    people = listed(svc)
    assert sorted(p["name"] for p in people) == ["李明1", "李明2"]
    assert all(p["id_number"] != id_number(1) and p["id_number"].count("*") >= 8 for p in people)  # masked
    assert {p["permit_number"]: p["permit_expires_on"] for p in people} == {"JZ-1": in_days(200),
                                                                             "JZ-2": in_days(200)}
    assert all(p["community_id"] == "jiayuan" and p["registered_at"].startswith("2024-02-29T16:00") for p in people)

    again = upload(svc, "migrants", filled.getvalue())
    assert again.status_code == 201
    assert {k: again.get_json()[k] for k in ("created", "updated", "unchanged", "failed")} == \
        {"created": 0, "updated": 0, "unchanged": 2, "failed": 0}
    assert len(listed(svc)) == 2
    registered = svc.published_once_settled(REGISTERED)
    assert len(registered) == 2  # the second import sent none
    # the opening figures a report counts: when each was registered (the ledger's day), the permit's expiry
    assert {(e.data["registered_at"][:10], e.data["permit_expires_on"]) for e in registered} == \
        {("2024-02-29", in_days(200))}
    assert all("name" not in e.data and "id_number" not in e.data for e in registered)
    completed = wait_for(lambda: len(svc.published(COMPLETED)) == 2 and svc.published(COMPLETED), 20,
                         message="two import.completed events")
    assert [(e.data["kind"], e.data["created"], e.data["unchanged"]) for e in completed] == \
        [("migrants", 2, 0), ("migrants", 0, 2)]
    assert completed[0].data["file_sha256"] == completed[1].data["file_sha256"]


def test_preview_names_every_problem_and_mode_all_writes_nothing(svc):
    rows = [row(1),
            row(2, 身份证号=id_number(2)[:-1] + ("0" if id_number(2)[-1] != "0" else "1")),  # check digit
            row(3, community="不存在社区"),
            row(1, 姓名="李明1"),  # the same person twice in the file
            row(4, 登记日期=in_days(3)),  # registered in the future
            row(5, 居住证有效期至=None),  # a permit number without its expiry
            row(6, 房东电话="02887654321"),  # not a mobile
            row(7, community="阳春社区")]  # a community of another subdistrict: not the caller's
    content = xlsx(HEADERS, rows)
    preview = upload(svc, "migrants", content, preview=True)
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert (body["rows"], body["good_rows"], body["bad_rows"]) == (8, 1, 7)
    by_row = {p["row"]: p for p in body["problems"]}
    assert by_row[3]["header"] == "身份证号" and "校验位" in by_row[3]["message"]
    assert id_number(2)[:-1] not in str(body)  # an ID number is never echoed back
    assert by_row[4]["header"] == "社区" and "不存在社区" in by_row[4]["message"]
    assert "与第 2 行重复" in by_row[5]["message"]
    assert by_row[6]["header"] == "登记日期" and "今天之后" in by_row[6]["message"]
    assert by_row[7]["header"] == "居住证有效期至"
    assert by_row[8]["header"] == "房东电话"
    assert by_row[9]["header"] == "社区" and "管辖范围" in by_row[9]["message"]
    assert by_row[3]["text"].startswith("工作表「数据」 第 3 行 C 列「身份证号」")

    refused = upload(svc, "migrants", content, mode="all")
    assert refused.status_code == 422
    assert len(refused.get_json()["error"]["fields"]["rows"]) == 7
    assert listed(svc) == []

    partial = upload(svc, "migrants", content, mode="good_rows")
    assert partial.status_code == 201
    assert (partial.get_json()["created"], partial.get_json()["rejected"]) == (1, 7)
    assert [p["name"] for p in listed(svc)] == ["李明1"]
    rejected = svc.get(f"/imports/jobs/{partial.get_json()['id']}/rejected")
    assert rejected.status_code == 200
    back = sheet_rows(rejected.data)
    assert back[0][-1] == "错误说明" and len(back) == 8
    assert "校验位" in back[1][-1] and back[1][1] == "李明2"


def test_a_changed_permit_is_renewed_and_the_expiry_scan_finds_imported_permits(svc):
    assert upload(svc, "migrants", xlsx(HEADERS, [row(1, permit_in_days=10)])).get_json()["created"] == 1
    migrant_id = listed(svc)[0]["id"]
    assert svc.post("/migrants/expiry-scan").get_json()["announced"] == []
    svc.move_clock(days=4)
    assert svc.post("/migrants/expiry-scan").get_json()["announced"] == [migrant_id]

    renewed = upload(svc, "migrants", xlsx(HEADERS, [row(1, 居住证号="JZ-1B", 居住证有效期至=in_days(400))]))
    assert {k: renewed.get_json()[k] for k in ("created", "updated", "unchanged")} == \
        {"created": 0, "updated": 1, "unchanged": 0}
    [shown] = listed(svc)
    assert (shown["id"], shown["permit_number"], shown["permit_expires_on"]) == (migrant_id, "JZ-1B", in_days(400))
    again = upload(svc, "migrants", xlsx(HEADERS, [row(1, 居住证号="JZ-1B", 居住证有效期至=in_days(400))]))
    assert again.get_json()["unchanged"] == 1
    assert len(svc.published_once_settled(REGISTERED)) == 1
    assert [e.subject for e in svc.published(EXPIRING)] == [migrant_id]

    # another address for the same person is not overwritten: the row fails, naming the column
    moved = upload(svc, "migrants", xlsx(HEADERS, [row(1, 现住址="别处 1 号", 居住证号="JZ-1B",
                                                           居住证有效期至=in_days(400))]))
    assert (moved.get_json()["failed"], moved.get_json()["unchanged"]) == (1, 0)
    assert "现住址" in moved.get_json()["problems"][0]["message"]
    assert len(listed(svc)) == 1


def test_a_gbk_csv_from_the_offices_excel_imports(svc):
    content = gbk_csv(HEADERS, [row(1), row(2, 楼栋=None, 房东姓名=None, 房东电话=None)])
    done = upload(svc, "migrants", content, filename="流动人口.csv")
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["created"] == 2 and done.get_json()["file_format"] == "csv"
    assert sorted(p["name"] for p in listed(svc)) == ["李明1", "李明2"]
    assert {p["origin"] for p in listed(svc)} == {"四川省达州市"}


def test_a_large_file_runs_in_the_background_until_done(svc):
    content = xlsx(HEADERS, [row(seq) for seq in range(1, 251)])
    started = upload(svc, "migrants", content)
    assert started.status_code == 202, started.get_json()
    job_id = started.get_json()["id"]
    finished = wait_for(lambda: (j := job(svc, job_id))["status"] == "done" and j, 120, message="the job is done")
    assert (finished["progress"], finished["created"], finished["failed"]) == (1.0, 250, 0)
    assert svc.get("/migrants?org_unit=jiayuan&page_size=1").get_json()["total"] == 250


def test_a_community_of_another_office_is_refused(svc):
    refused = upload(svc, "migrants", xlsx(HEADERS, [row(1, community="阳春社区")]), mode="good_rows")
    assert refused.get_json()["created"] == 0 and refused.get_json()["rejected"] == 1
    assert svc.get("/migrants?org_unit=yangchun", where=CEGUAN).get_json()["items"] == []


def test_a_retried_import_with_the_same_idempotency_key_answers_the_first_job(svc):
    content = xlsx(HEADERS, [row(1), row(2)])
    answers = [upload(svc, "migrants", content, idempotency_key="import-1", user_id="police-1").get_json() for _ in range(2)]
    assert answers[0]["id"] == answers[1]["id"]
    assert [(a["created"], a["unchanged"], a["done"], a["progress"]) for a in answers] == [(2, 0, 2, 1.0)] * 2
    assert len(listed(svc)) == 2
