"""The gateway's imports: the org tree (组织架构) and staff accounts (工作人员账号) from the offices' files,
every import in the audit trail, and ledgers of any size passed through to the services."""
import hashlib
import io

import pytest
from openpyxl import load_workbook

from liandong.testing import ledger_xlsx, wait_for

ORG_HEADERS = ["单位编号", "单位名称", "层级", "上级单位编号"]
STAFF_HEADERS = ["用户名", "姓名", "手机号", "所属单位", "角色", "职责"]
# children before their parents: the file's order is not the order units can be created in
NEW_UNITS = [
    ["bs-c1-g1-b1", "北山社区1号楼", "楼栋", "bs-c1-g1"],
    ["bs-c1-g1", "北山社区第一网格", "网格", "bs-c1"],
    ["bs-c1", "北山社区", "社区", "beishan"],
    ["beishan", "北山街道", "街道", "chuanying"],
]


xlsx = ledger_xlsx


def upload(svc, kind, raw, headers, mode="all", preview=False, name="file.xlsx"):
    url = f"/api/v1/gateway/imports/{kind}" + ("/preview" if preview else "")
    return svc.client.post(url, headers=headers, data={"file": (io.BytesIO(raw), name), "mode": mode},
                           content_type="multipart/form-data")


def tree(svc, admin) -> dict:
    return {u["id"]: u for u in svc.client.get("/api/v1/org/tree", headers=admin).get_json()["units"]}


def first_import(make_svc, store, kind, headers, rows):
    """A gateway on `store` and the district admin's import of the file: (svc, admin headers, file, job)."""
    svc = make_svc(store=store)
    admin = svc.headers("district_admin")
    raw = xlsx(headers, rows)
    done = upload(svc, kind, raw, admin)
    assert done.status_code == 201, done.get_json()
    return svc, admin, raw, done.get_json()


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_org_units_in_any_order_are_created_parents_first_and_a_second_import_changes_nothing(make_svc, store):
    svc, admin, raw, job = first_import(make_svc, store, "org_units", ORG_HEADERS, NEW_UNITS)
    assert (job["status"], job["created"], job["failed"], job["progress"]) == ("done", 4, 0, 1.0)
    units = tree(svc, admin)
    assert units["bs-c1-g1-b1"]["path"] == "/chuanying/beishan/bs-c1/bs-c1-g1/bs-c1-g1-b1/"
    assert units["bs-c1"]["name"] == "北山社区" and units["bs-c1"]["level"] == "community"
    versions = {u: svc.client.get(f"/api/v1/org/units/{u}", headers=admin).get_json()["version"]
                for u in ("beishan", "bs-c1", "bs-c1-g1", "bs-c1-g1-b1")}

    again = upload(svc, "org_units", raw, admin).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert {u: svc.client.get(f"/api/v1/org/units/{u}", headers=admin).get_json()["version"]
            for u in versions} == versions  # nothing written, so no event either

    renamed = upload(svc, "org_units", xlsx(ORG_HEADERS, [["bs-c1", "北山新社区", "社区", "beishan"]]), admin)
    assert (renamed.get_json()["updated"], tree(svc, admin)["bs-c1"]["name"]) == (1, "北山新社区")
    # the CSV/YAML route of before still works beside it
    legacy = svc.client.post("/api/v1/org/import", headers=admin, content_type="text/csv",
                             data="id,name,level,parent_id\nbs-c2,北山二社区,community,beishan\n".encode())
    assert legacy.status_code == 201 and legacy.get_json() == {"created": 1, "unchanged": 0}


def test_org_unit_rows_that_cannot_be_placed_are_refused_before_anything_is_written(svc):
    admin = svc.headers("district_admin")
    rows = [
        ["xs-c1", "西山社区", "社区", "xishan"],  # its parent is wrong below: refused with it
        ["xishan", "西山街道", "乡镇", "chuanying"],  # no such level
        ["xs-g1", "西山网格", "网格", "nowhere"],  # the parent is neither in the tree nor in the file
        ["lv-a", "甲", "网格", "lv-b"],  # a grid cannot sit under a grid ...
        ["lv-b", "乙", "网格", "jiayuan"],  # ... this one is fine alone
        ["jiayuan", "家园社区", "社区", "xihu"],  # exists elsewhere: an import does not move units
        ["dongshan", "东山街道", "街道", "chuanying"],
    ]
    raw = xlsx(ORG_HEADERS, rows)
    preview = upload(svc, "org_units", raw, admin, preview=True).get_json()
    by_row = {}
    for p in preview["problems"]:
        by_row.setdefault(p["row"], []).append(p["message"])
    assert set(by_row) == {2, 3, 4, 5, 7}, by_row
    assert "乡镇" in by_row[3][0] and "xishan" in by_row[2][0]
    assert "nowhere" in by_row[4][0] and "网格不能设在网格" in by_row[5][0] and "移动" in by_row[7][0]
    refused = upload(svc, "org_units", raw, admin)
    assert refused.status_code == 422 and "dongshan" not in tree(svc, admin)
    only_good = upload(svc, "org_units", raw, admin, mode="good_rows").get_json()
    assert (only_good["created"], only_good["rejected"], only_good["has_rejected_file"]) == (2, 5, True)
    assert (only_good["status"], only_good["progress"]) == ("done", 1.0)  # the refused rows are not left to do
    rejected = load_workbook(io.BytesIO(svc.client.get(f"/api/v1/gateway/imports/jobs/{only_good['id']}/rejected",
                                                       headers=admin).data)).active
    assert [r[0] for r in rejected.iter_rows(min_row=2, values_only=True)] == ["xs-c1", "xishan", "xs-g1", "lv-a",
                                                                                "jiayuan"]
    assert tree(svc, admin)["lv-b"]["path"] == "/chuanying/huangqi/jiayuan/lv-b/"
    assert tree(svc, admin)["dongshan"]["path"] == "/chuanying/dongshan/"
    # an officer of one sub-district imports under it only
    officer = svc.headers("huangqi_officer")
    assert upload(svc, "org_units", raw, officer, preview=True).status_code == 403


def scoped_admin(svc, unit: str) -> dict:
    """An administrator of one sub-district only (district_admin granted at `unit`): org:admin, users:admin there."""
    admin = svc.headers("district_admin")
    made = svc.client.post("/api/v1/users", headers=admin, json={
        "username": f"{unit}_admin", "name": "街道管理员", "password": "Scoped-admin-2026",
        "grants": [{"role": "district_admin", "org_unit": unit}]})
    assert made.status_code == 201, made.get_json()
    return {"Authorization": "Bearer " + svc.login(f"{unit}_admin", "Scoped-admin-2026").get_json()["access_token"]}


def test_an_admin_imports_only_inside_their_own_subtree(svc):
    huangqi = scoped_admin(svc, "huangqi")
    units = [["jiayuan-g3", "家园社区第三网格", "网格", "jiayuan"],
             ["hn-g2", "黄泥岭第二网格", "网格", "huangniling"]]  # huangniling is under xihu
    prev = upload(svc, "org_units", xlsx(ORG_HEADERS, units), huangqi, preview=True).get_json()
    assert [(p["row"], "huangniling" in p["message"]) for p in prev["problems"]] == [(3, True)]
    staff = [["hq_new", "新人", "13904321011", "家园社区", "社区工作者", None],
             ["xh_new", "外人", "13904321012", "黄泥岭社区", "社区工作者", None],
             ["huangniling_worker", "改名", "13904321013", "家园社区", "社区工作者", None]]
    done = upload(svc, "staff", xlsx(STAFF_HEADERS, staff), huangqi, mode="good_rows").get_json()
    # 黄泥岭社区 is unknown to this admin; huangniling_worker is xihu's account: not taken over
    assert (done["created"], done["rejected"], done["failed"]) == (1, 1, 1), done
    assert any(p["row"] == 4 and "管辖范围外" in p["message"] for p in done["problems"])
    users = svc.client.get("/api/v1/users?page_size=100", headers=svc.headers("district_admin")).get_json()["items"]
    assert {u["username"]: u["name"] for u in users}["huangniling_worker"] == "黄泥岭社区工作者（演示）"
    # the rows to fix hold phone numbers: their download is a read of personal data in the audit trail
    path = f"/api/v1/gateway/imports/jobs/{done['id']}/rejected"
    got = svc.client.get(path, headers=huangqi)
    assert got.status_code == 200 and "X-Liandong-Personal-Fields" not in got.headers
    reads = svc.client.get("/api/v1/audit?action=read&service=gateway", headers=huangqi).get_json()["items"]
    assert [(e["path"], e["fields"], e["org_path"]) for e in reads] == [(path, ["mobile"], "/chuanying/huangqi/")]


def test_a_gbk_csv_of_staff_as_the_offices_excel_saves_it(svc):
    admin = svc.headers("district_admin")
    text = "用户名,姓名,手机号,所属单位,角色,职责\r\ncsv_wang,王丽,13904321021,家园社区,社区工作者,\"民政员,保障员\"\r\n"
    done = upload(svc, "staff", text.encode("gbk"), admin, name="工作人员.csv").get_json()
    assert (done["created"], done["file_format"]) == (1, "csv"), done
    users = {u["username"]: u for u in svc.client.get("/api/v1/users?page_size=100", headers=admin).get_json()["items"]}
    assert users["csv_wang"]["name"] == "王丽"
    assert users["csv_wang"]["grants"][0]["duties"] == ["civil_affairs", "social_security"]


def test_a_large_org_file_runs_in_the_background_to_the_end_parents_first(svc):
    admin = svc.headers("district_admin")
    # 250 rows, buildings first and their grids last: written in chunks, parents still first
    grids = [[f"bg-g{i}", f"第{i}网格", "网格", "jiayuan"] for i in range(10)]
    buildings = [[f"bg-g{i % 10}-b{i}", f"{i}号楼", "楼栋", f"bg-g{i % 10}"] for i in range(240)]
    started = upload(svc, "org_units", xlsx(ORG_HEADERS, buildings + grids), admin)
    assert started.status_code == 202, started.get_json()
    job_id = started.get_json()["id"]

    def finished():
        job = svc.client.get(f"/api/v1/gateway/imports/jobs/{job_id}", headers=admin).get_json()
        return job if job["status"] != "running" else None

    job = wait_for(finished, 120, message="the background import finishes")
    assert (job["status"], job["progress"], job["created"], job["failed"]) == ("done", 1.0, 250, 0)
    assert tree(svc, admin)["bg-g3-b213"]["path"] == "/chuanying/huangqi/jiayuan/bg-g3/bg-g3-b213/"


STAFF = [
    ["jy_liumin", "刘敏", "13904321001", "家园社区", "社区工作者", "民政员,保障员"],
    ["hq_chen", "陈刚", "13904321002", "huangqi", "街道干部", None],
    ["g1_zhou", "周晓", "0432-6123456", "家园社区第一网格", "网格员", ""],
]


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_staff_accounts_are_created_without_a_password_until_the_admin_sets_one_and_a_second_import_changes_nothing(
        make_svc, store):
    svc, admin, raw, job = first_import(make_svc, store, "staff", STAFF_HEADERS, STAFF)
    assert job["created"] == 3 and "password" not in str(job).lower()
    users = {u["username"]: u for u in svc.client.get("/api/v1/users?page_size=100", headers=admin).get_json()["items"]}
    assert users["jy_liumin"]["grants"] == [{"role": "community_worker", "org_unit": "jiayuan",
                                             "duties": ["civil_affairs", "social_security"]}]
    assert users["g1_zhou"]["grants"][0] == {"role": "grid_worker", "org_unit": "jiayuan-g1", "duties": []}
    # no password came with the file: nothing signs in until the admin sets the first one
    assert svc.login("jy_liumin", "anything-at-all-1").status_code == 401
    uid = users["jy_liumin"]["id"]
    assert svc.client.post(f"/api/v1/users/{uid}/password", headers=admin,
                           json={"password": "Liumin-first-2026"}).status_code == 204
    signed_in = svc.login("jy_liumin", "Liumin-first-2026")
    assert signed_in.status_code == 200
    assert signed_in.get_json()["user"]["grants"][0]["org_path"] == "/chuanying/huangqi/jiayuan/"
    # the phone is kept sealed
    stored = svc.app.extensions["gateway"]["identity"].users.users.find_one({"username": "jy_liumin"})
    assert "13904321001" not in str(stored)

    again = upload(svc, "staff", raw, admin).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert svc.login("jy_liumin", "Liumin-first-2026").status_code == 200  # the password stays

    # a changed role goes through the role use case: the account's sessions end
    token = signed_in.get_json()["access_token"]
    changed = upload(svc, "staff", xlsx(STAFF_HEADERS, [["jy_liumin", "刘敏", "13904321001", "家园社区", "社区工作者",
                                                         "民政员"]]), admin).get_json()
    assert changed["updated"] == 1
    assert svc.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    user = svc.client.get(f"/api/v1/users/{uid}", headers=admin).get_json()
    assert user["grants"][0]["duties"] == ["civil_affairs"]


def test_staff_rows_are_checked_in_the_offices_words(svc):
    admin = svc.headers("district_admin")
    rows = [
        ["Bad Name", "甲", "13904321001", "家园社区", "社区工作者", None],
        ["ok_one", "乙", "12345", "家园社区", "社区工作者", None],
        ["ok_two", "丙", "13904321003", "火星社区", "社区工作者", None],
        ["ok_three", "丁", "13904321004", "家园社区", "网格员", "民政员"],
        ["ok_four", "戊", "13904321005", "家园社区", "队长", None],
        ["ok_five", "己", "13904321006", "家园社区", "社区工作者", "厨师"],
        ["ok_six", "庚", "13904321007", "家园社区", "社区工作者", None],
        ["ok_six", "庚", "13904321007", "家园社区", "社区工作者", "民政员"],
    ]
    prev = upload(svc, "staff", xlsx(STAFF_HEADERS, rows), admin, preview=True).get_json()
    cols = {(p["row"], p["header"]) for p in prev["problems"]}
    assert {(2, "用户名"), (3, "手机号"), (4, "所属单位"), (5, "职责"), (6, "角色"), (7, "职责")} <= cols, cols
    assert any(p["row"] == 9 and "与第 8 行重复" in p["message"] for p in prev["problems"])
    # a sub-district officer holds no users:admin
    assert upload(svc, "staff", xlsx(STAFF_HEADERS, STAFF), svc.headers("huangqi_officer")).status_code == 403


def test_the_staff_template_downloads_and_imports_once_filled(svc):
    admin = svc.headers("district_admin")
    kinds = svc.client.get("/api/v1/gateway/imports/kinds", headers=admin).get_json()
    assert [(k["name"], k["title"], k["permission"]) for k in kinds["items"]] == [
        ("org_units", "组织架构", "org:admin"), ("staff", "工作人员账号", "users:admin")]
    assert [c["header"] for c in kinds["items"][1]["columns"]] == STAFF_HEADERS
    got = svc.client.get("/api/v1/gateway/imports/staff/template", headers=admin)
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.data))
    sheet = book["数据"]
    assert [c.value for c in sheet[1]] == STAFF_HEADERS
    sheet.append(["tpl_user", "模板用户", "13904321009", "家园社区", "社区工作者", "民政员"])
    out = io.BytesIO()
    book.save(out)
    done = upload(svc, "staff", out.getvalue(), admin).get_json()
    assert (done["created"], done["example_skipped"]) == (1, 1)


@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "kafka")])
def test_every_import_is_one_audit_entry_with_the_files_hash_and_counts(make_svc, workers, store, bus):
    svc = make_svc(store=store, bus=bus)
    workers(svc.worker)
    admin = svc.headers("district_admin")
    raw = xlsx(ORG_HEADERS, NEW_UNITS)
    job = upload(svc, "org_units", raw, admin, name="北山街道组织架构.xlsx").get_json()

    def entries():
        return svc.client.get("/api/v1/audit?action=import", headers=admin).get_json()["items"]

    entry = wait_for(lambda: entries(), 30, message="the import in the audit trail")[0]
    assert entry["action"] == "import" and entry["service"] == "gateway"
    assert entry["import"]["file_sha256"] == hashlib.sha256(raw).hexdigest()
    assert entry["import"]["file_name"] == "北山街道组织架构.xlsx" and entry["import"]["kind"] == "org_units"
    assert (entry["import"]["id"], entry["import"]["created"], entry["import"]["rows"]) == (job["id"], 4, 4)
    me = svc.client.get("/api/v1/auth/me", headers=admin).get_json()["user_id"]
    assert entry["user_id"] == me
    # a domain service's import arrives on its topic the same way: one entry, however often it is delivered
    from liandong.platform import Platform

    welfare = Platform.create("welfare", svc.settings.for_service("welfare"))
    data = {"import_id": "imp-w1", "kind": "roster", "title": "救助对象花名册", "user_id": me, "name": "区管理员",
            "org_path": "/chuanying/", "file_name": "低保花名册.xlsx", "file_sha256": "a" * 64, "mode": "all",
            "status": "done", "rows": 120, "created": 118, "updated": 0, "unchanged": 2, "rejected": 0, "failed": 0,
            "started_at": "2026-03-01T08:00:00.000000Z", "finished_at": "2026-03-01T08:00:05.000000Z"}
    event = welfare.events.new("welfare.import.completed", "imp-w1", data, "/chuanying/")
    assert welfare.registry.topic_of(event.type, "welfare") == "welfare.audit"  # the trail's topic, not the facts'
    for _ in range(2):  # delivered twice (a relay retry): still one entry
        welfare.bus.publish("welfare.audit", "imp-w1", event.to_json())
    welfare.bus.flush()
    entry = wait_for(lambda: [e for e in entries() if e["service"] == "welfare"], 30,
                     message="welfare's import in the audit trail")
    assert len(entry) == 1 and entry[0]["import"]["file_sha256"] == "a" * 64 and entry[0]["import"]["created"] == 118
    assert svc.client.get("/api/v1/audit?action=import&service=gateway", headers=admin).get_json()["total"] == 1


def test_the_proxy_passes_a_5_mb_ledger_to_the_service_and_waits_for_its_check(svc, serve):
    """An office's ledger through the gateway: the multipart body whole, and the time a service takes to check
    every row (longer than a form's answer: the upload's own read timeout)."""
    import time

    from flask import Flask, request

    from gateway.bootstrap import GatewayOptions, create_app

    upstream = Flask("fake-welfare")
    seen = {}

    @upstream.post("/api/v1/welfare/imports/roster/preview")
    def preview():
        f = request.files["file"]
        data = f.read()
        seen.update(name=f.filename, size=len(data), sha=hashlib.sha256(data).hexdigest())
        time.sleep(1.5)  # every row checked
        return {"rows": 1, "file_sha256": seen["sha"]}

    @upstream.post("/api/v1/welfare/applications")
    def slow_form():
        time.sleep(1.5)
        return {"id": "a1"}, 201

    upstream.config["MAX_CONTENT_LENGTH"] = 30 * 1024 * 1024
    served = serve(upstream)
    app = create_app(svc.settings.with_overrides(service_urls={"welfare": served.url}),
                     options=GatewayOptions(read_timeout=0.7, upload_read_timeout=10))
    client = app.test_client()
    worker = svc.headers("jiayuan_worker")
    raw = bytes(range(256)) * (5 * 1024 * 1024 // 256)
    got = client.post("/api/v1/welfare/imports/roster/preview", headers=worker,
                      data={"file": (io.BytesIO(raw), "低保.xlsx")}, content_type="multipart/form-data")
    assert got.status_code == 200, got.get_data()[:300]
    assert seen == {"name": "低保.xlsx", "size": len(raw), "sha": hashlib.sha256(raw).hexdigest()}
    # a form's POST keeps the proxy's own read timeout
    assert client.post("/api/v1/welfare/applications", headers=worker, json={}).status_code == 503
    # a body over 20 MB is refused at the gateway, before any service sees it
    big = client.post("/api/v1/welfare/imports/roster/preview", headers=worker,
                      data={"file": (io.BytesIO(b"x" * (22 * 1024 * 1024)), "big.xlsx")},
                      content_type="multipart/form-data")
    assert big.status_code == 413
