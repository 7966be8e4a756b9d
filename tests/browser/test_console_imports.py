"""数据导入 in the console: an office's org-tree file checked, imported (only the good rows), its progress and
counts shown, the rows to fix downloaded; the effect checked through the API."""
from __future__ import annotations

import io

import pytest
import requests
from openpyxl import Workbook, load_workbook

from .test_console import api_token

pytestmark = pytest.mark.e2e


def org_file() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["单位编号", "单位名称", "层级", "上级单位编号"])
    sheet.append(["nanshan-c1-g1", "南山社区第一网格", "网格", "nanshan-c1"])  # before its parent: written after it
    sheet.append(["nanshan-c1", "南山社区", "社区", "nanshan"])
    sheet.append(["nanshan-x", "南山某单位", "村委会", "nanshan"])  # no such level: not imported
    sheet.append(["nanshan", "南山街道", "街道", "chuanying"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_org_tree_file_is_checked_imported_and_its_rows_to_fix_downloaded(new_tab, console):
    tab = new_tab()
    tab.login("district_admin")
    page = tab.page
    tab.go("imports")
    page.locator("#import-kind").select_option(label="组织与账号 · 组织架构")
    with page.expect_download() as template:
        page.click("#download-template")
    assert load_workbook(io.BytesIO(template.value.path().read_bytes()))["数据"]["A1"].value == "单位编号"

    page.set_input_files("#import-file", files=[{"name": "南山街道.xlsx", "buffer": org_file(),
                                                 "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("#preview-import")
    page.locator("#preview-summary", has_text="正确 3 行，有问题 1 行").wait_for()
    problem = page.locator("#import-preview tbody tr").first
    assert problem.locator("td").nth(0).inner_text() == "4" and "村委会" in problem.inner_text()

    page.click("#start-import")  # all or nothing (the default): refused, nothing written
    page.locator("#import-refusals li", has_text="村委会").wait_for()
    admin = api_token(console.base, "district_admin")
    tree = requests.get(f"{console.base}/api/v1/org/tree", headers=admin, timeout=10).json()["units"]
    assert not [u for u in tree if u["id"].startswith("nanshan")]

    page.check("#mode-good")
    page.click("#start-import")
    done = page.locator('#import-result [data-status="done"]')
    done.wait_for()
    assert page.locator("#import-progress").get_attribute("value") == "1"
    assert done.locator('[data-count="新建"]').inner_text() == "3"
    assert done.locator('[data-count="未导入（有错误）"]').inner_text() == "1"
    with page.expect_download() as rejected:
        page.click("#download-rejected")
    rows = list(load_workbook(io.BytesIO(rejected.value.path().read_bytes())).active.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["nanshan-x"] and "村委会" in str(rows[0])

    units = {u["id"]: u for u in requests.get(f"{console.base}/api/v1/org/tree", headers=admin, timeout=10).json()["units"]}
    assert units["nanshan-c1-g1"]["path"] == "/chuanying/nanshan/nanshan-c1/nanshan-c1-g1/"
    assert "nanshan-x" not in units
    assert not tab.errors, tab.errors
