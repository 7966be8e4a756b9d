"""Changing the org tree over HTTP (org:admin): create, rename, move with its subtree, retire, import."""
import pytest

from liandong.testing import wait_for

from petition.bootstrap import create_app as petition_app, create_worker as petition_worker


def units(svc, root=None) -> dict:
    url = "/api/v1/org/tree" + (f"?root={root}" if root else "")
    return {u["id"]: u for u in svc.client.get(url, headers=svc.headers("district_admin")).get_json()["units"]}


def test_a_moved_subtree_reaches_the_services_with_its_new_paths(svc, workers):
    ps = svc.settings.for_service("petition")
    workers(svc.worker)
    workers(petition_worker(ps))
    admin = svc.headers("district_admin")
    moved = svc.client.post("/api/v1/org/units/jiayuan/move", headers=admin, json={"parent_id": "xihu"})
    assert moved.status_code == 200
    assert {u["id"]: u["path"] for u in moved.get_json()["moved"]} == {
        "jiayuan": "/chuanying/xihu/jiayuan/", "jiayuan-g1": "/chuanying/xihu/jiayuan/jiayuan-g1/",
        "jiayuan-g2": "/chuanying/xihu/jiayuan/jiayuan-g2/", "jiayuan-b1": "/chuanying/xihu/jiayuan/jiayuan-g1/jiayuan-b1/",
        "jiayuan-b2": "/chuanying/xihu/jiayuan/jiayuan-g1/jiayuan-b2/", "jiayuan-b3": "/chuanying/xihu/jiayuan/jiayuan-g2/jiayuan-b3/"}
    assert set(units(svc, "xihu")) >= {"jiayuan", "jiayuan-b3"}
    # one moved event per unit, with the old path, in the outbox of each unit's document
    petition = petition_app(ps).test_client()
    wait_for(lambda: petition.get("/api/v1/petition/org-units/jiayuan-b3", headers=admin).get_json().get("path")
             == "/chuanying/xihu/jiayuan/jiayuan-g2/jiayuan-b3/", 20, message="petition learns the moved building")
    # tokens issued after the move carry the new path
    assert svc.login("jiayuan_worker").get_json()["user"]["grants"][0]["org_path"] == "/chuanying/xihu/jiayuan/"
    assert svc.client.post("/api/v1/org/units/jiayuan/move", headers=admin, json={"parent_id": "jiayuan-g1"}).status_code == 422


def test_create_rename_retire_and_their_permissions(svc):
    admin = svc.headers("district_admin")
    new = {"id": "beishan", "name": "北山街道", "level": "subdistrict", "parent_id": "chuanying"}
    assert svc.client.post("/api/v1/org/units", headers=svc.headers("huangqi_officer"), json=new).status_code == 403
    made = svc.client.post("/api/v1/org/units", headers=admin, json=new)
    assert made.status_code == 201 and made.get_json()["path"] == "/chuanying/beishan/"
    assert svc.client.post("/api/v1/org/units", headers=admin, json=new).status_code == 409
    assert svc.client.post("/api/v1/org/units", headers=admin, json={**new, "id": "Bad Id"}).status_code == 422
    assert svc.client.post("/api/v1/org/units", headers=admin, json={**new, "id": "x1", "parent_id": "nowhere"}).status_code == 422
    renamed = svc.client.patch("/api/v1/org/units/beishan", headers=admin, json={"name": "北山街道办事处"})
    assert renamed.get_json()["name"] == "北山街道办事处"
    assert svc.client.post("/api/v1/org/units/huangqi/retire", headers=admin).status_code == 400  # has children
    assert svc.client.post("/api/v1/org/units/beishan/retire", headers=admin).get_json()["retired"] is True
    assert svc.client.post("/api/v1/org/units/beishan/retire", headers=admin).status_code == 409
    assert svc.client.patch("/api/v1/org/units/nowhere", headers=admin, json={"name": "x"}).status_code == 404


CSV = """id,name,level,parent_id
beishan,北山街道,subdistrict,chuanying
bs-c1,北山社区,community,beishan
bs-c1-g1,北山社区第一网格,grid,bs-c1
"""

YAML = """
id: wusutu
name: 乌素图街道
level: subdistrict
children:
  - id: limin
    name: 利民社区
    level: community
  - id: wusutu-new
    name: 乌素图新社区
    level: community
    children:
      - {id: wusutu-new-g1, name: 第一网格, level: grid}
"""


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_import_a_district_from_csv_or_yaml_in_one_go(make_svc, store):
    svc = make_svc(store=store)
    admin = {**svc.headers("district_admin")}
    done = svc.client.post("/api/v1/org/import", headers=admin, data=CSV.encode(), content_type="text/csv")
    assert done.status_code == 201 and done.get_json() == {"created": 3, "unchanged": 0}
    assert units(svc)["bs-c1-g1"]["path"] == "/chuanying/beishan/bs-c1/bs-c1-g1/"
    again = svc.client.post("/api/v1/org/import", headers=admin, data=CSV.encode(), content_type="text/csv")
    assert again.get_json() == {"created": 0, "unchanged": 3}
    yaml_rows = YAML.replace("id: wusutu\n", "id: wusutu\nparent_id: chuanying\n")
    done = svc.client.post("/api/v1/org/import", headers=admin, data=yaml_rows.encode(), content_type="application/yaml")
    assert done.get_json() == {"created": 2, "unchanged": 2}
    assert units(svc)["wusutu-new-g1"]["path"] == "/chuanying/wusutu/wusutu-new/wusutu-new-g1/"


def test_a_bad_import_file_changes_nothing(svc):
    admin = svc.headers("district_admin")
    before = units(svc)
    bad = CSV + "bs-b1,楼,building,nowhere\nbs-c2,社区,district,beishan\n"
    resp = svc.client.post("/api/v1/org/import", headers=admin, data=bad.encode(), content_type="text/csv")
    assert resp.status_code == 422 and set(resp.get_json()["error"]["fields"]) == {"row 5", "row 6"}
    assert units(svc) == before
    assert svc.client.post("/api/v1/org/import", headers=admin, data=b"x", content_type="text/plain").status_code == 400
    assert svc.client.post("/api/v1/org/import", headers=svc.headers("jiayuan_worker"), data=CSV.encode(),
                         content_type="text/csv").status_code == 403


def test_the_gateways_own_posts_honour_idempotency_keys(svc):
    h = {**svc.headers("district_admin"), "Idempotency-Key": "new-unit-1"}
    body = {"id": "yanghe-g1", "name": "阳和社区第一网格", "level": "grid", "parent_id": "yanghe"}
    first = svc.client.post("/api/v1/org/units", headers=h, json=body)
    again = svc.client.post("/api/v1/org/units", headers=h, json=body)
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json() == again.get_json()
    assert svc.client.post("/api/v1/org/units", headers=h, json={**body, "id": "yanghe-g2"}).status_code == 422
    bad = {**h, "Idempotency-Key": "bad-1"}
    assert svc.client.post("/api/v1/org/units", headers=bad, json={**body, "level": "x"}).status_code == 422
    assert svc.client.post("/api/v1/org/units", headers=bad, json={**body, "level": "x"}).headers["Idempotent-Replayed"] == "true"
