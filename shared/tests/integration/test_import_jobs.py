"""An import as a job on a real database: all or nothing, only the good rows, idempotent, with progress and its
audit event (#19). The kind here is a toy whose use case keeps one record per ID number; the services' own kinds
are tested with their use cases in each service's tests."""
from __future__ import annotations

import base64
import io
import time

import openpyxl
import pytest

from liandong.auth import Grant, Principal
from liandong.errors import ValidationFailed
from liandong.idnumbers import check_digit
from liandong.imports import CREATED, UNCHANGED, UPDATED, IdNumber, ImportKind, Money, OrgUnitRef, Text
from liandong.imports import jobs
from liandong.outbox import OUTBOX
from liandong.platform import Platform


def _id(n: int) -> str:
    first = f"11010119900307{n:03d}"
    return first + check_digit(first)


def _apply(values, run):
    """A use case keyed by the ID number: the same row again changes nothing."""
    people = run.deps.db.collection("people")
    found = people.find_one({"_id": values["id_number"]})
    if found is None:
        people.insert_one({"_id": values["id_number"], "name": values["name"], "amount": values["amount"]})
        return CREATED
    if found["amount"] == values["amount"]:
        return UNCHANGED
    people.update_one({"_id": values["id_number"]}, {"$set": {"amount": values["amount"]}})
    return UPDATED


KIND = ImportKind(name="people", title="人员台账", permission="welfare:review", apply=_apply,
                  columns=[OrgUnitRef("org_unit_id", "社区", example="家园社区"), Text("name", "姓名", example="张三"),
                           IdNumber("id_number", "身份证号", example=_id(1)), Money("amount", "金额(元)", example=1)],
                  key=lambda v: v["id_number"], key_label="身份证号")
WORKER = Principal("u-1", "家园社区民政员", (Grant("community_worker", "jiayuan", "/chuanying/huangqi/jiayuan/"),))


@pytest.fixture(params=["sqlite", "mongo"])
def deps(request, make_settings):
    platform = Platform.create("welfare", make_settings(service="welfare", store=request.param))
    platform.org.units.insert_one({"_id": "jiayuan", "name": "家园社区", "level": "community", "parent_id": "huangqi",
                                   "path": "/chuanying/huangqi/jiayuan/"})
    platform.org.units.insert_one({"_id": "yangchun", "name": "阳春社区", "level": "community", "parent_id": "ceguan",
                                   "path": "/chuanying/ceguan/yangchun/"})
    jobs.ImportJobs(platform.deps).prepare()
    yield platform.deps
    if request.param == "mongo":
        platform.db.drop()


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["社区", "姓名", "身份证号", "金额(元)"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_all_or_nothing_refuses_a_file_with_one_wrong_row_and_writes_nothing(deps):
    raw = workbook([["家园社区", "钱一", _id(2), 10], ["家园社区", "孙二", _id(3)[:-1] + "Y", 10],
                    ["阳春社区", "李三", _id(4), 10]])
    with pytest.raises(ValidationFailed) as refused:
        jobs.start(deps, WORKER, KIND, raw, "台账.xlsx", "all")
    assert "2 行有错误,未写入任何数据" in refused.value.message
    rows = refused.value.fields["rows"]
    assert any("第 3 行 C 列「身份证号」" in r for r in rows) and any("第 4 行 A 列「社区」:「阳春社区」" in r for r in rows)
    assert deps.db.collection("people").count_documents({}) == 0
    assert deps.db.collection("import_jobs").count_documents({}) == 0


def test_good_rows_are_written_and_the_bad_ones_come_back_encrypted_at_rest(deps):
    raw = workbook([["家园社区", "钱一", _id(2), 10], ["家园社区", "孙二", _id(3)[:-1] + "Y", 10]])
    job = jobs.start(deps, WORKER, KIND, raw, "台账.xlsx", "good_rows")
    assert (job.status, job.created, job.rejected, job.rows) == ("done", 1, 1, 2)
    stored = deps.db.collection("import_jobs").find_one({"_id": job.id})
    assert stored["rejected_file"].startswith("enc:")  # the rows to fix hold ID numbers: sealed like them
    again = jobs.job_of(deps, WORKER, {"people": KIND.permission}, job.id)
    book = openpyxl.load_workbook(io.BytesIO(jobs.rejected_file(again)))
    rows = [[c.value for c in r] for r in book.active.iter_rows()]
    assert rows[1][1] == "孙二" and "第 3 行 C 列「身份证号」:身份证号应为 18 位" in rows[1][-1]
    event = stored[OUTBOX][-1]
    assert event["type"] == "liandong.welfare.import.completed.v1"
    assert event["data"]["file_sha256"] == job.file_sha256 and (event["data"]["created"], event["data"]["rejected"]) == (1, 1)
    assert "孙二" not in str(event) and _id(2) not in str(event)


def test_the_same_file_twice_changes_nothing_and_a_changed_value_updates(deps):
    raw = workbook([["家园社区", "钱一", _id(2), 10], ["家园社区", "孙二", _id(3), 20]])
    first = jobs.start(deps, WORKER, KIND, raw, "台账.xlsx", "all")
    second = jobs.start(deps, WORKER, KIND, raw, "台账.xlsx", "all")
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
    third = jobs.start(deps, WORKER, KIND, workbook([["家园社区", "钱一", _id(2), 11]]), "台账.xlsx", "all")
    assert (third.updated, third.unchanged) == (1, 0)
    assert deps.db.collection("people").count_documents({}) == 2


def test_a_large_file_runs_in_the_background_with_its_progress(deps):
    raw = workbook([["家园社区", f"居民{n}", _id(100 + n), 5] for n in range(jobs.INLINE_ROWS + 50)])
    job = jobs.start(deps, WORKER, KIND, raw, "大台账.xlsx", "all")
    assert job.status == "running"
    deadline = time.monotonic() + 240  # a wait, not a speed claim: CI machines are sometimes crowded
    while True:
        seen = jobs.view(jobs.job_of(deps, WORKER, {"people": KIND.permission}, job.id), deps.clock.now())
        if seen["status"] != "running" or time.monotonic() > deadline:
            break
        assert 0 <= seen["progress"] <= 1
        time.sleep(0.1)
    assert (seen["status"], seen["progress"], seen["created"]) == ("done", 1.0, jobs.INLINE_ROWS + 50)
    assert deps.db.collection("people").count_documents({}) == jobs.INLINE_ROWS + 50


def test_a_job_is_seen_by_its_importer_and_their_office_not_by_another_community(deps):
    job = jobs.start(deps, WORKER, KIND, workbook([["家园社区", "钱一", _id(2), 10]]), "台账.xlsx", "all")
    other = Principal("u-2", "阳春社区民政员", (Grant("community_worker", "yangchun", "/chuanying/ceguan/yangchun/"),))
    office = Principal("u-3", "黄岐街道", (Grant("subdistrict_officer", "huangqi", "/chuanying/huangqi/"),))
    from liandong.errors import NotFound

    with pytest.raises(NotFound):
        jobs.job_of(deps, other, {"people": KIND.permission}, job.id)
    assert jobs.job_of(deps, office, {"people": KIND.permission}, job.id).id == job.id


def test_a_job_whose_process_died_shows_interrupted(deps):
    job = jobs.start(deps, WORKER, KIND, workbook([["家园社区", "钱一", _id(2), 10]]), "台账.xlsx", "all")
    job.status = "running"
    from datetime import timedelta

    later = deps.clock.now() + timedelta(seconds=jobs.STALE_SECONDS + 1)
    assert jobs.view(job, later)["status"] == "interrupted"
