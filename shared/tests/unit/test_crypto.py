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
