"""Field encryption and blind indexes."""
import pytest
from cryptography.exceptions import InvalidTag

from liandong.crypto import FieldCipher, is_encrypted


def test_values_are_encrypted_bound_to_their_field_and_indexed_blindly():
    cipher = FieldCipher("k" * 32)
    sealed = cipher.encrypt("110101199003078515", "id_number")
    assert is_encrypted(sealed) and "110101" not in sealed
    assert sealed != cipher.encrypt("110101199003078515", "id_number")  # random nonce
    assert cipher.decrypt(sealed, "id_number") == "110101199003078515"
    with pytest.raises(InvalidTag):
        cipher.decrypt(sealed, "mobile")  # copied into another field, it does not open
    with pytest.raises(InvalidTag):
        FieldCipher("another key").decrypt(sealed, "id_number")
    assert cipher.blind_index("11010519491231002x", "id_number") == cipher.blind_index("11010519491231002X ", "id_number")
    assert cipher.blind_index("x", "id_number") != FieldCipher("another key").blind_index("x", "id_number")
    assert cipher.encrypt(None, "f") is None and cipher.decrypt("plain", "f") == "plain"


def test_any_json_value_is_sealed_whole_and_comes_back_as_it_was():
    cipher = FieldCipher("k" * 32)
    household = {"members": [{"id_number": "110101199003078515", "monthly_income_fen": 123457}], "address": "1-101"}
    for value in (household, 123457, [1, "二"], True):
        sealed = cipher.seal(value, "household")
        assert is_encrypted(sealed) and "123457" not in sealed and "110101" not in sealed
        assert cipher.unseal(sealed, "household") == value
    assert cipher.seal(None, "f") is None and cipher.unseal(123, "f") == 123  # plain data from before reads as is
    # text that looks like a token (a user may type anything) is sealed like any other, and reads back as typed
    lookalike = "enc:v1:AAAA"
    assert cipher.unseal(cipher.seal(lookalike, "f"), "f") == lookalike


def test_rotation_reads_with_the_previous_key_writes_with_the_current_and_looks_up_under_both():
    old = FieldCipher("old key")
    rotating = FieldCipher("new key", previous=["old key"])
    written_before = old.encrypt("13904321234", "mobile")
    assert rotating.decrypt(written_before, "mobile") == "13904321234"
    assert not rotating.is_current(written_before, "mobile")
    written_now = rotating.encrypt("13904321234", "mobile")
    assert rotating.is_current(written_now, "mobile")
    with pytest.raises(InvalidTag):
        old.decrypt(written_now, "mobile")  # written with the new key only
    assert rotating.blind_indexes("X1", "id") == [FieldCipher("new key").blind_index("X1", "id"),
                                                   old.blind_index("X1", "id")]
    assert rotating.blind_match("X1", "id") == {"$in": rotating.blind_indexes("X1", "id")}
    assert FieldCipher("new key").blind_match("X1", "id") == FieldCipher("new key").blind_index("X1", "id")
    with pytest.raises(InvalidTag):
        FieldCipher("new key").decrypt(written_before, "mobile")  # the old key dropped too early: an error, not junk
