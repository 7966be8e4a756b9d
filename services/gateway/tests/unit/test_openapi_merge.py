"""Merging the services' OpenAPI documents into the gateway's one."""
from gateway.api.docs import merge

OWN = {"openapi": "3.0.3", "info": {"title": "gw", "version": "1.0.0"},
       "paths": {"/api/v1/auth/login": {"post": {"summary": "log in", "responses": {}}}},
       "components": {"schemas": {"Error": {"type": "object"}, "Case": {"type": "string"}}}}


def test_paths_and_schemas_are_merged_and_clashing_names_get_the_service_prefix():
    petition = {"paths": {"/api/v1/petition/cases": {"get": {"summary": "list", "responses": {"200": {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}}}}}}},
        "components": {"schemas": {"Error": {"type": "object"}, "Case": {"type": "object", "title": "petition case"}}}}
    doc = merge(OWN, {"petition": petition, "welfare": None})
    assert list(doc["paths"]) == ["/api/v1/auth/login", "/api/v1/petition/cases"]
    op = doc["paths"]["/api/v1/petition/cases"]["get"]
    assert op["tags"] == ["petition"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/PetitionCase"
    assert doc["components"]["schemas"]["PetitionCase"]["title"] == "petition case"
    assert doc["components"]["schemas"]["Case"] == {"type": "string"}
    assert doc["info"]["x-services-unavailable"] == ["welfare"]
    assert OWN["paths"].keys() == {"/api/v1/auth/login"}  # the cached own document is not changed
