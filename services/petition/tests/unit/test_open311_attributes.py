"""A service definition's attributes and how a client's answers to them are checked (GeoReport v2)."""
from petition.domain import open311 as o311

DEFINITION = o311.definition("environment_noise", {"name": "环境噪音"})


def test_the_definition_gives_every_field_of_the_standard():
    for a in DEFINITION["attributes"]:
        assert set(a) == {"variable", "code", "datatype", "required", "datatype_description", "order",
                          "description", "values"}
        assert a["datatype"] in o311.DATATYPES
    own = o311.definition("x", {"attributes": [{"code": "floor", "datatype": "number", "required": True}]})
    assert [a["code"] for a in own["attributes"]] == ["floor"] and own["attributes"][0]["order"] == 1


def test_answers_that_fit_are_kept_in_their_types():
    answers, errors = o311.check_attributes(DEFINITION, {
        "frequency": ["recurring"], "when": ["night", "weekend", "night"], "households": ["12"],
        "since": ["2026-03-01T20:00:00+08:00"]})
    assert errors == {}
    assert answers == {"frequency": "recurring", "when": ["night", "weekend"], "households": 12,
                       "since": "2026-03-01T20:00:00+08:00"}


def test_every_misfit_is_named_by_its_attribute():
    cases = [({}, "attribute[frequency]", "is required"),
             ({"frequency": ["sometimes"]}, "attribute[frequency]", "must be one of"),
             ({"frequency": ["once", "ongoing"]}, "attribute[frequency]", "takes one value"),
             ({"frequency": ["once"], "when": ["noon"]}, "attribute[when]", "must be one of"),
             ({"frequency": ["once"], "households": ["many"]}, "attribute[households]", "whole number"),
             ({"frequency": ["once"], "households": ["-1"]}, "attribute[households]", "between"),
             ({"frequency": ["once"], "since": ["yesterday"]}, "attribute[since]", "W3C"),
             ({"frequency": ["once"], "colour": ["red"]}, "attribute[colour]", "not an attribute"),
             ({"frequency": [7]}, "attribute[frequency]", "text")]
    for given, field, words in cases:
        answers, errors = o311.check_attributes(DEFINITION, given)
        assert field in errors and words in errors[field][0], (given, errors)


def test_keys_are_random_and_only_their_digest_is_kept():
    a, b = o311.new_key(), o311.new_key()
    assert a != b and a.startswith(o311.KEY_PREFIX) and len(a) >= 48
    assert o311.key_digest(a) != a and len(o311.key_digest(a)) == 64 and o311.key_digest(a) == o311.key_digest(a)
