"""A small year of the one-stop service hall (一站式服务大厅) of 家园社区, through the gateway as the offices work
it: matters taken at the windows (some carried through on the resident's behalf, 全程代办; one waiting for its
materials), one due across the 清明 holiday and completed late after the deadline scan flagged it, others
on time, one returned (退件), and the window services (窗口服务) of two workers and of the sub-district's own
hall. The overview must say exactly that — for the community and rolled up to 黄旗街道 — and the annual work
report must say it in the offices' words. On both backend pairs; the platform's clock is moved (2025, a year
wholly in the past whenever this runs, so the weekdays below are fixed)."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
import requests
from docx import Document

from liandong.clock import FileClock
from liandong.testing import wait_for

PASSWORD = "Liandong-demo-2026"
CHINA = timezone(timedelta(hours=8))
YEAR = 2025
HOLIDAY = "2025-04-04"  # 清明 (a Friday)


class Hall:
    """The gateway as the hall's staff (the year tests' client), logging in at the platform's current (moved) time."""

    def __init__(self, office, clock):
        self.office, self.clock, self.base = office, clock, office.base

    def at(self, local: str) -> None:
        """Move every process's clock to a moment of the Beijing calendar; the tokens of before may have expired."""
        target = datetime.fromisoformat(local).replace(tzinfo=CHINA)
        FileClock.move(self.clock, (target - datetime.now(timezone.utc)).total_seconds())
        self.office.tokens.clear()

    def headers(self, user: str) -> dict:
        return self.office.headers(user)

    def call(self, user: str, method: str, path: str, expect=(200, 201), **kw) -> dict:
        return self.office.call(user, method, path, expect, **kw)

    def matter(self, user: str, item: str, materials: list[str], on_behalf: bool, serial: int) -> dict:
        from liandong.idnumbers import check_digit

        first = f"22020419480312{serial:03d}"
        return self.call(user, "POST", "/petition/hall/matters", json={
            "org_unit_id": "jiayuan", "item": item, "materials": materials, "on_behalf": on_behalf,
            "resident": {"name": f"居民{serial}", "id_number": first + check_digit(first), "mobile": "13904320000"}})

    def act(self, user: str, matter: dict, action: str, body: dict | None = None) -> dict:
        return self.call(user, "POST", f"/petition/hall/matters/{matter['id']}/{action}", json=body or {})

    def window(self, user: str, unit: str, office: str, kind: str) -> dict:
        return self.call(user, "POST", "/petition/hall/window-services",
                         json={"org_unit_id": unit, "office": office, "kind": kind})


# what the year below implies, per unit: 黄旗街道 is 家园社区 and its own hall (one window service)
JIAYUAN = {"petition.hall_matters": 5, "petition.hall_on_behalf": 3, "petition.hall_completed": 4,
           "petition.hall_completed_on_time": 3, "petition.hall_returned": 1, "petition.hall_overdue": 1,
           "petition.window_services": 5,
           "petition.hall_matters.shebao": 1, "petition.hall_matters.laoling": 1, "petition.hall_matters.zonghe": 1,
           "petition.hall_matters.minzheng": 1, "petition.hall_matters.zongzhi": 1,
           "petition.window_services.tuiguan": 4, "petition.window_services.shebao": 1}
HUANGQI = {**JIAYUAN, "petition.window_services": 6, "petition.window_services.minzheng": 1}


def hall_figures(o: dict) -> dict:
    """Every figure of the hall in an overview (the zeros of the offices with nothing left out)."""
    return {k: m["value"] for k, m in o["metrics"].items()
            if k.startswith(("petition.hall_", "petition.window_services")) and m["value"]}


@pytest.mark.e2e
def test_a_year_of_the_hall_adds_up_in_the_overview_and_the_annual_report(platform, office, tmp_path):
    clock = tmp_path / "clock"
    hall = Hall(office(platform.gateway), clock)
    hall.at(f"{YEAR}-04-01T08:30")
    platform.start(clock_file=str(clock))
    hall.call("district_admin", "PUT", "/petition/config/holidays", json={"holidays": [HOLIDAY]})
    hall.call("district_admin", "POST", "/users", expect=(201,), json={  # 家园社区's 退管员
        "username": "jiayuan_tuiguan", "name": "家园社区退管员", "password": PASSWORD,
        "grants": [{"role": "community_worker", "org_unit": "jiayuan", "duties": ["retiree_affairs"]}]})

    # Wednesday 2 April: five residents at the windows
    hall.at(f"{YEAR}-04-02T10:00")
    survival = hall.matter("jiayuan_worker", "pension_survival_check", ["身份证"], True, 1)  # 社保, 2 days
    allowance = hall.matter("jiayuan_tuiguan", "age_allowance", ["身份证", "户口簿", "银行卡"], True, 2)  # 老龄, 10
    certificate = hall.matter("jiayuan_worker", "residence_certificate", ["身份证", "户口簿"], False, 3)  # 综合, 1
    dibao = hall.matter("jiayuan_worker", "dibao_apply", ["身份证", "户口簿"], True, 4)  # 民政: materials missing
    rental = hall.matter("jiayuan_worker", "rental_registration", ["房主身份证", "房产证", "房屋租赁合同"], False, 5)
    assert survival["due_date"] == f"{YEAR}-04-07"  # Thursday, then 清明, the weekend, and Monday
    assert allowance["due_date"] == f"{YEAR}-04-17" and certificate["due_date"] == f"{YEAR}-04-03"
    assert dibao["state"] == "pending_materials" and dibao["materials_missing"] == ["收入证明", "低保申请书",
                                                                                   "家庭财产申报表"]
    for kind in ("consultation", "policy_explanation", "policy_explanation"):
        hall.window("jiayuan_tuiguan", "jiayuan", "tuiguan", kind)
    hall.window("jiayuan_worker", "jiayuan", "tuiguan", "consultation")
    hall.window("jiayuan_worker", "jiayuan", "shebao", "form_filling")
    hall.window("huangqi_officer", "huangqi", "minzheng", "policy_explanation")  # the sub-district's own hall

    # Thursday 3 April: the certificate on its due date; the survival check goes to 社保
    hall.at(f"{YEAR}-04-03T15:00")
    assert hall.act("jiayuan_worker", certificate, "complete")["on_time"] is True
    hall.act("jiayuan_worker", survival, "refer", {"note": "送社保所"})

    # Tuesday 8 April, early: the survival check is past its due date — the deadline scan flags it
    hall.at(f"{YEAR}-04-08T01:00")
    wait_for(lambda: hall.call("jiayuan_worker", "GET", f"/petition/hall/matters/{survival['id']}")["overdue"], 60,
             message="the deadline scan flags the matter overdue")
    hall.at(f"{YEAR}-04-08T09:30")
    assert hall.act("jiayuan_worker", survival, "complete")["on_time"] is False
    accepted = hall.act("jiayuan_worker", dibao, "materials", {"materials": ["收入证明", "低保申请书", "家庭财产申报表"]})
    assert accepted["state"] == "accepted" and accepted["due_date"] == f"{YEAR}-05-06"  # twenty working days (only 清明 configured)
    hall.act("jiayuan_worker", rental, "return", {"reason": "房屋产权有争议,暂不能备案"})

    # Wednesday 16 April: the allowance and the 低保 application completed in time
    hall.at(f"{YEAR}-04-16T11:00")
    hall.act("jiayuan_tuiguan", allowance, "progress", {"note": "已报老龄办"})
    assert hall.act("jiayuan_tuiguan", allowance, "complete")["on_time"] is True
    assert hall.act("jiayuan_worker", dibao, "complete")["on_time"] is True

    # the per-worker tally (窗口服务 and matters accepted per worker) for the year
    period = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}
    tally = hall.call("huangqi_officer", "GET", "/petition/hall/stats", params={"org_unit": "jiayuan", **period})
    workers = {w["name"]: (w["window_services"], w["matters_accepted"]) for w in tally["workers"]}
    assert workers["家园社区退管员"] == (3, 1) and list(workers.values()).count((2, 4)) == 1, workers
    assert (tally["window_services"], tally["matters_accepted"]) == (5, 5)

    # the overview: the community, the sub-district (its children too), every figure of the hall
    def overview(unit: str) -> dict:
        return hall.call("district_admin", "GET", "/reports/overview", params={"org_unit": unit, **period})

    last = {}

    def agrees():
        last.update(jiayuan=hall_figures(overview("jiayuan")), huangqi=hall_figures(overview("huangqi")))
        return last["jiayuan"] == JIAYUAN and last["huangqi"] == HUANGQI

    try:
        wait_for(agrees, 90, 0.5, message="the overview to say what the year implies")
    except AssertionError:
        raise AssertionError(f"the overview disagrees: {last}") from None
    huangqi = overview("huangqi")
    rate = huangqi["rates"]["petition.hall_on_time_rate"]
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (3, 4, 0.75)
    assert huangqi["metrics"]["petition.window_services.tuiguan"]["label"] == "退管窗口服务"  # petition's names
    child = next(c for c in huangqi["children"] if c["org_unit"]["id"] == "jiayuan")
    assert hall_figures(child) == JIAYUAN and child["rates"]["petition.hall_on_time_rate"]["value"] == 0.75

    # the annual work report: section 十、便民服务 in the offices' words
    def report(unit: str) -> str:
        r = requests.get(f"{hall.base}/reports/annual.docx", headers=hall.headers("district_admin"),
                         params={"org_unit": unit, "year": YEAR}, timeout=60)
        assert r.status_code == 200, r.text[:300]
        return "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)

    community, subdistrict = report("jiayuan"), report("huangqi")
    assert "十、便民服务" in community
    assert "一站式服务大厅受理各类事项5件,办结4件,按时办结率75.0%,其中全程代办3件;窗口服务5次。" in community
    assert ("受理事项中老龄1件、民政1件、社保1件、综合1件、综治1件;窗口服务中社保1次、退管4次;退件1件,超期1件。"
            in community)
    assert "一站式服务大厅受理各类事项5件,办结4件,按时办结率75.0%,其中全程代办3件;窗口服务6次。" in subdistrict
    assert "窗口服务中民政1次、社保1次、退管4次;退件1件,超期1件。" in subdistrict
