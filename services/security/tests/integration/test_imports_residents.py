"""The real-population ledger (实有人口台账) imported from the office's own file (#19): one row per resident with
their household's columns, through the register's use cases — each household once by its 户号 (or address),
each person once platform-wide by ID number; the same file again changes nothing."""
import io

import pytest
from openpyxl import load_workbook

from liandong.idnumbers import check_digit
from liandong.testing import STORES

from .importing import job, sheet_rows, upload, xlsx

HEADERS = ["社区或网格", "楼栋", "单元", "室", "户号", "姓名", "身份证号", "与户主关系", "户籍状态", "联系电话", "重点人群"]
ADDED = "liandong.security.resident.added.v1"
GRID = dict(role="grid_worker", user_id="gw-1")


def id_number(seq: int, born: str = "19800101") -> str:
    first17 = f"220204{born}{seq:03d}"
    return first17 + check_digit(first17)


def row(seq: int, number: str | None = "JY001", room: str | None = "401", **kw) -> list:
    values = {"社区或网格": "家园社区", "楼栋": "3号楼", "单元": "2单元", "室": room, "户号": number,
              "姓名": f"居民{seq}", "身份证号": id_number(seq), "与户主关系": "户主" if seq == 1 else "子女",
              "户籍状态": "户籍人口", "联系电话": "13904321234", "重点人群": None, **kw}
    return [values[h] for h in HEADERS]


def households(svc) -> list[dict]:
    return svc.get("/households?org_unit=jiayuan&page_size=100", **GRID).get_json()["items"]


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_a_ledger_registers_each_household_and_person_once_and_again_changes_nothing(svc):
    template = svc.get("/imports/residents/template", **GRID)
    assert template.status_code == 200
    assert list(sheet_rows(template.data)[0]) == HEADERS
    book = load_workbook(io.BytesIO(template.data))
    for values in (row(1), row(2), row(3, number=None, room="502", 与户主关系="户主", 重点人群="残疾人、低保户"),
                   row(4, number=None, room="502", 与户主关系="配偶", 户籍状态="流动人口")):
        book["数据"].append(values)
    filled = io.BytesIO()
    book.save(filled)

    first = upload(svc, "residents", filled.getvalue(), **GRID)
    assert first.status_code == 201, first.get_json()
    assert {k: first.get_json()[k] for k in ("status", "created", "unchanged", "example_skipped")} == \
        {"status": "done", "created": 4, "unchanged": 0, "example_skipped": 1}
    found = households(svc)
    assert len(found) == 2  # JY001 by its number; 3号楼2单元502 by its address
    by_size = sorted((len(h["members"]), sorted(m["residence"] for m in h["members"])) for h in found)
    assert by_size == [(2, ["floating", "registered"]), (2, ["registered", "registered"])]
    tagged = [m for h in found for m in h["members"] if m["tags"]]
    assert [sorted(m["tags"]) for m in tagged] == [["dibao", "disabled"]]
    assert all(m["id_number"] != id_number(1) for h in found for m in h["members"])  # masked for the grid worker

    again = upload(svc, "residents", filled.getvalue(), **GRID)
    assert {k: again.get_json()[k] for k in ("created", "updated", "unchanged")} == \
        {"created": 0, "updated": 0, "unchanged": 4}
    assert len(households(svc)) == 2
    assert len(svc.published_once_settled(ADDED)) == 4  # none sent by the second import

    changed = upload(svc, "residents", xlsx(HEADERS, [row(2, 联系电话="13900000000")]), **GRID)
    assert (changed.get_json()["updated"], changed.get_json()["created"]) == (1, 0)


def test_every_problem_of_a_ledger_is_named_and_nothing_is_written(svc):
    rows = [row(1),
            row(2, 与户主关系="表亲"),  # not a relationship the register knows
            row(3, number=None, room=None),  # no 户号 and no room: which household?
            row(4, 重点人群="独居老人"),  # the system decides who lives alone
            row(1, 姓名="居民1"),  # the same person twice
            row(5, 社区或网格="阳春社区")]  # another sub-district's community
    content = xlsx(HEADERS, rows)
    body = upload(svc, "residents", content, preview=True, **GRID).get_json()
    assert (body["rows"], body["bad_rows"]) == (6, 5)
    by_row = {p["row"]: p for p in body["problems"]}
    assert by_row[3]["header"] == "与户主关系" and "表亲" in by_row[3]["message"]
    assert by_row[4]["header"] == "室" and "户号" in by_row[4]["message"]
    assert by_row[5]["header"] == "重点人群" and "由系统判定" in by_row[5]["message"]
    assert "与第 2 行重复" in by_row[6]["message"]
    assert by_row[7]["header"] == "社区或网格"
    refused = upload(svc, "residents", content, mode="all", **GRID)
    assert refused.status_code == 422
    assert households(svc) == []


def test_a_person_living_in_another_household_is_a_failed_row_to_fix(svc):
    assert upload(svc, "residents", xlsx(HEADERS, [row(1)]), **GRID).status_code == 201
    moved = upload(svc, "residents", xlsx(HEADERS, [row(1, number="JY002", room="601"), row(2, number="JY002",
                                                                                            room="601")]),
                   mode="good_rows", **GRID)
    done = moved.get_json()
    assert (done["created"], done["failed"], done["has_rejected_file"]) == (1, 1, True)
    rejected = svc.client.get(f"{svc.api_prefix}/imports/jobs/{done['id']}/rejected", headers=svc.headers(**GRID))
    rows = sheet_rows(rejected.data)
    assert len(rows) == 2 and rows[1][5] == "居民1" and "another household" in rows[1][-1]
    assert job(svc, done["id"], **GRID)["status"] == "done"
