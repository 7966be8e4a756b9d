"""A volunteer may give their ID number once, at registration (#19): it is kept encrypted, shown masked to
staff without personal_data:read, and names them on volunteer.registered only by the platform's pseudonym
(`person_key`), so the one file per household (一户一档, in the security service) finds their hours."""
from __future__ import annotations

import json

import pytest

from liandong import idnumbers
from liandong.personal import person_key
from liandong.testing import STORES, wait_for

REGISTERED = "liandong.volunteer.registered.v1"


def _id_number(seq: int) -> str:
    first = f"22020419650708{seq:03d}"
    return first + idnumbers.check_digit(first)


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_the_volunteers_id_number_is_sent_only_as_their_person_key(svc):
    number = _id_number(431)
    given = svc.register(name="张建国", id_number=number.lower())  # an ID number as typed: upper-cased
    plain = svc.register(name="李秀英")  # without one: no key
    events = wait_for(lambda: (found := {e.data["volunteer_id"]: e for e in svc.events({REGISTERED})})
                      and {given["id"], plain["id"]} <= set(found) and found, 20, message="volunteer.registered")
    assert events[given["id"]].data["person_key"] == person_key(svc.platform.deps.cipher, number)
    assert events[plain["id"]].data["person_key"] is None
    wire = json.dumps(events[given["id"]].to_dict(), ensure_ascii=False)
    assert number not in wire and number.lower() not in wire
    # kept encrypted; shown whole with personal_data:read, masked without
    assert number not in str(svc.stores.volunteers.collection.find_one({"_id": given["id"]}))
    officer = svc.headers("subdistrict_officer", "huangqi", "/chuanying/huangqi/")
    assert svc.get(f"/volunteers/{given['id']}", headers=officer)["id_number"] == number
    assert svc.get(f"/volunteers/{given['id']}")["id_number"] == idnumbers.mask(number)


def test_a_wrong_id_number_is_refused_with_its_field(svc):
    valid = _id_number(432)
    wrong = valid[:-1] + ("1" if valid[-1] == "0" else "0")  # a bad check digit
    r = svc.post("/volunteers", {"name": "王五", "kind": "resident", "org_unit_id": "jiayuan", "consent": True,
                                 "id_number": wrong})
    assert r.status_code in (400, 422) and "id_number" in json.dumps(r.get_json())
