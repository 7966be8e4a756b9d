"""The whole matrix: every demo role × every gateway endpoint × org scopes inside and outside the caller's subtree."""
from liandong.testing import wait_for

from petition.bootstrap import create_app as petition_app, create_worker as petition_worker
from welfare.bootstrap import create_app as welfare_app, create_worker as welfare_worker

ROLES = ("district_admin", "huangqi_admin", "huangqi_officer", "jiayuan_worker", "jiayuan_police", "jiayuan_grid",
         "resident_zhang")
EVERYONE = set(ROLES)

# (label, method, url, body, roles that may do it); "{zhang}" is resident_zhang's user id.
MATRIX = [
    ("read the tree", "GET", "/api/v1/org/tree", None, EVERYONE),
    ("read a unit", "GET", "/api/v1/org/units/huangniling", None, EVERYONE),
    ("rename in huangqi", "PATCH", "/api/v1/org/units/jiayuan-b2", {"name": "2号楼"}, {"district_admin", "huangqi_admin"}),
    ("rename in xihu", "PATCH", "/api/v1/org/units/huangniling-b2", {"name": "2栋"}, {"district_admin"}),
    ("add in huangqi", "POST", "/api/v1/org/units", {"id": "jiayuan-g9", "name": "第九网格", "level": "grid",
                                                      "parent_id": "jiayuan"}, {"district_admin", "huangqi_admin"}),
    ("add in ceguan", "POST", "/api/v1/org/units", {"id": "yanghe-g9", "name": "第九网格", "level": "grid",
                                                     "parent_id": "yanghe"}, {"district_admin"}),
    ("list users of jiayuan", "GET", "/api/v1/users?org_unit=jiayuan", None, {"district_admin", "huangqi_admin"}),
    ("list users of huangniling", "GET", "/api/v1/users?org_unit=huangniling", None, {"district_admin"}),
    ("read a jiayuan user", "GET", "/api/v1/users/{zhang}", None, {"district_admin", "huangqi_admin"}),
    ("read the audit", "GET", "/api/v1/audit", None, {"district_admin", "huangqi_admin"}),
    ("petition via gateway", "GET", "/api/v1/petition/org-units/jiayuan", None, EVERYONE),
    ("welfare via gateway", "GET", "/api/v1/welfare/org-units/huangniling", None, EVERYONE),
    ("own account", "GET", "/api/v1/auth/me", None, EVERYONE),
]


def test_every_role_on_every_endpoint_in_and_out_of_its_subtree(svc, serve, workers):
    for service, app, worker in (("petition", petition_app, petition_worker), ("welfare", welfare_app, welfare_worker)):
        s = svc.settings.for_service(service)
        workers(worker(s))
        serve(app(s), port=svc.settings.ports[service])
    workers(svc.worker)
    admin = svc.headers("district_admin")
    # a district admin role held at a sub-district: user and org administration only inside 黄旗街道
    made = svc.client.post("/api/v1/users", headers=admin, json={
        "username": "huangqi_admin", "name": "黄旗街道管理员", "password": "Huangqi-Admin-2026",
        "grants": [{"role": "district_admin", "org_unit": "huangqi"}]})
    assert made.status_code == 201
    zhang = svc.login("resident_zhang").get_json()["user"]["id"]
    tokens = {}
    for role in ROLES:
        password = "Huangqi-Admin-2026" if role == "huangqi_admin" else None
        resp = svc.login(role, password) if password else svc.login(role)
        tokens[role] = {"Authorization": f"Bearer {resp.get_json()['access_token']}"}
    for service in ("petition", "welfare"):
        wait_for(lambda: svc.client.get(f"/api/v1/{service}/org-units/huangniling", headers=admin).status_code == 200,
                 20, message=f"{service} is up and knows the tree")
    outcomes = {}
    for label, method, url, body, allowed in MATRIX:
        for role in ROLES:
            resp = svc.client.open(url.format(zhang=zhang), method=method, headers=tokens[role], json=body)
            if method == "POST" and resp.status_code == 201:  # let the next role try the same creation
                svc.client.post(f"/api/v1/org/units/{body['id']}/retire", headers=admin)
                body = {**body, "id": body["id"] + "x"}
            outcomes[(label, role)] = resp.status_code
            expected_ok = role in allowed
            assert (resp.status_code < 400) == expected_ok, (label, role, resp.status_code, resp.get_json())
            if not expected_ok:
                assert resp.status_code == 403, (label, role, resp.status_code)
    assert len(outcomes) == len(MATRIX) * len(ROLES)
    for _, method, url, body, _ in MATRIX:  # and nobody gets in without a token
        assert svc.client.open(url.format(zhang=zhang), method=method, json=body).status_code == 401
