"""GB 11643 ID numbers and the input fields built on them."""
import pytest
from marshmallow import Schema, ValidationError

from liandong import idnumbers
from liandong.fields import Fen, IdNumber, Mobile


def test_check_digit():
    assert idnumbers.is_valid("11010519491231002X")
    assert idnumbers.is_valid("110101199003078515")
    assert idnumbers.problem("110101199003078514") == "the check digit of the ID number is wrong"
    assert "date of birth" in idnumbers.problem("110101199002308512")
    assert idnumbers.problem("12345") is not None


def test_masking():
    assert idnumbers.mask("110101199003078515") == "110101********8515"
    assert idnumbers.mask_mobile("13912345678") == "139****5678"
    assert idnumbers.mask_address("家园社区1号楼3单元201") == "家园社区****"
    assert idnumbers.mask_address("1号楼") == "****" and idnumbers.mask_address(None) is None


class Person(Schema):
    id_number = IdNumber(required=True)
    mobile = Mobile()
    amount = Fen()


def test_fields_give_field_level_messages():
    assert Person().load({"id_number": "11010519491231002x", "mobile": "139 1234 5678", "amount": 47190600}) == {
        "id_number": "11010519491231002X", "mobile": "13912345678", "amount": 47190600}
    with pytest.raises(ValidationError) as err:
        Person().load({"id_number": "110101199003078514", "mobile": "12345", "amount": 1.5})
    assert set(err.value.messages) == {"id_number", "mobile", "amount"}
