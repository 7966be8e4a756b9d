"""A day's activity in three communities of two sub-districts, through the gateway; the reports must
say exactly what the actions imply: per community, per sub-district and for the district, to the
unit and to the fen, rates as summed numerators over summed denominators. The same after a rebuild
of the read models, and in the annual work report (DOCX). On both backend pairs (`embedded`, `kafka-mongo`):
on Kafka the rebuild replays the service topics from the beginning into a new read-model generation."""
from __future__ import annotations

import io
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from docx import Document

from liandong.testing import demo_activity, wait_for

PASSWORD = "Liandong-demo-2026"
CHINA = timezone(timedelta(hours=8))


def close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) < 1e-6
    return a == b


def yuan(fen: int) -> str:
    value = fen / 100
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@pytest.mark.e2e
def test_overview_equals_what_the_actions_imply_before_and_after_a_rebuild(platform, monkeypatch):
    monkeypatch.setenv("LIANDONG_DEMO_ACTIVITY", "0")  # run.py must not play it: this test does, and counts
    started = time.monotonic()
    settings = platform.start()
    base = f"http://127.0.0.1:{settings.ports['gateway']}"
    result = demo_activity().play(base, seed=11643)
    played_s = time.monotonic() - started
    calls = sum(result["calls"].values())
    assert not result["notes"], result["notes"]
    assert calls < 400, result["calls"]
    assert set(result["communities"]) == {"jiayuan", "yangchun", "yanghe"}
    assert set(result["subdistricts"]) == {"huangqi", "ceguan"} and set(result["district"]) == {"chuanying"}

    token = requests.post(f"{base}/api/v1/auth/login", json={"username": "district_admin", "password": PASSWORD},
                          timeout=10).json()["access_token"]
    admin = {"Authorization": f"Bearer {token}"}
    year = datetime.now(CHINA).year
    period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    expected = {**result["communities"], **result["subdistricts"], **result["district"]}

    def overview(unit: str) -> dict:
        r = requests.get(f"{base}/api/v1/reports/overview", headers=admin, params={"org_unit": unit, **period},
                         timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def differences(o: dict, want: dict, rates: dict) -> dict:
        """Every metric of the overview against the actions (untouched ones must be 0), and every rate."""
        out = {k: (want.get(k, 0), m["value"]) for k, m in o["metrics"].items()
               if not close(want.get(k, 0), m["value"])}
        out.update({k: ("no metric in the overview", v) for k, v in want.items() if k not in o["metrics"]})
        for key, rate in o["rates"].items():
            nd = rates.get(key)
            if nd is None:
                if rate["value"] is not None:
                    out[key] = (None, rate["value"])
                continue
            value = round(nd["numerator"] / nd["denominator"], 4)
            if not (close(rate["numerator"], nd["numerator"]) and rate["denominator"] == nd["denominator"]
                    and close(rate["value"], value)):
                out[key] = ((nd["numerator"], nd["denominator"], value),
                            (rate["numerator"], rate["denominator"], rate["value"]))
        return out

    def all_differences() -> dict:
        found = {}
        for unit, want in expected.items():
            o = overview(unit)
            diff = differences(o, want, result["rates"][unit])
            for child in o["children"]:  # the breakdown by child unit agrees too
                cid = child["org_unit"]["id"]
                child_diff = differences(child, expected.get(cid, {}), result["rates"].get(cid, {}))
                diff.update({f"{cid}/{k}": v for k, v in child_diff.items()})
            if diff:
                found[unit] = diff
        return found

    last: dict = {}

    def agrees():
        nonlocal last
        last = all_differences()
        return not last

    try:
        wait_for(agrees, 60, 0.5, message="the overview of every unit to equal what the actions imply")
    except AssertionError:
        raise AssertionError(f"the overview disagrees with the actions: {last}") from None
    agreed_s = time.monotonic() - started

    # the headline figures, spelled out (also what the script's own arithmetic says)
    district, ceguan = overview("chuanying"), overview("ceguan")
    m = lambda o, k: o["metrics"][k]["value"]  # noqa: E731
    r = lambda o, k: o["rates"][k]  # noqa: E731
    assert (m(district, "petition.batches"), m(district, "petition.person_times")) == (11, 75)
    assert (m(district, "petition.group_batches"), m(district, "petition.group_person_times")) == (4, 68)
    assert m(district, "welfare.disbursed_fen") == 322000 + 268000 + 2620000
    assert m(district, "welfare.disbursed_fen.temporary_aid") == 216000 + 100000
    assert m(district, "welfare.disbursed_fen.serious_illness") == 2300000
    assert (m(district, "welfare.households"), m(district, "welfare.people")) == (5, 14)
    assert m(district, "welfare.fund_in_fen") - m(district, "welfare.fund_out_fen") == 720000 - 400000
    assert m(district, "volunteer.coins_redeemed") == 40
    assert (m(district, "security.incidents"), m(district, "security.emergencies")) == (8, 3)

    # rates are summed numerators over summed denominators, never the mean of the communities' rates
    communities = {c: overview(c) for c in ("yangchun", "yanghe")}
    med = r(ceguan, "security.mediation_success_rate")
    assert (med["numerator"], med["denominator"]) == (2, 3) and med["value"] == round(2 / 3, 4)
    mean_of_rates = sum(r(o, "security.mediation_success_rate")["value"] for o in communities.values()) / 2
    assert mean_of_rates == 0.5 != med["value"]
    sat = r(ceguan, "petition.satisfaction_rate")
    assert (sat["numerator"], sat["denominator"]) == (3, 5) and sat["value"] == 0.6
    assert sum(r(o, "petition.satisfaction_rate")["value"] for o in communities.values()) / 2 != 0.6
    dmed = r(district, "security.mediation_success_rate")
    assert (dmed["numerator"], dmed["denominator"]) == (5, 7) and dmed["value"] == round(5 / 7, 4)
    assert r(district, "petition.on_time_rate")["denominator"] == 9
    assert r(district, "petition.resolved_at_level_rate")["numerator"] == 8
    cov = r(district, "security.checkpoint_coverage")
    assert (cov["numerator"], cov["denominator"]) == (13, 15)

    # drop and rebuild the read models from the topics: the same figures
    before = {u: (lambda o: (o["metrics"], o["rates"], o["children"]))(overview(u)) for u in expected}
    state = requests.get(f"{base}/api/v1/reports/rebuild", headers=admin, timeout=10).json()
    r_ = requests.post(f"{base}/api/v1/reports/rebuild", headers=admin, timeout=10)
    assert r_.status_code == 202, r_.text
    generation = state["active_generation"] + 1

    def rebuilt():
        s = requests.get(f"{base}/api/v1/reports/rebuild", headers=admin, timeout=10).json()
        return s if s["active_generation"] == generation and not s["rebuilding"] else None

    done = wait_for(rebuilt, 90, 0.5, message="the rebuild to finish")
    assert done["last_rebuild"]["generation"] == generation
    rebuild_s = time.monotonic() - started - agreed_s
    for unit in expected:
        o = overview(unit)
        assert o["read_model_generation"] == generation
        assert (o["metrics"], o["rates"], o["children"]) == before[unit], unit

    # the annual work report carries the same figures, in Chinese
    docx = requests.get(f"{base}/api/v1/reports/annual.docx", headers=admin,
                        params={"org_unit": "chuanying", "year": year}, timeout=30)
    assert docx.status_code == 200, docx.text[:300]
    doc = Document(io.BytesIO(docx.content))
    text = "\n".join([p.text for p in doc.paragraphs] +
                     [c.text for t in doc.tables for row in t.rows for c in row.cells])
    assert f"船营区{year}年工作汇报" in text
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 300
    assert f"{m(district, 'petition.batches')}批次{m(district, 'petition.person_times')}人次" in text
    assert f"群体性上访{m(district, 'petition.group_batches')}批次" in text
    assert f"{yuan(m(district, 'welfare.disbursed_fen'))}元" in text  # 32,100元
    assert f"成功率{dmed['value'] * 100:.1f}%" in text  # 71.4%
    for name in ("黄旗街道", "册关街道"):
        assert name in text
    print(f"\n[reports] {calls} calls played in {result['seconds']}s ({played_s:.1f}s after start); "
          f"overview agreed at {agreed_s:.1f}s; rebuild took {rebuild_s:.1f}s; actions {result['actions']}")
