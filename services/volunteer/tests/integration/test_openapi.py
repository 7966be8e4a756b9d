"""Every volunteer route is described in the service's OpenAPI document."""


def test_openapi_lists_the_routes(svc):
    spec = svc.client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    for path in ("/api/v1/volunteer/volunteers", "/api/v1/volunteer/activities/{activity_id}/signups",
                 "/api/v1/volunteer/activities/{activity_id}/check-in", "/api/v1/volunteer/coins/time-bank",
                 "/api/v1/volunteer/volunteers/{volunteer_id}/statement", "/api/v1/volunteer/stats",
                 "/api/v1/volunteer/recognition", "/api/v1/volunteer/coins/check"):
        assert path in paths, path
    assert "Volunteer" in spec["components"]["schemas"] or "RegisterVolunteer" in spec["components"]["schemas"]
