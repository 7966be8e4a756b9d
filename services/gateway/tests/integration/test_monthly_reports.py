"""Monthly reports kept (月报): the worker's job makes every sub-district's and community's report of the month
before on the first working day, once per unit, month and format, catches up the months it missed, writes a
filed month's filed figures, and a download answers the bytes as made, with their hash."""
from __future__ import annotations

import hashlib
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from liandong.clock import FixedClock
from liandong.testing import auth_headers, unique, wait_for

from gateway.adapters.org_repository import OrgRepository
from gateway.adapters.reports_state import ReportsState
from gateway.bootstrap import monthly_reports_job, scheduled_monthly_reports
from gateway.domain.monthly import WorkingDays, latest_due

CEGUAN = "/chuanying/ceguan/"
YANGCHUN = CEGUAN + "yangchun/"


def petition(svc, headcount: int, at: str) -> None:
    pid = unique("p")
    svc.publish_event("petition.registered", {
        "petition_id": pid, "org_unit_id": "yangchun", "category": "environment_noise", "level": "community",
        "channel": "visit", "headcount": headcount, "is_group": headcount > 1, "anonymous": False, "risk_flags": [],
        "deadline": "2026-04-20", "registered_at": at}, pid, YANGCHUN)


def batches(svc, headers, expected: int) -> None:
    """Run the reports projector until 阳春社区's current 接访批次 of March is `expected`."""
    projector = svc.worker.consumers[-1]

    def reached():
        projector.run_once()
        m = svc.client.get("/api/v1/reports/overview", headers=headers, query_string={
            "org_unit": "yangchun", "from": "2026-03-01", "to": "2026-03-31"}).get_json()["metrics"]["petition.batches"]
        return m.get("current", m["value"]) == expected

    wait_for(reached, 30, message=f"March reaches {expected} batches")


def job(svc, at: str):
    """The worker's monthly job as a worker started at `at` runs it."""
    return scheduled_monthly_reports(svc.platform, OrgRepository(svc.platform.deps), clock=FixedClock(at))


def docx_text(body: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_the_monthly_reports_are_kept_once_caught_up_and_downloaded_as_made(make_svc, store):
    svc = make_svc(store=store)
    district = svc.headers()
    worker = auth_headers(svc.settings, "community_worker", "yangchun", YANGCHUN)
    officer = auth_headers(svc.settings, "subdistrict_officer", "ceguan", CEGUAN)
    units = [u for u in OrgRepository(svc.platform.deps).subtree_all() if u["level"] in ("subdistrict", "community")]
    assert len(units) >= 3
    petition(svc, 3, "2026-03-05T02:00:00.000000Z")
    batches(svc, district, 1)
    # 阳春社区 files March: 1 batch of 3; a petition of March registered later is an adjustment, not the figure
    for who, action in ((worker, "submit"), (officer, "approve")):
        assert svc.client.post(f"/api/v1/reports/approvals/yangchun/2026-03/{action}", headers=who).status_code == 200
    petition(svc, 1, "2026-03-25T02:00:00.000000Z")
    batches(svc, district, 2)

    # while the read model is behind the services' events, the job waits for its next run
    state = ReportsState(svc.platform.deps)
    state.current()
    state.lag({"petition": 1, "welfare": 0})
    assert job(svc, "2026-04-01T02:00:00Z").run() == {}
    state.lag({"petition": 0, "welfare": 0})
    # 1 April 2026 (a Wednesday), 10:00 in China: March's reports, two per unit, once however often the job runs
    assert job(svc, "2026-04-01T02:00:00Z").run() == {"2026-03": 2 * len(units)}
    assert job(svc, "2026-04-01T03:00:00Z").run() == {"2026-03": 0}  # a restart, or a second worker
    # 1-5 May are holidays: April is not due before Wednesday 6 May
    assert job(svc, "2026-05-05T02:00:00Z").run() == {"2026-03": 0}
    # the worker was down from April to June: on Monday 1 June it makes April's and May's
    assert job(svc, "2026-06-01T01:00:00Z").run() == {"2026-03": 0, "2026-04": 2 * len(units),
                                                       "2026-05": 2 * len(units)}

    listed = svc.client.get("/api/v1/reports/monthly-reports", headers=officer,
                            query_string={"org_unit": "yangchun", "page_size": 100}).get_json()
    assert listed["total"] == 6
    assert [(i["period"], i["format"]) for i in listed["items"]] == [
        (m, f) for m in ("2026-05", "2026-04", "2026-03") for f in ("docx", "xlsx")]
    march = next(i for i in listed["items"] if i["period"] == "2026-03" and i["format"] == "docx")
    assert march["by"] == "schedule" and march["generated_at"].startswith("2026-04-01")
    assert march["figures_as_of"]["freshness"] and march["sign_off"]["filed_units"] == ["yangchun"]

    # the download is the bytes as made: the hash the list gives; the filed month says its filed figures
    got = svc.client.get(f"/api/v1/reports/monthly-reports/{march['id']}/download", headers=officer)
    assert got.status_code == 200 and hashlib.sha256(got.data).hexdigest() == march["sha256"]
    assert got.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = docx_text(got.data)
    assert "阳春社区2026年3月工作月报" in text and "2026年3月共接访1批次3人次" in text and "本期数据已签报" in text
    xlsx = next(i for i in listed["items"] if i["period"] == "2026-03" and i["format"] == "xlsx")
    sheet = load_workbook(io.BytesIO(svc.client.get(f"/api/v1/reports/monthly-reports/{xlsx['id']}/download",
                                                    headers=officer).data))["主要指标"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2:4] == ("2026年3月", "2025年3月") and {r[0]: r[2] for r in rows}["接访批次"] == 1
    trail = svc.client.get("/api/v1/audit", query_string={"action": "export"}, headers=district).get_json()["items"]
    assert [e["report"]["period"] for e in trail if "report" in e] == ["2026-03", "2026-03"]

    # a unit outside the caller's scope: the same 404 as none
    other = auth_headers(svc.settings, "community_worker", "yanghe", CEGUAN + "yanghe/")
    assert svc.client.get(f"/api/v1/reports/monthly-reports/{march['id']}/download", headers=other).status_code == 404
    assert svc.client.get("/api/v1/reports/monthly-reports/nowhere.2026-03.docx/download",
                          headers=other).status_code == 404

    # a month made by hand: only what is not kept yet, by the caller, within their units
    again = svc.client.post("/api/v1/reports/monthly-reports", json={"period": "2026-03"}, headers=officer).get_json()
    assert again["generated"] == 0 and len(again["items"]) == 2 * len(
        [u for u in units if u["path"].startswith(CEGUAN)])
    february = svc.client.post("/api/v1/reports/monthly-reports", json={"period": "2026-02", "org_unit_id": "yangchun"},
                               headers=officer).get_json()
    assert february["generated"] == 2 and february["items"][0]["generated_by"]["user_id"]
    assert svc.client.post("/api/v1/reports/monthly-reports", json={"period": "2026-02", "org_unit_id": "yangchun"},
                           headers=officer).get_json()["generated"] == 0
    assert svc.client.post("/api/v1/reports/monthly-reports", json={"period": "2026-13"},
                           headers=officer).status_code == 422


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_two_workers_making_the_same_report_keep_the_first_ones_bytes(make_svc, store):
    from gateway.adapters.kept_reports import KeptReports

    kept = KeptReports(make_svc(store=store).platform.deps)
    first, second = b"made by worker one", b"made by worker two"
    record = {"_id": "yangchun.2026-03.docx", "org_path": YANGCHUN, "period": "2026-03", "format": "docx"}
    assert kept.keep({**record, "sha256": hashlib.sha256(first).hexdigest()}, first) is True
    assert kept.keep({**record, "sha256": hashlib.sha256(second).hexdigest()}, second) is False
    assert kept.content(kept.get(record["_id"])) == first and kept.files.count_documents({}) == 1


def test_the_worker_makes_last_months_reports_once_it_has_settled(svc):
    jobs = [job for _, job in svc.worker.periodic if getattr(job, "__name__", "") == "monthly_reports"]
    assert len(jobs) == 1
    jobs[0]()  # just started: its projector catches up first
    assert svc.client.get("/api/v1/reports/monthly-reports", headers=svc.headers()).get_json()["total"] == 0
    monthly_reports_job(svc.platform, OrgRepository(svc.platform.deps), settle_seconds=0)()
    listed = svc.client.get("/api/v1/reports/monthly-reports", headers=svc.headers()).get_json()
    due = latest_due(svc.platform.clock.today(), WorkingDays())
    assert listed["total"] > 0 and {i["period"] for i in listed["items"]} == {due.code}


def test_a_months_report_prints_that_months_written_sections_and_not_the_years(svc):
    """Narratives are kept per unit and year (the annual report's) and per unit and month (its 月报's)."""
    worker = auth_headers(svc.settings, "community_worker", "yangchun", YANGCHUN)
    month = {"cases": "3月12日,网格员发现独居老人家中燃气泄漏,及时处置。", "plans": "4月开展消防安全排查。"}
    year = {"cases": "全年化解邻里纠纷12起。", "plans": "明年完善网格化管理。"}
    written = svc.client.put("/api/v1/reports/narratives/yangchun/2026/3", json=month, headers=worker)
    assert written.status_code == 200, written.get_json()
    assert (written.get_json()["month"], written.get_json()["version"]) == (3, 1)
    assert svc.client.put("/api/v1/reports/narratives/yangchun/2026", json=year, headers=worker).status_code == 200
    assert svc.client.get("/api/v1/reports/narratives/yangchun/2026/4", headers=worker).get_json()["cases"] == ""
    assert svc.client.put("/api/v1/reports/narratives/yangchun/2026/13", json=month, headers=worker).status_code == 422
    made = svc.client.post("/api/v1/reports/monthly-reports", json={"period": "2026-03", "org_unit_id": "yangchun"},
                           headers=worker).get_json()
    docx = next(i for i in made["items"] if i["format"] == "docx")
    march = docx_text(svc.client.get(f"/api/v1/reports/monthly-reports/{docx['id']}/download", headers=worker).data)
    assert "典型案例" in march and month["cases"] in march and month["plans"] in march
    assert year["cases"] not in march and year["plans"] not in march
    made = svc.client.post("/api/v1/reports/monthly-reports", json={"period": "2026-02", "org_unit_id": "yangchun"},
                           headers=worker).get_json()
    docx = next(i for i in made["items"] if i["format"] == "docx")
    february = docx_text(svc.client.get(f"/api/v1/reports/monthly-reports/{docx['id']}/download", headers=worker).data)
    assert "典型案例" not in february  # no sections written for February: none printed
    trail = svc.client.get("/api/v1/audit", query_string={"action": "change"}, headers=svc.headers()).get_json()
    assert {"org_unit_id": "yangchun", "year": 2026, "month": 3, "sections": ["cases", "plans"]} in [
        e["narrative"] for e in trail["items"] if "narrative" in e]
