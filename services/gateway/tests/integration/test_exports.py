"""Exports: a filtered list and the overview's table as CSV and XLSX, in Chinese, scoped and masked."""
from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from liandong.idnumbers import check_digit
from liandong.testing import wait_for

from gateway.domain import exports
from petition.bootstrap import create_app as petition_app, create_worker as petition_worker


def id_number(seq: int) -> str:
    first = f"22020419650312{seq:03d}"
    return first + check_digit(first)


def petition(unit: str, seq: int, title: str, channel: str = "visit", headcount: int | None = None,
             category: str = "environment_noise") -> dict:
    body = {"org_unit_id": unit, "category": category, "channel": channel, "title": title,
            "content": "相邻电机厂冲床噪音困扰,多次协商无果",
            "petitioners": [{"name": f"刘{seq}", "id_number": id_number(seq), "mobile": "13904321234"}]}
    if headcount:
        body["headcount"] = headcount
    return body


def read_csv(resp) -> list[dict]:
    text = resp.get_data().decode("utf-8")
    assert text.startswith("\ufeff"), "a BOM, so that Excel opens the Chinese correctly"
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_a_filtered_list_exports_in_chinese_within_scope_and_masked(svc, serve, workers, monkeypatch):
    ps = svc.settings.for_service("petition")
    workers(svc.worker)
    workers(petition_worker(ps))
    serve(petition_app(ps), port=svc.settings.ports["petition"])
    # a page of two, so that an export of five petitions has to follow the pages
    monkeypatch.setattr(exports, "PAGING", exports.Paging(size=2))
    worker, other, officer = svc.headers("jiayuan_worker"), svc.headers("huangniling_worker"), svc.headers("huangqi_officer")
    titles = ["楼上装修噪音", "=HYPERLINK(\"http://x\")", "小区路灯不亮", "广场舞噪音", "电机厂噪音"]
    for i, title in enumerate(titles):
        r = svc.client.post("/api/v1/petition/petitions", headers=worker,
                          json=petition("jiayuan", i + 1, title, channel="letter" if i == 4 else "visit",
                                        headcount=12 if i == 0 else None,
                                        category="property" if i == 2 else "environment_noise"))
        assert r.status_code == 201, r.get_json()
    r = svc.client.post("/api/v1/petition/petitions", headers=other, json=petition("huangniling", 9, "黄泥岭噪音"))
    assert r.status_code == 201, r.get_json()

    # what the export asks of the petition service: its first page, then each page after it by cursor
    proxy, asked = svc.app.extensions["gateway"]["proxy"], []
    forward = proxy.forward
    monkeypatch.setattr(proxy, "forward", lambda service, method, path, query, *rest: (
        asked.append(query.decode()), forward(service, method, path, query, *rest))[1])
    got = svc.client.get("/api/v1/exports/petition/petitions?format=csv&channel=visit", headers=officer)
    assert got.status_code == 200, got.get_json()
    assert len(asked) == 2 and "page=1" in asked[0] and "after=" in asked[1] and "page=" not in asked[1], asked
    monkeypatch.setattr(proxy, "forward", forward)
    assert got.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in got.headers["Content-Disposition"]
    rows = read_csv(got)
    # the filter holds (four visits, not the letter) across pages; the officer's subtree only (not 黄泥岭)
    assert sorted(r["标题"] for r in rows) == sorted("'" + t if t.startswith("=") else t for t in titles[:4])
    assert {r["来源渠道"] for r in rows} == {"来访"}
    # codes in the petition service's own words (its configuration), not a copy's (物业 for 物业管理)
    assert sorted(r["类别"] for r in rows) == sorted(["物业管理"] + ["环境噪音"] * 3)
    assert {r["办理状态"] for r in rows} == {"已受理"} and {r["所属单位"] for r in rows} == {"家园社区"}
    assert "群体性上访" in rows[0] and {r["群体性上访"] for r in rows} == {"是", "否"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in rows[0]), list(rows[0])

    # XLSX: the same rows; the spreadsheet does not run the formula someone typed as a title
    x = svc.client.get("/api/v1/exports/petition/petitions?format=xlsx&channel=visit", headers=officer)
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.get_data())).active
    table = [[c.value for c in row] for row in ws.iter_rows()]
    assert len(table) == 1 + 4
    title_col = table[0].index("标题")
    assert "'=HYPERLINK(\"http://x\")" in [r[title_col] for r in table[1:]]
    assert all(ws.cell(row=i, column=title_col + 1).data_type != "f" for i in range(1, len(table) + 1))

    # a community worker without personal_data:read exports masked ID numbers; an out-of-scope filter is refused
    mine = read_csv(svc.client.get("/api/v1/exports/petition/petitions?format=csv", headers=other))
    assert [r["标题"] for r in mine] == ["黄泥岭噪音"]
    id_cols = [h for h in mine[0] if "身份证号" in h]
    assert id_cols and all("*" in mine[0][h] for h in id_cols if mine[0][h]), mine[0]
    assert svc.client.get("/api/v1/exports/petition/petitions?format=csv&org_unit=jiayuan",
                        headers=other).status_code == 403
    # a bad filter gets the service's own field error; a missing format a field error; a resident nothing
    bad = svc.client.get("/api/v1/exports/petition/petitions?format=csv&status=nonsense", headers=officer)
    assert bad.status_code in (400, 422) and "status" in bad.get_json()["error"]["fields"]
    nofmt = svc.client.get("/api/v1/exports/petition/petitions", headers=officer)
    assert nofmt.status_code == 422 and "format" in nofmt.get_json()["error"]["fields"]
    assert svc.client.get("/api/v1/exports/petition/petitions?format=csv",
                        headers=svc.headers("resident_zhang")).status_code == 403
    # every export is in the audit trail, with the filters it used
    audit = svc.client.get("/api/v1/audit?action=export", headers=svc.headers("district_admin")).get_json()
    entries = audit.get("items", audit.get("entries", []))
    assert any("channel=visit" in e.get("query", "") for e in entries), entries

    # the overview's table: the sub-district's total row and one row per community, figures from events
    today = date.today()
    period = f"org_unit=huangqi&from={today.year}-01-01&to={today.year}-12-31"

    def batches():
        o = svc.client.get(f"/api/v1/reports/overview?{period}", headers=officer).get_json()
        return o["metrics"]["petition.batches"]["value"]

    wait_for(lambda: batches() == 5, 20, message="the overview counts the five petitions")
    sheet = read_csv(svc.client.get(f"/api/v1/reports/overview.csv?{period}", headers=officer))
    by_unit = {r["单位"]: r for r in sheet}
    assert set(by_unit) == {"黄旗街道(合计)", "家园社区"}
    batches_col = next(h for h in sheet[0] if h.startswith("接访批次"))
    assert by_unit["黄旗街道(合计)"][batches_col] == by_unit["家园社区"][batches_col] == "5"
    xl = svc.client.get(f"/api/v1/reports/overview.xlsx?{period}", headers=officer)
    assert xl.status_code == 200 and load_workbook(io.BytesIO(xl.get_data())).active.max_row == 1 + 2
    assert svc.client.get(f"/api/v1/reports/overview.csv?{period}", headers=other).status_code == 403
