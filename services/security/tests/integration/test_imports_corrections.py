"""The corrections / released-person support ledger (社区矫正 / 安置帮教对象台账) imported: only with the
corrections duty, through the enrolment use case (audited), one record per ID number in a community, the rows
to fix read only with an audit entry."""
import io

import pytest
from openpyxl import load_workbook

from liandong.idnumbers import check_digit
from liandong.testing import STORES, wait_for

from .importing import gbk_csv, sheet_rows, upload, xlsx

HEADERS = ["社区", "姓名", "身份证号", "类别", "走访周期(天)", "责任人账号", "责任人", "起始日期", "期满日期"]
CORRECTIONS = dict(role="community_worker", duties=("corrections",), user_id="cw-duty")
PLAIN = dict(role="community_worker", user_id="cw-plain")


def id_number(seq: int) -> str:
    first17 = f"22020219850612{seq:03d}"
    return first17 + check_digit(first17)


def row(seq: int = 1, **kw) -> list:
    values = {"社区": "家园社区", "姓名": f"赵强{seq}", "身份证号": id_number(seq),
              "类别": "社区矫正" if seq % 2 else "安置帮教", "走访周期(天)": 7, "责任人账号": "w-1",
              "责任人": "矫正专干刘芳", "起始日期": "2025-01-10", "期满日期": "2030-01-09", **kw}
    return [values[h] for h in HEADERS]


def people(svc) -> list[dict]:
    return svc.get("/corrections/people?page_size=100", **CORRECTIONS).get_json()["items"]


def audit(svc, **query) -> list[dict]:
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return svc.admin_get(f"/audit?{qs}&page_size=100").get_json()["items"]


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_corrections_subjects_import_once_with_the_duty_and_again_changes_nothing(svc):
    content = xlsx(HEADERS, [row(1), row(2)])
    for route in ("/template",):
        assert svc.get(f"/imports/corrections{route}", **PLAIN).status_code == 403
    assert upload(svc, "corrections", content, preview=True, **PLAIN).status_code == 403
    assert upload(svc, "corrections", content, **PLAIN).status_code == 403
    assert svc.get("/corrections/people", role="community_police").get_json()["items"] == []
    refused = audit(svc, action="corrections.import", allowed="false")
    assert [(a["user_id"], a["record_id"]) for a in refused] == [("cw-plain", None)] * 2  # preview, import

    first = upload(svc, "corrections", content, **CORRECTIONS)
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["created"], first.get_json()["status"]) == (2, "done")
    shown = sorted(people(svc), key=lambda p: p["name"])
    assert [(p["name"], p["category"], p["visit_interval_days"], p["responsible_worker_id"],
             p["supervision_starts_on"], p["supervision_ends_on"]) for p in shown] == [
        ("赵强1", "community_correction", 7, "w-1", "2025-01-10", "2030-01-09"),
        ("赵强2", "released_support", 7, "w-1", "2025-01-10", "2030-01-09")]
    assert all(p["id_number"] != id_number(1) and "*" in p["id_number"] for p in shown)  # masked
    enrolled = audit(svc, action="corrections.enrol", allowed="true")
    assert len(enrolled) == 2 and {a["user_id"] for a in enrolled} == {"cw-duty"}

    again = upload(svc, "corrections", content, **CORRECTIONS)
    assert {k: again.get_json()[k] for k in ("created", "updated", "unchanged", "failed")} == \
        {"created": 0, "updated": 0, "unchanged": 2, "failed": 0}
    assert len(people(svc)) == 2
    assert len(audit(svc, action="corrections.enrol", allowed="true")) == 2
    # a record that differs is not overwritten by the file: the row fails and says which column
    changed = upload(svc, "corrections", xlsx(HEADERS, [row(1, 责任人="李四")]), **CORRECTIONS).get_json()
    assert (changed["failed"], changed["unchanged"]) == (0 + 1, 0) and "责任人" in changed["problems"][0]["message"]
    completed = wait_for(lambda: len(svc.published("liandong.security.import.completed.v1")) == 3
                         and svc.published("liandong.security.import.completed.v1"), 20,
                         message="three import.completed events")
    assert [e.data["kind"] for e in completed] == ["corrections"] * 3


def test_the_rows_to_fix_of_a_corrections_import_are_read_with_an_audit_entry(svc):
    content = xlsx(HEADERS, [row(1), row(2, 类别="缓刑"), row(3, 期满日期="2024-01-01"), row(1)])
    preview = upload(svc, "corrections", content, preview=True, **CORRECTIONS).get_json()
    by_row = {p["row"]: p for p in preview["problems"]}
    assert by_row[3]["header"] == "类别" and "缓刑" in by_row[3]["message"]
    assert by_row[4]["header"] == "期满日期" and "早于起始日期" in by_row[4]["message"]
    assert "与第 2 行重复" in by_row[5]["message"]

    assert upload(svc, "corrections", content, **CORRECTIONS).status_code == 422
    assert people(svc) == []
    partial = upload(svc, "corrections", content, mode="good_rows", **CORRECTIONS).get_json()
    assert (partial["created"], partial["rejected"]) == (1, 3)
    job_url = f"/imports/jobs/{partial['id']}/rejected"
    assert svc.get(job_url, **PLAIN).status_code == 404  # not theirs, and no corrections duty
    rejected = svc.get(job_url, **CORRECTIONS)
    assert rejected.status_code == 200
    assert [r[1] for r in sheet_rows(rejected.data)[1:]] == ["赵强2", "赵强3", "赵强1"]
    reads = list(svc.platform.db.collection("personal_data_reads").find({}))
    assert [(r["user_id"], r["path"]) for r in reads if r["path"].endswith("/rejected")] == \
        [("cw-duty", "/api/v1/security" + job_url)]
    assert {"id_number", "name"} <= set(next(r for r in reads if r["path"].endswith("/rejected"))["fields"])


def test_the_corrections_template_filled_in_imports(svc):
    template = svc.get("/imports/corrections/template", **CORRECTIONS)
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    assert [c.value for c in book["数据"][1]] == HEADERS
    codes = {c.value for column in book["代码表"].columns for c in column}
    assert {"家园社区", "社区矫正", "安置帮教"} <= codes and "阳春社区" not in codes  # the caller's communities only
    book["数据"].append(row(1))
    filled = io.BytesIO()
    book.save(filled)
    done = upload(svc, "corrections", filled.getvalue(), **CORRECTIONS).get_json()
    assert (done["created"], done["example_skipped"]) == (1, 1)
    assert [p["name"] for p in people(svc)] == ["赵强1"]


def test_a_gbk_csv_of_corrections_subjects_imports(svc):
    done = upload(svc, "corrections", gbk_csv(HEADERS, [row(1, 起始日期=None, 期满日期=None)]), filename="矫正.csv",
                  **CORRECTIONS)
    assert done.status_code == 201, done.get_json()
    [person] = people(svc)
    assert (person["name"], person["supervision_ends_on"]) == ("赵强1", None)


def test_the_enrolment_api_takes_the_period_and_refuses_one_that_ends_before_it_starts(svc):
    body = {"org_unit_id": "jiayuan", "name": "钱某", "id_number": id_number(9), "category": "released_support",
            "visit_interval_days": 30, "responsible_worker_id": "w-1", "responsible_worker_name": "刘芳"}
    backwards = svc.post("/corrections/people", {**body, "supervision_starts_on": "2026-05-01",
                                                 "supervision_ends_on": "2026-04-30"}, **CORRECTIONS)
    assert backwards.status_code == 422 and "supervision_ends_on" in backwards.get_json()["error"]["fields"]
    made = svc.post("/corrections/people", {**body, "supervision_starts_on": "2026-05-01",
                                            "supervision_ends_on": "2027-04-30"}, **CORRECTIONS)
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["supervision_starts_on"], made.get_json()["supervision_ends_on"]) == \
        ("2026-05-01", "2027-04-30")
