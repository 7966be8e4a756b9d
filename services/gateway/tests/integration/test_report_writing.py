"""What an office writes into its annual report besides the figures: the units' dated profiles (基本情况, summed for
a sub-district that keeps none), the narrative sections (典型案例, 下一步打算, other work), and a past year's words."""
from __future__ import annotations

import io

import pytest
from docx import Document

from liandong.testing import auth_headers

PROFILES = "/api/v1/org/units/{}/profiles"


def keep(svc, unit: str, headers, expect: int = 201, **profile):
    r = svc.client.post(PROFILES.format(unit), json=profile, headers=headers)
    assert r.status_code == expect, r.get_json()
    return r.get_json()


def in_force(svc, unit: str, on: str, headers=None):
    return svc.client.get(f"/api/v1/org/units/{unit}/profile", query_string={"on": on},
                          headers=headers or svc.headers())


def report(svc, unit: str, year: int, headers=None) -> Document:
    r = svc.client.get("/api/v1/reports/annual.docx", query_string={"org_unit": unit, "year": year},
                       headers=headers or svc.headers())
    assert r.status_code == 200, r.get_json()
    return Document(io.BytesIO(r.data))


def overview_of(svc, headers) -> dict:
    return svc.client.get("/api/v1/reports/overview", query_string={"org_unit": "jiayuan", "from": "2026-01-01",
                          "to": "2026-12-31"}, headers=headers).get_json()


def paragraphs(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs]


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_profiles_are_dated_the_one_in_force_is_used_and_a_sub_district_sums_its_communities(make_svc, store):
    svc = make_svc(store=store)
    admin = svc.headers()
    keep(svc, "jiayuan", admin, as_of="2025-01-01", population=6000, households=2100, area_km2=0.8, grids=5)
    keep(svc, "jiayuan", admin, as_of="2026-01-01", population=6400, households=2250, area_km2=0.8, grids=6)
    # the same date again replaces that profile (200), it does not add one
    kept = keep(svc, "jiayuan", admin, 200, as_of="2026-01-01", population=6500, households=2300, area_km2=0.8,
                grids=6)
    assert kept["population"] == 6500
    assert in_force(svc, "jiayuan", "2025-12-31").get_json()["population"] == 6000
    now = in_force(svc, "jiayuan", "2026-06-30").get_json()
    assert (now["as_of"], now["population"], now["households"], now["grids"], now["source"]) == (
        "2026-01-01", 6500, 2300, 6, "own")
    assert in_force(svc, "jiayuan", "2024-12-31").status_code == 404
    listed = svc.client.get(PROFILES.format("jiayuan"), headers=admin).get_json()
    assert [p["as_of"] for p in listed["items"]] == ["2026-01-01", "2025-01-01"] and listed["total"] == 2

    # 册关街道 keeps no profile of its own: its communities' are summed
    keep(svc, "yangchun", admin, as_of="2026-01-01", population=5000, households=1800, area_km2=1.25, grids=5)
    keep(svc, "yanghe", admin, as_of="2026-02-01", population=3000, households=1000, area_km2=0.5, grids=3)
    summed = in_force(svc, "ceguan", "2026-06-30").get_json()
    assert (summed["population"], summed["households"], summed["area_km2"], summed["grids"]) == (8000, 2800, 1.75, 8)
    assert (summed["source"], summed["units"], summed["of_units"]) == ("children", 2, 5)
    assert in_force(svc, "ceguan", "2026-01-15").get_json()["units"] == 1  # 阳和's came into force in February

    # only org:admin keeps them, in its scope; the fields are checked; each change is in the audit trail
    officer = svc.headers("huangqi_officer")
    assert svc.client.post(PROFILES.format("jiayuan"), json={"as_of": "2026-03-01", "population": 1, "households": 1,
                           "area_km2": 1, "grids": 1}, headers=officer).status_code == 403
    bad = svc.client.post(PROFILES.format("jiayuan"), json={"as_of": "2026-13-01", "population": -1,
                          "households": "many", "area_km2": 0.8}, headers=admin)
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"as_of", "population", "households", "grids"}
    assert svc.client.post(PROFILES.format("nowhere"), json={"as_of": "2026-01-01", "population": 1, "households": 1,
                           "area_km2": 1, "grids": 1}, headers=admin).status_code == 404
    trail = svc.client.get("/api/v1/audit", query_string={"action": "change", "page_size": 100},
                           headers=admin).get_json()["items"]
    changes = [(e["profile"]["org_unit_id"], e["profile"]["as_of"], e["profile"]["population"])
               for e in reversed(trail) if "profile" in e]
    assert changes[:3] == [("jiayuan", "2025-01-01", 6000), ("jiayuan", "2026-01-01", 6400),
                           ("jiayuan", "2026-01-01", 6500)]

    # the annual report opens with them (基本情况)
    text = paragraphs(report(svc, "jiayuan", 2026))
    assert "家园社区辖区面积0.8平方公里,共有居民2300户6500人,划分为6个网格。" in text
    # 册关街道 has five communities: the sum is of the two with a profile, and the report says so
    assert "册关街道下辖5个社区,其中已报基本情况的2个社区辖区面积1.75平方公里,共有居民2800户8000人,划分为8个网格。" in (
        paragraphs(report(svc, "ceguan", 2026)))
    # 黄旗街道's one community has a profile: the whole sub-district
    assert "黄旗街道下辖1个社区,辖区面积0.8平方公里,共有居民2300户6500人,划分为6个网格。" in paragraphs(
        report(svc, "huangqi", 2026))
    if store == "mongo":
        svc.platform.db.drop()


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_narrative_sections_are_kept_with_the_report_audited_and_printed_after_the_figures(make_svc, store):
    svc = make_svc(store=store)
    worker = svc.headers("jiayuan_worker")
    url = "/api/v1/reports/narratives/jiayuan/2026"
    assert svc.client.get(url, headers=worker).get_json() == {"org_unit_id": "jiayuan", "year": 2026, "cases": "",
                                                              "plans": "", "text": "", "version": 0}
    body = {"cases": "独居老人王某突发疾病,网格员及时发现并送医。\n楼道堆物清理,化解邻里纠纷3起。",
            "plans": "一是完善网格化管理;二是加强志愿服务队伍建设。", "text": "", "version": 0}
    written = svc.client.put(url, json=body, headers=worker)
    assert written.status_code == 200, written.get_json()
    assert written.get_json()["version"] == 1 and written.get_json()["updated"]["user_id"]
    # a write on a version read before someone else's change is refused, not lost
    stale = svc.client.put(url, json=body | {"plans": "另一稿", "version": 0}, headers=worker)
    assert stale.status_code == 409
    assert svc.client.get(url, headers=worker).get_json()["plans"] == body["plans"]
    retried = svc.client.put(url, json=body, headers=worker)  # the same write again (its answer was lost)
    assert retried.status_code == 200 and retried.get_json()["version"] == 1
    # another community's staff see none of it; who cannot export the report cannot write it
    assert svc.client.get(url, headers=svc.headers("huangniling_worker")).status_code == 404
    grid = auth_headers(svc.settings, "grid_worker", "jiayuan-g1", "/chuanying/huangqi/jiayuan/jiayuan-g1/")
    assert svc.client.put("/api/v1/reports/narratives/jiayuan-g1/2026", json=body, headers=grid).status_code == 403
    assert svc.client.put(url, json={"cases": 3}, headers=worker).status_code == 422
    trail = svc.client.get("/api/v1/audit", query_string={"action": "change"}, headers=svc.headers()).get_json()
    assert [e["narrative"] for e in trail["items"] if "narrative" in e] == [
        {"org_unit_id": "jiayuan", "year": 2026, "sections": ["cases", "plans"]}]

    from gateway.adapters.report_sentences import cn_number, section_number, sentences

    headings = [p.text for p in report(svc, "jiayuan", 2026, worker).paragraphs if p.style.name.startswith("Heading")]
    figures = list(sentences(overview_of(svc, worker)))  # the figures' sections, whatever the offices add to them
    after = max(section_number(t) for t in figures)
    cases, plans = f"{cn_number(after + 1)}、典型案例", f"{cn_number(after + 2)}、下一步打算"
    assert headings[headings.index(cases) - 1] == figures[-1] and headings[headings.index(cases) + 1] == plans
    assert headings[headings.index(plans) + 1] == f"{cn_number(after + 3)}、主要指标"
    text = paragraphs(report(svc, "jiayuan", 2026, worker))
    assert text[text.index(cases) + 1:text.index(plans)] == body["cases"].split("\n")
    if store == "mongo":
        svc.platform.db.drop()


def test_a_past_year_is_told_as_that_whole_year_and_the_year_under_way_since_its_start(svc):
    past = paragraphs(report(svc, "jiayuan", 2025))
    assert any(p.startswith("2025年全年共接访0批次0人次") for p in past)
    assert not any("今年以来" in p for p in past)
    assert any(p.startswith("今年以来共接访0批次") for p in paragraphs(report(svc, "jiayuan", 2026)))


def test_section_numbers_read_as_they_are_written():
    from gateway.adapters.report_sentences import cn_number, section_number

    assert [section_number(f"{cn_number(n)}、x") for n in (1, 4, 10, 11, 20, 23)] == [1, 4, 10, 11, 20, 23]
    assert section_number("典型案例") == 0


def test_opening_words_of_a_month_and_of_other_periods():
    from gateway.adapters.report_sentences import since

    def words(start, end, now="2026-11-29T02:00:00.000000Z"):
        return since({"period": {"from": start, "to": end}, "generated_at": now})

    assert words("2026-01-01", "2026-12-31") == "今年以来"
    assert words("2026-01-01", "2026-06-30") == "今年以来"
    assert words("2025-01-01", "2025-12-31") == "2025年全年"
    assert words("2026-03-01", "2026-03-31") == "2026年3月"
    assert words("2025-03-05", "2025-04-30") == "2025年3月5日至2025年4月30日"
    # the offices' calendar: 1 January at 02:00 in Beijing is still 31 December in UTC
    assert words("2027-01-01", "2027-12-31", now="2026-12-31T18:00:00.000000Z") == "今年以来"
