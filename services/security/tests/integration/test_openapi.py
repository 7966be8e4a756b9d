"""Every security route is described in the service's OpenAPI document, with its permission."""
from security.bootstrap import create_app


def test_every_route_is_documented(make_settings):
    app = create_app(make_settings(service="security"))
    spec = app.test_client().get("/api/openapi.json").get_json()
    rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/security/")
             and "org-units" not in r.rule}
    documented = {p.replace("{", "<").replace("}", ">") for p in spec["paths"]}
    assert rules and rules <= documented
    corrections = spec["paths"]["/api/v1/security/corrections/people/{person_id}"]["get"]
    assert "security:corrections" in corrections["description"]
    assert {"MigrantIn", "PatrolRunOut", "SecurityStatsOut"} <= set(spec["components"]["schemas"])
