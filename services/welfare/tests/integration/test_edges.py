"""The welfare service's edges on the embedded default: health, readiness, JSON errors."""
from liandong.testing import check_service_edges

from welfare.bootstrap import create_app, create_worker


def test_health_readiness_and_errors(make_settings):
    check_service_edges(create_app, create_worker, make_settings(service="welfare"))


def test_openapi_documents_the_welfare_routes(make_settings):
    client = create_app(make_settings(service="welfare")).test_client()
    spec = client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    for path in ("/api/v1/welfare/applications", "/api/v1/welfare/applications/{app_id}/approval",
                 "/api/v1/welfare/disbursements/totals", "/api/v1/welfare/goods/redemptions",
                 "/api/v1/welfare/fund/grants/{grant_id}/approval", "/api/v1/welfare/statistics"):
        assert path in paths, path
    assert "Household" in spec["components"]["schemas"]


def test_bad_input_is_a_4xx_never_a_500(make_settings):
    from liandong.testing import auth_headers

    settings = make_settings(service="welfare")
    client = create_app(settings).test_client()
    h = auth_headers(settings)
    assert client.post("/api/v1/welfare/applications", data="{", headers=h,
                       content_type="application/json").status_code == 400
    r = client.post("/api/v1/welfare/applications", json={"org_unit_id": "jiayuan", "programme": "dibao_urban",
                                                          "household": {"members": []}}, headers=h)
    assert r.status_code == 422 and "members" in r.get_json()["error"]["fields"]["household"]
    r = client.post("/api/v1/welfare/fund/donations", json={"org_unit_id": "huangqi", "donor": "x",
                                                           "donor_kind": "resident", "amount_fen": 12.5}, headers=h)
    assert r.status_code == 422  # money is integer fen, never a float
    assert client.get("/api/v1/welfare/disbursements/totals?org_unit=huangqi&from=2026-13&to=x",
                      headers=h).status_code == 422
    assert client.get("/api/v1/welfare/grants/nope", headers=h).status_code == 404
