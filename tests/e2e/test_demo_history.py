"""The demo district has a past (#22): `make run` on a fresh data directory is ready in seconds and then fills last
year and this year to date in the background, through the services' own API, with its progress at
GET /api/v1/demo/history; once per data directory, and a generation killed halfway ends, after a restart, with the
same figures as one never interrupted (no duplicates). Embedded pair; a reduced scale (LIANDONG_DEMO_HISTORY_SCALE)
keeps the test short, the plan's shape is the full one's."""
from __future__ import annotations

import io
import json
import os
import signal
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from docx import Document

from liandong.testing import wait_for

SCALE = "0.1"
CHINA = timezone(timedelta(hours=8))
FIGURES = ("petition.batches", "petition.person_times", "petition.closed", "welfare.applications_approved",
           "welfare.households", "welfare.people", "welfare.disbursed_fen", "welfare.payments", "welfare.visits",
           "volunteer.volunteers", "volunteer.activities", "volunteer.participant_times", "volunteer.minutes",
           "security.incidents", "security.incidents_resolved", "security.mediations",
           "security.mediations_succeeded", "security.migrants")


def progress(o) -> dict:
    return o.get("district_admin", "/demo/history")


def figures(o, year: int, unit: str = "chuanying") -> dict:
    body = o.get("district_admin", "/reports/overview", org_unit=unit, **{"from": f"{year}-01-01", "to": f"{year}-12-31"})
    return {k: body["metrics"][k]["value"] for k in FIGURES}


def start(e2e, settings, log, o_factory):
    began = time.monotonic()
    proc = e2e.start_platform(settings, log)
    e2e.check_running(settings)
    return proc, round(time.monotonic() - began, 1), o_factory(f"http://127.0.0.1:{settings.ports['gateway']}")


def wait_done(o, timeout: float = 900) -> dict:
    return wait_for(lambda: (lambda p: p if p["state"] == "done" else None)(progress(o)), timeout, 2,
                    message="the demo history reaches 100 %")


@pytest.mark.e2e
def test_the_demo_district_has_a_past_made_once_and_a_killed_generation_ends_the_same(
        platform_settings, e2e, office, tmp_path, monkeypatch):
    monkeypatch.setenv("LIANDONG_DEMO_HISTORY", "1")
    monkeypatch.setenv("LIANDONG_DEMO_HISTORY_SCALE", SCALE)
    last_year = datetime.now(CHINA).year - 1

    # an uninterrupted run: ready in seconds, the history behind it
    whole = platform_settings()
    proc, ready_in, o = start(e2e, whole, tmp_path / "whole.log", office)
    try:
        first = progress(o)
        assert first["state"] in ("off", "running"), first  # off: the job is a moment from writing its first word
        began = time.monotonic()
        done = wait_done(o)
        generated_in = round(time.monotonic() - began, 1)
        assert done["percent"] == 100 and done["from"].startswith(str(last_year)), done
        e2e.wait_settled(whole)
        before = {y: figures(o, y) for y in (last_year, last_year + 1)}
        last = before[last_year]
        # every area has last year's facts, in the seeds' proportions
        assert [k for k in FIGURES if not last[k]] == [], last
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
    finally:
        e2e.stop_platform(proc)

    # a restart does not make it again
    proc, ready_again, o = start(e2e, whole, tmp_path / "whole-again.log", office)
    try:
        assert progress(o)["state"] == "done"
        time.sleep(5)
        e2e.wait_settled(whole)
        assert {y: figures(o, y) for y in before} == before
        assert "Generating the demo district's history" not in (tmp_path / "whole-again.log").read_text()
    finally:
        e2e.stop_platform(proc)

    # a run killed halfway (the generator and its processes, SIGKILL), then the platform restarted
    killed = whole.with_overrides(data_dir=tmp_path / "killed-data")  # a fresh data directory, the same ports
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
        e2e.wait_settled(killed)
        after = {y: figures(o, y) for y in before}
        assert {(y, k): (before[y][k], after[y][k]) for y in before for k in FIGURES
                if before[y][k] != after[y][k]} == {}
    finally:
        e2e.stop_platform(proc)
    print(f"\nready in {ready_in}s (again {ready_again}s); history at scale {SCALE}: {done['calls_total']} calls, "
          f"{done['days_total']} days, generated in {generated_in}s (the job's own count {done['seconds']}s); "
          f"killed at {halfway['percent']} %, resumed to {resumed['percent']} %")
