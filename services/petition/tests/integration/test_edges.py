"""The petition service's edges on the embedded default: health, readiness, JSON errors."""
from liandong.testing import check_service_edges

from petition.bootstrap import create_app, create_worker


def test_health_readiness_and_errors(make_settings):
    check_service_edges(create_app, create_worker, make_settings(service="petition"))


def test_openapi_describes_the_petition_and_open311_routes(make_settings):
    spec = create_app(make_settings(service="petition")).test_client().get("/api/openapi.json").get_json()
    paths = spec["paths"]
    assert {"/api/v1/petition/petitions", "/api/v1/petition/petitions/{petition_id}/assign",
            "/api/v1/petition/stats", "/open311/v2/requests.{fmt}", "/open311/v2/services.{fmt}",
            "/open311/v2/discovery.{fmt}", "/open311/v2/tokens/{token}.{fmt}", "/open311/v2/services/{code}.{fmt}",
            "/open311/v2/requests/{request_id}.{fmt}"} <= set(paths)
    assert "security" not in paths["/open311/v2/services.{fmt}"]["get"]
    assert "security" not in paths["/open311/v2/requests.{fmt}"]["post"]  # the api_key, not a bearer token
    services = paths["/open311/v2/services.{fmt}"]["get"]
    assert services["parameters"][0]["schema"]["enum"] == ["json", "xml"]
    assert {"application/json", "text/xml"} <= set(services["responses"]["200"]["content"])
    assert "text/xml" in services["responses"]["404"]["content"]
    # the api keys: issued, listed and revoked by a district admin, with a bearer token
    keys = "/api/v1/petition/open311/keys"
    assert {"post", "get"} <= set(paths[keys]) and "post" in paths[keys + "/{key_id}/revoke"]
    assert "security" in paths[keys]["post"] and "api_key" in str(spec["components"]["schemas"]["ApiKeyIssued"])
    assert "deadline" in spec["components"]["schemas"]["Assign"]["required"]
