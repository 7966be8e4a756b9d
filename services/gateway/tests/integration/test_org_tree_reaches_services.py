"""The demo district is loaded once and every service learns it from the gateway's events."""
from liandong.testing import auth_headers, wait_for

from gateway.bootstrap import create_app, create_worker
from petition.bootstrap import create_app as petition_app, create_worker as petition_worker


def test_demo_district_loads_once_and_reaches_a_service(make_settings):
    settings = make_settings(service="gateway")
    gw = create_worker(settings)
    again = create_worker(settings)  # a second start loads nothing twice
    pw = petition_worker(settings.for_service("petition"))
    for w in (gw, pw):
        w.start()
    try:
        h = auth_headers(settings)
        tree = create_app(settings).test_client().get("/api/v1/org/tree?root=ceguan", headers=h).get_json()["units"]
        assert [u["name"] for u in tree] == ["册关街道", "阳春社区", "阳和社区", "阳泉社区", "阳上社区", "阳中社区"]
        assert len(create_app(settings).test_client().get("/api/v1/org/tree", headers=h).get_json()["units"]) == 22
        client = petition_app(settings.for_service("petition")).test_client()
        unit = wait_for(lambda: client.get("/api/v1/petition/org-units/yangchun", headers=h).get_json().get("path"), 20,
                        message="petition learns the org tree")
        assert unit == "/chuanying/ceguan/yangchun/"
    finally:
        for w in (gw, pw, again):
            w.stop.set()
