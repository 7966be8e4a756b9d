"""The demo district has a past (#22): `make run` on a fresh data directory is ready in seconds and then fills last
year and this year to date in the background, through the services' own API, with its progress at
GET /api/v1/demo/history; once per data directory, and a generation killed halfway ends, after a restart, with the
same figures as one never interrupted (no duplicates). On both backend pairs (embedded; Kafka and FerretDB); a
reduced scale (LIANDONG_DEMO_HISTORY_SCALE) keeps the test short, the plan's shape is the full one's. Every area the
annual report speaks of has last year's figures, near the seeds' yearly figures at that scale; the love coins of
last year's attendance are last year's."""
from __future__ import annotations

import io
import json
import os
import signal
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from docx import Document

from liandong.testing import wait_for

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
import demo_history as dh  # noqa: E402 - the plan's yearly figures (the seeds'), beside run.py

SCALE = "0.1"
CHINA = timezone(timedelta(hours=8))
FIGURES = ("petition.batches", "petition.person_times", "petition.closed", "welfare.applications_approved",
           "welfare.households", "welfare.people", "welfare.disbursed_fen", "welfare.payments", "welfare.visits",
           "volunteer.volunteers", "volunteer.activities", "volunteer.participant_times", "volunteer.minutes",
           "security.incidents", "security.incidents_resolved", "security.mediations",
           "security.mediations_succeeded", "security.migrants", "volunteer.coins_credited")


def _district(kind: str, share: float = 1.0) -> float:
    """A yearly figure of the plan (the seeds', at scale 1) for the whole district."""
    return sum(dh.YEARLY[kind].values()) * share


_SERVICES = sum(n for _, _, n, _ in dh.REGISTER_SERVICES) * len(dh.COMMUNITIES)
# the areas added for the annual report's other sections: figure -> what the seeds' yearly figures make of it at
# scale 1 for the district (a stock: at the year's end)
SEEDED = {
    "security.patrols": _district("patrol"),
    "security.checkpoints_checked": _district("patrol", 5 * 0.95),
    "petition.hall_matters": _district("hall_matter"),
    "petition.hall_completed": _district("hall_matter", 0.97),
    "petition.window_services": sum(dh.YEARLY["window"].values()) * len(dh.COMMUNITIES),
    "welfare.supermarket_households": _district("supermarket_household"),
    "welfare.goods_handed_out": _district("supermarket_household", 4 / 3),
    "welfare.fund_people": _district("fund_grant"),
    "volunteer.teams": _district("team"),
    "welfare.retirees": _district("retiree_stock") + _district("retiree"),
    "welfare.elderly": _district("elderly_stock") + _district("elderly"),
    "welfare.disabled": _district("disabled_stock") + _district("disabled"),
    "welfare.veterans": _district("veteran_stock") + _district("veteran"),
    "welfare.register_services": _SERVICES,
    "welfare.reemployment_certificates": _district("jobseeker", 0.5),
    "welfare.placements": _district("jobseeker", 0.7 * 0.75),  # placed 1-5 months on: a quarter next year
}
NEW_FIGURES = (*SEEDED, "welfare.goods_donated_fen", "welfare.fund_in_fen", "welfare.fund_out_fen",
               "welfare.jobseekers", "welfare.placements_on_site", "petition.hall_on_behalf",
               "welfare.hospital_visits", "welfare.elderly_home_visits", "welfare.rehabilitation",
               "welfare.veteran_visits")


def progress(o) -> dict:
    """The progress as the district admin reads it; a wait longer than an access token lives (the Kafka and
    FerretDB history takes that) logs in again once the token has expired."""
    answer = o.get("district_admin", "/demo/history", expect=(200, 401))
    if isinstance(answer.get("error"), dict):  # the 401's envelope (the progress's own `error` is a sentence)
        o.tokens.pop("district_admin", None)
        answer = o.get("district_admin", "/demo/history")
    return answer


def figures(o, year: int, unit: str = "chuanying", keys=FIGURES + NEW_FIGURES) -> dict:
    o.tokens.pop("district_admin", None)  # after a long wait: a fresh token
    body = o.get("district_admin", "/reports/overview", org_unit=unit, **{"from": f"{year}-01-01", "to": f"{year}-12-31"})
    return {k: body["metrics"][k]["value"] for k in keys}


def near(value: float, expected: float) -> bool:
    """Close to a yearly figure drawn at a small scale: each community's count is rounded by a seeded draw, so the
    district's sum strays by a few from the product (about its square root), never by half of it."""
    return abs(value - expected) <= 0.3 * expected + 2 * expected ** 0.5 + 1


def start(e2e, settings, log, o_factory):
    began = time.monotonic()
    proc = e2e.start_platform(settings, log)
    e2e.check_running(settings)
    return proc, round(time.monotonic() - began, 1), o_factory(f"http://127.0.0.1:{settings.ports['gateway']}")


def wait_done(o, timeout: float = 2400) -> dict:
    """FerretDB takes several times SQLite's time per write: on a loaded 2-core machine the kafka-mongo history
    (1 800 calls at 0.1) takes up to half an hour, the embedded one a few minutes."""
    return wait_for(lambda: (lambda p: p if p["state"] == "done" else None)(progress(o)), timeout, 2,
                    message="the demo history reaches 100 %")


@pytest.mark.e2e
def test_the_demo_district_has_a_past_made_once_and_a_killed_generation_ends_the_same(
        platform_settings, backend_pair, e2e, office, tmp_path, monkeypatch):
    monkeypatch.setenv("LIANDONG_DEMO_HISTORY", "1")
    monkeypatch.setenv("LIANDONG_DEMO_HISTORY_SCALE", SCALE)
    last_year = datetime.now(CHINA).year - 1
    store, bus = backend_pair

    # an uninterrupted run: ready in seconds, the history behind it
    whole = platform_settings(store=store, bus=bus)
    proc, ready_in, o = start(e2e, whole, tmp_path / "whole.log", office)
    try:
        first = progress(o)
        assert first["state"] in ("off", "running"), first  # off: the job is a moment from writing its first word
        began = time.monotonic()
        done = wait_done(o)
        generated_in = round(time.monotonic() - began, 1)
        assert done["percent"] == 100 and done["from"].startswith(str(last_year)), done
        e2e.wait_settled(whole, timeout=300)  # a year of history through FerretDB, whose every update reads its collection
        before = {y: figures(o, y) for y in (last_year, last_year + 1)}
        last = before[last_year]
        # every area has last year's facts, in the seeds' proportions
        assert [k for k in FIGURES + NEW_FIGURES if not last[k]] == [], last
        assert done["steps_refused"] == 0, done["refused"]  # every step the plan made was taken
        scale = float(SCALE)
        assert {k: (last[k], round(v * scale, 1)) for k, v in SEEDED.items() if not near(last[k], v * scale)} == {}
        # the love coins of last year's hours are last year's (10 an hour, whole coins per attendance)
        assert 0.8 * last["volunteer.minutes"] / 6 <= last["volunteer.coins_credited"] <= last["volunteer.minutes"] / 6, last
        assert 1.8 <= last["welfare.people"] / last["welfare.households"] <= 3.2, last  # seed 004: 80户190人
        assert last["welfare.payments"] >= 3 * last["welfare.households"], last  # paid every month since approval
        assert last["security.mediations_succeeded"] / last["security.mediations"] >= 0.8, last  # seed 003: 92.8 %
        assert last["security.incidents_resolved"] == last["security.incidents"], last
        assert last["volunteer.participant_times"] >= 3 * last["volunteer.activities"], last
        ceguan, others = figures(o, last_year, "ceguan"), figures(o, last_year, "huangqi")
        assert ceguan["welfare.households"] > others["welfare.households"], (ceguan, others)  # 册关: 16 a year each
        # the annual report of last year says it in the offices' words
        r = requests.get(f"{o.base}/reports/annual.docx", headers=o.headers("district_admin"),
                         params={"org_unit": "chuanying", "year": last_year}, timeout=120)
        assert r.status_code == 200, r.text[:300]
        text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
        assert f"共接访{last['petition.batches']}批次{last['petition.person_times']}人次" in text, text[:2000]
        assert f"矛盾纠纷调解{last['security.mediations']}次" in text, text[:2000]
        # the sections of the areas added: their figures, not zeros
        for said in (f"开展巡逻{last['security.patrols']}次", f"受理各类事项{last['petition.hall_matters']}件",
                     f"窗口服务{last['petition.window_services']}次",
                     f"爱心超市为{last['welfare.supermarket_households']}户困难家庭发放物资",
                     f"爱心基金帮助{last['welfare.fund_people']}名困难居民", f"组建了{last['volunteer.teams']}支志愿服务队",
                     f"现有企业离退休人员{last['welfare.retirees']}人", f"现有持证残疾人{last['welfare.disabled']}人",
                     f"现有优抚对象{last['welfare.veterans']}人",
                     f"为{last['welfare.reemployment_certificates']}名下岗职工办理再就业优惠证",
                     f"积累爱心币{last['volunteer.coins_credited']}枚"):
            assert said in text, (said, text[:3000])
    finally:
        e2e.stop_platform(proc)

    # a restart does not make it again
    proc, ready_again, o = start(e2e, whole, tmp_path / "whole-again.log", office)
    try:
        assert progress(o)["state"] == "done"
        time.sleep(5)
        e2e.wait_settled(whole, timeout=300)  # a year of history through FerretDB, whose every update reads its collection
        assert {y: figures(o, y) for y in before} == before
        assert "Generating the demo district's history" not in (tmp_path / "whole-again.log").read_text()
    finally:
        e2e.stop_platform(proc)

    if store != "sqlite":
        # the kill and resume is the generator's own (its state file, its Idempotency-Keys), the same code on both
        # pairs, and the services' idempotency on FerretDB is in their own suites: on this pair it would double
        # the test's half hour for nothing new
        print(f"\nready in {ready_in}s (again {ready_again}s); history at scale {SCALE} on {store}/{bus}: "
              f"{done['calls_total']} calls, generated in {generated_in}s")
        return

    # a run killed halfway (the generator and its processes, SIGKILL), then the platform restarted
    # a fresh data directory
    killed = platform_settings(store=store, bus=bus).with_overrides(data_dir=tmp_path / "killed-data")
    proc, _, o = start(e2e, killed, tmp_path / "killed.log", office)
    try:
        halfway = wait_for(lambda: (lambda p: p if p["state"] == "running" and 30 <= (p["percent"] or 0) < 90 else None)(
            progress(o)), 600, 0.5, message="the history halfway")
        pid = json.loads((killed.data_dir / "demo-history" / "progress.json").read_text())["pid"]
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    finally:
        e2e.stop_platform(proc)
    proc, _, o = start(e2e, killed, tmp_path / "killed-again.log", office)
    try:
        resumed = wait_done(o)
        e2e.wait_settled(killed, timeout=300)
        after = {y: figures(o, y) for y in before}
        assert {(y, k): (before[y][k], after[y][k]) for y in before for k in FIGURES + NEW_FIGURES
                if before[y][k] != after[y][k]} == {}
    finally:
        e2e.stop_platform(proc)
    print(f"\nready in {ready_in}s (again {ready_again}s); history at scale {SCALE}: {done['calls_total']} calls, "
          f"{done['days_total']} days, generated in {generated_in}s (the job's own count {done['seconds']}s); "
          f"killed at {halfway['percent']} %, resumed to {resumed['percent']} %")
