"""Declared personal fields: encrypted on write at any depth, decrypted on read, found by blind index."""
import json

from liandong.crypto import FieldCipher, is_encrypted
from liandong.personal import BlindIndex, PersonalFields

CIPHER = FieldCipher("k" * 32)
HOUSEHOLD = PersonalFields.of("household", "eligibility", "history[].note", "attendance{}.note", "mobile",
                              "petitioners[].id_number", names={"petitioners[].id_number": "petitioner.id_number"},
                              blind=(BlindIndex("id_numbers", "petitioners[].id_number", "petitioner.id_number"),))


def doc() -> dict:
    return {"_id": "a-1", "org_path": "/chuanying/", "status": "submitted", "mobile": "13904321234",
            "household": {"members": [{"id_number": "220204195804176321", "monthly_income_fen": 123457}]},
            "eligibility": {"figures": {"household_income_fen": 123457}},
            "history": [{"step": "submitted", "note": "住松花江路97号"}, {"step": "x", "note": None}],
            "attendance": {"v-1": {"minutes": 60, "note": "腿脚不便"}},
            "petitioners": [{"name": "刘", "id_number": "11010519491231002X"}, {"name": "匿名"}]}


def test_every_declared_path_is_sealed_the_rest_left_as_it_is_and_it_reads_back_whole():
    plain = doc()
    stored = HOUSEHOLD.encrypt(plain, CIPHER)
    text = json.dumps(stored, ensure_ascii=False)
    for secret in ("13904321234", "220204195804176321", "123457", "松花江路97号", "腿脚不便", "11010519491231002X"):
        assert secret not in text
    assert is_encrypted(stored["household"]) and is_encrypted(stored["history"][0]["note"])
    assert stored["history"][1]["note"] is None and stored["history"][0]["step"] == "submitted"
    assert stored["attendance"]["v-1"]["minutes"] == 60 and stored["petitioners"][1] == {"name": "匿名"}
    assert stored["status"] == "submitted" and stored["org_path"] == "/chuanying/"
    assert plain == doc()  # the caller's document is not changed
    assert HOUSEHOLD.decrypt(stored, CIPHER) == {**plain, "id_numbers": stored["id_numbers"]}
    # bound to its name: the petition service's existing ciphertext ("petitioner.id_number") still opens
    assert CIPHER.decrypt(stored["petitioners"][0]["id_number"], "petitioner.id_number") == "11010519491231002X"


def test_blind_index_finds_the_value_and_plain_data_from_before_reads_and_is_found_stale():
    stored = HOUSEHOLD.encrypt(doc(), CIPHER)
    assert stored["id_numbers"] == [CIPHER.blind_index("11010519491231002x", "petitioner.id_number")]
    assert not HOUSEHOLD.stale(stored, CIPHER)
    assert HOUSEHOLD.stale(doc(), CIPHER)  # written before: plain
    assert HOUSEHOLD.decrypt(doc(), CIPHER) == doc()  # ...and still read
    assert HOUSEHOLD.stale({**stored, "id_numbers": []}, CIPHER)  # index missing
    rotated = FieldCipher("new", previous=["k" * 32])
    assert HOUSEHOLD.stale(stored, rotated)  # under the previous key
    assert HOUSEHOLD.decrypt(stored, rotated) == HOUSEHOLD.decrypt(stored, CIPHER)
    again = HOUSEHOLD.encrypt(HOUSEHOLD.decrypt(stored, rotated), rotated)
    assert not HOUSEHOLD.stale(again, rotated) and not HOUSEHOLD.stale(again, FieldCipher("new"))
