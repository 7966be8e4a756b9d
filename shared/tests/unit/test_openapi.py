"""The OpenAPI document comes from the schemas the routes validate with."""
from flask import Flask
from marshmallow import Schema, fields

from liandong.openapi import api, spec_for


class PetitionIn(Schema):
    content = fields.String(required=True)
    headcount = fields.Integer()


class PetitionOut(Schema):
    id = fields.String()


def test_routes_with_api_metadata_become_operations():
    app = Flask("t")

    @app.post("/api/v1/petition/petitions")
    @api("Register a petition", body=PetitionIn, response=PetitionOut, status=201, permission="petition:file")
    def register():
        return {}

    @app.get("/api/v1/petition/petitions/<case_id>")
    @api("Read a petition", response=PetitionOut)
    def read(case_id):
        return {}

    @app.get("/undocumented")
    def hidden():
        return {}

    spec = spec_for(app, "t")
    post = spec["paths"]["/api/v1/petition/petitions"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PetitionIn"}
    assert spec["components"]["schemas"]["PetitionIn"]["required"] == ["content"]
    assert "201" in post["responses"] and "422" in post["responses"]
    assert spec["paths"]["/api/v1/petition/petitions/{case_id}"]["get"]["parameters"][0]["name"] == "case_id"
    assert "/undocumented" not in spec["paths"]
